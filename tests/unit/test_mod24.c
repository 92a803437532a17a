/* mod24: the linker for kernels before 2.6, on objects the host's cc compiles here from
 * tests/unit/mod24/ (x86_64 small and kernel code models, and i386 with -m32). An object
 * of this program's machine is linked at a low address mapped executable and its
 * init_module is called through the struct module the linker built; every object is
 * also linked without running it, on any host. Broken copies (cut short, corrupted)
 * must give errors and never a crash: each is opened from a heap block of its exact
 * size, so ASan sees any over-read. */
#include "unit.h"

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../libmini/mod24.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#if defined(__x86_64__)
#define NATIVE 62
#elif defined(__i386__)
#define NATIVE 3
#else
#define NATIVE 0
#endif

/* --- the "kernel" the modules call -------------------------------------------------- */

int kernel_counter = 100;
static int add_calls, add_a, add_b;

int kernel_add(int a, int b)
{
	add_calls++;
	add_a = a;
	add_b = b;
	return a + b;
}

/* A module at this address exports kernel_add and kernel_counter: the dependency. */
#define OWNER 0x0c880000u

struct ksym {
	const char *name;
	uint64_t value, module;
};
struct table {
	const struct ksym *syms;
	unsigned n, calls;
};

static int lookup(void *ctx, const char *name, uint64_t *value, uint64_t *module)
{
	struct table *t = ctx;

	t->calls++;
	for (unsigned i = 0; i < t->n; i++)
		if (!strcmp(t->syms[i].name, name)) {
			*value = t->syms[i].value;
			*module = t->syms[i].module;
			return 0;
		}
	return 1;
}

/* The kernel's symbols: this program's own for a module that runs here, else
 * addresses near the image that nobody calls. */
static struct ksym kernel_syms[2];
static struct table kernel = {kernel_syms, 2, 0};

static void set_kernel(int native)
{
	kernel_syms[0] = (struct ksym){
		"kernel_add", native ? (uintptr_t)kernel_add : 0x10800000, OWNER};
	kernel_syms[1] =
		(struct ksym){"kernel_counter",
			      native ? (uintptr_t)&kernel_counter : 0x10900000, OWNER};
	kernel.calls = 0;
}

/* --- struct module of 2.4, as init_module(2) and linux/module.h lay it out ---------- */

struct module64 {
	uint64_t size_of_struct, next, name, size, usecount, flags;
	uint32_t nsyms, ndeps;
	uint64_t syms, deps, refs, init, cleanup, ex_table_start, ex_table_end;
	uint64_t persist_start, persist_end, can_unload;
	int32_t runsize, pad; /* the padding an LP64 compiler puts there */
	uint64_t kallsyms_start, kallsyms_end, archdata_start, archdata_end, kernel_data;
};
struct module32 {
	uint32_t size_of_struct, next, name, size, usecount, flags;
	uint32_t nsyms, ndeps;
	uint32_t syms, deps, refs, init, cleanup, ex_table_start, ex_table_end;
	uint32_t persist_start, persist_end, can_unload;
	int32_t runsize;
	uint32_t kallsyms_start, kallsyms_end, archdata_start, archdata_end, kernel_data;
};
_Static_assert(sizeof(struct module64) == 184, "2.4's struct module on 64-bit");
_Static_assert(sizeof(struct module32) == 96, "2.4's struct module on 32-bit");

/* Either one widened, so that cases read the same for both. */
struct module {
	uint64_t size_of_struct, next, name, size, usecount, flags, nsyms, ndeps;
	uint64_t syms, deps, refs, init, cleanup, ex_table_start, ex_table_end;
	uint64_t persist_start, persist_end, can_unload, runsize;
	uint64_t kallsyms_start, kallsyms_end, archdata_start, archdata_end, kernel_data;
};

