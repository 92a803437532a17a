/* elf: real signed modules given as arguments (Debian's amd64 and arm64 kernels), module
 * files of all four class and byte order pairs built here, and broken ones: each must
 * give its own error, and nothing may read outside the file (every image is opened from
 * a heap block of its exact size, so ASan sees any over-read). */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "../../libmini/elf.h"
#include "../../libmini/util.h"

/* --- opening a copy of exactly len bytes -------------------------------------------- */

static unsigned char *copy;

static int open_copy(struct elf *e, const void *data, size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	return elf_open(e, copy, len);
}

/* --- a module file built in memory ------------------------------------------------ */

enum { S_NULL, S_TEXT, S_THIS, S_SHSTR, S_MODINFO, S_BSS, S_STACK, NSEC };
static const char shstr[] = "\0.text\0.gnu.linkonce.this_module\0.shstrtab\0.modinfo\0"
			    ".bss\0.note.GNU-stack";
#define MODINFO \
	"\0name=synth\0vermagic=6.1.0-test SMP mod_unload\0\0\0depends=\0" \
	"license=GPL"
static const char modinfo[] = MODINFO; /* and the final NUL of the literal */

struct img {
	unsigned char b[8192];
	size_t len, shoff, table_end, off[NSEC];
	int is64, msb;
};

/* Writes v in n bytes at off, in the image's byte order. */
static void wr(struct img *m, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		m->b[off + (m->msb ? n - 1 - i : i)] = v >> (8 * i);
}

/* Header and section header fields, at the offsets of the ELF specification. */
#define W (m->is64 ? 8 : 4)
#define SH(i) (m->shoff + (i) * (m->is64 ? 64 : 40))
static void set_shoff(struct img *m, uint64_t v)
{
	wr(m, m->is64 ? 40 : 32, v, W);
}
static void set_shentsize(struct img *m, unsigned v)
{
	wr(m, m->is64 ? 58 : 46, v, 2);
}
static void set_shnum(struct img *m, unsigned v)
{
	wr(m, m->is64 ? 60 : 48, v, 2);
}
static void set_shstrndx(struct img *m, unsigned v)
{
	wr(m, m->is64 ? 62 : 50, v, 2);
}
static void set_name(struct img *m, int i, uint32_t v)
{
	wr(m, SH(i), v, 4);
}
static void set_type(struct img *m, int i, uint32_t v)
{
	wr(m, SH(i) + 4, v, 4);
}
static void set_off(struct img *m, int i, uint64_t v)
{
	wr(m, SH(i) + (m->is64 ? 24 : 16), v, W);
}
static void set_size(struct img *m, int i, uint64_t v)
{
	wr(m, SH(i) + (m->is64 ? 32 : 20), v, W);
}

static size_t name_of(int sec)
{
	size_t off = 0;

	for (; sec; sec--)
		off += strlen(shstr + off) + 1;
	return off;
}

/* A module ELF: header, .text, .gnu.linkonce.this_module (name "from_this_module"),
 * .shstrtab, .modinfo (mi, n bytes), then the section table (or the table first and
 * .modinfo last in the file, when table_first). .bss is NOBITS, .note.GNU-stack empty. */
