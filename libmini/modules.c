/* modules: what modprobe resolves, as kmod does. The indexes are searched in place; the
 * module table and the strings it keeps live in one arena of address space. */
#include "modules.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "depmod.h"
#include "match.h"
#include "sys.h"
#include "util.h"

#define ARENA (64 << 20) /* address space: only what is used is touched */
#define MAX_FOUND 512

enum { IX_DEP, IX_ALIAS, IX_SYMBOLS, IX_BUILTIN, IX_BUILTIN_ALIAS };
static const char ix_files[] = "modules.dep.bin\0modules.alias.bin\0modules.symbols.bin\0"
			       "modules.builtin.bin\0modules.builtin.alias.bin\0";

int moddb_open(struct moddb *db, const char *dir, const struct config *cfg)
{
	long p = sys_mmap(ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	memset(db, 0, sizeof(*db));
	if (sys_failed(p))
		return -ENOMEM;
	db->arena = (char *)p;
	db->buckets = (struct mod **)p;
	db->used = MODDB_BUCKETS * sizeof(struct mod *);
	db->dir = dir;
	db->cfg = cfg;
	return 0;
}

void moddb_close(struct moddb *db)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (db->opened & 1 << i)
			index_close(&db->ix[i]);
		unmap(db->text[i], db->text_len[i]);
	}
	if (db->arena)
		sys_munmap(db->arena, ARENA);
}

/* The path of index i in path[4096]; returns its length. */
static size_t ix_path(struct moddb *db, int i, char *path)
{
	const char *f = ix_files;

	while (i--)
		f += strlen(f) + 1;
	return cat(path, 4096, db->dir, "/", f);
}

/* The index, opened on first use; NULL when the file is missing or broken. */
static struct index *ix(struct moddb *db, int i)
{
	char path[4096];

	if (db->opened & 1 << i)
		return &db->ix[i];
	if (db->missing & 1 << i)
		return 0;
	ix_path(db, i, path);
	if (index_open(&db->ix[i], path)) {
		db->missing |= 1 << i;
		return 0;
	}
	db->opened |= 1 << i;
	return &db->ix[i];
}

/* Text file i, mapped: its newlines turned to NULs. */
static void cut_lines(struct moddb *db, int i)
{
	char *p;

	if (!db->text_len[i])
		return;
	for (p = db->text[i]; p < db->text[i] + db->text_len[i]; p++)
		if (*p == '\n')
			*p = 0;
	/* no zero follows a file of whole pages: cut its unended line */
	if (!(db->text_len[i] & 4095))
		p[-1] = 0;
}

/* The text file beside a missing index (modules.dep for modules.dep.bin, ...), read
 * once, its newlines turned to NULs. NULL when it is missing as well. */
static char *text(struct moddb *db, int i)
{
	char path[4096];

	if (!(db->text_read & 1 << i)) {
		db->text_read |= 1 << i;
		path[ix_path(db, i, path) - 4] = 0; /* without ".bin" */
		if (!map_file(path, &db->text[i], &db->text_len[i]))
			cut_lines(db, i);
	}
	return db->text[i];
}

#ifdef CONFIG_FEATURE_MODPROBE_DEPMOD
int moddb_refresh(struct moddb *db)
{
	static struct depmod r;
	static const unsigned char ixs[] = {IX_DEP, IX_ALIAS, IX_SYMBOLS};
	size_t n;
	int k, i;

	if (db->built)
		return 0;
	db->built = 1;
	depmod_dir(r.dir, db->dir, "", "");
	for (n = strlen(r.dir); n > 1 && r.dir[n - 1] == '/';)
		r.dir[--n] = 0;
	memcpy(r.out_dir, r.dir, n + 1);
	r.kver = strrchr(r.dir, '/') + 1;
	if (!depmod_stale(&r))
		return 0;
	report(": WARNING: ", r.dir, "/modules.dep is missing or older than the modules:",
	       " reading the modules themselves (run depmod)");
	if (depmod_search(&r, 0) || depmod_resolve(&r) ||
	    depmod_output(&r, DEPMOD_MEMORY))
		return -EIO;
	for (k = 0; k < 3; k++) {
		/* the old files stay mapped: modules looked up already point into them */
		i = ixs[k];
		db->opened &= ~(1u << i);
		db->missing |= 1 << i;
		db->text_read |= 1 << i;
		if (!map_fd(r.mem[k], &db->text[i], &db->text_len[i]))
			cut_lines(db, i);
		sys_close(r.mem[k]);
	}
	return 1;
}
#endif

/* The line of modules.dep or modules.builtin whose module is name, as the index would
 * give it: 0 and *value, or -ENOENT. */