static void read_module(const unsigned char *img, int is64, struct module *h)
{
	struct module64 a;
	struct module32 b;

#define WIDEN(s) \
	*h = (struct module) \
	{ \
		(s).size_of_struct, (s).next, (s).name, (s).size, (s).usecount, \
			(s).flags, (s).nsyms, (s).ndeps, (s).syms, (s).deps, (s).refs, \
			(s).init, (s).cleanup, (s).ex_table_start, (s).ex_table_end, \
			(s).persist_start, (s).persist_end, (s).can_unload, (s).runsize, \
			(s).kallsyms_start, (s).kallsyms_end, (s).archdata_start, \
			(s).archdata_end, (s).kernel_data \
	}
	if (is64) {
		memcpy(&a, img, sizeof(a));
		WIDEN(a);
	} else {
		memcpy(&b, img, sizeof(b));
		WIDEN(b);
	}
#undef WIDEN
}

/* --- objects compiled here, and the test's own reading of them ----------------------- */

struct obj {
	const char *src, *flags, *label;
	unsigned char *data;
	size_t size;
	int machine, is64;
};

static char tmpdir[] = "/tmp/test_mod24.XXXXXX";

/* Compiles tests/unit/mod24/SRC.c with the host's cc (or $CC) and reads the object. */
static int compile(struct obj *o)
{
	char cmd[1024], out[256], dir[256];
	const char *cc = getenv("CC"), *slash = strrchr(__FILE__, '/');

	snprintf(dir, sizeof(dir), "%.*s/mod24", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
	snprintf(out, sizeof(out), "%s/%s%s.o", tmpdir, o->src, o->flags);
	snprintf(
		cmd, sizeof(cmd),
		"%s -c -O1 -fno-pic -fno-pie -fno-asynchronous-unwind-tables -fcommon "
		"-fno-stack-protector -ffreestanding -fcf-protection=none %s %s/%s.c -o %s",
		cc ? cc : "cc", o->flags, dir, o->src, out);
	if (system(cmd)) {
		printf("# failed: %s\n", cmd);
		return -1;
	}
	o->data = (unsigned char *)unit_slurp(out, &o->size);
	unlink(out);
	o->is64 = o->data && o->size > 20 && o->data[4] == 2;
	o->machine = o->data && o->size > 20 ? o->data[18] : 0;
	return o->data ? 0 : -1;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = v >> 8 * i;
}

/* Section name of a little-endian object: its header's offset in *hdr, its bytes' in
 * *off, their number in *size; or -1. */
static int find_sec(const unsigned char *b, const char *name, size_t *hdr, size_t *off,
		    size_t *size)
{
	int is64 = b[4] == 2, es = is64 ? 64 : 40, o = is64 ? 24 : 16, w = is64 ? 8 : 4;
	size_t shoff = le(b + (is64 ? 40 : 32), w), str;
	unsigned n = le(b + (is64 ? 60 : 48), 2), ndx = le(b + (is64 ? 62 : 50), 2);

	str = le(b + shoff + ndx * es + o, w);
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *sh = b + shoff + i * es;

		if (strcmp((const char *)b + str + le(sh, 4), name))
			continue;
		*hdr = shoff + i * es;
		*off = le(sh + o, w);
		*size = le(sh + o + w, w);
		return i;
	}
	return -1;
}

/* The offset in the file of symbol name's entry in .symtab, or 0. */
static size_t find_sym(const unsigned char *b, const char *name)
{
	size_t h, off, size, soff, ssize, es = b[4] == 2 ? 24 : 16;

	if (find_sec(b, ".symtab", &h, &off, &size) < 0 ||
	    find_sec(b, ".strtab", &h, &soff, &ssize) < 0)
		return 0;
	for (size_t p = off; p + es <= off + size; p += es)
		if (!strcmp((const char *)b + soff + le(b + p, 4), name))
			return p;
	return 0;
}

/* --- linking ---------------------------------------------------------------------- */

/* Memory at a low address (32-bit absolute relocations must reach it), executable;
 * NULL when no address is free. */
