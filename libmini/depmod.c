/* depmod: the modules are read by several processes at once (decompressing is most of
 * the work): each module becomes a summary (its exports, the symbols it needs, its aliases
 * and soft and weak dependencies) in memory shared with the parent, which then does the
 * rest alone, in kmod's order. */
#include "depmod.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "elf.h"
#include "indexw.h"
#include "modules.h"
#include "sys.h"
#include "unz.h"

/* -e -E -F: symbols nothing exports, CRCs that disagree (only warnings: the files are
 * the same either way) */
#ifdef CONFIG_FEATURE_DEPMOD_SYMCHECK
#define CHECKS 1
#else
#define CHECKS 0
#endif

#ifndef SYS_newfstatat /* 32-bit */
#define SYS_newfstatat SYS_fstatat64
#endif

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
static void *alloc(struct depmod *r, size_t n)
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

/* kmod's path_to_modname: the basename up to its first '.', '-' as '_'. Returns the
 * basename's offset in path; the name's length is strlen(dst). */
static size_t modname(char *dst, const char *path, size_t n)
{
	size_t k, b = 0;

	for (k = 0; k < n; k++)
		if (path[k] == '/')
			b = k + 1;
	for (k = 0; path[b + k] && path[b + k] != '.' && path[b + k] != '\n' && k < 255;
	     k++)
		dst[k] = path[b + k] == '-' ? '_' : path[b + k];
	dst[k] = 0;
	return b;
}

static struct dmod *find_mod(struct depmod *r, const char *name, struct dmod ***pp)
{
	int found;

	*pp = (struct dmod **)slot((void **)&r->mods[hash(name) & (MOD_BUCKETS - 1)],
				   name, offsetof(struct dmod, name), &found);
	return found ? **pp : 0;
}

/* A path as kmod compares it with depmod.d's directories: up to the end of the module
 * name in its basename ("extra/foo" of "extra/foo.ko.xz"). Its length. */
static size_t name_end(const char *path)
{
	char name[256];
	size_t b = modname(name, path, strlen(path));

	return b + strlen(name);
}

/* kmod's depmod_is_path_starts_with: path (len bytes) is dir's or below. */
static int below(const char *path, size_t len, const char *dir)
{
	size_t n = strlen(dir);

	return len > n && path[n] == '/' && !memcmp(path, dir, n);
}

/* Whether module m stays when path holds a module of the same name: kmod's rules,
 * quirks included. overrides first; then the search list, each entry a priority, the
 * later in the files the lower ("built-in" the module directory, "external" each
 * external directory in turn); without a search line, "updates" alone. */
static int stays(struct depmod *r, struct dmod *m, const char *path)
{
	const char *p[2] = {path, m->rel};
	size_t len[2] = {name_end(path), name_end(m->rel)};
	const struct config_entry *e, *x;
	int prio[2] = {-1, -1}, builtin = -1, i = 0, k, nsearch = 0, j;
	unsigned q;

	for (q = r->cfg.n; q--;) {
		e = config_entry(&r->cfg, q);
		if (e->kind == DEPMOD_SEARCH)
			nsearch++;
		if (e->kind != DEPMOD_OVERRIDE)
			continue;
		for (k = 0; k < 2; k++) /* "subdir/module" against the relative path */
			if (*p[k] != '/' &&
			    (size_t)cat(r->line, sizeof(r->line), e->val, "/", e->key) ==
				    len[k] &&
			    !memcmp(r->line, p[k], len[k]))
				return k;
	}
	for (q = r->cfg.n; q-- || !nsearch; i++) {
		if (!nsearch) { /* kmod's default */
			if (below(p[0], len[0], "updates"))
				prio[0] = 0;
			else if (below(p[1], len[1], "updates"))
				prio[1] = 0;
			break;
		}
		e = config_entry(&r->cfg, q);
		if (e->kind != DEPMOD_SEARCH)
			continue;
		if (!strcmp(e->key, "built-in")) {
			builtin = i;
		} else if (!strcmp(e->key, "external")) {
			for (j = r->cfg.n; j--;) {
				x = config_entry(&r->cfg, j);
				if (x->kind != DEPMOD_EXTERNAL)
					continue;
				for (k = 0; k < 2; k++)
					if (*p[k] == '/' && below(p[k], len[k], x->val))
						prio[k] = i;
				i++;
			}
		} else {
			for (k = 0; k < 2; k++)
				if (*p[k] != '/' && below(p[k], len[k], e->key)) {
					prio[k] = i;
					break;
				}
		}
	}
	for (k = 0; k < 2; k++)
		if (prio[k] < 0)
			prio[k] = builtin;
	return prio[0] <= prio[1];
}

