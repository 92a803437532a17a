/* depmod: modules.dep and the module indexes of a tree of plain .ko files, byte for byte
 * as Debian's kmod 30 depmod writes them. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "../libmini/elf.h"
#include "../libmini/indexw.h"
#include "../libmini/modules.h"
#include "../libmini/sys.h"
#include "../libmini/util.h"

static const char usage_text[] = "Usage: depmod [-aAnv] [-b BASEDIR] [VERSION]\n" HELP(
	"Write modules.dep and the indexes of BASEDIR/lib/modules/VERSION. -A: only\n"
	"if a module is newer; -n: to stdout; -v: verbose.\n");

#ifndef SYS_newfstatat /* 32-bit */
#define SYS_newfstatat SYS_fstatat64
#endif

/* kmod keeps modules and symbols in hash tables and writes some files in their
 * order: buckets by SuperFastHash, a bucket's keys sorted. So do these. */
#define MOD_BUCKETS 512
#define SYM_BUCKETS 2048

struct dmod {
	struct dmod *next; /* in its bucket */
	const char *rel; /* path under the module directory */
	struct dmod **deps; /* direct, first the order symbols need them, then sorted */
	char *map;
	size_t len;
	struct elf e;
	int ok; /* e is valid */
	unsigned order; /* last line in modules.order, 0 for none */
	unsigned idx, users, ndeps, topo, mark, visited;
	char name[];
};

struct sym {
	struct sym *next;
	struct dmod *owner;
	char name[];
};

struct run {
	char dir[4096];
	size_t dirlen;
	int verbose, quick, newer;
	long dep_mtime;
	unsigned n, gen;
	struct dmod *mods[MOD_BUCKETS], **arr;
	struct sym *syms[SYM_BUCKETS];
	char *free;
	size_t left;
	struct outbuf out;
	char line[1 << 16];
};

static unsigned get16(const char *p)
{
	unsigned short v;

	memcpy(&v, p, 2); /* host order, as kmod reads it */
	return v;
}

/* Paul Hsieh's SuperFastHash, as kmod's hash.c computes it. */
static unsigned hash(const char *key)
{
	unsigned len = strlen(key), h = len, tmp, rem = len & 3;

	for (len /= 4; len; len--, key += 4) {
		h += get16(key);
		tmp = (get16(key + 2) << 11) ^ h;
		h = (h << 16) ^ tmp;
		h += h >> 11;
	}
	if (rem == 3) {
		h += get16(key);
		h ^= h << 16;
		h ^= (unsigned)(signed char)key[2] << 18;
		h += h >> 11;
	} else if (rem == 2) {
		h += get16(key);
		h ^= h << 11;
		h += h >> 17;
	} else if (rem == 1) {
		h += (unsigned)(signed char)*key;
		h ^= h << 10;
		h += h >> 1;
	}
	h ^= h << 3;
	h += h >> 5;
	h ^= h << 4;
	h += h >> 17;
	h ^= h << 25;
	h += h >> 6;
	return h;
}

/* Zeroed memory from anonymous mappings, never freed: the process ends soon. */
static void *alloc(struct run *r, size_t n)
{
	long p;

	n = (n + 7) & ~(size_t)7;
	if (n > r->left) {
		r->left = n > (1 << 20) ? n : 1 << 20;
		p = sys_mmap(r->left, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1);
		if (sys_failed(p)) {
			error("out of memory");
			sys_exit(1);
		}
		r->free = (char *)p;
	}
	r->left -= n;
	r->free += n;
	return r->free - n;
}

/* The bucket slot where key is or would go, keys in strcmp order. The name is the
 * first member after next in both structs' layouts; the offset says where. */
static void **slot(void **b, const char *key, size_t off, int *found)
{
	int c = 1;

	while (*b && (c = strcmp(key, (char *)*b + off)) > 0)
		b = *b;
	*found = !c;
	return b;
}

/* kmod's path_to_modname: the basename up to its first '.', '-' as '_'. */
static char *modname(char *dst, const char *path, size_t n)
{
	const char *b = path;
	size_t k;

	for (k = 0; k < n; k++)
		if (path[k] == '/')
			b = path + k + 1;
	for (k = 0; b[k] && b[k] != '.' && b[k] != '\n' && k < 255; k++)
		dst[k] = b[k] == '-' ? '_' : b[k];
	dst[k] = 0;
	return dst;
}

