/* index: the .bin tries answer as kmod does, checked against the text files depmod
 * wrote beside them, against tries built here, and against corrupt files.
 * Argument: a module tree directory holding modules.dep(.bin), modules.alias(.bin),
 * modules.symbols(.bin), modules.builtin(.bin) and modules.order. */
#include "unit.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../libmini/index.h"
#include "../../libmini/util.h"

static const char *dir;

static char *path_of(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static char *slurp(const char *name, size_t *len)
{
	return unit_slurp(path_of(name), len);
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	fwrite(p, 1, n, f);
	fclose(f);
}

/* Lines of a text file, split in place. */
static char **lines(char *text, int *count)
{
	int n = 0, cap = 1024;
	char **v = malloc(cap * sizeof(*v)), *save, *l;

	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(0, "\n", &save)) {
		if (n == cap) {
			char **bigger = realloc(v, (cap *= 2) * sizeof(*v));

			if (!bigger)
				abort();
			v = bigger;
		}
		v[n++] = l;
	}
	*count = n;
	return v;
}

/* --- modules.dep order: a module's priority in every index ----------------------- */
struct mod {
	char name[256];
	unsigned idx;
};
static struct mod *mods;
static int nmods;

static int mod_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mod *)a)->name, ((const struct mod *)b)->name);
}

static int prio_of(const char *name)
{
	struct mod key = {.idx = 0}, *m;

	snprintf(key.name, sizeof(key.name), "%s", name);
	m = bsearch(&key, mods, nmods, sizeof(*mods), mod_cmp);
	return m ? (int)m->idx : -1;
}

/* --- the reference for wildcard searches: modules.alias and fnmatch ---------------- */
struct alias {
	char *pattern; /* normalised as depmod does for the .bin */
	const char *mod;
};
static struct alias *aliases;
static int naliases;

/* depmod's alias_normalize: '-' becomes '_' outside brackets; no unbalanced ones. */
static int alias_normalize(char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			*s = '_';
		else if (*s == ']' || (*s == '[' && !(s = strchr(s, ']'))))
			return -1;
	}
	return 0;
}

/* What kmod answers for query: every matching line's module, in front of the first one
 * of equal or greater priority. */
static int reference(const char *query, struct index_value *out, int cap)
{
	int n = 0, i, j;
	unsigned prio;

	for (i = 0; i < naliases; i++) {
		if (fnmatch(aliases[i].pattern, query, 0))
			continue;
		if (n == cap)
			return -E2BIG;
		prio = prio_of(aliases[i].mod);
		for (j = n++; j && out[j - 1].priority >= prio; j--)
			out[j] = out[j - 1];
		out[j].value = aliases[i].mod;
		out[j].priority = prio;
	}
	return n;
}

static int same_values(const char *query, const struct index_value *a, int na,
		       const struct index_value *b, int nb)
{
	int i;

	if (na != nb) {
		printf("# %s: %d values, want %d\n", query, na, nb);
		return 0;
	}
	for (i = 0; i < na; i++)
		if (strcmp(a[i].value, b[i].value) || a[i].priority != b[i].priority) {
			printf("# %s: value %d is %s (%u), want %s (%u)\n", query, i,
			       a[i].value, a[i].priority, b[i].value, b[i].priority);
			return 0;
		}
	return 1;
}

/* A concrete modalias the pattern matches: each wildcard filled in one of three ways. */
static void concrete(char *q, const char *p, int how)
{
	for (; *p; p++) {
		if (*p == '*') {
			q = stpcpy(q, how == 0 ? "" : how == 1 ? "X" : "0123");
		} else if (*p == '?') {
			*q++ = how == 1 ? 'Z' : '7';
		} else if (*p == '[') {
			p += p[1] == '!' || p[1] == '^';
			*q++ = p[1];
			p = strchr(p + 2, ']');
		} else {
			*q++ = *p;
		}
	}
	*q = 0;
}