static void build_with(struct img *m, int is64, int msb, unsigned machine, const char *mi,
		       size_t n, int table_first)
{
	size_t pos, this_size = is64 ? 0x380 : 0x180;
	static const unsigned type[NSEC] = {0, 1, 1, 3, 1, 8, 1};

	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->msb = msb;
	memcpy(m->b, "\177ELF", 4);
	m->b[4] = is64 ? 2 : 1;
	m->b[5] = msb ? 2 : 1;
	m->b[6] = 1;
	wr(m, 16, 1, 2); /* ET_REL */
	wr(m, 18, machine, 2);
	wr(m, 20, 1, 4);
	wr(m, is64 ? 52 : 40, is64 ? 64 : 52, 2); /* e_ehsize */
	pos = is64 ? 64 : 52;
	if (table_first) {
		m->shoff = pos;
		pos += NSEC * (is64 ? 64 : 40);
	}
	m->off[S_TEXT] = pos;
	memset(m->b + pos, 0xc3, 16);
	m->off[S_THIS] = pos += 16;
	strcpy((char *)m->b + pos + (is64 ? 24 : 12), "from_this_module");
	m->off[S_SHSTR] = pos += this_size;
	memcpy(m->b + pos, shstr, sizeof(shstr));
	m->off[S_MODINFO] = pos += sizeof(shstr);
	memcpy(m->b + pos, mi, n);
	pos += n;
	m->off[S_BSS] = m->off[S_STACK] = pos;
	if (!table_first)
		m->shoff = (pos + 7) & ~(size_t)7;
	m->len = table_first ? pos : m->shoff + NSEC * (is64 ? 64 : 40);
	m->table_end = m->shoff + NSEC * (is64 ? 64 : 40);
	set_shoff(m, m->shoff);
	set_shentsize(m, is64 ? 64 : 40);
	set_shnum(m, NSEC);
	set_shstrndx(m, S_SHSTR);
	for (int i = 1; i < NSEC; i++) {
		set_name(m, i, name_of(i));
		set_type(m, i, type[i]);
		set_off(m, i, m->off[i]);
	}
	set_size(m, S_TEXT, 16);
	set_size(m, S_THIS, this_size);
	set_size(m, S_SHSTR, sizeof(shstr));
	set_size(m, S_MODINFO, n);
	set_size(m, S_BSS, 64);
}

static const struct variant {
	int is64, msb;
	unsigned machine;
	const char *name;
} variants[] = {
	{0, 0, 40, "ELF32 LE ARM"},
	{1, 0, 183, "ELF64 LE AArch64"},
	{0, 1, 8, "ELF32 BE MIPS"},
	{1, 1, 21, "ELF64 BE PPC64"},
};

static void build(struct img *m, const struct variant *v)
{
	build_with(m, v->is64, v->msb, v->machine, modinfo, sizeof(modinfo), 0);
}

/* Appends signer, key id, a signature of sig_len bytes, struct module_signature with
 * the given sig_len field and the trailer's magic. */
static void sign(struct img *m, unsigned signer, unsigned key_id, unsigned sig_len,
		 uint32_t sig_len_field)
{
	unsigned char *p = m->b + m->len;

	memset(p, 's', signer + key_id + sig_len);
	p += signer + key_id + sig_len;
	memcpy(p,
	       (unsigned char[]){0, 0, 2, signer, key_id, 0, 0, 0, sig_len_field >> 24,
				 sig_len_field >> 16, sig_len_field >> 8, sig_len_field},
	       12);
	/* NOLINTNEXTLINE(bugprone-not-null-*): the magic has no NUL */
	memcpy(p + 12, "~Module signature appended~\n", 28);
	m->len += signer + key_id + sig_len + 40;
}

static int count_modinfo(const struct elf *e, int *err)
{
	const char *s = 0;
	int n = 0, r;

	while ((r = elf_modinfo_next(e, &s)) > 0)
		n++;
	*err = r;
	return n;
}

/* --- real module files ------------------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = 0;
	long n;

	if (!f)
		return 0;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		b = malloc(n);
		if (fread(b, 1, n, f) != (size_t)n) {
			free(b);
			b = 0;
		}
		*len = n;
	}
	fclose(f);
	return b;
}

/* The test's own reading of a little-endian ELF header and section table (the real
 * files are x86_64, arm64 or 32-bit armhf), to compare with the library's. */
static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* e_shoff, e_shentsize, e_shnum and e_shstrndx of either class */
#define W64(b) ((b)[4] == 2)
#define SHOFF(b) (W64(b) ? le((b) + 40, 8) : le((b) + 32, 4))
#define SHENTSIZE(b) le((b) + (W64(b) ? 58 : 46), 2)
#define SHNUM(b) le((b) + (W64(b) ? 60 : 48), 2)
#define SHSTRNDX(b) le((b) + (W64(b) ? 62 : 50), 2)

static int naive_section(const unsigned char *b, const char *name, size_t *off,
			 size_t *size)
{
	/* sh_offset and sh_size: at 24 and 32, 8 bytes each, or at 16 and 20, 4 bytes */
	int w = W64(b) ? 8 : 4, o = W64(b) ? 24 : 16, es = SHENTSIZE(b);
	uint64_t n = SHNUM(b), str = SHSTRNDX(b);
	const unsigned char *sh = b + SHOFF(b), *ss = b + le(sh + str * es + o, w);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp((const char *)ss + le(sh + i * es, 4), name)) {
			*off = le(sh + i * es + o, w);
			*size = le(sh + i * es + o + w, w);
			return i;
		}
	return -1;
}