static struct dmod *find_mod(struct run *r, const char *name, struct dmod ***pp)
{
	int found;

	*pp = (struct dmod **)slot((void **)&r->mods[hash(name) & (MOD_BUCKETS - 1)],
				   name, offsetof(struct dmod, name), &found);
	return found ? **pp : 0;
}

/* A module file found at rel: kmod's default search list is "updates" alone, so a
 * module under updates/ beats one elsewhere; otherwise the first one found stays. */
static void add_file(struct run *r, const char *rel)
{
	char name[256];
	struct dmod **pp, *m = find_mod(r, modname(name, rel, strlen(rel)), &pp);
	size_t n = strlen(rel) + 1;
	char *copy = memcpy(alloc(r, n), rel, n);

	if (m) {
		if (strncmp(rel, "updates", 7) || !strncmp(m->rel, "updates", 7))
			return;
		m->rel = copy;
		return;
	}
	n = strlen(name) + 1;
	m = alloc(r, sizeof(*m) + n);
	memcpy(m->name, name, n);
	m->rel = copy;
	m->next = *pp;
	*pp = m;
	r->n++;
}

/* The tree below r->dir + path (len bytes, "" or ending in '/'), as kmod walks it:
 * directory order, "build" and "source" skipped. With -A only mtimes are compared. */
static void walk(struct run *r, int dfd, char *path, size_t len)
{
	char buf[4096];
	struct stat st;
	long n, k;

	while ((n = sys3(SYS_getdents64, dfd, (long)buf, sizeof(buf))) > 0) {
		for (k = 0; k < n; k += *(unsigned short *)(buf + k + 16)) {
			const char *name = buf + k + 19;
			unsigned char type = buf[k + 18];
			size_t l = strlen(name);
			int fd;

			if (!strcmp(name, ".") || !strcmp(name, "..") ||
			    !strcmp(name, "build") || !strcmp(name, "source") ||
			    len + l + 2 > 4096)
				continue;
			memcpy(path + len, name, l + 1);
			if (r->quick || (type != DT_DIR && type != DT_REG)) {
				if (sys6(SYS_newfstatat, dfd, (long)name, (long)&st, 0, 0,
					 0))
					continue;
				type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
			}
			if (type == DT_DIR) {
				fd = sys_openat(dfd, name,
						O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0)
					continue;
				path[len + l] = '/';
				walk(r, fd, path, len + l + 1);
				sys_close(fd);
			} else if (l > 3 && !strcmp(name + l - 3, ".ko")) {
				if (!r->quick)
					add_file(r, path);
				else if (st.st_mtime > r->dep_mtime)
					r->newer = 1;
			} else if ((l > 6 && !strcmp(name + l - 6, ".ko.xz")) ||
				   (l > 7 && !strcmp(name + l - 7, ".ko.zst"))) {
				error(path, ": compressed modules cannot be read yet");
			}
		}
	}
}

static int map_path(struct run *r, const char *name, char **map, size_t *len)
{
	char path[4096];

	cat(path, sizeof(path), r->dir, "/", name);
	return map_file(path, map, len);
}

/* The modules in kmod's order: by their last line in modules.order, then the others
 * in the hash table's order. */
static void sort_modules(struct run *r)
{
	char *map, *p, *nl, name[256];
	size_t len;
	unsigned k, line, n = 0;
	struct dmod *m, **pp;
	int pass;

	r->arr = alloc(r, r->n * sizeof(*r->arr));
	if (map_path(r, "modules.order", &map, &len))
		error("could not open ", r->dir, "/modules.order");
	else if (len && map[len - 1] != '\n')
		error(r->dir, "/modules.order: corrupted line misses '\\n'");
	else
		for (pass = 0; pass < 2; pass++)
			for (p = map, line = 1; p < map + len; p = nl + 1, line++) {
				nl = memchr(p, '\n', map + len - p);
				m = find_mod(r, modname(name, p, nl - p), &pp);
				if (!m || strlen(m->rel) != (size_t)(nl - p) ||
				    memcmp(m->rel, p, nl - p))
					continue;
				if (!pass)
					m->order = line;
				else if (m->order == line)
					r->arr[n++] = m;
			}
	unmap(map, len);
	for (k = 0; k < MOD_BUCKETS; k++)
		for (m = r->mods[k]; m; m = m->next)
			if (!m->order)
				r->arr[n++] = m;
	for (k = 0; k < n; k++)
		r->arr[k]->idx = k;
}