static int text_lookup(struct moddb *db, int i, const char *name, const char **value)
{
	char *p = text(db, i), *end, mod[256];
	size_t n;

	for (end = p ? p + db->text_len[i] : p; p < end; p += strlen(p) + 1) {
		n = strcspn(p, ":");
		if (n >= sizeof(mod))
			continue;
		memcpy(mod, p, n);
		mod[n] = 0;
		if (!strcmp(modname_normalize(mod, mod), name)) {
			*value = i == IX_BUILTIN ? "" : p;
			return 0;
		}
	}
	return -ENOENT;
}

/* Exact search in an index, or its text file when the index is missing. */
static int lookup(struct moddb *db, int i, const char *key, const char **value)
{
	struct index *x = ix(db, i);

	return x ? index_lookup(x, key, value) : text_lookup(db, i, key, value);
}

static void *alloc(struct moddb *db, size_t n)
{
	char *p;

	n = (n + 7) & ~(size_t)7;
	if (db->used + n > ARENA)
		return 0;
	p = db->arena + db->used;
	db->used += n;
	return p;
}

static const char *strsave(struct moddb *db, const char *s, size_t n)
{
	char *p = alloc(db, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

struct mod *moddb_get(struct moddb *db, const char *name, const char *alias)
{
	unsigned h = 5381;
	const char *p;
	struct mod *m;

	for (p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	h %= MODDB_BUCKETS;
	for (m = db->buckets[h]; m; m = m->next)
		if (!strcmp(m->name, name) && same(m->alias, alias))
			return m;
	m = alloc(db, sizeof(*m));
	if (!m)
		return 0;
	memset(m, 0, sizeof(*m));
	m->name = strsave(db, name, strlen(name));
	m->alias = alias ? strsave(db, alias, strlen(alias)) : 0;
	if (!m->name || (alias && !m->alias))
		return 0;
	m->next = db->buckets[h];
	db->buckets[h] = m;
	return m;
}

/* The per-probe flags start afresh in each probe (kmod clears them all; a generation
 * number does it without visiting every module). */
static void touch(struct moddb *db, struct mod *m)
{
	if (m->gen != db->gen) {
		m->gen = db->gen;
		m->flags &= ~(MOD_VISITED | MOD_REQUIRED | MOD_IGNORECMD);
	}
}

/* m's modules.dep line, once: "path: dep dep ..." */
static void read_depline(struct moddb *db, struct mod *m)
{
	const char *line, *colon;

	if (m->flags & MOD_DEP)
		return;
	m->flags |= MOD_DEP;
	if (lookup(db, IX_DEP, m->name, &line))
		return;
	colon = strchr(line, ':');
	if (!colon)
		return;
	m->path = strsave(db, line, colon - line);
	for (colon++; *colon == ' ' || *colon == '\t'; colon++)
		;
	m->deps = colon;
}

int modname_alias_normalize(char *dst, const char *src, size_t cap)
{
	size_t n = 0;

	for (; *src; src++) {
		if (n + 1 >= cap)
			return -ENAMETOOLONG;
		if (*src == ']')
			return -EINVAL;
		if (*src == '[') {
			while (*src && *src != ']' && n + 1 < cap)
				dst[n++] = *src++;
			if (*src != ']' || n + 1 >= cap)
				return -EINVAL;
		}
		dst[n++] = *src == '-' ? '_' : *src;
	}
	dst[n] = 0;
	return 0;
}

/* Appends m to out unless full; returns the new count, -E2BIG, or -ENOMEM. */
static int put_mod(struct mod *m, struct mod **out, int n, int cap)
{
	if (!m)
		return -ENOMEM;
	if (n >= cap)
		return -E2BIG;
	out[n] = m;
	return n + 1;
}

/* The values of a wildcard index search as modules named by them, found through
 * query; builtin marks them so. */
static int from_index(struct moddb *db, int i, const char *query, struct mod **out,
		      int cap, unsigned flags)
{
	static struct index_value v[MAX_FOUND]; /* not on the stack: callers nest deep */
	static char key[1024];
	struct index *x = ix(db, i);
	int k, n = 0, found = 0;
	char *p, *end;

	if (x) {
		found = index_search(x, query, v, MAX_FOUND);
	} else if ((p = text(db, i))) { /* "alias KEY MODULE" lines, in file order */
		for (end = p + db->text_len[i]; p < end && found < MAX_FOUND;
		     p += strlen(p) + 1) {
			char *sp = strncmp(p, "alias ", 6) ? 0 : strchr(p + 6, ' ');

			if (!sp)
				continue;
			*sp = 0; /* the key alone, for a moment, normalised as the index's */
			if (!modname_alias_normalize(key, p + 6, sizeof(key)) &&
			    match_glob(key, query))
				v[found++].value = sp + 1;
			*sp = ' ';
		}
	}
	for (k = 0; k < found && n >= 0; k++) {
		struct mod *m = moddb_get(db, v[k].value, query);
		if (m)
			m->flags |= flags;
		n = put_mod(m, out, n, cap);
	}
	return found < 0 ? found : n;
}

int moddb_lookup(struct moddb *db, const char *given, struct mod **out, int cap)
{
	static char name[4096]; /* moddb_lookup never nests */
	const struct config_entry *e;
	const char *line;
	struct mod *m;
	unsigned pos = 0;
	int n = 0, err;

	err = modname_alias_normalize(name, given, sizeof(name));
	if (err)
		return err;
	/* 1. config aliases: every match, found through the alias pattern */
	while (n >= 0 && (e = config_find(db->cfg, CONFIG_ALIAS, name, &pos)))
		n = put_mod(moddb_get(db, e->val, e->key), out, n, cap);
	if (n)
		return n;
	/* 2. modules.dep: a module name (names hold no ':') */
	if (!strchr(name, ':') && !lookup(db, IX_DEP, name, &line))
		return put_mod(moddb_get(db, name, 0), out, 0, cap);
	/* 3. symbols */
	if (!strncmp(name, "symbol:", 7) &&
	    (n = from_index(db, IX_SYMBOLS, name, out, cap, 0)))
		return n;
	/* 4. a name that only has an install or remove command */
	pos = 0;
	if ((e = config_find(db->cfg, CONFIG_INSTALL | CONFIG_EXACT, name, &pos)) ||
	    (pos = 0,
	     e = config_find(db->cfg, CONFIG_REMOVE | CONFIG_EXACT, name, &pos))) {
		m = moddb_get(db, name, 0);
		if (m && e->kind == CONFIG_INSTALL)
			m->install = e->val;
		else if (m)
			m->remove = e->val;
		return put_mod(m, out, 0, cap);
	}
	/* 5. modules.alias */
	if ((n = from_index(db, IX_ALIAS, name, out, cap, 0)))
		return n;
	/* 6. modules.builtin, 7. modules.builtin.alias */
	if (!lookup(db, IX_BUILTIN, name, &line)) {
		m = moddb_get(db, name, 0);
		if (m)
			m->flags |= MOD_BUILTIN;
		return put_mod(m, out, 0, cap);
	}
	return from_index(db, IX_BUILTIN_ALIAS, name, out, cap, MOD_BUILTIN);
}

int moddb_lookup_name(struct moddb *db, const char *name, struct mod **out)
{
	struct mod *m = 0, *alias[16];
	const char *line;

	if (!lookup(db, IX_DEP, name, &line) || !lookup(db, IX_BUILTIN, name, &line))
		m = moddb_get(db, name, 0);
	else if (from_index(db, IX_BUILTIN_ALIAS, name, alias, 16, 0) > 0)
		m = moddb_get(db, alias[0]->name, 0);
	else
		return 0;
	if (!m)
		return -ENOMEM;
	if (!m->path && !lookup(db, IX_BUILTIN, m->name, &line))
		m->flags |= MOD_BUILTIN;
	*out = m;
	return 1;
}

int moddb_deps(struct moddb *db, struct mod *m, struct mod **list, int cap)
{
	const char *p, *end, *w;
	int n = 0, k;

	read_depline(db, m);
	if (!m->deps)
		return 0;
	/* the line lists the deepest dependency last: load it first */
	for (p = m->deps; *p && n >= 0;) {
		char name[256];

		for (w = p; *p && *p != ' ' && *p != '\t'; p++)
			;
		end = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (end == w)
			continue;
		if ((size_t)(end - w) >= sizeof(name))
			return -EBADMSG;
		memcpy(name, w, end - w);
		name[end - w] = 0;
		struct mod *d = moddb_get(db, modname_normalize(name, name), 0);
		if (d && !d->path) {
			d->path = strsave(db, w, end - w);
			if (!d->path)
				d = 0;
		}
		n = put_mod(d, list, n, cap);
	}
	for (k = 0; k < n / 2; k++) {
		struct mod *t = list[k];
		list[k] = list[n - 1 - k];
		list[n - 1 - k] = t;
	}
	return n;
}

const char *moddb_command(struct moddb *db, struct mod *m, int kind)
{
	const struct config_entry *e;
	unsigned pos = 0;

	if (kind == CONFIG_INSTALL && m->install)
		return m->install;
	if (kind == CONFIG_REMOVE && m->remove)
		return m->remove;
	e = config_find(db->cfg, kind, m->name, &pos);
	return e ? e->val : 0;
}

const char *moddb_path(struct moddb *db, struct mod *m, char *buf, size_t cap)
{
	read_depline(db, m);
	if (!m->path)
		return 0;
	if (m->path[0] == '/')
		cat(buf, cap, m->path);
	else
		cat(buf, cap, db->dir, "/", m->path);
	return buf;
}

struct probe {
	struct moddb *db;
	struct mod **list;
	int n, cap, depth;
};

static int probe_module(struct probe *p, struct mod *m, int required, int ignorecmd);

/* kmod's softdeps of m: those of the first softdep line that matches its name, each
 * looked up like a name given to modprobe. */
int moddb_softdeps(struct moddb *db, struct mod *m, struct mod **pre, int *npre,
		   struct mod **post, int *npost, int cap)
{
	const struct config_entry *e;
	struct config_deps d;
	const char *w;
	size_t len;
	unsigned pos = 0;
	int k, mode, *n;

	*npre = *npost = 0;
	e = config_find(db->cfg, CONFIG_SOFTDEP, m->name, &pos);
	if (!e)
		return 0;
	config_deps_init(&d, e);
	while ((mode = config_deps_next(&d, &w, &len))) {
		char name[256];
		struct mod **out = mode == CONFIG_DEP_PRE ? pre : post;

		if (mode == CONFIG_DEP_WEAK || len >= sizeof(name))
			continue;
		n = mode == CONFIG_DEP_PRE ? npre : npost;
		memcpy(name, w, len);
		name[len] = 0;
		k = moddb_lookup(db, name, out + *n, cap - *n);
		if (k == -E2BIG)
			return k;
		if (k > 0)
			*n += k;
	}
	return 0;
}

static int append(struct probe *p, struct mod *m)
{
	if (p->n >= p->cap)
		return -E2BIG;
	p->list[p->n++] = m;
	return 0;
}

static int fill_softdep(struct probe *p, struct mod *m)
{
	struct mod *pre[64], *post[64];
	int npre, npost, k, err;

	if (moddb_softdeps(p->db, m, pre, &npre, post, &npost, 64))
		return -E2BIG;
	for (k = 0; k < npre; k++)
		if ((err = probe_module(p, pre[k], 0, 0)))
			return err;
	if ((err = append(p, m)))
		return err;
	touch(p->db, m);
	if (npre || npost)
		m->flags |= MOD_IGNORECMD;
	for (k = 0; k < npost; k++)
		if ((err = probe_module(p, post[k], 0, 0)))
			return err;
	return 0;
}

/* Whether the dependency list deps (paths, space-separated) names module name: a path
 * whose file name, '-' read as '_', is name followed by '.'. One pass, no copies: each
 * path component is compared, and only a file name is followed by a '.'. */
static int names(const char *deps, const char *name)
{
	const char *p = deps, *n;

	while (p && *p) {
		for (n = name; *n && (*p == '-' ? '_' : *p) == *n; p++, n++)
			;
		if (!*n && *p == '.')
			return 1;
		while (*p && *p != ' ' && *p != '\t' && *p != '/')
			p++;
		if (*p)
			p++;
	}
	return 0;
}

static int probe_module(struct probe *p, struct mod *m, int required, int ignorecmd)
{
	struct mod *deps[256];
	int n, k, err;

	touch(p->db, m);
	if (m->flags & MOD_VISITED)
		return 0;
	/* softdeps may name each other without end: kmod's visited flags stop most
	 * loops, this stops the rest */
	if (++p->depth > 64)
		return -ELOOP;
	m->flags |= MOD_VISITED;
	n = moddb_deps(p->db, m, deps, 256);
	if (n < 0)
		return n;
	/* modules.dep lists every module's dependencies whole: one that needs m back,
	 * or m itself, is a cycle no order can load (depmod never writes one) */
	for (k = 0; k < n; k++) {
		read_depline(p->db, deps[k]);
		if (deps[k] == m || names(deps[k]->deps, m->name)) {
			p->db->cycle = deps[k]->name;
			return -ELOOP;
		}
	}
	if (required) {
		m->flags |= MOD_REQUIRED;
		for (k = 0; k < n; k++) {
			touch(p->db, deps[k]);
			deps[k]->flags |= MOD_REQUIRED;
		}
	}
	for (k = 0; k < n; k++)
		if ((err = fill_softdep(p, deps[k])))
			return err;
	if (ignorecmd) {
		if ((err = append(p, m)))
			return err;
		m->flags |= MOD_IGNORECMD;
	} else if ((err = fill_softdep(p, m))) {
		return err;
	}
	p->depth--;
	return 0;
}

int moddb_probe_list(struct moddb *db, struct mod *m, int ignorecmd, struct mod **list,
		     int cap)
{
	struct probe p = {db, list, 0, cap, 0};
	int err;

	db->gen++;
	err = probe_module(&p, m, 1, ignorecmd);
	return err ? err : p.n;
}