/* The kernel release in a path .../lib/modules/REL/..., or NULL. */
static char *release_of(const char *path, char *buf, size_t len)
{
	const char *p = strstr(path, "/lib/modules/"), *end;

	if (!p)
		return 0;
	p += 13;
	end = strchr(p, '/');
	if (!end || (size_t)(end - p) >= len)
		return 0;
	memcpy(buf, p, end - p);
	buf[end - p] = 0;
	return buf;
}

static void real_module(const char *path)
{
	static char name[256], want[256], rel[256], label[512];
	struct elf e;
	unsigned char *b = 0;
	size_t len = 0, off, size, elf_size;
	const char *vermagic, *s;
	int r, n, err;

	snprintf(label, sizeof(label), "elf: real module %s", path);
	CASE(label)
	{
		b = read_file(path, &len);
		CHECK(b && len > 64);
		if (!b || len <= 64)
			break;
		r = open_copy(&e, b, len);
		CHECK(r == 0);
		if (r) {
			printf("# %s\n", elf_strerror(r));
			break;
		}
		/* x86_64 and aarch64 are 64-bit, ARM (40) 32-bit */
		CHECK(e.is64 == W64(b) && !e.msb &&
		      (e.is64 ? e.machine == 62 || e.machine == 183 : e.machine == 40));
		CHECK(e.is_signed);
		CHECK(e.sig.id_type == 2 && !e.sig.signer_len && !e.sig.key_id_len);
		CHECK(e.sig.sig_len > 0 && e.sig.sig_offset == e.size);
		CHECK(e.sig.sig_offset + e.sig.sig_len + 40 == len);
		/* Kernel modules end with their section table. */
		CHECK(e.size == SHOFF(b) + SHNUM(b) * SHENTSIZE(b));
		CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
		CHECK_STR(name, modname_normalize(want, path));

		vermagic = elf_modinfo_get(&e, "vermagic");
		CHECK(vermagic != 0);
		if (release_of(path, rel, sizeof(rel)))
			CHECK(vermagic && !strncmp(vermagic, rel, strlen(rel)) &&
			      vermagic[strlen(rel)] == ' ');
		else
			CHECK(vermagic && *vermagic >= '1' && *vermagic <= '9' &&
			      strchr(vermagic, '.') && strchr(vermagic, ' '));
		if (vermagic && e.machine == 183)
			CHECK(strstr(vermagic, "aarch64") != 0);
		if (vermagic && e.machine == 40)
			CHECK(strstr(vermagic, "ARMv7") != 0);
		CHECK(elf_modinfo_get(&e, "depends") != 0);
		s = elf_modinfo_get(&e, "license");
		CHECK(s && strstr(s, "GPL"));
		CHECK(elf_modinfo_get(&e, "no_such_key") == 0);

		/* .modinfo where the test's own reading finds it, and as many strings as
		 * modinfo(8) would print. */
		r = elf_find_section(&e, ".modinfo", &s, &size);
		CHECK(r > 0 && r == naive_section(b, ".modinfo", &off, &elf_size));
		CHECK(r > 0 && s == (const char *)copy + off && size == elf_size);
		n = 0;
		for (size_t i = 0; r > 0 && i < size; i++)
			n += s[i] && (!i || !s[i - 1]);
		CHECK(count_modinfo(&e, &err) == n && n > 3 && err == 0);
		r = elf_find_section(&e, ".gnu.linkonce.this_module", &s, &size);
		CHECK(r > 0 &&
		      r == naive_section(b, ".gnu.linkonce.this_module", &off, &size));
		CHECK(elf_find_section(&e, ".no_such_section", &s, &size) ==
		      -ELF_ENOSECTION);
	}

	snprintf(label, sizeof(label), "elf: real module %s: name from this_module",
		 path);
	CASE(label)
	{
		/* Without name= the name comes from struct module: at the offset this
		 * kernel's layout puts it. */
		if (!b || naive_section(b, ".modinfo", &off, &size) < 0)
			break;
		for (size_t i = 0; i + 5 < size; i++)
			if (!memcmp(b + off + i, "name=", 5) && (!i || !b[off + i - 1]))
				b[off + i] = 'x';
		CHECK(open_copy(&e, b, len) == 0);
		CHECK(elf_modinfo_get(&e, "name") == 0);
		name[0] = 0;
		CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
		CHECK_STR(name, want);
	}

	snprintf(label, sizeof(label), "elf: real module %s: every truncation", path);
	CASE(label)
	{
		/* Cut before the end of the section table: too short, or the table
		 * outside; after it: a valid unsigned ELF with trailing bytes. Every
		 * length near a boundary (the header, each section header, the table's
		 * end, the trailer), a sample of the others. */
		if (!b)
			break;
		elf_open(&e, b, len);
		size_t es = SHENTSIZE(b), end = e.size, shoff = end - e.shnum * es;
		for (size_t l = 0; l <= len; l++) {
			int want_r = l < end ? -ELF_ESHTAB : 0;
			int near = l <= 100 || l % 4099 == 0 || l + 100 >= len ||
				   (l >= shoff && l <= end + 100 &&
				    (l - shoff + 1) % es <= 2);
			if (!near)
				continue;
			if (l < (W64(b) ? 64u : 52u))
				want_r = -ELF_ESHORT;
			r = open_copy(&e, b, l);
			if (r != want_r || e.is_signed != (l == len)) {
				printf("# length %zu: got %d (%s), want %d\n", l, r,
				       elf_strerror(r), want_r);
				CHECK(r == want_r && e.is_signed == (l == len));
				break;
			}
		}
	}
	free(b);
}