static struct sym **find_sym(struct run *r, const char *name, int *found)
{
	return (struct sym **)slot((void **)&r->syms[hash(name) & (SYM_BUCKETS - 1)],
				   name, offsetof(struct sym, name), found);
}

/* A symbol m exports; as kmod's hash_add, a later module takes it over. */
static void add_sym(struct run *r, struct dmod *m, const char *name)
{
	int found;
	struct sym **pp = find_sym(r, name, &found), *s;
	size_t n = strlen(name) + 1;

	if (found) {
		(*pp)->owner = m;
		return;
	}
	s = alloc(r, sizeof(*s) + n);
	memcpy(s->name, name, n);
	s->owner = m;
	s->next = *pp;
	*pp = s;
}

/* Opens every module and adds the symbols it exports: .symtab's __ksymtab_NAME
 * entries (__ksymtab_strings holds symbol namespaces too, which kmod leaves out). */
static void load_symbols(struct run *r)
{
	char path[4096];
	const char *s;
	struct elf_symtab t;
	unsigned k, i, shndx, bind;
	int err;

	for (k = 0; k < r->n; k++) {
		struct dmod *m = r->arr[k];

		cat(path, sizeof(path), r->dir, "/", m->rel);
		err = map_path(r, m->rel, &m->map, &m->len);
		if (!err)
			err = elf_open(&m->e, m->map, m->len);
		if (err) {
			error("failed to load symbols from ", path, ": ",
			      err > -4096 ? errno_text(-err) : elf_strerror(err));
			continue;
		}
		m->ok = 1;
		if (elf_symtab(&m->e, &t))
			continue;
		for (i = 1; i < t.count; i++) {
			s = elf_sym(&m->e, &t, i, &shndx, &bind);
			if (s && shndx && !strncmp(s, "__ksymtab_", 10))
				add_sym(r, m, s + 10);
		}
	}
}

/* Each module's direct dependencies: the owners of its undefined symbols, in the order
 * of .symtab, each once. */
static void load_deps(struct run *r)
{
	struct elf_symtab t;
	unsigned k, i, j, shndx, bind;
	const char *s;
	int found;

	for (k = 0; k < r->n; k++) {
		struct dmod *m = r->arr[k], *d;
		struct sym *y;

		if (!m->ok || elf_symtab(&m->e, &t))
			continue;
		m->deps = alloc(r, t.count * sizeof(*m->deps));
		for (i = 1; i < t.count; i++) {
			s = elf_sym(&m->e, &t, i, &shndx, &bind);
			if (!s || !*s || shndx)
				continue;
			y = *find_sym(r, s, &found);
			if (!found)
				continue;
			d = y->owner;
			for (j = 0; j < m->ndeps && m->deps[j] != d; j++)
				;
			if (j < m->ndeps)
				continue;
			m->deps[m->ndeps++] = d;
			d->users++;
			if (r->verbose)
				put(1, r->dir, "/", m->rel, " needs \"", s,
				    "\": ", r->dir, "/", d->rel, "\n");
		}
	}
}

/* kmod's report: a depth-first search from each module still used, printing the
 * path back to a module seen before. */
static void report_cycles(struct run *r, unsigned *users, unsigned *stack,
			  unsigned *edges, unsigned left)
{
	char num[12];
	unsigned ir = 0, is, ie, i, j, n;

	report_v(": ERROR: ", (const char *const[]){"Found ", utoa(num + 11, left),
						    " modules in dependency cycles!", 0});
	for (; left; left--) {
		while (ir < r->n && !users[ir])
			ir++;
		if (ir >= r->n)
			break;
		stack[0] = ir++;
		for (is = 1, ie = 0; is;) {
			struct dmod *m = r->arr[stack[--is]];

			if (m->visited) {
				for (n = 1; n <= ie && r->arr[edges[ie - n]] != m; n++)
					;
				n = n > ie ? ie : n;
				r->line[0] = 0;
				for (i = ie - n; i < ie; i++)
					cat(r->line + strlen(r->line),
					    sizeof(r->line) - strlen(r->line),
					    r->arr[edges[i]]->name, " -> ");
				error("Cycle detected: ", r->line, m->name);
				continue;
			}
			m->visited = 1;
			if (!m->ndeps)
				continue;
			edges[ie++] = m->idx;
			for (j = 0; j < m->ndeps; j++) {
				stack[is++] = m->deps[j]->idx;
				users[m->deps[j]->idx]--;
			}
		}
	}
}