/* --- tries built here ------------------------------------------------------------- */
struct ent {
	const char *key;
	const char *values; /* "prio value" pairs, ';'-separated, in file order */
};
struct buf {
	unsigned char b[1 << 16];
	size_t n;
};

static void put32(struct buf *b, unsigned v)
{
	b->b[b->n++] = v >> 24;
	b->b[b->n++] = v >> 16;
	b->b[b->n++] = v >> 8;
	b->b[b->n++] = v;
}

static void putstr(struct buf *b, const char *s, size_t len)
{
	memcpy(b->b + b->n, s, len);
	b->n += len;
	b->b[b->n++] = 0;
}

/* The trie of e[0..n) (sorted, distinct keys that agree on their first depth bytes),
 * written children first as depmod does; returns its offset word. */
static unsigned build_node(struct buf *b, const struct ent *e, int n, size_t depth)
{
	unsigned child[256] = {0}, w = 0, count = 0;
	size_t plen = 0, off;
	int i, j, first = 256, last = -1;
	const char *k0 = e[0].key + depth, *kn = e[n - 1].key + depth, *v;

	while (k0[plen] && k0[plen] == kn[plen])
		plen++;
	for (i = 0; i < n; i = j) {
		unsigned char c = e[i].key[depth + plen];

		for (j = i + 1; j < n && (unsigned char)e[j].key[depth + plen] == c; j++)
			;
		if (!c)
			continue;
		child[c] = build_node(b, e + i, j - i, depth + plen + 1);
		first = first < c ? first : c;
		last = c;
	}
	off = b->n;
	if (plen) {
		w |= 0x80000000;
		putstr(b, k0, plen);
	}
	if (last >= 0) {
		w |= 0x20000000;
		b->b[b->n++] = first;
		b->b[b->n++] = last;
		for (i = first; i <= last; i++)
			put32(b, child[i]);
	}
	if (!k0[plen]) {
		w |= 0x40000000;
		for (v = e[0].values; *v; v++)
			count += *v == ';';
		put32(b, count + 1);
		for (v = e[0].values; *v;) {
			const char *sp = strchr(v, ' '), *end = strchr(v, ';');

			end = end ? end : v + strlen(v);
			put32(b, strtoul(v, 0, 10));
			putstr(b, sp + 1, end - sp - 1);
			v = *end ? end + 1 : end;
		}
	}
	return w | off;
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->key, ((const struct ent *)b)->key);
}

static void build(struct buf *b, struct ent *e, int n)
{
	unsigned root;

	qsort(e, n, sizeof(*e), ent_cmp);
	b->n = 0;
	put32(b, 0xB007F457);
	put32(b, 0x00020001);
	put32(b, 0);
	root = build_node(b, e, n, 0);
	b->b[8] = root >> 24, b->b[9] = root >> 16;
	b->b[10] = root >> 8, b->b[11] = root;
}

/* An index over a copy of the bytes in a buffer of exactly their size, so that ASan
 * sees any read past the end. */
static struct index mem_index(const void *p, size_t n)
{
	struct index ix;
	unsigned char *m = malloc(n ? n : 1);

	memcpy(m, p, n);
	ix.map = (const char *)m;
	ix.size = n;
	ix.root = n >= 12 ? (unsigned)m[8] << 24 | m[9] << 16 | m[10] << 8 | m[11] : 0;
	return ix;
}

static char *names(const struct index_value *v, int n)
{
	static char s[4096];
	char *p = s;

	*p = 0;
	if (n < 0)
		return strcpy(s, strerror(-n));
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? " " : "", v[i].value);
	return s;
}

static const char *search_names(const struct index *ix, const char *q)
{
	struct index_value v[64];

	return names(v, index_search(ix, q, v, 64));
}

static int walk_count, walk_sorted;
static char walk_last[INDEX_KEY_MAX];
static const struct index *walk_ix;

static int walk_check(void *ctx, const char *key, const char *value, unsigned prio)
{
	const char *first;

	(void)prio;
	(void)ctx;
	if (strcmp(walk_last, key) > 0)
		walk_sorted = 0;
	snprintf(walk_last, sizeof(walk_last), "%s", key);
	if (index_lookup(walk_ix, key, &first) || !*key != !*value)
		walk_sorted = 0;
	walk_count++;
	return 0;
}