/* --- the cases --------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static struct img m, m2;
	static char name[64], label[128];
	struct elf e;
	struct elf_sig sig;
	const struct variant *v;
	const char *s, *data;
	size_t size;
	int r, err;

	CASE("elf: real modules given")
	{
		if (argc < 2)
			printf("# no module files: pass real .ko files as arguments\n");
		CHECK(argc >= 2);
	}
	for (int i = 1; i < argc; i++)
		real_module(argv[i]);

	for (v = variants; v < variants + 4; v++) {
		snprintf(label, sizeof(label), "elf: a hand-made %s module parses",
			 v->name);
		CASE(label)
		{
			build(&m, v);
			r = open_copy(&e, m.b, m.len);
			CHECK(r == 0);
			if (r)
				printf("# %s (section %u)\n", elf_strerror(r), e.bad);
			CHECK(e.is64 == v->is64 && e.msb == v->msb &&
			      e.machine == v->machine);
			CHECK(e.size == m.len && !e.is_signed && e.shnum == NSEC);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "synth");
			CHECK_STR(elf_modinfo_get(&e, "vermagic"),
				  "6.1.0-test SMP mod_unload");
			CHECK_STR(elf_modinfo_get(&e, "depends"), "");
			CHECK_STR(elf_modinfo_get(&e, "license"), "GPL");
			CHECK(elf_find_section(&e, ".modinfo", &data, &size) ==
			      S_MODINFO);
			CHECK(data == (const char *)copy + m.off[S_MODINFO] &&
			      size == sizeof(modinfo));
			CHECK(elf_find_section(&e, ".bss", &data, &size) == S_BSS &&
			      size == 0);
			CHECK(elf_find_section(&e, ".text", &data, &size) == S_TEXT &&
			      size == 16 && (unsigned char)*data == 0xc3);
			CHECK(elf_shdr(&e, S_THIS, ELF_SH_TYPE) == 1);
			CHECK(elf_shdr(&e, S_BSS, ELF_SH_TYPE) == 8);
			CHECK(elf_shdr(&e, S_BSS, ELF_SH_SIZE) == 64);
			CHECK(elf_shdr(&e, S_SHSTR, ELF_SH_NAME) == name_of(S_SHSTR));
			CHECK(elf_get(&e, copy + 18, 2) == v->machine);
		}
		snprintf(label, sizeof(label), "elf: %s: .modinfo in file order",
			 v->name);
		CASE(label)
		{
			static const char *const want[] = {
				"name=synth", "vermagic=6.1.0-test SMP mod_unload",
				"depends=", "license=GPL"};
			build(&m, v);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			s = 0;
			for (int i = 0; i < 4; i++) {
				CHECK(elf_modinfo_next(&e, &s) == 1);
				CHECK_STR(s, want[i]);
			}
			CHECK(elf_modinfo_next(&e, &s) == 0);
		}
		snprintf(label, sizeof(label), "elf: %s: name from this_module", v->name);
		CASE(label)
		{
			static const char mi[] = "vermagic=x\0names=n";
			build_with(&m, v->is64, v->msb, v->machine, mi, sizeof(mi), 0);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "from_this_module");
		}
		snprintf(label, sizeof(label), "elf: %s: every truncation", v->name);
		CASE(label)
		{
			build(&m, v);
			for (size_t l = 0; l <= m.len; l++) {
				int want = l < (v->is64 ? 64u : 52u) ? -ELF_ESHORT
					   : l < m.len		     ? -ELF_ESHTAB
								     : 0;
				r = open_copy(&e, m.b, l);
				if (r != want) {
					printf("# length %zu: got %d, want %d\n", l, r,
					       want);
					CHECK(r == want);
					break;
				}
			}
			/* With the table first, a cut falls in a section instead. */
			build_with(&m, v->is64, v->msb, v->machine, modinfo,
				   sizeof(modinfo), 1);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			for (size_t l = m.table_end; l < m.len; l++) {
				r = open_copy(&e, m.b, l);
				CHECK(r == -ELF_ESECTION);
				if (r != -ELF_ESECTION)
					break;
			}
		}
		snprintf(label, sizeof(label), "elf: %s: any byte changed: no crash",
			 v->name);
		CASE(label)
		{
			static const unsigned char vals[] = {0, 1, 0x7f, 0x80, 0xff};
			build(&m, v);
			for (size_t i = 0; i < m.len; i++) {
				for (size_t k = 0; k < sizeof(vals); k++) {
					m2 = m;
					m2.b[i] = vals[k];
					if (open_copy(&e, m2.b, m2.len) < 0)
						continue;
					count_modinfo(&e, &err);
					elf_module_name(&e, name, sizeof(name));
					elf_find_section(&e, ".gnu.linkonce.this_module",
							 &data, &size);
				}
			}
		}
	}

	/* The broken files, each built as ELF64 LE and ELF32 BE. */
	for (int k = 1; k <= 2; k++) {
		const char *vn = (v = &variants[k])->name;
#define BROKEN(what) \
	snprintf(label, sizeof(label), "elf: %s: %s", vn, what); \
	CASE(label)

		BROKEN("a bad magic is refused")
		{
			build(&m, v);
			m.b[1] = 'e';
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EMAGIC);
			CHECK(open_copy(&e, "hello, world, I am no module at all", 35) ==
			      -ELF_EMAGIC);
		}
		BROKEN("a wrong class is refused")
		{
			build(&m, v);
			m.b[4] = 0;
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ECLASS);
			m.b[4] = 3;
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ECLASS);
		}
		BROKEN("a wrong byte order is refused")
		{
			build(&m, v);
			m.b[5] = 0;
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EDATA);
			m.b[5] = 3;
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EDATA);
		}
		BROKEN("a wrong version is refused")
		{
			build(&m, v);
			m.b[6] = 2;
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EVERSION);
			build(&m, v);
			wr(&m, 20, 0, 4);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EVERSION);
		}
		BROKEN("a wrong e_shentsize is refused")
		{
			build(&m, v);
			set_shentsize(&m, v->is64 ? 40 : 64);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHENTSIZE);
			set_shentsize(&m, 0);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHENTSIZE);
		}
		BROKEN("e_shoff past the end is refused")
		{
			build(&m, v);
			set_shoff(&m, m.len + 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
			set_shoff(&m, m.shoff + 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
		}
		BROKEN("e_shoff + e_shnum * e_shentsize overflowing is refused")
		{
			build(&m, v);
			set_shoff(&m, v->is64 ? UINT64_MAX - 64 : UINT32_MAX - 40);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
			set_shoff(&m, v->is64 ? UINT64_MAX : UINT32_MAX);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
		}
		BROKEN("absurd section counts are refused")
		{
			build(&m, v);
			set_shnum(&m, 0xfeff);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHNUM);
			set_shnum(&m, 0xffff);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHNUM);
			set_shnum(&m, ELF_MAX_SECTIONS);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
			set_shnum(&m, NSEC + 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHTAB);
		}
		BROKEN("extended section numbering is refused")
		{
			build(&m, v);
			set_shnum(&m, 0);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EXNUM);
			build(&m, v);
			set_shstrndx(&m, 0xffff);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EXNUM);
		}
		BROKEN("e_shstrndx out of range is refused")
		{
			build(&m, v);
			set_shstrndx(&m, NSEC);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRNDX);
			set_shstrndx(&m, 0);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRNDX);
			set_shstrndx(&m, 0xff00);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRNDX);
		}
		BROKEN("a section offset past the end is refused, naming the section")
		{
			build(&m, v);
			set_off(&m, S_MODINFO, m.len);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESECTION &&
			      e.bad == S_MODINFO);
			set_off(&m, S_MODINFO, m.len - sizeof(modinfo) + 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESECTION &&
			      e.bad == S_MODINFO);
			build(&m, v);
			set_size(&m, S_TEXT, m.len);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESECTION &&
			      e.bad == S_TEXT);
		}
		BROKEN("a section offset + size overflowing is refused")
		{
			build(&m, v);
			set_size(&m, S_THIS, v->is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESECTION &&
			      e.bad == S_THIS);
			build(&m, v);
			set_off(&m, S_THIS, v->is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESECTION &&
			      e.bad == S_THIS);
		}
		BROKEN("overlapping sections are refused")
		{
			build(&m, v);
			set_off(&m, S_SHSTR, m.off[S_THIS] + 8);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EOVERLAP &&
			      e.bad == S_SHSTR);
			build(&m, v);
			set_off(&m, S_TEXT, m.off[S_MODINFO] + 1);
			set_size(&m, S_TEXT, 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EOVERLAP &&
			      e.bad == S_MODINFO);
			build(&m, v); /* one inside another */
			set_off(&m, S_TEXT, m.off[S_THIS] + 32);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_EOVERLAP &&
			      e.bad == S_THIS);
		}
		BROKEN("touching, empty and NOBITS sections do not overlap")
		{
			build(&m, v);
			set_off(&m, S_STACK, m.off[S_THIS] + 4);
			set_off(&m, S_BSS, m.off[S_TEXT]);
			set_size(&m, S_BSS, 4096);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			set_off(&m, S_TEXT, m.off[S_THIS] - 16);
			CHECK(open_copy(&e, m.b, m.len) == 0);
		}
		BROKEN("a section name table without its final NUL is refused")
		{
			build(&m, v);
			m.b[m.off[S_SHSTR] + sizeof(shstr) - 1] = 'x';
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRNUL);
			build(&m, v);
			set_size(&m, S_SHSTR, 0);
			set_name(&m, 0, 0);
			CHECK(open_copy(&e, m.b, m.len) < 0);
		}
		BROKEN("a section name table that is no STRTAB is refused")
		{
			build(&m, v);
			set_type(&m, S_SHSTR, 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRTYPE);
			set_type(&m, S_SHSTR, 8);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHSTRTYPE);
		}
		BROKEN("a section name outside the table is refused")
		{
			build(&m, v);
			set_name(&m, S_BSS, sizeof(shstr));
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHNAME &&
			      e.bad == S_BSS);
			set_name(&m, S_BSS, UINT32_MAX);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHNAME &&
			      e.bad == S_BSS);
			set_name(&m, S_BSS, sizeof(shstr) - 1); /* the empty last name */
			CHECK(open_copy(&e, m.b, m.len) == 0);
		}
		BROKEN("no .modinfo: no values, its own error, name from this_module")
		{
			build(&m, v);
			m.b[m.off[S_SHSTR] + name_of(S_MODINFO) + 1] = 'M';
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_modinfo_get(&e, "vermagic") == 0);
			CHECK(count_modinfo(&e, &err) == 0 && err == -ELF_ENOMODINFO);
			CHECK(elf_find_section(&e, ".modinfo", &data, &size) ==
			      -ELF_ENOSECTION);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "from_this_module");
		}
		BROKEN("an empty or NOBITS .modinfo has no strings")
		{
			build_with(&m, v->is64, v->msb, v->machine, "", 0, 0);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(count_modinfo(&e, &err) == 0 && err == 0);
			build(&m, v);
			set_type(&m, S_MODINFO, 8);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(count_modinfo(&e, &err) == 0 && err == 0);
			CHECK(elf_modinfo_get(&e, "name") == 0);
		}
		BROKEN(".modinfo without a final NUL: the strings before, then an error")
		{
			/* .modinfo ends the file and the heap block: ASan sees past it */
			build_with(&m, v->is64, v->msb, v->machine, modinfo,
				   sizeof(modinfo) - 1, 1);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(copy + m.len ==
			      (unsigned char *)e.modinfo + e.modinfo_size);
			CHECK(count_modinfo(&e, &err) == 3 && err == -ELF_EMODINFONUL);
			CHECK_STR(elf_modinfo_get(&e, "depends"), "");
			CHECK(elf_modinfo_get(&e, "license") == 0);
			build_with(&m, v->is64, v->msb, v->machine, "name", 4, 1);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(count_modinfo(&e, &err) == 0 && err == -ELF_EMODINFONUL);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "from_this_module");
		}
		BROKEN("a name= at the end of .modinfo is bounded by the section")
		{
			static const char mi[] = "vermagic=x\0name=end";
			build_with(&m, v->is64, v->msb, v->machine, mi, sizeof(mi), 1);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "end");
		}
		BROKEN("a .gnu.linkonce.this_module too short for the name is refused")
		{
			static const char mi[] = "vermagic=x";
			build_with(&m, v->is64, v->msb, v->machine, mi, sizeof(mi), 0);
			set_size(&m, S_THIS, (v->is64 ? 24 : 12) + 55);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ETHISMOD);
			set_size(&m, S_THIS, (v->is64 ? 24 : 12) + 56);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
		}
		BROKEN("bad module names are refused")
		{
			static const char mi[] = "vermagic=x";
			size_t at;
			build_with(&m, v->is64, v->msb, v->machine, mi, sizeof(mi), 0);
			at = m.off[S_THIS] + (v->is64 ? 24 : 12);
			memset(m.b + at, 'a', 56); /* not NUL-terminated in 56 bytes */
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ENAME);
			m.b[at + 55] = 0; /* 55 bytes: the longest */
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0 &&
			      strlen(name) == 55);
			CHECK(elf_module_name(&e, name, 55) == -ELF_ENAME);
			m.b[at] = 0;
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ENONAME);
			m.b[m.off[S_SHSTR] + name_of(S_THIS) + 1] = 'G';
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ENONAME);
			static const char mi2[] = "name=\0name=x";
			build_with(&m, v->is64, v->msb, v->machine, mi2, sizeof(mi2), 0);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ENONAME);
			char mi3[5 + 56 + 1] = "name=";
			memset(mi3 + 5, 'n', 56); /* one more than the kernel's 55 */
			build_with(&m, v->is64, v->msb, v->machine, mi3, sizeof(mi3), 0);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == -ELF_ENAME);
			mi3[60] = 0;
			build_with(&m, v->is64, v->msb, v->machine, mi3, sizeof(mi3), 0);
			CHECK(open_copy(&e, m.b, m.len) == 0);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0 &&
			      strlen(name) == 55);
			CHECK(elf_module_name(&e, name, 4) == -ELF_ENAME);
		}
		BROKEN("an appended signature ends the ELF")
		{
			build(&m, v);
			size_t elf_len = m.len;
			sign(&m, 0, 0, 300, 300);
			CHECK(elf_signature(m.b, m.len, &sig) == 1);
			CHECK(sig.elf_size == elf_len && sig.sig_offset == elf_len &&
			      sig.sig_len == 300 && sig.id_type == 2);
			CHECK(open_copy(&e, m.b, m.len) == 0 && e.is_signed &&
			      e.size == elf_len);
			CHECK(elf_module_name(&e, name, sizeof(name)) == 0);
			CHECK_STR(name, "synth");
			/* Signer and key id (PGP-style) come before the signature. */
			build(&m, v);
			sign(&m, 7, 20, 100, 100);
			CHECK(elf_signature(m.b, m.len, &sig) == 1);
			CHECK(sig.elf_size == elf_len && sig.sig_offset == elf_len + 27 &&
			      sig.signer_len == 7 && sig.key_id_len == 20);
			CHECK(open_copy(&e, m.b, m.len) == 0 && e.size == elf_len);
			/* Unsigned: all of it is the ELF. */
			build(&m, v);
			CHECK(elf_signature(m.b, m.len, &sig) == 0 &&
			      sig.elf_size == m.len);
			CHECK(open_copy(&e, m.b, m.len) == 0 && !e.is_signed);
		}
		BROKEN("a signature trailer that lies is refused")
		{
			build(&m, v);
			size_t elf_len = m.len;
			sign(&m, 0, 0, 300, elf_len + 301);
			CHECK(elf_signature(m.b, m.len, &sig) == -ELF_ESIGLEN);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESIGLEN);
			build(&m, v);
			sign(&m, 0, 0, 300, UINT32_MAX);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESIGLEN);
			build(&m, v);
			sign(&m, 200, 100, 0, elf_len + 1);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESIGLEN);
			/* Exactly everything: an empty ELF part. */
			build(&m, v);
			sign(&m, 0, 0, 300, elf_len + 300);
			CHECK(elf_signature(m.b, m.len, &sig) == 1 && sig.elf_size == 0);
			CHECK(open_copy(&e, m.b, m.len) == -ELF_ESHORT);
			/* The magic alone, or in a file shorter than the trailer. */
			m.len = 0;
			sign(&m, 0, 0, 0, 0);
			CHECK(open_copy(&e, m.b + 12, 28) == -ELF_ESIGSHORT);
			CHECK(open_copy(&e, m.b + 1, 39) == -ELF_ESIGSHORT);
			CHECK(open_copy(&e, m.b, 40) == -ELF_ESHORT);
			CHECK(open_copy(&e, m.b + 13, 27) == -ELF_EMAGIC);
		}
	}

	CASE("elf: every error has its own message")
	{
		for (int a = ELF_ESHORT; a <= ELF_ESIGLEN; a++) {
			CHECK(elf_strerror(-a) == elf_strerror(a));
			CHECK(strcmp(elf_strerror(-a), "unknown ELF error") != 0);
			for (int b = ELF_ESHORT; b < a; b++)
				CHECK(strcmp(elf_strerror(-a), elf_strerror(-b)) != 0);
		}
		CHECK_STR(elf_strerror(-ELF_ESHORT), "file too short for an ELF header");
		CHECK_STR(elf_strerror(-ELF_ESIGLEN),
			  "module signature trailer lies about its length");
		CHECK_STR(elf_strerror(0), "unknown ELF error");
		CHECK_STR(elf_strerror(-2), "unknown ELF error");
		CHECK_STR(elf_strerror(-ELF_ESIGLEN - 1), "unknown ELF error");
	}

	CASE("elf: up to ELF_MAX_SECTIONS sections, and no more")
	{
		/* One-byte sections one after the other: the overlap check is
		 * quadratic, so the count is bounded. */
		static unsigned char
			big[64 + ELF_MAX_SECTIONS + 1 + (ELF_MAX_SECTIONS + 1) * 40];
		clock_t t0;

		for (unsigned n = ELF_MAX_SECTIONS; n <= ELF_MAX_SECTIONS + 1; n++) {
			unsigned shoff = 64 + n;
			memset(big, 0, sizeof(big));
			/* NOLINTNEXTLINE(bugprone-not-null-*): bytes */
			memcpy(big, "\177ELF\1\1\1", 7);
			big[20] = 1;
			big[32] = shoff, big[33] = shoff >> 8, big[34] = shoff >> 16;
			big[46] = 40;
			big[48] = n, big[49] = n >> 8;
			big[50] = 1;
			for (unsigned i = 1; i < n; i++) {
				unsigned char *p = big + shoff + i * 40;
				p[4] = i == 1 ? 3
					      : 1; /* section 1 is the name table: "" */
				p[16] = 64 + i, p[17] = (64 + i) >> 8;
				p[20] = 1;
			}
			t0 = clock();
			r = elf_open(&e, big, shoff + n * 40);
			if (n == ELF_MAX_SECTIONS) {
				CHECK(r == 0);
				printf("# %u sections: %.2f s\n", n,
				       (double)(clock() - t0) / CLOCKS_PER_SEC);
			} else {
				CHECK(r == -ELF_ESHNUM);
			}
		}
	}
	free(copy);
	return unit_failed;
}