/* kmod's topological order: modules nothing uses first, from a stack. Dependency
 * lists are then sorted by it. Returns -1 after reporting cycles. */
static int order_deps(struct run *r)
{
	unsigned *users = alloc(r, r->n * 4), *roots, *edges, nroots = 0, sorted = 0;
	unsigned k, j, total = 0;

	for (k = 0; k < r->n; k++) {
		users[k] = r->arr[k]->users;
		total += r->arr[k]->ndeps;
	}
	roots = alloc(r, (r->n + total + 1) * 4);
	edges = alloc(r, (r->n + 1) * 4);
	for (k = 0; k < r->n; k++)
		if (!users[k])
			roots[nroots++] = k;
	while (nroots) {
		struct dmod *m = r->arr[roots[--nroots]];

		m->topo = sorted++;
		for (j = 0; j < m->ndeps; j++)
			if (!--users[m->deps[j]->idx])
				roots[nroots++] = m->deps[j]->idx;
	}
	if (sorted < r->n) {
		report_cycles(r, users, roots, edges, r->n - sorted);
		return -1;
	}
	return 0;
}

static void collect(struct run *r, struct dmod *m, struct dmod **list, unsigned *n)
{
	for (unsigned j = 0; j < m->ndeps; j++) {
		struct dmod *d = m->deps[j];

		if (d->mark == r->gen)
			continue;
		d->mark = r->gen;
		list[(*n)++] = d;
		collect(r, d, list, n);
	}
}

/* m's modules.dep line, "rel: dep dep...", every dependency once, in topological
 * order, into r->line. */
static const char *dep_line(struct run *r, struct dmod *m, struct dmod **list)
{
	unsigned n = 0, i, j;
	size_t len;

	r->gen++;
	collect(r, m, list, &n);
	for (i = 1; i < n; i++) /* short lists: insertion sort */
		for (j = i; j && list[j - 1]->topo > list[j]->topo; j--) {
			struct dmod *t = list[j];

			list[j] = list[j - 1];
			list[j - 1] = t;
		}
	cat(r->line, sizeof(r->line), m->rel, ":");
	for (i = 0; i < n; i++) {
		len = strlen(r->line);
		cat(r->line + len, sizeof(r->line) - len, " ", list[i]->rel);
	}
	return r->line;
}

/* kmod's underscores (modules.c's alias normalisation) into r->line; NULL, with kmod's
 * warning, for an unmatched bracket. */
static const char *underscores(struct run *r, const char *s)
{
	if (!modname_alias_normalize(r->line, s, sizeof(r->line)))
		return r->line;
	report_v(": WARNING: ", (const char *const[]){"Unmatched bracket in ", s, 0});
	return 0;
}

/* "char-major-MAJ-MIN" after prefix: writes "cMAJ:MIN" to out. */
static int major_minor(const char *v, const char *prefix, char *out)
{
	size_t n = strlen(prefix);
	const char *p = v + n;
	int k = 1;

	if (strncmp(v, prefix, n) || *p < '0' || *p > '9')
		return 0;
	out[0] = *prefix;
	while (*p >= '0' && *p <= '9')
		out[k++] = *p++;
	if (*p++ != '-' || *p < '0' || *p > '9')
		return 0;
	out[k++] = ':';
	while (*p >= '0' && *p <= '9' && k < 30)
		out[k++] = *p++;
	out[k] = 0;
	return 1;
}

static void text(struct run *r, const char *const *s)
{
	for (; *s; s++)
		out_write(&r->out, *s, strlen(*s));
}
#define text(r, ...) text(r, (const char *const[]){__VA_ARGS__, 0})

