/* mod24: links a module object (.o) for Linux 2.2 and 2.4, which load what user space
 * laid out and relocated. The object is hostile input: elf_open() checked its sections
 * against the file, and every symbol index, relocation offset and size is checked here
 * before use. Machines are entries of a table, so 32-bit ARM is one more function. */
#include "mod24.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sys.h"
#include "util.h"

#define ET_REL 1
#define SHF_ALLOC 2
#define SHT_RELA 4
#define SHT_NOBITS 8
#define SHT_REL 9
#define SHN_ABS 0xfff1
#define SHN_COMMON 0xfff2
#define STB_LOCAL 0
#define STB_WEAK 2
#define NOT_LOADED UINT64_MAX

/* What a symbol's val holds. */
enum { SYM_ABS, SYM_IMAGE, SYM_MISSING, SYM_UNLOADED };

/* One machine: e_machine, its class, its relocation sections' type, and the function
 * that applies one relocation: s the symbol's address, a the explicit addend (REL
 * machines read theirs at loc), p the address of loc; room bytes are left in the
 * section at loc. Returns 0, -MOD24_ERELTYPE, -MOD24_ERELOFF or -MOD24_EOVERFLOW. */
struct mod24_arch {
	unsigned short machine;
	unsigned char is64, reltype;
	int (*apply)(unsigned char *loc, size_t room, unsigned type, uint64_t s,
		     uint64_t a, uint64_t p);
};

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = v >> 8 * i;
}

static int apply_x86_64(unsigned char *loc, size_t room, unsigned type, uint64_t s,
			uint64_t a, uint64_t p)
{
	uint64_t v = s + a;
	int n = 4;

	switch (type) {
	case 0: /* R_X86_64_NONE */
		return 0;
	case 1: /* R_X86_64_64 */
		n = 8;
		break;
	case 2: /* R_X86_64_PC32 */
	case 4: /* R_X86_64_PLT32: a module has no PLT, the call goes to the symbol */
		v -= p;
		/* fall through */
	case 11: /* R_X86_64_32S: sign-extended */
		if (v + 0x80000000 > 0xffffffff)
			return -MOD24_EOVERFLOW;
		break;
	case 10: /* R_X86_64_32: zero-extended */
		if (v > 0xffffffff)
			return -MOD24_EOVERFLOW;
		break;
	default:
		return -MOD24_ERELTYPE;
	}
	if (room < (size_t)n)
		return -MOD24_ERELOFF;
	put_le(loc, v, n);
	return 0;
}

static int apply_i386(unsigned char *loc, size_t room, unsigned type, uint64_t s,
		      uint64_t a, uint64_t p)
{
	/* R_386_NONE, R_386_32, R_386_PC32, R_386_PLT32 (no PLT: as PC32) */
	if (!type)
		return 0;
	if (type != 1 && type != 2 && type != 4)
		return -MOD24_ERELTYPE;
	if (room < 4)
		return -MOD24_ERELOFF;
	/* REL: the addend is the field's contents; 32-bit arithmetic wraps */
	a += loc[0] | loc[1] << 8 | loc[2] << 16 | (uint32_t)loc[3] << 24;
	put_le(loc, s + a - (type == 1 ? 0 : p), 4);
	return 0;
}

static const struct mod24_arch arches[] = {
	{62, 1, SHT_RELA, apply_x86_64}, /* EM_X86_64 */
	{3, 0, SHT_REL, apply_i386}, /* EM_386 */
};

/* st_value (field 0) or st_size (1) of symbol i */
static uint64_t sym_field(const struct mod24 *m, unsigned i, size_t f)
{
	const unsigned char *p = m->sym.syms + (size_t)i * m->sym.entsize;

	/* ELF64: value, size at 8 and 16 (8 bytes); ELF32: at 4 and 8 (4 bytes) */
	if (m->elf.is64)
		return elf_get(&m->elf, p + 8 + 8 * f, 8);
	return elf_get(&m->elf, p + 4 + 4 * f, 4);
}

