/* config: the modprobe configuration as kmod reads it. The files are read whole into one
 * arena and cut in place: lines are joined where kmod joins them, words end in NULs, and
 * the entries (growing down from the arena's end) point into that text. kmod's quirks are
 * kept where they change what modprobe does or what `modprobe -c` prints. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "match.h"
#include "sys.h"
#include "util.h"

/* Address space only: the pages a system's few kilobytes of configuration touch are all
 * that is used. */
#define ARENA (1 << 20)
#define MAX_FILES 256
/* kmod reads that much of the kernel command line (KCMD_LINE_SIZE) */
#define CMDLINE_MAX 4095

static const char *const default_paths[] = {
	"/etc/modprobe.d",     "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d", 0,
};

static const char *const depmod_paths[] = {
	"/etc/depmod.d",     "/run/depmod.d", "/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d", "/lib/depmod.d", 0,
};

/* The commands, numbered as the kinds; the last two are deprecated. */
static const char commands[] = "blacklist\0install\0remove\0alias\0options\0softdep\0"
			       "weakdep\0include\0config\0";

static struct config_entry *entries(const struct config *c)
{
	return (struct config_entry *)(c->base + ARENA);
}

const struct config_entry *config_entry(const struct config *c, unsigned i)
{
	return entries(c) - i - 1;
}