static int walk_stop(void *ctx, const char *key, const char *value, unsigned prio)
{
	(void)key, (void)value, (void)prio;
	return ++*(int *)ctx == 3 ? 42 : 0;
}

static void real_tree(void)
{
	struct index dep, alias, sym, builtin;
	char *text, **l, *atext, **al, name[4096], q[4096];
	int n, i, bad, r;
	const char *v;
	struct index_value got[256], want[256];

	CASE("index: the tree's indexes open")
	{
		CHECK(index_open(&dep, path_of("modules.dep.bin")) == 0);
		CHECK(index_open(&alias, path_of("modules.alias.bin")) == 0);
		CHECK(index_open(&sym, path_of("modules.symbols.bin")) == 0);
		CHECK(index_open(&builtin, path_of("modules.builtin.bin")) == 0);
	}
	if (unit_case_failed)
		return;

	text = slurp("modules.dep", 0);
	l = lines(text, &n);
	mods = calloc(n, sizeof(*mods));
	nmods = n;
	CASE("index: modules.dep.bin gives each module's modules.dep line")
	{
		for (i = bad = 0; i < n; i++) {
			snprintf(q, sizeof(q), "%s", l[i]);
			modname_normalize(name, strtok(q, ":"));
			snprintf(mods[i].name, sizeof(mods[i].name), "%.255s", name);
			mods[i].idx = i;
			r = index_lookup(&dep, name, &v);
			if (r || strcmp(v, l[i])) {
				if (bad++ < 5)
					printf("# %s: %d %s\n", name, r, r ? "" : v);
			}
		}
		printf("# %d modules\n", n);
		CHECK(n > 100);
		CHECK(bad == 0);
	}
	qsort(mods, nmods, sizeof(*mods), mod_cmp);
	free(l);
	free(text);

	CASE("index: a missing key, a key's prefix or extension is not found")
	{
		CHECK(index_lookup(&dep, "no_such_module", &v) == -ENOENT);
		CHECK(index_lookup(&dep, "", &v) == -ENOENT);
		CHECK(index_lookup(&dep, "8021", &v) == -ENOENT);
		CHECK(index_lookup(&dep, "8021qq", &v) == -ENOENT);
		CHECK(index_lookup(&dep, "8021q", &v) == 0);
	}

	CASE("index: modules.symbols.bin gives the module of each symbol")
	{
		text = slurp("modules.symbols", 0);
		l = lines(text, &n);
		for (i = bad = 0; i < n; i++) {
			char *key = strchr(l[i], ' '), *mod;

			if (strncmp(l[i], "alias ", 6))
				continue;
			key++;
			mod = strchr(key, ' ');
			*mod++ = 0;
			r = index_lookup(&sym, key, &v);
			/* a symbol two modules export gives the one first in modules.dep */
			if (r || (strcmp(v, mod) && prio_of(v) >= prio_of(mod)))
				if (bad++ < 5)
					printf("# %s: %d %s, want %s\n", key, r,
					       r ? "" : v, mod);
		}
		CHECK(n > 1000);
		CHECK(bad == 0);
		free(l);
		free(text);
	}

	CASE("index: modules.builtin.bin knows each builtin module, with an empty value")
	{
		text = slurp("modules.builtin", 0);
		l = lines(text, &n);
		for (i = bad = 0; i < n; i++) {
			r = index_lookup(&builtin, modname_normalize(name, l[i]), &v);
			if (r || *v)
				if (bad++ < 5)
					printf("# %s: %d\n", name, r);
		}
		CHECK(n > 10);
		CHECK(bad == 0);
		CHECK(index_lookup(&builtin, "8021q", &v) == -ENOENT);
		free(l);
		free(text);
	}

	atext = slurp("modules.alias", 0);
	al = lines(atext, &n);
	aliases = calloc(n, sizeof(*aliases));
	for (i = 0; i < n; i++) {
		char *pat = al[i] + 6, *mod;

		if (strncmp(al[i], "alias ", 6))
			continue;
		mod = strchr(pat, ' ');
		*mod++ = 0;
		if (alias_normalize(pat))
			continue;
		aliases[naliases].pattern = pat;
		aliases[naliases++].mod = mod;
	}

	CASE("index: modules.alias.bin: real modaliases find what fnmatch over modules.alias finds")
	{
		static const char *const modalias[] = {
			"pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00",
			"pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00",
			"pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00",
			"pci:v00008086d00001E31sv00001028sd0000052Cbc0Csc03i30",
			"pci:v000015ADd00000740sv000015ADsd00000740bc08sc80i00",
			"usb:v0BDAp8153d3100dc00dsc00dp00icFFiscFFip00in00",
			"usb:v046Dp C52Bd1201dc00dsc00dp00ic03isc01ip02in00",
			"acpi:PNP0C0A:",
			"cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0001,0002,0003",
			"virtio:d00000001v00001AF4",
			"virtio:d00000002v00001AF4",
			"platform:serial8250",
			"input:b0011v0001p0001eAB41_e0,1,4,11,14,k71,72,73,r,am4,l0,1,2,sfw",
			"fs_ext4",
			"crypto_aes",
			"net_pf_10",
			"char_major_10_229",
			"",
			"nonexistent:alias",
		};

		int found = 0;

		bad = 0;
		for (i = 0; i < (int)(sizeof(modalias) / sizeof(*modalias)); i++) {
			int ng = index_search(&alias, modalias[i], got, 256);
			int nw = reference(modalias[i], want, 256);

			bad += !same_values(modalias[i], got, ng, want, nw);
			found += ng > 0;
		}
		printf("# %d of them found something\n", found);
		CHECK(bad == 0);
		CHECK(found >= 3);
	}

	CASE("index: modules.alias.bin: modaliases made from 200 alias lines find what fnmatch finds")
	{
		int step = naliases / 200 + 1, tried = 0, found = 0;

		bad = 0;
		for (i = 0; i < naliases; i++) {
			/* and every pattern with '?' or a bracket */
			if (i % step && !strpbrk(aliases[i].pattern, "?["))
				continue;
			for (int how = 0; how < 3; how++) {
				concrete(q, aliases[i].pattern, how);
				int ng = index_search(&alias, q, got, 256);
				int nw = reference(q, want, 256);

				bad += !same_values(q, got, ng, want, nw);
				found += ng > 0;
				tried++;
			}
		}
		printf("# %d queries, %d found something\n", tried, found);
		CHECK(tried >= 500 && found == tried);
		CHECK(bad == 0);
	}

	CASE("index: a walk gives every key in byte order, each value once")
	{
		walk_ix = &dep;
		walk_count = 0;
		walk_sorted = 1;
		walk_last[0] = 0;
		CHECK(index_walk(&dep, walk_check, 0) == 0);
		CHECK(walk_count == nmods);
		CHECK(walk_sorted);
		walk_ix = &alias;
		walk_count = 0;
		walk_last[0] = 0;
		CHECK(index_walk(&alias, walk_check, 0) == 0);
		CHECK(walk_count == naliases);
		CHECK(walk_sorted);
		int stop = 0;
		CHECK(index_walk(&alias, walk_stop, &stop) == 42);
	}

	CASE("index: more matches than room: -E2BIG")
	{
		CHECK(index_search(&alias,
				   "cpu:type:x86,ven0000fam0006mod003F:feature:,0000",
				   got, 256) > 1);
		CHECK(index_search(&alias,
				   "cpu:type:x86,ven0000fam0006mod003F:feature:,0000",
				   got, 1) == -E2BIG);
	}

	CASE("index: random byte flips in modules.alias.bin end in errors, not crashes")
	{
		int errors = 0;

		/* NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): the same flips each run */
		srand(1);
		for (i = 0; i < 300; i++) {
			struct index ix = mem_index(alias.map, alias.size);
			unsigned char *m = (unsigned char *)ix.map;

			for (int k = 0; k < 8; k++)
				/* rand(): reproducible flips, no secret */
				/* NOLINTNEXTLINE(cert-msc30-c,cert-msc50-cpp) */
				m[rand() % ix.size] = rand();
			r = index_search(
				&ix,
				"pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00",
				got, 256);
			errors += r < 0;
			r = index_lookup(&ix, "pci:v00008086d000010D3sv*sd*bc*sc*i*", &v);
			errors += r < 0 && r != -ENOENT;
			free(m);
		}
		printf("# %d errors\n", errors);
	}

	CASE("index: a truncated modules.builtin.bin at every length: errors, no crash")
	{
		int ok = 0;

		text = slurp("modules.builtin", 0);
		l = lines(text, &n);
		for (size_t len = 0; len <= builtin.size; len++) {
			struct index ix = mem_index(builtin.map, len);

			for (i = 0; i < n; i++)
				ok += index_lookup(&ix, modname_normalize(name, l[i]),
						   &v) == 0;
			index_search(&ix, "8250", got, 256);
			free((void *)ix.map);
		}
		CHECK(ok == n); /* only the whole file */
		free(l);
		free(text);
	}

	free(al);
	free(atext);
	free(aliases);
	free(mods);
	index_close(&dep);
	index_close(&alias);
	index_close(&sym);
	index_close(&builtin);
	CHECK(dep.map == 0);
}