int mod24_open(struct mod24 *m, const void *data, size_t size)
{
	struct elf *e = &m->elf;
	const char *d;
	size_t n;
	unsigned i;
	long map;
	int r;

	memset(m, 0, sizeof(*m));
	r = elf_open(e, data, size);
	if (r < 0)
		return r;
	if (elf_get(e, e->data + 16, 2) != ET_REL)
		return -MOD24_ETYPE;
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].machine == e->machine && arches[i].is64 == e->is64 &&
		    !e->msb)
			m->arch = &arches[i];
	if (!m->arch)
		return -MOD24_EMACHINE;
	if (elf_symtab(e, &m->sym) < 0 || !m->sym.count)
		return -MOD24_ESYMTAB;
	m->symsec = elf_find_section(e, ".symtab", &d, &n);
	/* addr: shnum, val and deps: count each (8 bytes), kind: count (1 byte) */
	m->map_size = (size_t)e->shnum * 8 + (size_t)m->sym.count * 17;
	map = sys_mmap(m->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1);
	if (sys_failed(map)) {
		m->map_size = 0;
		return -ENOMEM;
	}
	m->addr = (uint64_t *)map;
	m->val = m->addr + e->shnum;
	m->deps = m->val + m->sym.count;
	m->kind = (unsigned char *)(m->deps + m->sym.count);
	return 0;
}

void mod24_close(struct mod24 *m)
{
	if (m->map_size)
		sys_munmap(m->addr, m->map_size);
	m->map_size = 0;
}

/* Reserves size bytes at align after *off: their offset in *at. */
static int place(uint64_t *off, uint64_t align, uint64_t size, uint64_t *at)
{
	if (!align)
		align = 1;
	if (align & (align - 1) || align > MOD24_MAX_ALIGN)
		return -MOD24_EALIGN;
	*at = (*off + align - 1) & ~(align - 1); /* *off <= MOD24_MAX_SIZE: no overflow */
	if (*at > MOD24_MAX_SIZE || size > MOD24_MAX_SIZE - *at)
		return -MOD24_ETOOBIG;
	*off = *at + size;
	return 0;
}

static const char *sec_name(const struct elf *e, unsigned i)
{
	return e->shstr + elf_shdr(e, i, ELF_SH_NAME);
}

/* The name of symbol i when the exported symbols' table made here lists it, else NULL:
 * a global symbol the module defines, in a loaded section or absolute. */
static const char *exported(const struct mod24 *m, unsigned i)
{
	unsigned shndx, bind;
	const char *s = elf_sym(&m->elf, &m->sym, i, &shndx, &bind);

	if (!s || !*s || bind == STB_LOCAL || shndx == 0 || m->kind[i] > SYM_IMAGE)
		return 0;
	return s;
}

static void add_dep(struct mod24 *m, uint64_t module)
{
	for (unsigned j = 0; j < m->ndeps; j++)
		if (m->deps[j] == module)
			return;
	m->deps[m->ndeps++] = module;
}

/* Gives symbol i its value: an offset in the image (defined, common, __this_module) or
 * an address (absolute, or the kernel's answer). */
static int resolve(struct mod24 *m, unsigned i, uint64_t *off, mod24_lookup_fn *lookup,
		   void *ctx)
{
	const struct elf *e = &m->elf;
	unsigned shndx, bind;
	const char *s = elf_sym(e, &m->sym, i, &shndx, &bind);
	uint64_t v = sym_field(m, i, 0), module = 0;

	m->err_sym = i;
	m->kind[i] = SYM_IMAGE;
	if (!i) {
		m->kind[i] = SYM_ABS;
		m->val[i] = 0;
	} else if (!shndx) {
		if (!s)
			return -MOD24_ESYMNAME;
		m->kind[i] = SYM_ABS;
		m->val[i] = 0;
		if (!strcmp(s, "__this_module")) {
			m->kind[i] = SYM_IMAGE;
		} else if (!lookup(ctx, s, &m->val[i], &module)) {
			if (module)
				add_dep(m, module);
		} else if (bind != STB_WEAK) {
			m->kind[i] = SYM_MISSING;
			m->nmissing++;
		}
	} else if (shndx == SHN_ABS) {
		m->kind[i] = SYM_ABS;
		m->val[i] = v;
	} else if (shndx == SHN_COMMON) {
		/* st_value is the alignment */
		return place(off, v, sym_field(m, i, 1), &m->val[i]);
	} else if (shndx >= e->shnum) {
		return -MOD24_ESHNDX;
	} else if (m->addr[shndx] == NOT_LOADED) {
		m->kind[i] = SYM_UNLOADED;
	} else {
		m->val[i] = m->addr[shndx] + v;
	}
	if (s && shndx && bind != STB_LOCAL && m->kind[i] <= SYM_IMAGE) {
		if (!strcmp(s, "init_module"))
			m->init = i;
		if (!strcmp(s, "cleanup_module"))
			m->cleanup = i;
	}
	return 0;
}