static int arena(struct config *c)
{
	long p;

	if (c->base)
		return 0;
	p = sys_mmap(ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (sys_failed(p))
		return -ENOMEM;
	c->base = (char *)p;
	return 0;
}

static size_t room(const struct config *c)
{
	return (char *)(entries(c) - c->n) - (c->base + c->len);
}

static void add(struct config *c, int kind, const char *key, const char *val)
{
	struct config_entry *e = entries(c) - c->n - 1;

	if ((char *)e < c->base + c->len)
		return; /* a megabyte of configuration: the rest is dropped */
	e->key = key;
	e->val = val;
	e->kind = kind;
	c->n++;
}

static int space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Word modes: a word; a word that is a name; a whole string that is a name. */
enum { WORD, NAME, NAME_STRING };

/* The next word of *s ending at a space or tab, cut with a NUL, as strtok_r(" \t")
 * gives it: *s is then just past the one delimiter that ended it. A name goes through
 * kmod's underscores() as well: '-' becomes '_' outside [...], and an unmatched bracket
 * gives NULL. Letters and '_' take one comparison. */
static char *word(char **s, int mode)
{
	char *p = *s, *w;
	unsigned char ch;
	int open = 0;

	while (mode != NAME_STRING && (*p == ' ' || *p == '\t'))
		p++;
	for (w = p;; p++) {
		ch = *p;
		if (ch > ']')
			continue;
		if (!ch || (mode != NAME_STRING && (ch == ' ' || ch == '\t')))
			break;
		if (mode == WORD)
			continue;
		if (open)
			open = ch != ']';
		else if (ch == '-')
			*p = '_';
		else if (ch == '[')
			open = 1;
		else if (ch == ']')
			return 0;
	}
	if (open || (p == w && mode != NAME_STRING))
		return 0;
	if (*p)
		*p++ = 0;
	*s = p;
	return w;
}

static void parse_line(struct config *c, char *s, const char *file, unsigned line)
{
	const char *cmd, *k = commands;
	char *key, *val = 0, num[12];
	int kind = 0;

	if (*s == '#' || !(cmd = word(&s, WORD)))
		return;
	/* one strcmp per line: the command's first letter picks its candidate */
	for (; *k && (*k != *cmd || strcmp(k, cmd)); kind++)
		while (*k++)
			;
	if (kind == CONFIG_KINDS + 2) /* unknown */
		goto bad;
	if (kind >= CONFIG_KINDS) {
		error(file, ": command ", cmd, " is deprecated and not parsed anymore");
		return;
	}
	key = word(&s, NAME);
	if (kind == CONFIG_ALIAS)
		val = word(&s, NAME);
	else if (kind != CONFIG_BLACKLIST && *s)
		val = s; /* the rest, as strtok_r(NULL, "") gives it */
	if (!key || (kind != CONFIG_BLACKLIST && !val))
		goto bad;
	if (kind == CONFIG_OPTIONS)
		for (s = val; (s = strchr(s, '\t'));)
			*s++ = ' ';
	add(c, kind, key, val);
	return;
bad:
	error(file, " line ", utoa(num + sizeof(num), line),
	      ": ignoring bad line starting with '", cmd, "'");
}

/* depmod.d's commands, numbered as DEPMOD_*, then the two kmod ignores. */
static const char depmod_commands[] = "search\0override\0external\0exclude\0include\0"
				      "make_map_files\0";

static void parse_depmod(struct config *c, char *s, const char *file, unsigned line)
{
	const char *k = depmod_commands;
	char *cmd, *mod = 0, *ver, *dir, num[12];
	int kind = 0;

	if (*s == '#' || !(cmd = word(&s, WORD)))
		return;
	for (; *k && strcmp(k, cmd); kind++)
		k += strlen(k) + 1;
	if (kind == DEPMOD_SEARCH || kind == DEPMOD_EXCLUDE) {
		while ((dir = word(&s, WORD)))
			add(c, kind, dir, 0);
		return;
	}
	if (kind > DEPMOD_EXCLUDE && *k)
		return;
	if (kind == DEPMOD_OVERRIDE)
		mod = word(&s, WORD);
	ver = word(&s, WORD);
	dir = word(&s, WORD);
	if (*k && ver && dir && (mod || kind == DEPMOD_EXTERNAL)) {
		if (match_regex(ver, c->kver))
			add(c, kind, mod ? mod : dir, dir);
		return;
	}
	error(file, ":", utoa(num + sizeof(num), line),
	      ": ignoring bad line starting with '", cmd, "'");
}

/* Reads path into the arena, at most max bytes, NUL-terminated. Returns the text or NULL;
 * *len is its length. */
static char *slurp(struct config *c, const char *path, size_t max, size_t *len)
{
	char *p = c->base + c->len;
	size_t n = 0;
	long r;
	int fd;

	if (room(c) < 2 || (fd = xopen(path, O_RDONLY)) < 0)
		return 0;
	if (max > room(c) - 2)
		max = room(c) - 2;
	while ((r = sys_read(fd, p + n, max - n)) > 0 || r == -EINTR)
		if (r > 0)
			n += r;
	sys_close(fd);
	p[n] = 0;
	*len = n;
	return r < 0 ? 0 : p;
}

/* One file, line by line as kmod's getline_wrapped() gives them: a backslash takes the
 * next byte literally and joins the lines when that is a newline. A file without a
 * backslash, nearly every one, is only cut at its newlines. */
static void parse_file(struct config *c, const char *path)
{
	size_t n;
	char *r = slurp(c, path, ARENA, &n), *end, *s, *w, ch;
	unsigned line = 0;
	int join;

	if (!r)
		return;
	if (n && r[n - 1] != '\n')
		r[n++] = '\n';
	c->len += n + 1;
	join = memchr(r, '\\', n) != 0;
	for (end = r + n; r < end;) {
		s = w = r;
		if (!join) { /* most files: every line ends at its newline */
			w = memchr(r, '\n', end - r);
			r = w + 1;
			line++;
		}
		while (join) {
			/* "\\\n" at the end: kmod counts one line more */
			if (r == end) {
				line++;
				break;
			}
			ch = *r++;
			if (ch == '\n') {
				line++;
				break;
			}
			if (ch == '\\' && (ch = *r++) == '\n') {
				line++;
				continue;
			}
			*w++ = ch;
		}
		*w = 0;
		(c->kver ? parse_depmod : parse_line)(c, s, path, line);
	}
}

struct file {
	const char *dir, *name; /* dir NULL: name is the whole path */
};

static const char *file_key(const struct file *f)
{
	return f->dir ? f->name : path_base(f->name);
}

/* Inserts a file in name order unless the name is taken. Returns the new count. */
static int add_file(struct file *f, int n, const char *dir, const char *name)
{
	struct file new = {dir, name};
	const char *key = file_key(&new);
	int i, cmp = 1;

	for (i = 0; i < n && (cmp = strcmp(key, file_key(&f[i]))) > 0; i++)
		;
	if (!cmp || n == MAX_FILES)
		return n;
	memmove(f + i + 1, f + i, (n - i) * sizeof(*f));
	f[i] = new;
	return n + 1;
}

/* linux_dirent64 */
struct dent {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int list_dir(struct config *c, struct file *f, int n, const char *dir)
{
	int fd = sys_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dent *d;
	size_t len;
	long r;

	if (fd == -ENOTDIR)
		return add_file(f, n, 0, dir);
	if (fd < 0)
		return n;
	/* the entries stay in the arena: the file list points at their names */
	while ((r = sys3(SYS_getdents64, fd, (long)(c->base + c->len), room(c))) > 0) {
		for (d = (struct dent *)(c->base + c->len); r > 0;
		     r -= d->reclen, d = (struct dent *)((char *)d + d->reclen)) {
			len = strlen(d->name);
			if (d->name[0] == '.' || len < 6 ||
			    strcmp(d->name + len - 5, ".conf"))
				continue;
			if (d->type == 4 /* DT_DIR */)
				error("Directories inside directories are not supported: ",
				      dir, "/", d->name);
			else
				n = add_file(f, n, dir, d->name);
		}
		c->len = (char *)d - c->base;
	}
	sys_close(fd);
	return n;
}

int config_load(struct config *c, const char *const *paths, const char *moddir)
{
	struct file f[MAX_FILES];
	char path[4096];
	int i, n = 0;

	if (arena(c))
		return -ENOMEM;
	if (moddir) {
		n = add_file(f, n, moddir, "modules.softdep");
		n = add_file(f, n, moddir, "modules.weakdep");
	}
	for (paths = paths     ? paths
		     : c->kver ? depmod_paths
			       : default_paths;
	     *paths; paths++)
		n = list_dir(c, f, n, *paths);
	for (i = 0; i < n; i++) {
		if (f[i].dir)
			cat(path, sizeof(path), f[i].dir, "/", f[i].name);
		parse_file(c, f[i].dir ? path : f[i].name);
	}
	return 0;
}

static void cmdline_option(struct config *c, char *mod, char *param, char *value)
{
	char *v;

	if (!strcmp(mod, "modprobe") && !strncmp(param, "blacklist=", 10)) {
		for (; value; value = v) {
			v = strchr(value, ',');
			if (v)
				*v++ = 0;
			if (word(&(char *){value}, NAME_STRING))
				add(c, CONFIG_BLACKLIST, value, 0);
		}
	} else if (!word(&(char *){mod}, NAME_STRING)) {
		error("Ignoring bad option on kernel command line while parsing module name: '",
		      mod, "'");
	} else {
		for (v = param; (v = strchr(v, '\t'));)
			*v++ = ' ';
		add(c, CONFIG_OPTIONS, mod, param);
	}
}

/* kmod's kcmdline parser, state for state: a word is MOD.PARAM[=VALUE]; quotes may
 * surround the whole word (kept, moved to surround the value) or sit in the value. */
int config_cmdline(struct config *c, const char *path)
{
	enum { MODNAME, PARAM, VALUE, IGNORE } state = MODNAME;
	char *p, *mod, *param = 0, *value = 0, *quote = 0, ch;
	int quoted = 0;
	size_t n;

	if (arena(c))
		return -ENOMEM;
	p = slurp(c, path ? path : "/proc/cmdline", CMDLINE_MAX, &n);
	if (!p)
		return -ENOENT;
	c->len += n + 1;
	for (mod = p;; p++) {
		ch = *p;
		if ((unsigned char)ch > '=') /* not one of " .= or a blank */
			continue;
		if (ch == '"') {
			quoted = !quoted;
			if (quoted && state == MODNAME && p == mod)
				quote = p, mod = p + 1;
			else if (state != VALUE)
				state = IGNORE;
		} else if (!ch || space(ch)) {
			if (quoted) {
				if (state != VALUE)
					state = IGNORE;
			} else {
				if (state == VALUE || state == PARAM) {
					*p = 0;
					if (quote && quote < mod) {
						/* "mod.param=a b" becomes mod.param="a b" */
						memmove(quote, mod, value - mod);
						value--, mod--, param--;
						*value = '"';
					}
					cmdline_option(c, mod, param, value);
				}
				mod = p + 1;
				state = MODNAME;
				quote = 0;
			}
			if (!ch)
				return 0;
		} else if (ch == '.') {
			if (state == MODNAME)
				*p = 0, param = p + 1, state = PARAM;
			else if (state == PARAM)
				state = IGNORE;
		} else if (ch == '=') {
			if (state == PARAM)
				value = p + 1, state = VALUE;
			else if (state == MODNAME)
				state = IGNORE;
		}
	}
}

void config_free(struct config *c)
{
	unmap(c->base, ARENA);
	c->base = 0;
	c->len = c->n = 0;
}

const struct config_entry *config_find(const struct config *c, int kind, const char *name,
				       unsigned *pos)
{
	const struct config_entry *e;
	int exact =
		kind & CONFIG_EXACT || kind == CONFIG_OPTIONS || kind == CONFIG_BLACKLIST;

	kind &= ~CONFIG_EXACT;
	while (*pos < c->n) {
		e = entries(c) - ++*pos;
		/* most keys are plain names: their first byte rules most of them out */
		if (e->kind != kind ||
		    (*e->key != *name && *e->key != '*' && *e->key != '?' &&
		     *e->key != '[' && *e->key != '\\'))
			continue;
		if (exact ? !strcmp(e->key, name) : match_glob(e->key, name))
			return e;
	}
	return 0;
}

int config_options(const struct config *c, const char *name, const char *alias, char *dst,
		   size_t cap)
{
	const struct config_entry *e = entries(c), *end = e - c->n;
	size_t n = strlen(dst), len;

	while (e-- > end) {
		if (e->kind != CONFIG_OPTIONS ||
		    (strcmp(e->key, name) && (!alias || strcmp(e->key, alias))))
			continue;
		len = strlen(e->val);
		if (n + len + 2 > cap)
			return -E2BIG;
		if (n)
			dst[n++] = ' ';
		memcpy(dst + n, e->val, len + 1);
		n += len;
	}
	return 0;
}

int config_deps_next(struct config_deps *d, const char **word, size_t *len)
{
	const char *p = d->p, *s;
	size_t n;

	for (;;) {
		while (space(*p))
			p++;
		if (!*p) {
			d->p = p;
			return 0;
		}
		for (s = p; *p && !space(*p); p++)
			;
		n = p - s;
		if (d->mode != CONFIG_DEP_WEAK) {
			if (n == 4 && !memcmp(s, "pre:", 4)) {
				d->mode = CONFIG_DEP_PRE;
				continue;
			}
			if (n == 5 && !memcmp(s, "post:", 5)) {
				d->mode = CONFIG_DEP_POST;
				continue;
			}
			if (!d->mode)
				continue;
		}
		d->p = p;
		*word = s;
		*len = n;
		return d->mode;
	}
}

/* kmod prints the words from the first pre module to the last one (posts between them
 * included), then "post: " and the same for posts, without a space between the two. */
static void dump_deps(struct outbuf *o, const struct config_entry *e)
{
	struct config_deps d;
	const char *w;
	size_t len;
	int want, mode, count, started;

	for (want = CONFIG_DEP_PRE; want <= CONFIG_DEP_WEAK; want++) {
		count = started = 0;
		for (config_deps_init(&d, e); (mode = config_deps_next(&d, &w, &len));)
			count += mode == want;
		if (!count)
			continue;
		if (want != CONFIG_DEP_WEAK)
			out_cat(o, want == CONFIG_DEP_PRE ? "pre: " : "post: ");
		for (config_deps_init(&d, e);
		     count && (mode = config_deps_next(&d, &w, &len));) {
			if (!started && mode != want)
				continue;
			if (started++)
				out_write(o, " ", 1);
			out_write(o, w, len);
			count -= mode == want;
		}
	}
}

void config_dump(const struct config *c, struct outbuf *o)
{
	const struct config_entry *e;
	const char *name = commands;
	int kind;
	unsigned i;

	for (kind = 0; kind < CONFIG_KINDS; kind++, name += strlen(name) + 1) {
		for (i = 0; i < c->n; i++) {
			e = entries(c) - i - 1;
			if (e->kind != kind)
				continue;
			out_cat(o, name, " ", e->key, e->val ? " " : "");
			if (kind >= CONFIG_SOFTDEP && e->val)
				dump_deps(o, e);
			else
				out_cat(o, e->val ? e->val : "");
			out_cat(o, "\n");
		}
	}
}