static void made_tries(void)
{
	static struct buf b;
	struct index ix;
	const char *v;
	struct index_value got[8];

	CASE("index: wildcard keys: '*', '?', brackets, escapes and literal keys")
	{
		struct ent e[] = {
			{"abc", "5 exact"},	 {"a*", "9 star"},
			{"a?c", "7 qmark"},	 {"a[b-d]c", "3 range"},
			{"a[!b]c", "2 negated"}, {"x\\*", "1 escaped"},
			{"x*", "4 xstar"},	 {"zz", "1 zz"},
		};
		build(&b, e, 8);
		ix = mem_index(b.b, b.n);
		CHECK_STR(search_names(&ix, "abc"), "range exact qmark star");
		CHECK_STR(search_names(&ix, "aec"), "negated qmark star");
		CHECK_STR(search_names(&ix, "a"), "star");
		CHECK_STR(search_names(&ix, "ab"), "star");
		CHECK_STR(search_names(&ix, "b"), "");
		/* kmod compares the bytes before a wildcard literally, '\\' included; a literal
		 * '*' in the query is both matched and followed */
		CHECK_STR(search_names(&ix, "x*"), "xstar xstar");
		CHECK_STR(search_names(&ix, "x\\*"), "escaped xstar");
		CHECK_STR(search_names(&ix, "xy"), "xstar");
		CHECK_STR(search_names(&ix, "zz"), "zz");
		CHECK_STR(search_names(&ix, "zzz"), "");
		CHECK(index_lookup(&ix, "a*", &v) == 0 && !strcmp(v, "star"));
		CHECK(index_lookup(&ix, "abd", &v) == -ENOENT);
		free((void *)ix.map);
	}
	CASE("index: equal priorities come out last found first, as kmod's add_value puts them")
	{
		struct ent e[] = {
			{"k", "1 a;1 b;2 c;1 d"},
			{"k*", "1 e;0 f"},
		};
		build(&b, e, 2);
		ix = mem_index(b.b, b.n);
		/* "k*" (a subtree) first, then the node's own values in file order */
		CHECK_STR(search_names(&ix, "k"), "f d b a e c");
		CHECK(index_lookup(&ix, "k", &v) == 0 && !strcmp(v, "a"));
		free((void *)ix.map);
	}
	CASE("index: subtrees are searched children first, in byte order")
	{
		struct ent e[] = {
			{"p*", "1 p1"},	  {"p*a", "1 p2"},  {"p*b", "1 p3"},
			{"p?", "1 p4"},	  {"p[a]", "1 p5"}, {"pa", "1 p6"},
			{"p*a*", "1 p7"},
		};
		build(&b, e, 7);
		ix = mem_index(b.b, b.n);
		CHECK_STR(search_names(&ix, "pa"), "p6 p5 p4 p1 p2 p7");
		free((void *)ix.map);
	}
	CASE("index: an empty index finds nothing")
	{
		static const unsigned char empty[] = {0xb0, 0x07, 0xf4, 0x57, 0, 2,
						      0,    1,	  0,	0,    0, 12};
		char path[] = "/tmp/modbox-test-index-XXXXXX";
		int fd = mkstemp(path);

		close(fd);
		spit(path, empty, sizeof(empty));
		CHECK(index_open(&ix, path) == 0);
		CHECK(index_lookup(&ix, "", &v) == -ENOENT);
		CHECK(index_lookup(&ix, "a", &v) == -ENOENT);
		CHECK(index_search(&ix, "a", got, 8) == 0);
		CHECK(index_walk(&ix, walk_stop, &fd) == 0);
		index_close(&ix);
		unlink(path);
	}
	CASE("index: a file that is no index, or of another version, does not open")
	{
		static unsigned char h[] = {0xb0, 0x07, 0xf4, 0x57, 0, 2,
					    0,	  1,	0,    0,    0, 12};
		char path[] = "/tmp/modbox-test-index-XXXXXX";
		int fd = mkstemp(path);

		close(fd);
		spit(path, h, 0);
		CHECK(index_open(&ix, path) == -EBADMSG);
		spit(path, h, 11);
		CHECK(index_open(&ix, path) == -EBADMSG);
		h[0] = 0xb1;
		spit(path, h, 12);
		CHECK(index_open(&ix, path) == -EBADMSG);
		h[0] = 0xb0;
		h[7] = 3; /* another minor version is fine */
		spit(path, h, 12);
		CHECK(index_open(&ix, path) == 0);
		index_close(&ix);
		h[5] = 3;
		spit(path, h, 12);
		CHECK(index_open(&ix, path) == -EPROTONOSUPPORT);
		h[5] = 2;
		h[11] = 13; /* root past the end */
		spit(path, h, 12);
		CHECK(index_open(&ix, path) == -EBADMSG);
		h[11] = 4; /* root inside the header */
		spit(path, h, 12);
		CHECK(index_open(&ix, path) == -EBADMSG);
		CHECK(index_open(&ix, "/nonexistent/modules.dep.bin") == -ENOENT);
		unlink(path);
	}

	struct buf *c = &b;
	CASE("index: a child pointing back to the root: errors, no hang, no deep stack")
	{
		/* root at 12: children '*'..'b' all pointing to the root, and one value */
		c->n = 0;
		put32(c, 0xB007F457);
		put32(c, 0x00020001);
		put32(c, 0x60000000 | 12);
		c->b[c->n++] = '*';
		c->b[c->n++] = 'b';
		for (int i = '*'; i <= 'b'; i++)
			put32(c, 0x60000000 | 12);
		put32(c, 1);
		put32(c, 0);
		putstr(c, "loop", 4);
		ix = mem_index(c->b, c->n);
		CHECK(index_search(&ix, "abc", got, 8) == -EBADMSG);
		CHECK(index_walk(&ix, walk_stop, &(int){-1000000}) == -EBADMSG);
		/* a lookup eats a byte per step */
		CHECK(index_lookup(&ix, "aaaaaaaaaaaaaaaaaaaaaaaa", &v) == 0);
		free((void *)ix.map);
	}
	CASE("index: children sharing one subtree: the search ends with an error")
	{
		/* 30 levels, each node's 64 children pointing to the next level: 64^30 paths */
		unsigned next = 0;

		c->n = 0;
		put32(c, 0xB007F457);
		put32(c, 0x00020001);
		put32(c, 0);
		for (int level = 0; level < 30; level++) {
			unsigned here = c->n;

			c->b[c->n++] = '*';
			c->b[c->n++] = '*' + 63;
			for (int i = 0; i < 64; i++)
				put32(c, next ? 0x20000000 | next : 0);
			next = here;
		}
		c->b[8] = 0x20, c->b[10] = next >> 8, c->b[11] = next;
		ix = mem_index(c->b, c->n);
		CHECK(index_search(&ix, "abc", got, 8) == -EBADMSG);
		free((void *)ix.map);
	}
	CASE("index: strings without NUL, huge counts, first > last: -EBADMSG")
	{
		struct ent e[] = {{"key", "1 value"}};

		build(&b, e, 1);
		/* the value's NUL is the file's last byte */
		ix = mem_index(b.b, b.n - 1);
		ix.root = 0xc0000000 | 12;
		CHECK(index_lookup(&ix, "key", &v) == -EBADMSG);
		CHECK(index_search(&ix, "key", got, 8) == -EBADMSG);
		free((void *)ix.map);
		/* prefix "key" without its NUL */
		ix = mem_index(b.b, 15);
		ix.root = 0xc0000000 | 12;
		CHECK(index_lookup(&ix, "key", &v) == -EBADMSG);
		free((void *)ix.map);
		/* a count of 2^32-1: the first value is fine, the rest runs off the end */
		b.b[16] = b.b[17] = b.b[18] = b.b[19] = 0xff;
		ix = mem_index(b.b, b.n);
		ix.root = 0xc0000000 | 12;
		CHECK(index_lookup(&ix, "key", &v) == 0 && !strcmp(v, "value"));
		CHECK(index_search(&ix, "key", got, 8) == -EBADMSG);
		CHECK(index_walk(&ix, walk_stop, &(int){-100}) == -EBADMSG);
		free((void *)ix.map);
		/* children with first > last */
		c->n = 0;
		put32(c, 0xB007F457);
		put32(c, 0x00020001);
		put32(c, 0x20000000 | 12);
		c->b[c->n++] = 'b';
		c->b[c->n++] = 'a';
		put32(c, 0);
		ix = mem_index(c->b, c->n);
		CHECK(index_lookup(&ix, "a", &v) == -EBADMSG);
		CHECK(index_search(&ix, "a", got, 8) == -EBADMSG);
		free((void *)ix.map);
		/* a child table running past the end, a child offset past the end */
		ix = mem_index(c->b, c->n);
		c->b[12] = 'a', c->b[13] = 'z';
		free((void *)ix.map);
		ix = mem_index(c->b, c->n);
		CHECK(index_lookup(&ix, "a", &v) == -EBADMSG);
		free((void *)ix.map);
		c->b[13] = 'a';
		c->b[14] = 0x20, c->b[15] = 0, c->b[16] = 0x10, c->b[17] = 0;
		ix = mem_index(c->b, c->n);
		CHECK(index_lookup(&ix, "a", &v) == -EBADMSG);
		CHECK(index_search(&ix, "a", got, 8) == -EBADMSG);
		free((void *)ix.map);
	}
	CASE("index: a key longer than INDEX_KEY_MAX is corruption")
	{
		static char key[INDEX_KEY_MAX + 10];
		struct ent e[] = {{key, "1 long"}};

		memset(key, 'a', sizeof(key) - 1);
		key[0] = '*';
		build(&b, e, 1);
		ix = mem_index(b.b, b.n);
		CHECK(index_search(&ix, "x", got, 8) == -EBADMSG);
		CHECK(index_lookup(&ix, key, &v) == 0);
		key[INDEX_KEY_MAX - 2] = 0;
		build(&b, e, 1);
		free((void *)ix.map);
		ix = mem_index(b.b, b.n);
		CHECK(index_search(&ix, key, got, 8) == 1);
		free((void *)ix.map);
	}
}

int main(int argc, char **argv)
{
	setlinebuf(stdout);
	made_tries();
	if (argc < 2) {
		printf("not ok - index: needs a module tree directory as argument\n");
		return 1;
	}
	dir = argv[1];
	real_tree();
	return unit_failed;
}
