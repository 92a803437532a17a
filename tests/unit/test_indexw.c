/* indexw: the tries written here read back through index.c, and from the text files of a
 * tree Debian's depmod (kmod 30) indexed they come out byte for byte as its .bin files.
 * Argument: that module directory (modules.dep, .alias, .symbols, .builtin,
 * .builtin.modinfo, each with its .bin). */
#include "unit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../../libmini/index.h"
#include "../../libmini/indexw.h"
#include "../../libmini/util.h"

static const char *dir;

static char *path_of(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Lines of a text file, split in place; empty ones are left out. */
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

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* --- writing and reading back ----------------------------------------------------- */
static char tmp[] = "/tmp/test_indexw.XXXXXX";
static size_t out_len;

/* w's file, read back into malloc'd memory (out_len bytes); w is freed. */
static unsigned char *written(struct indexw *w)
{
	int fd = open(tmp, O_WRONLY | O_TRUNC);
	int r = indexw_write(w, fd);

	close(fd);
	indexw_free(w);
	if (r) {
		printf("# indexw_write: %s\n", strerror(-r));
		return 0;
	}
	return (unsigned char *)unit_slurp(tmp, &out_len);
}

static unsigned be32(const unsigned char *b)
{
	return (unsigned)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static struct index ix;

static int reopen(struct indexw *w)
{
	free(written(w));
	return index_open(&ix, tmp);
}

static const char *lookup(const char *key)
{
	const char *v;
	int r = index_lookup(&ix, key, &v);

	return r == -ENOENT ? "ENOENT" : r ? strerror(-r) : v;
}

/* Every (key, value, priority) of a walk, in file order, as "key=value/prio ...". */
static char walked[1 << 16];

static int walk_add(void *ctx, const char *key, const char *value, unsigned prio)
{
	size_t n = strlen(walked);

	(void)ctx;
	snprintf(walked + n, sizeof(walked) - n, "%s%s=%s/%u", n ? " " : "", key, value,
		 prio);
	return 0;
}

static const char *walk(void)
{
	walked[0] = 0;
	if (index_walk(&ix, walk_add, 0))
		return "walk failed";
	return walked;
}

static void made_tries(void)
{
	struct indexw w;
	unsigned char *b, *b2;
	size_t len;
	char key[4100], key2[4100], val[64];
	int i;

	CASE("indexw: an empty index is a header whose root is an empty node at 12")
	{
		indexw_init(&w);
		b = written(&w);
		CHECK(b && out_len == 12);
		CHECK(b && be32(b) == 0xB007F457 && be32(b + 4) == 0x00020001);
		CHECK(b && be32(b + 8) == 12);
		free(b);
		CHECK(index_open(&ix, tmp) == 0);
		CHECK_STR(lookup("a"), "ENOENT");
		CHECK_STR(lookup(""), "ENOENT");
		CHECK_STR(walk(), "");
		index_close(&ix);
	}

	CASE("indexw: one key: its leaf first, then the root, whose word the header holds")
	{
		static const unsigned char want[] = {
			0xB0, 0x07, 0xF4, 0x57, 0, 2, 0, 1, 0x20, 0, 0, 24,
			/* 12: the leaf under 'a': prefix "b", one value "1" of priority 7 */
			'b', 0, 0, 0, 0, 1, 0, 0, 0, 7, '1', 0,
			/* 24: the root: child 'a' only, at 12 with prefix and values */
			'a', 'a', 0xC0, 0, 0, 12};

		indexw_init(&w);
		CHECK(indexw_add(&w, "ab", "1", 7) == 0);
		b = written(&w);
		CHECK(b && out_len == sizeof(want));
		CHECK(b && !memcmp(b, want, sizeof(want)));
		free(b);
	}

	CASE("indexw: a key that is a prefix of another, and one that splits a prefix")
	{
		indexw_init(&w);
		indexw_add(&w, "abcdef", "long", 1);
		indexw_add(&w, "abc", "mid", 2);
		indexw_add(&w, "abxyz", "fork", 3);
		indexw_add(&w, "a", "short", 4);
		indexw_add(&w, "b", "other", 5);
		CHECK(reopen(&w) == 0);
		CHECK_STR(lookup("abcdef"), "long");
		CHECK_STR(lookup("abc"), "mid");
		CHECK_STR(lookup("abxyz"), "fork");
		CHECK_STR(lookup("a"), "short");
		CHECK_STR(lookup("b"), "other");
		CHECK_STR(lookup("ab"), "ENOENT");
		CHECK_STR(lookup("abcd"), "ENOENT");
		CHECK_STR(lookup("abcdefg"), "ENOENT");
		CHECK_STR(lookup("abx"), "ENOENT");
		CHECK_STR(walk(),
			  "a=short/4 abc=mid/2 abcdef=long/1 abxyz=fork/3 b=other/5");
		index_close(&ix);
	}

	CASE("indexw: the file depends on the set of keys, not the order they came in")
	{
		static const char *const keys[] = {"pci:v1",   "pci:v2", "pci:", "usb:x",
						   "pci:v1d2", "p",	 "zz",	 "pc"};
		int n = sizeof(keys) / sizeof(*keys);

		indexw_init(&w);
		for (i = 0; i < n; i++)
			indexw_add(&w, keys[i], keys[i], i);
		b = written(&w);
		len = out_len;
		indexw_init(&w);
		for (i = n - 1; i >= 0; i--)
			indexw_add(&w, keys[i], keys[i], i);
		b2 = written(&w);
		CHECK(b && b2 && len == out_len && !memcmp(b, b2, len));
		free(b);
		free(b2);
	}

	CASE("indexw: long keys, alike but for their last byte")
	{
		memset(key, 'k', 4000);
		key[4000] = 0;
		strcpy(key2, key);
		key2[3999] = 'j';
		indexw_init(&w);
		indexw_add(&w, key, "k", 0);
		indexw_add(&w, key2, "j", 0);
		key2[3999] = 0;
		indexw_add(&w, key2, "short", 0);
		CHECK(reopen(&w) == 0);
		CHECK_STR(lookup(key), "k");
		CHECK_STR(lookup(key2), "short");
		key2[3999] = 'j';
		CHECK_STR(lookup(key2), "j");
		key2[3999] = 'l';
		CHECK_STR(lookup(key2), "ENOENT");
		index_close(&ix);
	}

	CASE("indexw: a key's values by priority; of equal ones, the last added first")
	{
		static const unsigned prio[] = {5, 3, 9, 3, 0, 5, 7, 3};

		indexw_init(&w);
		for (i = 0; i < 8; i++) {
			snprintf(val, sizeof(val), "v%d", i);
			CHECK(indexw_add(&w, "key", val, prio[i]) == 0);
		}
		CHECK(reopen(&w) == 0);
		CHECK_STR(lookup("key"), "v4");
		CHECK_STR(walk(), "key=v4/0 key=v7/3 key=v3/3 key=v1/3 key=v5/5 key=v0/5 "
				  "key=v6/7 key=v2/9");
		index_close(&ix);
	}

	CASE("indexw: modules.builtin.alias.bin of aliases modules share, as kmod 30 wrote it")
	{
		/* depmod -b over a modules.builtin.modinfo of "aaa.alias=foo-x",
		 * "bbb.alias=foo_x", "ccc.license=GPL", "ccc.alias=foo-x", "ddd.alias=bar",
		 * "aaa.alias=bar": all of priority 0, so the last added comes first */
		static const unsigned char want[] = {
			0xB0, 0x07, 0xF4, 0x57, 0, 2, 0, 1, 0x20, 0, 0, 68,
			/* 12: under 'b' */
			'a', 'r', 0, 0, 0, 0, 2, 0, 0, 0, 0, 'a', 'a', 'a', 0, 0, 0, 0, 0,
			'd', 'd', 'd', 0,
			/* 35: under 'f' */
			'o', 'o', '_', 'x', 0, 0, 0, 0, 3, 0, 0, 0, 0, 'c', 'c', 'c', 0,
			0, 0, 0, 0, 'b', 'b', 'b', 0, 0, 0, 0, 0, 'a', 'a', 'a', 0,
			/* 68: the root, 'b' to 'f' */
			'b', 'f', 0xC0, 0, 0, 12, /* c, d, e: none */ 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0xC0, 0, 0, 35};

		indexw_init(&w);
		indexw_add(&w, "foo_x", "aaa", 0);
		indexw_add(&w, "foo_x", "bbb", 0);
		indexw_add(&w, "foo_x", "ccc", 0);
		indexw_add(&w, "bar", "ddd", 0);
		indexw_add(&w, "bar", "aaa", 0);
		b = written(&w);
		CHECK(b && out_len == sizeof(want) && !memcmp(b, want, sizeof(want)));
		free(b);
	}

	CASE("indexw: a value added twice to a key is kept twice and reported")
	{
		indexw_init(&w);
		CHECK(indexw_add(&w, "k", "same", 2) == 0);
		CHECK(indexw_add(&w, "k", "other", 1) == 0);
		CHECK(indexw_add(&w, "k", "same", 0) == 1);
		CHECK(indexw_add(&w, "k2", "same", 0) == 0);
		CHECK(reopen(&w) == 0);
		CHECK_STR(walk(), "k=same/0 k=other/1 k=same/2 k2=same/0");
		index_close(&ix);
	}

	CASE("indexw: many keys and values, big enough for several arena chunks")
	{
		int bad = 0;

		indexw_init(&w);
		for (i = 0; i < 200000; i++) {
			snprintf(key, sizeof(key), "key%x:%d", i * 2654435761u, i % 7);
			snprintf(val, sizeof(val), "value%d", i);
			indexw_add(&w, key, val, i);
		}
		CHECK(reopen(&w) == 0);
		for (i = 0; i < 200000; i += 997) {
			snprintf(key, sizeof(key), "key%x:%d", i * 2654435761u, i % 7);
			snprintf(val, sizeof(val), "value%d", i);
			bad += strcmp(lookup(key), val) != 0;
		}
		CHECK(bad == 0);
		index_close(&ix);
	}
}

/* --- the real tree: Debian's .bin files from their text files --------------------- */

/* Module names by their modules.dep line: depmod's mod->idx, the priority of each. */
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

static unsigned prio_of(const char *name)
{
	struct mod key = {.idx = 0}, *m;

	snprintf(key.name, sizeof(key.name), "%s", name);
	m = bsearch(&key, mods, nmods, sizeof(*mods), mod_cmp);
	if (!m) {
		printf("# %s: not in modules.dep\n", name);
		return ~0u;
	}
	return m->idx;
}

/* depmod's alias_normalize: '-' becomes '_' outside brackets; none unbalanced. */
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

static double write_time;

/* Writes w and compares the file with Debian's name. */
static int same_as(struct indexw *w, const char *name)
{
	size_t want_len, i;
	double t = now();
	unsigned char *got = written(w), *want;
	int same;

	write_time += now() - t;
	want = (unsigned char *)unit_slurp(path_of(name), &want_len);
	if (!got || !want) {
		printf("# %s: cannot read\n", name);
		return 0;
	}
	for (i = 0; i < out_len && i < want_len && got[i] == want[i]; i++)
		;
	same = i == out_len && i == want_len;
	if (!same)
		printf("# %s: %zu bytes, want %zu; first difference at offset %zu\n",
		       name, out_len, want_len, i);
	else
		printf("# %s: %zu bytes, identical\n", name, out_len);
	free(got);
	free(want);
	return same;
}

/* "alias KEY MOD" lines (modules.alias, modules.symbols) in file order, as depmod
 * inserted them: the key normalised, the module's priority. */
static int add_alias_lines(struct indexw *w, const char *name, int normalize)
{
	char *text = unit_slurp(path_of(name), 0), **l, *key, *mod;
	int n, i, added = 0;

	if (!text)
		return 0;
	l = lines(text, &n);
	for (i = 0; i < n; i++) {
		if (strncmp(l[i], "alias ", 6))
			continue;
		key = l[i] + 6;
		mod = strrchr(key, ' ');
		*mod++ = 0;
		if (normalize && alias_normalize(key))
			continue;
		if (indexw_add(w, key, mod, prio_of(mod)) < 0)
			return 0;
		added++;
	}
	free(l);
	free(text);
	return added;
}

/* fgetc over a buffer, as depmod reads modules.builtin.modinfo */
struct stream {
	const char *p, *end;
	int eof;
};

static int get(struct stream *s)
{
	if (s->p < s->end)
		return (unsigned char)*s->p++;
	s->eof = 1;
	return EOF;
}

/* depmod's flush_stream_to: up to endchar, NUL or EOF; the length if endchar ended it. */
static size_t take_to(struct stream *s, int endchar, char *dst, size_t cap)
{
	size_t i = 0;
	int c;

	for (c = get(s); c != EOF && c != endchar && c; c = get(s))
		if (i < cap - 1)
			dst[i++] = c;
	dst[i] = 0;
	return c == endchar ? i : 0;
}

/* modules.builtin.modinfo's "mod.alias=value" records, as depmod's
 * output_builtin_alias_bin reads them. */
static int add_builtin_aliases(struct indexw *w)
{
	size_t len;
	char *text = unit_slurp(path_of("modules.builtin.modinfo"), &len);
	char mod[4096], key[4096], value[4096], skip[4096];
	struct stream s = {text, text, 0};
	int added = 0;

	if (!text)
		return 0;
	s.end = text + len;
	while (!s.eof) {
		if (!take_to(&s, '.', mod, sizeof(mod)))
			continue;
		take_to(&s, '=', key, sizeof(key));
		if (strcmp(key, "alias")) {
			take_to(&s, 0, skip, sizeof(skip));
			continue;
		}
		if (!take_to(&s, 0, value, sizeof(value)) || alias_normalize(value))
			continue;
		if (indexw_add(w, value, mod, 0) < 0)
			return 0;
		added++;
	}
	free(text);
	return added;
}

static void real_tree(void)
{
	struct indexw w;
	char *text, **l, name[4096], q[4096];
	int n, i, added, ok;
	double t;

	text = unit_slurp(path_of("modules.dep"), 0);
	if (!text) {
		printf("not ok - indexw: %s has a modules.dep\n", dir);
		unit_failed = 1;
		return;
	}
	l = lines(text, &n);
	mods = calloc(n, sizeof(*mods));
	nmods = n;

	CASE("indexw: modules.dep.bin: each module's modules.dep line, by modules.dep order")
	{
		t = now();
		indexw_init(&w);
		for (i = ok = 0; i < n; i++) {
			snprintf(q, sizeof(q), "%s", l[i]);
			modname_normalize(name, strtok(q, ":"));
			snprintf(mods[i].name, sizeof(mods[i].name), "%.255s", name);
			mods[i].idx = i;
			ok += indexw_add(&w, name, l[i], i) == 0;
		}
		write_time = now() - t;
		CHECK(ok == n && n > 100);
		CHECK(same_as(&w, "modules.dep.bin"));
		printf("# %d modules, %.1f ms\n", n, write_time * 1e3);
	}
	qsort(mods, nmods, sizeof(*mods), mod_cmp);
	free(l);
	free(text);

	CASE("indexw: modules.alias.bin: normalised aliases to modules, by modules.dep order")
	{
		t = now();
		indexw_init(&w);
		added = add_alias_lines(&w, "modules.alias", 1);
		write_time = now() - t;
		CHECK(added > 1000);
		CHECK(same_as(&w, "modules.alias.bin"));
		printf("# %d aliases, %.1f ms\n", added, write_time * 1e3);
	}

	CASE("indexw: modules.symbols.bin: symbol:NAME to its module")
	{
		t = now();
		indexw_init(&w);
		added = add_alias_lines(&w, "modules.symbols", 0);
		write_time = now() - t;
		CHECK(added > 1000);
		CHECK(same_as(&w, "modules.symbols.bin"));
		printf("# %d symbols, %.1f ms\n", added, write_time * 1e3);
	}

	CASE("indexw: modules.builtin.bin: each builtin module with an empty value")
	{
		indexw_init(&w);
		text = unit_slurp(path_of("modules.builtin"), 0);
		l = text ? lines(text, &n) : 0;
		for (i = added = 0; l && i < n; i++) {
			if (!isalpha((unsigned char)l[i][0]))
				continue;
			added +=
				indexw_add(&w, modname_normalize(name, l[i]), "", 0) >= 0;
		}
		CHECK(added > 10);
		CHECK(same_as(&w, "modules.builtin.bin"));
		free(l);
		free(text);
	}

	CASE("indexw: modules.builtin.alias.bin: modules.builtin.modinfo's aliases, the last "
	     "first")
	{
		indexw_init(&w);
		added = add_builtin_aliases(&w);
		CHECK(added > 10);
		CHECK(same_as(&w, "modules.builtin.alias.bin"));
	}
	free(mods);
}

int main(int argc, char **argv)
{
	int fd = mkstemp(tmp);

	setlinebuf(stdout);
	if (fd < 0)
		return 1;
	close(fd);
	made_tries();
	if (argc < 2) {
		printf("not ok - indexw: needs a module tree directory as argument\n");
		unit_failed = 1;
	} else {
		dir = argv[1];
		real_tree();
	}
	unlink(tmp);
	return unit_failed;
}