int mod24_layout(struct mod24 *m, const char *name, unsigned flags,
		 mod24_lookup_fn *lookup, void *ctx)
{
	const struct elf *e = &m->elf;
	uint64_t off, w = e->is64 ? 8 : 4, strs = 0, align;
	const char *s;
	size_t n;
	unsigned i;
	int r;

	m->name = name;
	m->flags = flags;
	/* struct module of 2.4: 6 longs and pointers, nsyms and ndeps (ints), 10
	 * pointers, int runsize (a word with its padding on 64-bit), 5 pointers: 22
	 * words and 8 bytes, 184 on 64-bit and 96 on 32-bit */
	m->hdr_size = off = 22 * w + 8;
	for (i = 0; i < e->shnum; i++) {
		m->addr[i] = NOT_LOADED;
		s = sec_name(e, i);
		/* .modinfo is ALLOC only because gcc has no attribute for data that
		 * stays in the file; 2.4's insmod did not load it either */
		if (!(elf_shdr(e, i, ELF_SH_FLAGS) & SHF_ALLOC) ||
		    !strcmp(s, ".modinfo") || !strcmp(s, ".modstring"))
			continue;
		align = elf_shdr(e, i, ELF_SH_ADDRALIGN);
		r = place(&off, align, elf_shdr(e, i, ELF_SH_SIZE), &m->addr[i]);
		if (r < 0) {
			m->err_sec = i;
			return r;
		}
	}
	for (i = 0; i < m->sym.count; i++) {
		r = resolve(m, i, &off, lookup, ctx);
		if (r < 0)
			return r;
	}
	m->err_sym = 0;
	if (m->nmissing) {
		i = 0;
		mod24_missing(m, &i);
		m->err_sym = i - 1; /* the first */
		return -MOD24_EUNDEF;
	}
	r = place(&off, w, w * 3 * m->ndeps, &m->deps_off);
	if (!r && flags & MOD24_EXPORT_ALL &&
	    elf_find_section(e, "__ksymtab", &s, &n) < 0) {
		for (i = 0; i < m->sym.count; i++) {
			s = exported(m, i);
			if (s) {
				m->nexports++;
				strs += strlen(s) + 1;
			}
		}
		r = place(&off, w, w * 2 * m->nexports, &m->exp_off);
		if (!r)
			r = place(&off, 1, strs, &m->expstr_off);
	}
	/* the name last: 2.4 wants ex_table_end below the module's end */
	if (!r)
		r = place(&off, 1, strlen(name) + 1, &m->name_off);
	m->size = off;
	return r;
}

const char *mod24_missing(const struct mod24 *m, unsigned *i)
{
	unsigned shndx, bind;

	while (*i < m->sym.count)
		if (m->kind[(*i)++] == SYM_MISSING)
			return elf_sym(&m->elf, &m->sym, *i - 1, &shndx, &bind);
	return 0;
}

static uint64_t sym_addr(const struct mod24 *m, unsigned i, uint64_t base)
{
	return m->val[i] + (m->kind[i] == SYM_IMAGE ? base : 0);
}

uint64_t mod24_symbol(const struct mod24 *m, const char *name, uint64_t base)
{
	unsigned i, shndx, bind;
	const char *s;

	for (i = 1; i < m->sym.count; i++) {
		s = elf_sym(&m->elf, &m->sym, i, &shndx, &bind);
		if (s && shndx && m->kind[i] <= SYM_IMAGE && !strcmp(s, name))
			return sym_addr(m, i, base);
	}
	return 0;
}