static unsigned char *map_low(size_t size, uint64_t *base)
{
	for (uintptr_t a = 0x10000000; a < 0x18000000; a += 0x1000000) {
		void *p = mmap((void *)a, size, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (p == MAP_FAILED)
			continue;
		if (p == (void *)a) {
			*base = a;
			return p;
		}
		munmap(p, size);
	}
	return 0;
}

static unsigned char *copy;
static char msg[512];

/* Opens a copy of exactly len bytes of data, lays it out and, when that works and the
 * image is not huge, links it at base into *img (malloc'd; NULL if not linked).
 * Returns the first error or 0; msg holds its words. */
static int link_copy(struct mod24 *m, const unsigned char *data, size_t len,
		     unsigned flags, uint64_t base, unsigned char **img)
{
	int r;

	*img = 0;
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	r = mod24_open(m, copy, len);
	if (!r)
		r = mod24_layout(m, "mod_main", flags, lookup, &kernel);
	if (!r && m->size <= 1 << 20) {
		*img = malloc(m->size);
		r = mod24_link(m, *img, base);
	}
	mod24_strerror(m, r, msg, sizeof(msg));
	return r;
}

/* r, after printing its message if it is an error */
static int said(const struct mod24 *m, int r)
{
	if (r)
		printf("# %s\n", mod24_strerror(m, r, msg, sizeof(msg)));
	return r;
}

/* The w-byte word at address a of the image at base. */
#define WORD(img, base, a, w) le((img) + ((a) - (base)), (w))

static int in_image(const struct mod24 *m, uint64_t base, uint64_t a)
{
	return a >= base + m->hdr_size && a < base + m->size;
}

static void linked_module(struct obj *o)
{
	static char label[128];
	int native = o->machine == NATIVE, w = o->is64 ? 8 : 4;
	unsigned char *img = 0;
	uint64_t base = 0x10000000, a, ops, init, cleanup;
	struct module h;
	struct mod24 m;
	int r;

	set_kernel(native);
	snprintf(label, sizeof(label),
		 "mod24: %s: laid out, relocated, struct module filled", o->label);
	CASE(label)
	{
		r = mod24_open(&m, o->data, o->size);
		if (!r)
			r = mod24_layout(&m, "mod_main", 0, lookup, &kernel);
		CHECK(said(&m, r) == 0);
		if (r)
			break;
		/* kernel_add, kernel_counter, the weak kernel_absent; not __this_module */
		CHECK(kernel.calls == 3);
		img = native ? map_low(m.size, &base) : malloc(m.size);
		CHECK(img != 0);
		if (!img)
			break;
		if (native && o->is64 && (uintptr_t)&kernel_counter > 0x7fffffff)
			printf("# this test must be linked -no-pie: PC32 cannot reach %p\n",
			       (void *)&kernel_counter);
		r = mod24_link(&m, img, base);
		CHECK(said(&m, r) == 0);
		if (r)
			break;

		read_module(img, o->is64, &h);
		CHECK(h.size_of_struct == (o->is64 ? 184u : 96u) &&
		      h.size_of_struct == m.hdr_size);
		CHECK(h.size == m.size);
		CHECK(!h.next && !h.usecount && !h.flags && !h.refs);
		/* the name last, after everything else */
		CHECK(h.name == base + m.size - sizeof("mod_main"));
		CHECK_STR((char *)img + (h.name - base), "mod_main");
		/* __ksymtab: mod_exported and mod_flag, values and names in the image */
		CHECK(h.nsyms == 2 && in_image(&m, base, h.syms));
		if (h.nsyms == 2 && in_image(&m, base, h.syms)) {
			a = WORD(img, base, h.syms, w);
			CHECK(a == mod24_symbol(&m, "mod_exported", base) && a);
			CHECK(in_image(&m, base, a) && WORD(img, base, a, 4) == 7);
			a = WORD(img, base, h.syms + w, w);
			CHECK(in_image(&m, base, a));
			CHECK(in_image(&m, base, a) &&
			      !strcmp((char *)img + (a - base), "mod_exported"));
			a = WORD(img, base, h.syms + 3 * w, w);
			CHECK(in_image(&m, base, a) &&
			      !strcmp((char *)img + (a - base), "mod_flag"));
		}
		/* one module_ref for the module that exports both kernel symbols */
		CHECK(h.ndeps == 1 && in_image(&m, base, h.deps));
		if (h.ndeps == 1 && in_image(&m, base, h.deps))
			CHECK(WORD(img, base, h.deps, w) == OWNER &&
			      !WORD(img, base, h.deps + w, w) &&
			      !WORD(img, base, h.deps + 2 * w, w));
		init = mod24_symbol(&m, "init_module", base);
		cleanup = mod24_symbol(&m, "cleanup_module", base);
		CHECK(h.init == init && in_image(&m, base, init));
		CHECK(h.cleanup == cleanup && in_image(&m, base, cleanup) &&
		      init != cleanup);
		/* __ex_table: two words, relocated to init_module and cleanup_module */
		CHECK(h.ex_table_end - h.ex_table_start == 2u * w);
		CHECK(in_image(&m, base, h.ex_table_start) &&
		      h.ex_table_end < base + m.size);
		if (in_image(&m, base, h.ex_table_start))
			CHECK(WORD(img, base, h.ex_table_start, w) == init &&
			      WORD(img, base, h.ex_table_start + w, w) == cleanup);
		CHECK(!h.persist_start && !h.persist_end && !h.can_unload && !h.runsize);
		CHECK(!h.kallsyms_start && !h.kallsyms_end && !h.archdata_start &&
		      !h.archdata_end && !h.kernel_data);
		/* __this_module is the struct module; pointers in data are absolute */
		a = mod24_symbol(&m, "mod_self", base);
		CHECK(in_image(&m, base, a) && WORD(img, base, a, w) == base);
		ops = mod24_symbol(&m, "mod_ops", base);
		CHECK(in_image(&m, base, ops));
		if (in_image(&m, base, ops))
			CHECK(WORD(img, base, ops, w) ==
				      mod24_symbol(&m, "twice", base) &&
			      WORD(img, base, ops + w, w) ==
				      mod24_symbol(&m, "thrice", base));
		a = mod24_symbol(&m, "mod_greeting", base);
		CHECK(in_image(&m, base, a));
		if (in_image(&m, base, a)) {
			a = WORD(img, base, a, w);
			CHECK(in_image(&m, base, a) &&
			      !strcmp((char *)img + (a - base), "hello from 2.4"));
		}
		/* commons: in the image, aligned as asked (mod_commons: 32), zeroed */
		a = mod24_symbol(&m, "mod_commons", base);
		CHECK(in_image(&m, base, a) && a % 32 == 0 && a + 256 <= base + m.size);
		for (int i = 0; in_image(&m, base, a) && i < 256; i++)
			CHECK(!img[a - base + i]);
		CHECK(in_image(&m, base, mod24_symbol(&m, "mod_flag", base)));
		/* .modinfo stays out */
		CHECK(!memmem(img, m.size, "kernel_version=", 15));
	}
	snprintf(label, sizeof(label),
		 "mod24: %s: init_module runs through struct module", o->label);
	if (native && img && !r)
		CASE(label)
		{
			int (*fn)(void) = (int (*)(void))(uintptr_t)h.init;
			void (*fin)(void) = (void (*)(void))(uintptr_t)h.cleanup;
			int *flag = (int *)(uintptr_t)mod24_symbol(&m, "mod_flag", base);
			int *commons =
				(int *)(uintptr_t)mod24_symbol(&m, "mod_commons", base);

			kernel_counter = 100;
			add_calls = 0;
			/* negative: what it found wrong (commons, addresses, weak symbol) */
			CHECK((r = fn()) == 42);
			if (r != 42)
				printf("# init_module returned %d\n", r);
			CHECK(*flag == 31); /* through the function pointer table */
			CHECK(add_calls == 1 && add_a == 31 && add_b == 11);
			CHECK(kernel_counter == 142);
			CHECK(commons[0] == 0 && commons[5] == 5 && commons[63] == 63);
			fin();
			CHECK(*flag == -1);
		}
	if (native && img)
		munmap(img, m.size);
	else
		free(img);
	mod24_close(&m);
}

/* --- symbols ------------------------------------------------------------------------ */

static void missing_symbols(struct obj *o)
{
	static char label[128];
	const char *s, *want[2] = {"nowhere_function", "nowhere_variable"};
	unsigned i = 0, n = 0, seen = 0;
	struct mod24 m;
	int r;

	snprintf(label, sizeof(label), "mod24: %s: missing symbols: each named",
		 o->label);
	set_kernel(0);
	CASE(label)
	{
		r = mod24_open(&m, o->data, o->size);
		CHECK(r == 0);
		r = mod24_layout(&m, "mod_missing", 0, lookup, &kernel);
		CHECK(r == -MOD24_EUNDEF);
		mod24_strerror(&m, r, msg, sizeof(msg));
		CHECK(!strcmp(msg, "unknown symbol nowhere_function") ||
		      !strcmp(msg, "unknown symbol nowhere_variable"));
		while ((s = mod24_missing(&m, &i))) {
			n++;
			for (int j = 0; j < 2; j++)
				if (!strcmp(s, want[j]))
					seen |= 1 << j;
		}
		CHECK(n == 2 && seen == 3);
		mod24_close(&m);
	}
}

static void exports(struct obj *o)
{
	static char label[128];
	const char *want[] = {"plain_get", "plain_value", "plain_common", "init_module"};
	unsigned char *img;
	unsigned seen = 0, w = o->is64 ? 8 : 4;
	uint64_t base = 0x10000000, v, name;
	struct module h;
	struct mod24 m;
	int r;

	set_kernel(0);
	snprintf(label, sizeof(label), "mod24: %s: no __ksymtab: every global exported",
		 o->label);
	CASE(label)
	{
		r = link_copy(&m, o->data, o->size, MOD24_EXPORT_ALL | MOD24_AUTOCLEAN,
			      base, &img);
		CHECK(said(&m, r) == 0 && img);
		if (r || !img)
			break;
		read_module(img, o->is64, &h);
		CHECK(h.flags == 4); /* MOD_AUTOCLEAN */
		CHECK(h.nsyms == 4 && in_image(&m, base, h.syms) && !h.ndeps && !h.deps);
		for (unsigned i = 0; h.nsyms == 4 && i < 4; i++) {
			v = WORD(img, base, h.syms + 2 * i * w, w);
			name = WORD(img, base, h.syms + 2 * i * w + w, w);
			CHECK(in_image(&m, base, name));
			if (!in_image(&m, base, name))
				continue;
			for (int j = 0; j < 4; j++)
				if (!strcmp((char *)img + (name - base), want[j]) &&
				    v == mod24_symbol(&m, want[j], base))
					seen |= 1 << j;
		}
		CHECK(seen == 15);
		free(img);
		mod24_close(&m);
	}
	snprintf(label, sizeof(label),
		 "mod24: %s: no __ksymtab, no MOD24_EXPORT_ALL: none", o->label);
	CASE(label)
	{
		r = link_copy(&m, o->data, o->size, 0, base, &img);
		CHECK(r == 0 && img);
		if (r || !img)
			break;
		read_module(img, o->is64, &h);
		CHECK(!h.nsyms && !h.syms && !h.flags);
		CHECK(h.init == mod24_symbol(&m, "init_module", base) && h.init &&
		      !h.cleanup);
		free(img);
		mod24_close(&m);
	}
}

/* --- overflows and broken objects ---------------------------------------------------- */

/* A copy of o's object with the uint64 v written in n bytes at off. */
static int patched(struct mod24 *m, const struct obj *o, size_t off, uint64_t v, int n,
		   uint64_t base)
{
	unsigned char *b = malloc(o->size), *img;
	int r;

	memcpy(b, o->data, o->size);
	put(b + off, v, n);
	r = link_copy(m, b, o->size, 0, base, &img);
	free(img);
	free(b);
	mod24_close(m);
	return r;
}

static void overflows(struct obj *o64, struct obj *o32)
{
	unsigned char *img;
	struct mod24 m;
	int r;

	set_kernel(0);
	CASE("mod24: x86_64 at 4 GiB: a 32-bit absolute field overflows, an error")
	{
		/* the kernel's symbols near, so that the PC-relative ones fit */
		kernel_syms[0].value = 0x100800000;
		kernel_syms[1].value = 0x100900000;
		r = link_copy(&m, o64->data, o64->size, 0, 0x100000000, &img);
		CHECK(r == -MOD24_EOVERFLOW);
		CHECK(strstr(msg, ".rela.text: relocation overflows its field: type 1") ==
		      msg);
		printf("# %s\n", msg);
		free(img);
		mod24_close(&m);
		set_kernel(0);
	}
	CASE("mod24: x86_64: a PC-relative call 4 GiB away overflows, named")
	{
		kernel_syms[0].value = 0x110000000;
		r = link_copy(&m, o64->data, o64->size, 0, 0x10000000, &img);
		CHECK(r == -MOD24_EOVERFLOW);
		CHECK(strstr(msg, "(symbol kernel_add)") && strstr(msg, "type 4"));
		printf("# %s\n", msg);
		free(img);
		mod24_close(&m);
		set_kernel(0);
	}
	CASE("mod24: i386: an image that would pass 4 GiB is an error")
	{
		r = link_copy(&m, o32->data, o32->size, 0, 0xffffff00, &img);
		CHECK(r == -MOD24_EBASE);
		CHECK_STR(
			msg,
			"the image does not fit the address space at that base address");
		free(img);
		mod24_close(&m);
	}
}

/* xorshift32: the same corruptions on every run */
static uint32_t rnd(void)
{
	static uint32_t x = 11;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void broken(struct obj *o)
{
	static char label[160];
	size_t hdr, off, size, s;
	int is64 = o->is64, w = is64 ? 8 : 4, r;
	const char *rel = is64 ? ".rela.text" : ".rel.text";
	uint64_t base = 0x10000000;
	struct mod24 m;
	char want[160];

	set_kernel(0);
	if (find_sec(o->data, rel, &hdr, &off, &size) < 0) {
		CASE("mod24: the test finds .rel[a].text")
		CHECK(0);
		return;
	}
	/* the first relocation's r_info: type in its low 32 bits (ELF64) or 8 */
	snprintf(label, sizeof(label), "mod24: %s: unknown relocation type: an error",
		 o->label);
	CASE(label)
	{
		r = patched(&m, o, off + w, 0x7f, is64 ? 4 : 1, base);
		CHECK(r == -MOD24_ERELTYPE);
		snprintf(want, sizeof(want), "%s: unknown relocation type 127", rel);
		CHECK_STR(msg, want);
	}
	snprintf(label, sizeof(label), "mod24: %s: relocation symbol index out of range",
		 o->label);
	CASE(label)
	{
		r = patched(&m, o, off + w + (is64 ? 4 : 1), 0xffffff, 3, base);
		CHECK(r == -MOD24_ERELSYM);
		snprintf(want, sizeof(want),
			 "%s: relocation against a symbol index out of range: 16777215",
			 rel);
		CHECK_STR(msg, want);
	}
	snprintf(label, sizeof(label), "mod24: %s: relocation offset outside its section",
		 o->label);
	CASE(label)
	{
		find_sec(o->data, ".text", &s, &s, &size);
		r = patched(&m, o, off, size - 1, w, base); /* 1 byte left for 4 */
		CHECK(r == -MOD24_ERELOFF);
		snprintf(want, sizeof(want),
			 "%s: relocation outside its section at offset %zu", rel,
			 size - 1);
		CHECK_STR(msg, want);
		r = patched(&m, o, off, 0xffffffff, w, base);
		CHECK(r == -MOD24_ERELOFF);
	}
	snprintf(label, sizeof(label), "mod24: %s: broken symbols and sections",
		 o->label);
	CASE(label)
	{
		/* st_shndx: at 6 (ELF64) or 14 */
		s = find_sym(o->data, "init_module");
		CHECK(s != 0);
		r = patched(&m, o, s + (is64 ? 6 : 14), 0xff00, 2, base);
		CHECK(r == -MOD24_ESHNDX);
		CHECK_STR(msg, "symbol init_module: section index out of range");
		/* a common's alignment (st_value) not a power of two */
		s = find_sym(o->data, "mod_commons");
		r = patched(&m, o, s + (is64 ? 8 : 4), 3, w, base);
		CHECK(r == -MOD24_EALIGN);
		CHECK_STR(msg, "symbol mod_commons: bad alignment");
		/* a section's alignment too large */
		find_sec(o->data, ".text", &hdr, &s, &size);
		r = patched(&m, o, hdr + (is64 ? 48 : 32), 8192, w, base);
		CHECK(r == -MOD24_EALIGN);
		CHECK_STR(msg, "section .text: bad alignment");
		/* a .bss too large for create_module */
		find_sec(o->data, ".bss", &hdr, &s, &size);
		r = patched(&m, o, hdr + (is64 ? 32 : 20), 0x7fffffff, w, base);
		CHECK(r == -MOD24_ETOOBIG);
		/* the string table without its final NUL */
		find_sec(o->data, ".strtab", &hdr, &s, &size);
		r = patched(&m, o, s + size - 1, 'x', 1, base);
		CHECK(r == -MOD24_ESYMTAB);
		/* a section outside the file */
		find_sec(o->data, ".text", &hdr, &s, &size);
		r = patched(&m, o, hdr + (is64 ? 24 : 16), o->size, w, base);
		CHECK(r == -ELF_ESECTION);
		CHECK_STR(msg, "section lies outside the file");
		/* a relocation section pointing at a symbol table that is not one */
		find_sec(o->data, rel, &hdr, &s, &size);
		r = patched(&m, o, hdr + (is64 ? 40 : 24), 1, 4, base);
		CHECK(r == -MOD24_ERELSEC);
		/* not ET_REL; another machine */
		r = patched(&m, o, 16, 2, 2, base);
		CHECK(r == -MOD24_ETYPE);
		r = patched(&m, o, 18, 40, 2, base);
		CHECK(r == -MOD24_EMACHINE);
		snprintf(want, sizeof(want),
			 "no 2.4 module linker for this machine (ELF machine 40, %d-bit)",
			 is64 ? 64 : 32);
		CHECK_STR(msg, want);
	}
	snprintf(label, sizeof(label),
		 "mod24: %s: cut at every length: an error each time", o->label);
	CASE(label)
	{
		unsigned char *img;
		unsigned bad = 0;

		for (size_t len = 0; len < o->size; len++) {
			r = link_copy(&m, o->data, len, 0, base, &img);
			bad += r == 0;
			free(img);
			mod24_close(&m);
		}
		CHECK(bad == 0);
	}
	snprintf(label, sizeof(label), "mod24: %s: random corruption: never a crash",
		 o->label);
	CASE(label)
	{
		unsigned char *b = malloc(o->size), *img;
		unsigned ok = 0, n = 3000;

		for (unsigned i = 0; i < n; i++) {
			memcpy(b, o->data, o->size);
			for (int k = 1 + rnd() % 8; k; k--)
				b[rnd() % o->size] ^= 1 + rnd() % 255;
			r = link_copy(&m, b, o->size, MOD24_EXPORT_ALL, base, &img);
			ok += r == 0;
			free(img);
			mod24_close(&m);
		}
		printf("# %u of %u corrupted copies still linked\n", ok, n);
		free(b);
	}
}

int main(void)
{
	struct obj objs[] = {
		{"mod_main", "", "x86_64", 0, 0, 0, 0},
		{"mod_main", "-mcmodel=kernel", "x86_64 -mcmodel=kernel", 0, 0, 0, 0},
		{"mod_main", "-m32", "i386", 0, 0, 0, 0},
		{"mod_missing", "", "x86_64", 0, 0, 0, 0},
		{"mod_missing", "-m32", "i386", 0, 0, 0, 0},
		{"mod_plain", "", "x86_64", 0, 0, 0, 0},
		{"mod_plain", "-m32", "i386", 0, 0, 0, 0},
	};
	int failed = 0;

	if (!mkdtemp(tmpdir))
		return 1;
	CASE("mod24: the test objects compile (cc, cc -m32)")
	for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		CHECK(compile(&objs[i]) == 0);
		failed |= !objs[i].data;
	}
	rmdir(tmpdir);
	if (failed) {
		for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
			free(objs[i].data);
		return 1;
	}
	CASE("mod24: the objects are x86_64 (ELF64) and i386 (ELF32)")
	CHECK(objs[0].machine == 62 && objs[0].is64 && objs[1].machine == 62 &&
	      objs[2].machine == 3 && !objs[2].is64);

	for (unsigned i = 0; i < 3; i++)
		linked_module(&objs[i]);
	missing_symbols(&objs[3]);
	missing_symbols(&objs[4]);
	exports(&objs[5]);
	exports(&objs[6]);
	overflows(&objs[0], &objs[2]);
	broken(&objs[0]);
	broken(&objs[2]);
	for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		free(objs[i].data);
	free(copy);
	return unit_failed;
}