/* The modules' .modinfo strings with key (kmod's info list) for one output. */
enum {
	F_DEP,
	F_DEPBIN,
	F_ALIAS,
	F_ALIASBIN,
	F_SOFTDEP,
	F_SYMS,
	F_SYMSBIN,
	F_BUILTIN,
	F_BUILTINALIAS,
	F_DEVNAME,
	F_COUNT
};
static const char files[] = "modules.dep\0modules.dep.bin\0modules.alias\0"
			    "modules.alias.bin\0modules.softdep\0modules.symbols\0"
			    "modules.symbols.bin\0modules.builtin.bin\0"
			    "modules.builtin.alias.bin\0modules.devname";

/* One file's contents: text into r->out, an index into w. */
static void generate(struct run *r, int f, struct indexw *w, struct dmod **list)
{
	static const char *const heads[] = {
		[F_ALIAS] = "# Aliases extracted from modules themselves.\n",
		[F_SOFTDEP] = "# Soft dependencies extracted from modules themselves.\n",
		[F_SYMS] = "# Aliases for symbols, used by symbol_request().\n",
		[F_DEVNAME] = "# Device nodes to trigger on-demand module loading.\n",
	};
	char name[256], dev[32], *map;
	const char *s, *v, *devname, *p, *end;
	size_t len;
	unsigned k;
	struct sym *y;

	if (heads[f])
		text(r, heads[f]);
	if (f == F_SYMS || f == F_SYMSBIN) {
		for (k = 0; k < SYM_BUCKETS; k++)
			for (y = r->syms[k]; y; y = y->next) {
				if (f == F_SYMS) {
					text(r, "alias symbol:", y->name, " ",
					     y->owner->name, "\n");
					continue;
				}
				cat(r->line, sizeof(r->line), "symbol:", y->name);
				indexw_add(w, r->line, y->owner->name, y->owner->idx);
			}
		return;
	}
	if (f == F_BUILTIN || f == F_BUILTINALIAS) {
		if (map_path(r,
			     f == F_BUILTIN ? "modules.builtin"
					    : "modules.builtin.modinfo",
			     &map, &len))
			return;
		for (p = map, end = map + len; p < end; p = s + 1) {
			s = memchr(p, f == F_BUILTIN ? '\n' : 0, end - p);
			if (!s)
				s = end;
			if (f == F_BUILTIN) {
				if ((*p | 32) < 'a' || (*p | 32) > 'z') {
					error("Invalid modules.builtin line: ", p);
					continue;
				}
				indexw_add(w, modname(name, p, s - p), "", 0);
				continue;
			}
			/* "modname.alias=value" */
			v = memchr(p, '.', s - p);
			if (!v || v == p || (size_t)(v - p) > 255 || s - v < 8 ||
			    memcmp(v, ".alias=", 7) || !v[7])
				continue;
			memcpy(name, p, v - p);
			name[v - p] = 0;
			if (underscores(r, v + 7))
				indexw_add(w, r->line, name, 0);
		}
		unmap(map, len);
		return;
	}
	for (k = 0; k < r->n; k++) {
		struct dmod *m = r->arr[k];

		if (f == F_DEP || f == F_DEPBIN) {
			dep_line(r, m, list);
			if (f == F_DEP)
				text(r, r->line, "\n");
			else
				indexw_add(w, m->name, r->line, k);
			continue;
		}
		devname = 0;
		dev[0] = 0;
		for (s = 0; m->ok && elf_modinfo_next(&m->e, &s) > 0;) {
			if (f == F_SOFTDEP) {
				if (!strncmp(s, "softdep=", 8))
					text(r, "softdep ", m->name, " ", s + 8, "\n");
				continue;
			}
			if (strncmp(s, "alias=", 6))
				continue;
			v = s + 6;
			if (f == F_ALIAS) {
				text(r, "alias ", v, " ", m->name, "\n");
			} else if (f == F_ALIASBIN) {
				if (underscores(r, v))
					indexw_add(w, r->line, m->name, k);
			} else {
				if (!strncmp(v, "devname:", 8))
					devname = v + 8;
				else if (!major_minor(v, "char-major-", dev))
					major_minor(v, "block-major-", dev);
				if (dev[0] && devname)
					break;
			}
		}
		if (f == F_DEVNAME && devname) {
			if (dev[0])
				text(r, m->name, " ", devname, " ", dev, "\n");
			else
				error("Module '", m->name, "' has devname (", devname,
				      ") but lacks major and minor information. Ignoring.");
		}
	}
}

/* Every file, each written to NAME.tmp and renamed over NAME, so that an interrupted
 * run leaves every file whole; with -n the text files to stdout. */