/* Applies relocation section r's entries to its target section's bytes in image. */
static int relocate(struct mod24 *m, unsigned r, unsigned char *image, uint64_t base)
{
	const struct elf *e = &m->elf;
	unsigned tgt = elf_shdr(e, r, ELF_SH_INFO), sym, type;
	size_t w = e->is64 ? 8 : 4, rela = elf_shdr(e, r, ELF_SH_TYPE) == SHT_RELA;
	size_t ent = (2 + rela) * w;
	const unsigned char *p = e->data + elf_shdr(e, r, ELF_SH_OFFSET);
	uint64_t n = elf_shdr(e, r, ELF_SH_SIZE) / ent, size, off, info, a;
	int err;

	m->err_sec = r;
	if (tgt >= e->shnum)
		return -MOD24_ERELSEC;
	if (m->addr[tgt] == NOT_LOADED) /* .modinfo's, debugging information's */
		return 0;
	if (elf_shdr(e, r, ELF_SH_LINK) != m->symsec ||
	    elf_shdr(e, r, ELF_SH_TYPE) != m->arch->reltype)
		return -MOD24_ERELSEC;
	size = elf_shdr(e, tgt, ELF_SH_SIZE);
	for (; n; n--, p += ent) {
		m->err_off = off = elf_get(e, p, w);
		info = elf_get(e, p + w, w);
		a = rela ? elf_get(e, p + 2 * w, w) : 0;
		/* ELF64: symbol in the upper 32 bits, type in the lower; ELF32: 24 and 8 */
		m->err_sym = sym = e->is64 ? info >> 32 : info >> 8;
		m->err_type = type = e->is64 ? (uint32_t)info : info & 0xff;
		if (!e->is64)
			a = (uint64_t)(int64_t)(int32_t)a;
		if (sym >= m->sym.count)
			return -MOD24_ERELSYM;
		if (m->kind[sym] > SYM_IMAGE)
			return -MOD24_EUNLOADED;
		if (off > size)
			return -MOD24_ERELOFF;
		off += m->addr[tgt];
		err = m->arch->apply(image + off, size - m->err_off, type,
				     sym_addr(m, sym, base), a, base + off);
		if (err < 0)
			return err;
	}
	m->err_sec = m->err_sym = 0;
	return 0;
}

/* The address of section name in the image at base and its size in *size, if it is
 * loaded and not empty; else 0. */
static uint64_t span(const struct mod24 *m, const char *name, uint64_t base,
		     uint64_t *size)
{
	const struct elf *e = &m->elf;
	const char *d;
	size_t n;
	int i = elf_find_section(e, name, &d, &n);

	if (i < 0 || m->addr[i] == NOT_LOADED || !(*size = elf_shdr(e, i, ELF_SH_SIZE)))
		return 0;
	return base + m->addr[i];
}

/* Section name's start and end into the w-byte words at p, when it has bytes. */
static void put_span(const struct mod24 *m, const char *name, unsigned char *p,
		     uint64_t base)
{
	unsigned w = m->elf.is64 ? 8 : 4;
	uint64_t size, a = span(m, name, base, &size);

	if (a) {
		put_le(p, a, w);
		put_le(p + w, a + size, w);
	}
}

int mod24_link(struct mod24 *m, void *image, uint64_t base)
{
	const struct elf *e = &m->elf;
	unsigned char *img = image, *h = img;
	size_t w = e->is64 ? 8 : 4;
	unsigned i, j;
	uint64_t size, str, a;
	const char *s;
	int r;

	m->err_sec = m->err_sym = 0;
	if (base > (e->is64 ? UINT64_MAX : 0xffffffff) - m->size)
		return -MOD24_EBASE;
	memset(img, 0, m->size);
	for (i = 0; i < e->shnum; i++)
		if (m->addr[i] != NOT_LOADED && elf_shdr(e, i, ELF_SH_TYPE) != SHT_NOBITS)
			/* inside the file: elf_open checked it */
			memcpy(img + m->addr[i], e->data + elf_shdr(e, i, ELF_SH_OFFSET),
			       elf_shdr(e, i, ELF_SH_SIZE));
	for (i = 0; i < e->shnum; i++) {
		j = elf_shdr(e, i, ELF_SH_TYPE);
		if (j == SHT_REL || j == SHT_RELA) {
			r = relocate(m, i, img, base);
			if (r < 0)
				return r;
		}
	}
	/* the exported symbols' table made here: struct module_symbol {value, name} */
	str = m->expstr_off;
	for (i = 0, j = 0; j < m->nexports; i++) {
		s = exported(m, i);
		if (!s)
			continue;
		put_le(img + m->exp_off + w * 2 * j, sym_addr(m, i, base), w);
		put_le(img + m->exp_off + w * 2 * j++ + w, base + str, w);
		memcpy(img + str, s, strlen(s) + 1);
		str += strlen(s) + 1;
	}
	for (j = 0; j < m->ndeps; j++) /* struct module_ref: dep, ref, next_ref */
		put_le(img + m->deps_off + w * 3 * j, m->deps[j], w);
	memcpy(img + m->name_off, m->name, strlen(m->name) + 1);

	/* struct module; next, usecount, refs (the kernel's) stay 0. Word k is at k * w,
	 * and 8 bytes further from syms (k = 6) on: nsyms and ndeps are ints. */
#define AT(k) (h + (k)*w + ((k) > 5 ? 8 : 0))
	put_le(AT(0), m->hdr_size,
	       w); /* size_of_struct: how much of it the kernel gets */
	put_le(AT(2), base + m->name_off, w);
	put_le(AT(3), m->size, w);
	put_le(AT(5), m->flags & MOD24_AUTOCLEAN ? 4 : 0, w); /* MOD_AUTOCLEAN */
	a = span(m, "__ksymtab", base, &size);
	if (a) {
		put_le(AT(6), a, w);
		put_le(AT(6) - 8, size / (2 * w), 4);
	} else if (m->nexports) {
		put_le(AT(6), base + m->exp_off, w);
		put_le(AT(6) - 8, m->nexports, 4);
	}
	put_le(AT(6) - 4, m->ndeps, 4);
	if (m->ndeps)
		put_le(AT(7), base + m->deps_off, w);
	if (m->init)
		put_le(AT(9), sym_addr(m, m->init, base), w);
	if (m->cleanup)
		put_le(AT(10), sym_addr(m, m->cleanup, base), w);
	put_span(m, "__ex_table", AT(11), base);
	/* persist_start, persist_end, can_unload (the module sets it) and runsize (2.4
	 * reads it not) stay 0 */
	put_span(m, "__kallsyms", AT(17), base);
	put_span(m, "__archdata", AT(19), base);
	/* kernel_data must be 0 */
#undef AT
	return 0;
}