/* A module file found at rel (relative to the module directory, or absolute). */
static int add_file(struct depmod *r, const char *rel, int search)
{
	char name[256];
	struct dmod **pp, *m;
	size_t n = strlen(rel) + 1;

	modname(name, rel, n - 1);
	m = find_mod(r, name, &pp);
	if (m) {
		if (!search) {
			error("could not add module ", rel, ": File exists");
			return 1;
		}
		if (!stays(r, m, rel))
			m->rel = memcpy(alloc(r, n), rel, n);
		return 0;
	}
	m = alloc(r, sizeof(*m) + strlen(name) + 1);
	strcpy(m->name, name);
	m->rel = memcpy(alloc(r, n), rel, n);
	m->next = *pp;
	*pp = m;
	r->n++;
	return 0;
}

static int is_module(const char *name, size_t l)
{
	static const char ext[] = ".ko\0.ko.gz\0.ko.xz\0.ko.zst";
	const char *e = ext;
	size_t n;

	for (; e < ext + sizeof(ext); e += n + 1) {
		n = strlen(e);
		if (l > n && !strcmp(name + l - n, e))
			return 1;
	}
	return 0;
}

/* The tree below path (len bytes, ending in '/', relative to the module directory or
 * absolute), as kmod walks it: directory order, "build", "source" and depmod.d's
 * excluded names skipped. With -A only mtimes are compared. */
static void walk(struct depmod *r, int dfd, char *path, size_t len)
{
	char buf[4096];
	struct stat st;
	long n, k;
	unsigned q;

	while ((n = sys3(SYS_getdents64, dfd, (long)buf, sizeof(buf))) > 0) {
		for (k = 0; k < n; k += *(unsigned short *)(buf + k + 16)) {
			const char *name = buf + k + 19;
			unsigned char type = buf[k + 18];
			size_t l = strlen(name);
			int fd, skip = !strcmp(name, ".") || !strcmp(name, "..") ||
				       !strcmp(name, "build") ||
				       !strcmp(name, "source") || len + l + 2 > 4096;

			for (q = 0; !r->quick && q < r->cfg.n; q++) {
				const struct config_entry *e = config_entry(&r->cfg, q);

				skip |= e->kind == DEPMOD_EXCLUDE &&
					!strcmp(e->key, name);
			}
			if (skip)
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
			} else if (is_module(name, l)) {
				if (!r->quick)
					add_file(r, path, 1);
				else if (st.st_mtime > r->dep_mtime)
					r->newer = 1;
			}
		}
	}
}

static int map_path(struct depmod *r, const char *name, char **map, size_t *len)
{
	char path[4096];

	cat(path, sizeof(path), r->dir, "/", name);
	return map_file(path, map, len);
}

/* m's path as kmod prints it: absolute. */
static const char *full(struct depmod *r, const struct dmod *m, char *buf)
{
	if (*m->rel == '/')
		return m->rel;
	cat(buf, 4096, r->dir, "/", m->rel);
	return buf;
}

/* The modules in kmod's order: by their last line in modules.order (which names them
 * "DIR/NAME.ko" whatever their compression), then the others in the hash table's
 * order. */