static int output(struct run *r, int dry)
{
	struct dmod **list = alloc(r, (r->n + 1) * sizeof(*list));
	struct indexw w;
	const char *f = files;
	char tmp[64];
	int k, fd, dfd = -1, err = 0, e;

	r->out.fd = 1;
	if (!dry) {
		dfd = xopen(r->dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0) {
			error("could not open directory ", r->dir, ": ",
			      errno_text(-dfd));
			return 1;
		}
	}
	for (k = 0; k < F_COUNT; k++, f += strlen(f) + 1) {
		int bin = strlen(f) > 4 && !strcmp(f + strlen(f) - 4, ".bin");

		if (dry) {
			if (!bin)
				generate(r, k, 0, list);
			continue;
		}
		cat(tmp, sizeof(tmp), f, ".tmp");
		fd = sys6(SYS_openat, dfd, (long)tmp,
			  O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644, 0, 0);
		if (fd < 0) {
			error("could not open ", r->dir, "/", tmp, ": ", errno_text(-fd));
			err = 1;
			continue;
		}
		r->out.fd = fd;
		indexw_init(&w);
		generate(r, k, &w, list);
		e = bin ? indexw_write(&w, fd) : 0;
		out_flush(&r->out);
		indexw_free(&w);
		sys_close(fd);
		if (!e)
			e = sys6(SYS_renameat, dfd, (long)tmp, dfd, (long)f, 0, 0);
		if (e) {
			error("could not write ", r->dir, "/", f, ": ", errno_text(-e));
			err = 1;
			break;
		}
	}
	out_flush(&r->out);
	if (dfd >= 0)
		sys_close(dfd);
	return err;
}

int depmod_main(int argc, char **argv)
{
	static struct run r;
	struct opts o = {argv,
			 1,
			 "aAb:nvVh",
			 OPT_LONGS("all\0quick\0basedir\0show\0verbose\0version\0help"),
			 0,
			 0};
	const char *root = "", *kver, *a;
	char path[4096];
	struct utsname u;
	struct stat st;
	long n = 0;
	int c, dry = 0, dfd;

	(void)argc;
	while ((c = opt_next(&o))) {
		if (c == 'A')
			r.quick = 1;
		else if (c == 'b')
			root = o.arg;
		else if (c == 'n')
			dry = 1;
		else if (c == 'v')
			r.verbose = 1;
		else if (c == 'V')
			return version();
		else if (c == 'h')
			return usage(usage_text, 0);
		else if (c == '?')
			return 1;
	}
	/* kmod's rule: a first operand like "%u.%u" is the version */
	a = argv[o.ind];
	if (a && a[0] >= '0' && a[0] <= '9' && a[strspn(a, "0123456789")] == '.' &&
	    a[strspn(a, "0123456789") + 1] >= '0' &&
	    a[strspn(a, "0123456789") + 1] <= '9') {
		kver = a;
		o.ind++;
	} else {
		sys3(SYS_uname, (long)&u, 0, 0);
		kver = u.release;
	}
	if (argv[o.ind]) {
		error("module files as arguments are not supported yet");
		return 1;
	}
	if (root[0] != '/' && root[0]) {
		n = sys3(SYS_getcwd, (long)r.dir, sizeof(r.dir), 0);
		if (n <= 0)
			return 1;
		r.dir[n - 1] = '/';
	}
	cat(r.dir + n, sizeof(r.dir) - n, root, "/lib/modules/", kver);
	dfd = xopen(r.dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		error("could not open directory ", r.dir, ": ", errno_text(-dfd));
		return 1;
	}
	if (r.quick) {
		if (dry)
			return 0;
		if (!sys6(SYS_newfstatat, dfd, (long)"modules.dep", (long)&st, 0, 0, 0)) {
			r.dep_mtime = st.st_mtime;
			path[0] = 0;
			walk(&r, dfd, path, 0);
			if (!r.newer)
				return 0;
		}
		sys3(SYS_lseek, dfd, 0, 0);
		r.quick = 0;
	}
	path[0] = 0;
	walk(&r, dfd, path, 0);
	sys_close(dfd);
	sort_modules(&r);
	load_symbols(&r);
	load_deps(&r);
	if (order_deps(&r))
		return 1;
	return output(&r, dry);
}