const char *mod24_strerror(const struct mod24 *m, int err, char *buf, size_t cap)
{
	static const char *const msgs[] = {
		"not a relocatable object (ET_REL): modules for kernels before 2.6 are .o files",
		"no 2.4 module linker for this machine (ELF machine ",
		"no symbol table",
		": section index out of range",
		": name outside the string table",
		"bad alignment",
		"module image larger than 256 MiB",
		"unknown symbol ",
		"bad target section, symbol table or kind of relocations",
		"relocation against a symbol index out of range: ",
		"relocation outside its section at offset ",
		"unknown relocation type ",
		"relocation overflows its field: type ",
		"relocation against a symbol in a section that is not loaded: ",
		"the image does not fit the address space at that base address",
	};
	const struct elf *e = &m->elf;
	unsigned code = err < 0 ? -(unsigned)err : (unsigned)err, shndx, bind;
	char n1[24], n2[24], n3[24], *type = utoa(n1 + sizeof(n1), m->err_type);
	char *off = utoa(n2 + sizeof(n2), m->err_off);
	const char *sec = "", *colon = "", *sym = 0, *msg;

	if (code < MOD24_ETYPE || code > MOD24_EBASE) {
		cat(buf, cap, code < ELF_ESHORT ? errno_text(code) : elf_strerror(err));
		return buf;
	}
	msg = msgs[code - MOD24_ETYPE];
	if (m->err_sec && m->err_sec < e->shnum) {
		sec = sec_name(e, m->err_sec);
		colon = ": ";
	}
	if (m->err_sym < m->sym.count)
		sym = elf_sym(e, &m->sym, m->err_sym, &shndx, &bind);
	if (!sym || !*sym)
		sym = utoa(n3 + sizeof(n3), m->err_sym);
	switch (code) {
	case MOD24_EMACHINE:
		cat(buf, cap, msg, utoa(n1 + sizeof(n1), e->machine),
		    e->is64 ? ", 64" : ", 32", "-bit)");
		break;
	case MOD24_ESHNDX:
	case MOD24_ESYMNAME:
		cat(buf, cap, "symbol ", sym, msg);
		break;
	case MOD24_EALIGN:
		cat(buf, cap, m->err_sec ? "section " : "symbol ", m->err_sec ? sec : sym,
		    ": ", msg);
		break;
	case MOD24_EUNDEF:
	case MOD24_ERELSYM:
	case MOD24_EUNLOADED:
		cat(buf, cap, sec, colon, msg, sym);
		break;
	case MOD24_ERELOFF:
		cat(buf, cap, sec, colon, msg, off);
		break;
	case MOD24_ERELTYPE:
		cat(buf, cap, sec, colon, msg, type);
		break;
	case MOD24_EOVERFLOW:
		cat(buf, cap, sec, colon, msg, type, " at offset ", off, " (symbol ", sym,
		    ")");
		break;
	default:
		cat(buf, cap, sec, colon, msg);
	}
	return buf;
}