static void sort_modules(struct depmod *r)
{
	char *map, *p, *nl, name[256];
	size_t len, l;
	unsigned k, line, n = 0;
	struct dmod *m, **pp;
	int pass;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	r->arr = alloc(r, r->n * sizeof(*r->arr));
	if (!map_path(r, "modules.order", &map, &len) && len && map[len - 1] != '\n') {
		error(r->dir, "/modules.order: corrupted line misses '\\n'");
		len = 0;
	}
	for (pass = 0; pass < 2 && len; pass++)
		for (p = map, line = 1; p < map + len; p = nl + 1, line++) {
			nl = memchr(p, '\n', map + len - p);
			modname(name, p, nl - p);
			m = find_mod(r, name, &pp);
			/* kmod's "uncompressed relative path": the name and 3 bytes more */
			if (!m || *m->rel == '/' ||
			    (l = name_end(m->rel) + 3) != (size_t)(nl - p) ||
			    strlen(m->rel) < l || memcmp(m->rel, p, l))
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

static struct sym **find_sym(struct depmod *r, const char *name, int *found)
{
	return (struct sym **)slot((void **)&r->syms[hash(name) & (SYM_BUCKETS - 1)],
				   name, offsetof(struct sym, name), found);
}

/* A symbol m exports (NULL: the kernel); as kmod's hash_add, a later one takes it
 * over. The name stays where it is (a summary, a mapped file). */
static void add_sym(struct depmod *r, struct dmod *m, const char *name, unsigned crc)
{
	int found;
	struct sym **pp = find_sym(r, name, &found), *s;

	if (found) {
		s = *pp;
	} else {
		s = alloc(r, sizeof(*s) + strlen(name) + 1);
		strcpy(s->name, name);
		s->next = *pp;
		*pp = s;
	}
	s->owner = m;
	s->crc = crc;
}

/* --- reading the modules: summaries ------------------------------------------------ */

/* Appends n bytes to the summary being built in b. */
static int put_bytes(struct unz *b, const void *p, size_t n)
{
	if (unz_grow(b, n))
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int put_sym(struct unz *b, unsigned crc, int weak, const char *name, size_t n)
{
	char *p;

	if (unz_grow(b, n + 6))
		return -1;
	p = b->p + b->len;
	memcpy(p, &crc, 4);
	p += 4;
	if (weak >= 0)
		*p++ = weak;
	memcpy(p, name, n);
	p[n] = 0;
	b->len = p + n + 1 - b->p;
	return 0;
}

/* The summary of the module in e into b. Returns 0 or -ENOMEM. */
static int summarize(struct depmod *r, const struct elf *e, struct unz *b)
{
	unsigned head[3] = {0, 0, 0}, i, shndx, bind, w = e->is64 ? 8 : 4;
	size_t j, nver = 0; /* __versions entries: 64 bytes each */
	unsigned char seen[2048]; /* the __versions entries named */
	const unsigned char *sym;
	const char *s, *ks, *ver = 0;
	size_t ksize, vsize = 0, n;
	struct elf_symtab t;
	int crcs = 0, c;

	if (put_bytes(b, head, sizeof(head)))
		return -ENOMEM;
	if (elf_symtab(e, &t))
		t.count = 0;
	/* exports: the __crc_ symbols when there are any, as kmod reads them, else the
	 * strings of __ksymtab_strings */
	for (c = 0; c < 2 && c <= crcs; c++)
		for (i = 1; i < t.count; i++) {
			s = elf_sym(e, &t, i, &shndx, &bind);
			if (!s || strncmp(s, "__crc_", 6))
				continue;
			crcs = 1;
			if (!c)
				break;
			sym = t.syms + (size_t)i * t.entsize;
			uint64_t v = elf_get(e, sym + (e->is64 ? 8 : 4), e->is64 ? 8 : 4);
			unsigned crc = v;

			if (shndx != 0xfff1 &&
			    shndx) { /* not SHN_ABS: an offset in a section */
				crc = -1;
				if (shndx < e->shnum &&
				    v + 4 <= elf_shdr(e, shndx, ELF_SH_SIZE) &&
				    elf_shdr(e, shndx, ELF_SH_TYPE) != 8 /* NOBITS */ &&
				    elf_shdr(e, shndx, ELF_SH_OFFSET) + v + 4 <= e->size)
					crc = elf_get(e,
						      e->data +
							      elf_shdr(e, shndx,
								       ELF_SH_OFFSET) +
							      v,
						      4);
			}
			s += 6;
			if (put_sym(b, crc, -1, s, strlen(s)))
				return -ENOMEM;
			head[0]++;
		}
	if (!crcs && elf_find_section(e, "__ksymtab_strings", &ks, &ksize) > 0)
		for (i = 0; i < ksize; i += n + 1)
			if ((n = strnlen(ks + i, ksize - i))) {
				if (put_sym(b, 0, -1, ks + i, n))
					return -ENOMEM;
				head[0]++;
			}
	/* needed: the undefined symbols, then (for -e) the __versions entries none of them
	 * named, each with its CRC there */
	if (CHECKS && r->versions &&
	    elf_find_section(e, "__versions", &ver, &vsize) > 0 && !(vsize % 64))
		nver = vsize / 64 < 8 * sizeof(seen) ? vsize / 64 : 8 * sizeof(seen);
	memset(seen, 0, sizeof(seen));
	for (i = 1; i < t.count; i++) {
		s = elf_sym(e, &t, i, &shndx, &bind);
		sym = t.syms + (size_t)i * t.entsize;
		if (shndx || !s || !*s ||
		    ((e->machine == 2 || e->machine == 43) &&
		     (sym[e->is64 ? 4 : 12] & 15) == 13)) /* sparc's STT_REGISTER */
			continue;
		for (j = 0; j < nver && strncmp(ver + j * 64 + w, s, 64 - w); j++)
			;
		if (j < nver)
			seen[j / 8] |= 1 << j % 8;
		if (put_sym(b, j < nver ? elf_get(e, ver + j * 64, w) : 0, bind == 2, s,
			    strlen(s)))
			return -ENOMEM;
		head[1]++;
	}
	for (j = 0; j < nver; j++)
		if (!(seen[j / 8] >> j % 8 & 1)) {
			if (put_sym(b, elf_get(e, ver + j * 64, w), 0, ver + j * 64 + w,
				    strnlen(ver + j * 64 + w, 64 - w)))
				return -ENOMEM;
			head[1]++;
		}
	/* the modinfo strings the files need */
	n = b->len;
	for (s = 0; elf_modinfo_next(e, &s) > 0;)
		if ((!strncmp(s, "alias=", 6) || !strncmp(s, "softdep=", 8) ||
		     !strncmp(s, "weakdep=", 8)) &&
		    put_bytes(b, s, strlen(s) + 1))
			return -ENOMEM;
	head[2] = b->len - n;
	memcpy(b->p, head, sizeof(head));
	return 0;
}

static int cpus(void)
{
	unsigned long mask[16] = {0};
	long n = sys3(SYS_sched_getaffinity, 0, sizeof(mask), (long)mask), k, c = 0;

	for (k = 0; k < n * 8; k++)
		c += mask[k / (8 * sizeof(long))] >> k % (8 * sizeof(long)) & 1;
	return c < 1 ? 1 : c > 16 ? 16 : c;
}

/* Reads module k: maps it, decompresses it when its magic says so, and puts its
 * summary in the shared memory. */
static void read_module(struct depmod *r, unsigned k, struct unz *b)
{
	/* kept from module to module: its pages stay mapped, sparing a page fault per 4 KiB
	 * of every module decompressed (a second of the 6.12 tree's time) */
	static struct unz u;
	struct shared *sh = r->sh;
	char path[4096], *map;
	size_t len;
	struct elf e;
	unsigned off;
	int err = map_file(full(r, r->arr[k], path), &map, &len), z = 0;

	b->len = 0;
	if (!err && unz_format((unsigned char *)map, len)) {
		u.len = 0;
		z = 1;
		err = unz_any(&u, (unsigned char *)map, len) << 16;
		unmap(map, len);
		map = u.p;
		len = u.len;
	}
	if (!err)
		err = elf_open(&e, map, len);
	if (!err)
		err = summarize(r, &e, b);
	if (!err) {
		off = __atomic_fetch_add(&sh->used, (b->len + 7) & ~7u, __ATOMIC_RELAXED);
		if (off + b->len > sh->size) {
			err = -ENOMEM;
		} else {
			memcpy((char *)sh + off, b->p, b->len);
			sh->slot[k].off = off;
		}
	}
	if (!z)
		unmap(map, len);
	__atomic_store_n(&sh->slot[k].status, err, __ATOMIC_RELEASE);
}

static void work(struct depmod *r, struct unz *b)
{
	unsigned k;

	while ((k = __atomic_fetch_add(&r->sh->next, 1, __ATOMIC_RELAXED)) < r->n)
		read_module(r, r->sh->slot[k].todo, b);
}

/* Every module's summary, read by one process per CPU. */
static void read_all(struct depmod *r)
{
	size_t size = SHARED_MAX;
	struct unz b = {0, 0, 0, (size_t)1 << 30};
	unsigned k, i, kids = 0, n = cpus();
	int big;
	long p;

	while (sys_failed(p = sys_mmap(size, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1)) &&
	       size > (1 << 24))
		size /= 2;
	if (sys_failed(p)) {
		error("out of memory");
		sys_exit(1);
	}
	r->sh = (struct shared *)p;
	r->sh->size = size;
	r->sh->used = (sizeof(*r->sh) + r->n * sizeof(struct slot) + 7) & ~7u;
	/* the modules of 512 KiB and more first, then the others: no reader is left with a
	 * big one at the end while the others have finished */
	for (i = 0, big = 1; big >= 0; big--)
		for (k = 0; k < r->n; k++) {
			char path[4096];
			struct stat st;

			r->sh->slot[k].status = PENDING;
			if (sys6(SYS_newfstatat, -100, (long)full(r, r->arr[k], path),
				 (long)&st, 0, 0, 0))
				st.st_size = 0;
			if ((st.st_size >= 1 << 19) == big)
				r->sh->slot[i++].todo = k;
		}
	for (k = 1; k < n && r->n > 16 * k; k++) {
		p = sys3(SYS_clone, 17 /* SIGCHLD */, 0, 0);
		if (!p) {
			work(r, &b);
			sys_exit(0);
		}
		kids += p > 0;
	}
	work(r, &b);
	while (kids && sys6(SYS_wait4, -1, 0, 0, 0, 0, 0) > 0)
		kids--;
	unz_free(&b);
}

static unsigned get32(const char **p)
{
	unsigned v;

	memcpy(&v, *p, 4);
	*p += 4;
	return v;
}

/* Strips -P's prefix, as kmod does where it adds and looks up symbols. */
static const char *unprefixed(struct depmod *r, const char *s)
{
	return s + (r->prefix && *s == r->prefix);
}

/* Each module's exports, in kmod's order. */
static void load_symbols(struct depmod *r)
{
	char path[4096];
	const char *p, *why;
	unsigned k, i, n, crc;
	int st;

	for (k = 0; k < r->n; k++) {
		struct dmod *m = r->arr[k];

		st = r->sh->slot[k].status;
		if (st) {
			why = st == PENDING	 ? "its reader died"
			      : st >= 1 << 16	 ? unz_error(st >> 16)
			      : st > -ELF_ESHORT ? errno_text(-st)
						 : elf_strerror(st);
			error("failed to load symbols from ", full(r, m, path), ": ",
			      why);
			continue;
		}
		m->sum = p = (char *)r->sh + r->sh->slot[k].off;
		n = get32(&p);
		p += 8;
		for (i = 0; i < n; i++, p += strlen(p) + 1) {
			crc = get32(&p);
			add_sym(r, m, unprefixed(r, p), crc);
		}
	}
}

/* Each module's direct dependencies: the owners of the symbols it needs, in the order
 * it names them, each once. With -e, what nothing exports or exports with another CRC. */
static void load_deps(struct depmod *r)
{
	char path[4096];
	unsigned k, i, j, nexp, nneed, crc;
	const char *p, *s, *mp;
	int found, weak;

	for (k = 0; k < r->n; k++) {
		struct dmod *m = r->arr[k], *d;
		struct sym *y;

		if (!(p = m->sum))
			continue;
		nexp = get32(&p);
		nneed = get32(&p);
		m->infolen = get32(&p);
		for (i = 0; i < nexp; i++)
			p += 4 + strlen(p + 4) + 1;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		m->deps = alloc(r, nneed * sizeof(*m->deps));
		mp = full(r, m, path);
		for (i = 0; i < nneed; i++, p += strlen(p) + 1) {
			crc = get32(&p);
			weak = (unsigned char)*p++;
			s = p + (*p == '.'); /* ppc64's .foo is foo */
			y = *find_sym(r, unprefixed(r, s), &found);
			if (!found) {
				if (CHECKS && r->unknown && !weak)
					report_v(": WARNING: ",
						 (const char *const[]){
							 mp, " needs unknown symbol ", p,
							 0});
				continue;
			}
			if (CHECKS && r->symvers && r->unknown && y->crc != crc && !weak)
				report_v(": WARNING: ",
					 (const char *const[]){
						 mp,
						 " disagrees about version of symbol ", p,
						 0});
			if (!(d = y->owner))
				continue;
			for (j = 0; j < m->ndeps && m->deps[j] != d; j++)
				;
			if (j < m->ndeps)
				continue;
			m->deps[m->ndeps++] = d;
			d->users++;
			if (r->verbose)
				put(1, mp, " needs \"", y->name,
				    "\": ", full(r, d, r->line), "\n");
		}
		m->info = p;
	}
}

#ifdef CONFIG_FEATURE_DEPMOD_SYMCHECK
/* The kernel's symbols from Module.symvers (-E: "CRC SYMBOL vmlinux ...", with CRCs)
 * or System.map (-F: "ADDRESS TYPE __ksymtab_SYMBOL"), and the symbols the kernel
 * provides to every module. Returns 0, or 1 after saying why the file is unreadable. */
static int load_kernel(struct depmod *r, const char *file)
{
	char *map, *p, *end, *nl, *t[3], num[12];
	size_t len;
	unsigned line = 0, crc, k;
	int err = map_file(file, &map, &len), found;

	if (err) {
		report_v(": FATAL: ", (const char *const[]){"could not load ", file, ": ",
							    errno_text(-err), 0});
		return 1;
	}
	for (p = map, end = len ? map + len : map; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl) /* no room after a file of whole pages: its last byte goes */
			nl = end - !(len & 4095);
		*nl = 0;
		line++;
		if (r->symvers) {
			for (k = 0; k < 3; k++) { /* strtok(" \t") */
				p += strspn(p, " \t");
				t[k] = p;
				p += strcspn(p, " \t");
				if (!*t[k] || (k == 2 && !*p))
					break; /* kmod's third word keeps its newline */
				*p++ = 0;
			}
			if (k < 3 || strcmp(t[2], "vmlinux"))
				continue;
			/* NOLINTNEXTLINE(bugprone-implicit-widening-*): 0 or 2 */
			p = t[0] + 2 * (t[0][0] == '0' && (t[0][1] | 32) == 'x');
			for (crc = 0; (*p >= '0' && *p <= '9') ||
				      ((*p | 32) >= 'a' && (*p | 32) <= 'f');
			     p++)
				crc = crc * 16 +
				      (*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
			if (*p || p == t[0])
				error(file, ":", utoa(num + sizeof(num), line),
				      " Invalid symbol version ", t[0]);
			else
				add_sym(r, 0, unprefixed(r, t[1]), crc);
			continue;
		}
		t[0] = strchr(p, ' ');
		t[1] = t[0] ? strchr(t[0] + 1, ' ') : 0;
		if (!t[1]) {
			error(file, ":", utoa(num + sizeof(num), line),
			      ": invalid line: ", p);
			continue;
		}
		p = (char *)unprefixed(r, t[1] + 1);
		if (!strncmp(p, "__ksymtab_", 10))
			add_sym(r, 0, p + 10, 0);
	}
	unmap(map, len);
	add_sym(r, 0, "__this_module", 0);
	add_sym(r, 0, "_GLOBAL_OFFSET_TABLE_", 0);
	find_sym(r, "TOC.", &found);
	if (!found)
		add_sym(r, 0, "TOC.", 0);
	return 0;
}
#endif
/* kmod's report: a depth-first search from each module still used, printing the
 * path back to a module seen before. */
static void report_cycles(struct depmod *r, unsigned *users, unsigned *stack,
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
static int order_deps(struct depmod *r)
{
	unsigned *users = alloc(r, r->n * sizeof(*users)), *roots, *edges;
	unsigned k, j, total = 0, nroots = 0, sorted = 0;

	for (k = 0; k < r->n; k++) {
		users[k] = r->arr[k]->users;
		total += r->arr[k]->ndeps;
	}
	roots = alloc(r, (r->n + total + 1) * sizeof(*roots));
	edges = alloc(r, (r->n + 1) * sizeof(*edges));
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

static void collect(struct depmod *r, struct dmod *m, struct dmod **list, unsigned *n)
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
static const char *dep_line(struct depmod *r, struct dmod *m, struct dmod **list)
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
static const char *underscores(struct depmod *r, const char *s)
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

static void text(struct depmod *r, const char *const *s)
{
	for (; *s; s++)
		out_write(&r->out, *s, strlen(*s));
}
#define text(r, ...) text(r, (const char *const[]){__VA_ARGS__, 0})

/* The outputs, in kmod's order. */
enum {
	F_DEP,
	F_DEPBIN,
	F_ALIAS,
	F_ALIASBIN,
	F_SOFTDEP,
	F_WEAKDEP,
	F_SYMS,
	F_SYMSBIN,
	F_BUILTIN,
	F_BUILTINALIAS,
	F_DEVNAME,
	F_COUNT
};
const char depmod_files[] = "modules.dep\0modules.dep.bin\0modules.alias\0"
			    "modules.alias.bin\0modules.softdep\0modules.weakdep\0"
			    "modules.symbols\0modules.symbols.bin\0modules.builtin.bin\0"
			    "modules.builtin.alias.bin\0modules.devname";

/* One file's contents: text into r->out, an index into w. */
static void generate(struct depmod *r, int f, struct indexw *w, struct dmod **list)
{
	static const char *const heads[] = {
		[F_ALIAS] = "# Aliases extracted from modules themselves.\n",
		[F_SOFTDEP] = "# Soft dependencies extracted from modules themselves.\n",
		[F_WEAKDEP] = "# Weak dependencies extracted from modules themselves.\n",
		[F_SYMS] = "# Aliases for symbols, used by symbol_request().\n",
		[F_DEVNAME] = "# Device nodes to trigger on-demand module loading.\n",
	};
	char name[256], dev[32], *map;
	const char *s, *v, *devname, *p, *end;
	size_t len;
	unsigned k;
	struct sym *y;

	const char *head = heads[f];

	if (head && f != F_DEVNAME) /* kmod writes that one only above a first line */
		text(r, head);
	if (f == F_SYMS || f == F_SYMSBIN) {
		for (k = 0; k < SYM_BUCKETS; k++)
			for (y = r->syms[k]; y; y = y->next) {
				if (!y->owner)
					continue;
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
		for (p = map, end = len ? map + len : map; p < end; p = s + 1) {
			s = memchr(p, f == F_BUILTIN ? '\n' : 0, end - p);
			if (!s) /* as in load_kernel */
				s = end - !(len & 4095);
			map[s - map] = 0;
			if (f == F_BUILTIN) {
				if ((*p | 32) < 'a' || (*p | 32) > 'z') {
					error("Invalid modules.builtin line: ", p);
					continue;
				}
				modname(name, p, s - p);
				indexw_add(w, name, "", 0);
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
			else if (indexw_add(w, m->name, r->line, k) == 1 && r->warn)
				report_v(": WARNING: ",
					 (const char *const[]){"duplicate module deps:\n",
							       r->line, 0});
			continue;
		}
		devname = 0;
		dev[0] = 0;
		for (s = m->info; s && s < m->info + m->infolen; s += strlen(s) + 1) {
			if (f == F_SOFTDEP || f == F_WEAKDEP) {
				if (!strncmp(s,
					     f == F_SOFTDEP ? "softdep=" : "weakdep=", 8))
					text(r, f == F_SOFTDEP ? "softdep " : "weakdep ",
					     m->name, " ", s + 8, "\n");
				continue;
			}
			if (strncmp(s, "alias=", 6))
				continue;
			v = s + 6;
			if (f == F_ALIAS) {
				text(r, "alias ", v, " ", m->name, "\n");
			} else if (f == F_ALIASBIN) {
				if (underscores(r, v) &&
				    indexw_add(w, r->line, m->name, k) == 1 && r->warn)
					report_v(": WARNING: ",
						 (const char *const[]){
							 "duplicate module alias:\n",
							 r->line, " ", m->name, 0});
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
			if (dev[0]) {
				text(r, head ? head : "", m->name, " ", devname, " ", dev,
				     "\n");
				head = 0;
			} else
				error("Module '", m->name, "' has devname (", devname,
				      ") but lacks major and minor information. Ignoring.");
		}
	}
}

/* Every file, each written to NAME.PID and renamed over NAME, so that an interrupted
 * run leaves every file whole; with -n the text files to stdout. */
int depmod_output(struct depmod *r, int mode)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	struct dmod **list = alloc(r, (r->n + 1) * sizeof(*list));
	struct indexw w;
	const char *f = depmod_files;
	char tmp[64], num[12], *pid;
	int k, fd, dfd = -1, err = 0, e;

	r->out.fd = 1;
	if (mode == DEPMOD_FILES) {
		for (char *p = r->out_dir; (p = strchr(p + 1, '/'));) { /* mkdir -p */
			*p = 0;
			sys3(SYS_mkdirat, -100 /* AT_FDCWD */, (long)r->out_dir, 0755);
			*p = '/';
		}
		sys3(SYS_mkdirat, -100, (long)r->out_dir, 0755);
		dfd = xopen(r->out_dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0) {
			error("could not open directory ", r->out_dir, ": ",
			      errno_text(-dfd));
			return 1;
		}
	}
	pid = utoa(num + sizeof(num), sys3(SYS_getpid, 0, 0, 0));
	for (k = 0; k < F_COUNT; k++, f += strlen(f) + 1) {
		int bin = strlen(f) > 4 && !strcmp(f + strlen(f) - 4, ".bin");

		if (mode == DEPMOD_SHOW) {
			if (!bin)
				generate(r, k, 0, list);
			continue;
		}
#ifdef CONFIG_FEATURE_MODPROBE_DEPMOD
		if (mode == DEPMOD_MEMORY) {
			if (k == F_DEP || k == F_ALIAS || k == F_SYMS) {
				r->out.fd = sys3(SYS_memfd_create, (long)f,
						 1 /* CLOEXEC */, 0);
				r->mem[k == F_DEP ? 0 : k == F_ALIAS ? 1 : 2] = r->out.fd;
				if (r->out.fd < 0)
					return 1;
				generate(r, k, 0, list);
				out_flush(&r->out);
			}
			continue;
		}
#endif
		cat(tmp, sizeof(tmp), f, ".", pid);
		fd = sys6(SYS_openat, dfd, (long)tmp,
			  O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644, 0, 0);
		if (fd < 0) {
			error("could not open ", r->out_dir, "/", tmp, ": ",
			      errno_text(-fd));
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
			error("could not write ", r->out_dir, "/", f, ": ",
			      errno_text(-e));
			err = 1;
			break;
		}
	}
	out_flush(&r->out);
	if (dfd >= 0)
		sys_close(dfd);
	return err;
}

void depmod_dir(char *dst, const char *base, const char *moddir, const char *kver)
{
	long n = 0;

	if (*base != '/') {
		n = sys3(SYS_getcwd, (long)dst, 4096, 0);
		if (n <= 0)
			n = 1;
		dst[n - 1] = '/';
	}
	cat(dst + n, 4096 - n, base, "/", moddir + (*moddir == '/'), "/", kver);
}

int depmod_stale(struct depmod *r)
{
	char path[4096];
	struct stat st;
	int dfd = xopen(r->dir, O_RDONLY | O_DIRECTORY);

	cat(path, sizeof(path), r->out_dir, "/modules.dep");
	r->newer = 1;
	if (dfd >= 0 && !sys6(SYS_newfstatat, -100, (long)path, (long)&st, 0, 0, 0)) {
		r->dep_mtime = st.st_mtime;
		r->newer = 0;
		r->quick = 1;
		path[0] = 0;
		walk(r, dfd, path, 0);
		r->quick = 0;
	}
	if (dfd >= 0)
		sys_close(dfd);
	return r->newer;
}

#ifdef CONFIG_FEATURE_DEPMOD_SYMCHECK
int depmod_kernel(struct depmod *r, const char *file)
{
	return load_kernel(r, file);
}
#endif

int depmod_search(struct depmod *r, const char *const *confs)
{
	char path[4096];
	int dfd;
	unsigned k;

	r->cfg.kver = r->kver;
	if (config_load(&r->cfg, confs, 0)) {
		error("out of memory");
		return 1;
	}
	dfd = xopen(r->dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		error("could not open directory ", r->dir, ": ", errno_text(-dfd));
		return 1;
	}
	path[0] = 0;
	walk(r, dfd, path, 0);
	sys_close(dfd);
	for (k = r->cfg.n; k--;) { /* the external directories, the last first */
		const struct config_entry *e = config_entry(&r->cfg, k);

		if (e->kind != DEPMOD_EXTERNAL)
			continue;
		dfd = xopen(e->key, O_RDONLY | O_DIRECTORY);
		if (dfd < 0) {
			error("could not open directory ", e->key, ": ",
			      errno_text(-dfd));
			continue;
		}
		cat(path, sizeof(path), e->key, "/");
		walk(r, dfd, path, strlen(path));
		sys_close(dfd);
	}
	return 0;
}

int depmod_add(struct depmod *r, const char *path)
{
	size_t n = strlen(r->dir);

	if (!strncmp(path, r->dir, n) && path[n] == '/')
		path += n + 1;
	return add_file(r, path, 0);
}

int depmod_resolve(struct depmod *r)
{
	sort_modules(r);
	read_all(r);
	load_symbols(r);
	load_deps(r);
	return order_deps(r);
}
