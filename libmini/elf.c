/* elf: reads module files of any ELF class, byte order and machine. Every offset and
 * size from the file is checked against the ELF part before it is used, with 64-bit
 * arithmetic that cannot overflow: the file may be a fuzzer's. */
#include "elf.h"

#include <string.h>

#define SHT_STRTAB 3
#define SHT_NOBITS 8
/* struct module's name[MODULE_NAME_LEN] follows enum module_state state and struct
 * list_head list: at 24 on 64-bit, at 12 on 32-bit. */
#define MODULE_NAME_LEN 56

static const char magic[28] = "~Module signature appended~\n";

/* Byte by byte: file data need not be aligned, nor in the host's byte order. */
/* An n-byte integer in the file's byte order. depmod reads millions: one load and at
 * most a byte swap, not a loop over the bytes. */
static uint64_t get(const unsigned char *p, int n, int msb)
{
	int swap = msb != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (n) {
	case 8:
		memcpy(&v8, p, 8);
		return swap ? __builtin_bswap64(v8) : v8;
	case 4:
		memcpy(&v4, p, 4);
		return swap ? __builtin_bswap32(v4) : v4;
	case 2:
		memcpy(&v2, p, 2);
		return swap ? __builtin_bswap16(v2) : v2;
	}
	return *p;
}

uint64_t elf_get(const struct elf *e, const void *p, int n)
{
	return get(p, n, e->msb);
}

uint64_t elf_shdr(const struct elf *e, unsigned i, enum elf_sh_field f)
{
	const unsigned char *p = e->shdrs + (size_t)i * (e->is64 ? 64 : 40);

	/* ELF32 fields are all 4 bytes; ELF64 widens flags, addr, offset, size, addralign
	 * and entsize (bits of 0x33c) to 8. */
	if (!e->is64)
		/* NOLINTNEXTLINE(bugprone-implicit-widening-*): f < 10 */
		return get(p + 4 * f, 4, e->msb);
	return get(p + "\0\4\10\20\30\40\50\54\60\70"[f], 0x33c >> f & 1 ? 8 : 4, e->msb);
}

int elf_signature(const void *data, size_t size, struct elf_sig *sig)
{
	const unsigned char *p = data, *h;
	uint64_t len;

	memset(sig, 0, sizeof(*sig));
	sig->elf_size = size;
	if (size < sizeof(magic) ||
	    memcmp(p + size - sizeof(magic), magic, sizeof(magic)))
		return 0;
	if (size < 40)
		return -ELF_ESIGSHORT;
	/* struct module_signature: algo, hash, id_type, signer_len, key_id_len, pad[3],
	 * be32 sig_len; the signer and key id come first, then the signature. */
	h = p + size - 40;
	sig->sig_len = get(h + 8, 4, 1);
	len = (uint64_t)sig->sig_len + h[3] + h[4];
	if (len > size - 40)
		return -ELF_ESIGLEN;
	sig->algo = h[0];
	sig->hash = h[1];
	sig->id_type = h[2];
	sig->signer_len = h[3];
	sig->key_id_len = h[4];
	sig->elf_size = size - 40 - len;
	sig->sig_offset = size - 40 - sig->sig_len;
	return 1;
}

/* Does section i have bytes in the file? Then *off and *size say where. */
static int in_file(const struct elf *e, unsigned i, uint64_t *off, uint64_t *size)
{
	*off = elf_shdr(e, i, ELF_SH_OFFSET);
	*size = elf_shdr(e, i, ELF_SH_SIZE);
	return *size && elf_shdr(e, i, ELF_SH_TYPE) != SHT_NOBITS;
}

int elf_open(struct elf *e, const void *data, size_t size)
{
	const unsigned char *p = data, *h;
	uint64_t shoff, off, sz, o, s;
	unsigned shstrndx, i, j, n = 0;
	unsigned short ord[ELF_MAX_SECTIONS]; /* the sections with bytes in the file */
	int r;

	memset(e, 0, sizeof(*e));
	r = elf_signature(data, size, &e->sig);
	if (r < 0)
		return r;
	e->is_signed = r;
	e->data = p;
	e->size = size = e->sig.elf_size;
	if (size < 16)
		return -ELF_ESHORT;
	if (memcmp(p, "\177ELF", 4))
		return -ELF_EMAGIC;
	if (p[4] - 1u > 1)
		return -ELF_ECLASS;
	if (p[5] - 1u > 1)
		return -ELF_EDATA;
	e->is64 = p[4] == 2;
	e->msb = p[5] == 2;
	if (size < (e->is64 ? 64u : 52u))
		return -ELF_ESHORT;
	if (p[6] != 1 || elf_get(e, p + 20, 4) != 1)
		return -ELF_EVERSION;
	e->machine = elf_get(e, p + 18, 2);
	/* e_shoff is at 32 (ELF32) or 40; e_shentsize, e_shnum, e_shstrndx follow at
	 * 46 or 58: 12 bytes later in ELF64. */
	/* NOLINTBEGIN(bugprone-implicit-widening-*): is64 is 0 or 1 */
	shoff = elf_get(e, p + 32 + 8 * e->is64, 4 + 4 * e->is64);
	h = p + 12 * e->is64;
	/* NOLINTEND(bugprone-implicit-widening-*) */
	if (elf_get(e, h + 46, 2) != (e->is64 ? 64u : 40u))
		return -ELF_ESHENTSIZE;
	e->shnum = elf_get(e, h + 48, 2);
	shstrndx = elf_get(e, h + 50, 2);
	/* The real counts would be in section 0: no module needs that many sections. */
	if ((!e->shnum && shoff) || shstrndx == 0xffff)
		return -ELF_EXNUM;
	if (e->shnum > ELF_MAX_SECTIONS)
		return -ELF_ESHNUM;
	/* NOLINTNEXTLINE(bugprone-implicit-widening-*): shnum <= ELF_MAX_SECTIONS */
	if (shoff > size || e->shnum * (e->is64 ? 64u : 40u) > size - shoff)
		return -ELF_ESHTAB;
	if (!shstrndx || shstrndx >= e->shnum)
		return -ELF_ESHSTRNDX;
	e->shdrs = p + shoff;
	/* The name table's place is only trusted after the loop checked it. */
	e->shstr_size = elf_shdr(e, shstrndx, ELF_SH_SIZE);
	for (i = 0; i < e->shnum; i++) {
		e->bad = i;
		if (elf_shdr(e, i, ELF_SH_NAME) >= e->shstr_size)
			return -ELF_ESHNAME;
		if (!in_file(e, i, &off, &sz))
			continue;
		if (off > size || sz > size - off)
			return -ELF_ESECTION;
		/* in offset order (modules list their sections nearly so: this insertion
		 * sort is about linear, and a module can have thousands); the sections
		 * before i do not overlap, so an overlap of i shows at its neighbours */
		for (j = n++; j && elf_shdr(e, ord[j - 1], ELF_SH_OFFSET) > off; j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
		if ((j && in_file(e, ord[j - 1], &o, &s) && o + s > off) ||
		    (j + 1 < n && off + sz > elf_shdr(e, ord[j + 1], ELF_SH_OFFSET)))
			return -ELF_EOVERLAP;
	}
	e->bad = shstrndx;
	if (elf_shdr(e, shstrndx, ELF_SH_TYPE) != SHT_STRTAB)
		return -ELF_ESHSTRTYPE;
	e->shstr = (const char *)p + elf_shdr(e, shstrndx, ELF_SH_OFFSET);
	if (!e->shstr_size || e->shstr[e->shstr_size - 1])
		return -ELF_ESHSTRNUL;
	e->bad = 0;
	if (elf_find_section(e, ".modinfo", &e->modinfo, &e->modinfo_size) < 0)
		e->modinfo = 0;
	return 0;
}

const char *elf_strerror(int err)
{
	/* One string after the other, in the order of the codes. */
	static const char msgs[] =
		"file too short for an ELF header\0"
		"not an ELF file (bad magic)\0"
		"bad ELF class\0"
		"bad ELF byte order\0"
		"bad ELF version\0"
		"bad section header size\0"
		"extended section numbering (65280 sections or more)\0"
		"more than 4096 sections\0"
		"section header table outside the file\0"
		"section name table index out of range\0"
		"section lies outside the file\0"
		"sections overlap\0"
		"section name outside the section name table\0"
		"section name table is not a string table\0"
		"section name table not NUL-terminated\0"
		"no such section\0"
		"no .modinfo section\0"
		".modinfo not NUL-terminated\0"
		"no module name\0"
		".gnu.linkonce.this_module too short for the module name\0"
		"module name too long\0"
		"file too short for its module signature trailer\0"
		"module signature trailer lies about its length\0"
		"unknown ELF error";
	const char *m = msgs;
	unsigned n = (err < 0 ? -(unsigned)err : (unsigned)err) - ELF_ESHORT;

	if (n > ELF_ESIGLEN - ELF_ESHORT)
		n = ELF_ESIGLEN - ELF_ESHORT + 1;
	for (; n; n--)
		m += strlen(m) + 1;
	return m;
}

int elf_find_section(const struct elf *e, const char *name, const char **data,
		     size_t *size)
{
	uint64_t off, sz;

	for (unsigned i = 1; i < e->shnum; i++) {
		if (strcmp(e->shstr + elf_shdr(e, i, ELF_SH_NAME), name))
			continue;
		if (!in_file(e, i, &off, &sz))
			off = sz = 0;
		*data = (const char *)e->data + off;
		*size = sz;
		return i;
	}
	return -ELF_ENOSECTION;
}

int elf_modinfo_next(const struct elf *e, const char **s)
{
	const char *p = *s ? *s + strlen(*s) + 1 : e->modinfo, *end;

	if (!e->modinfo)
		return -ELF_ENOMODINFO;
	end = e->modinfo + e->modinfo_size;
	while (p < end && !*p)
		p++;
	if (p == end)
		return 0;
	if (!memchr(p, 0, end - p))
		return -ELF_EMODINFONUL;
	*s = p;
	return 1;
}

const char *elf_modinfo_get(const struct elf *e, const char *key)
{
	size_t n = strlen(key);
	const char *s = 0;

	while (elf_modinfo_next(e, &s) > 0)
		if (!strncmp(s, key, n) && s[n] == '=')
			return s + n + 1;
	return 0;
}

int elf_module_name(const struct elf *e, char *buf, size_t len)
{
	const char *n = elf_modinfo_get(e, "name"), *end;
	size_t l, size, off = e->is64 ? 24 : 12;

	if (n) {
		l = strlen(n);
	} else {
		if (elf_find_section(e, ".gnu.linkonce.this_module", &n, &size) < 0)
			return -ELF_ENONAME;
		if (size < off + MODULE_NAME_LEN)
			return -ELF_ETHISMOD;
		n += off;
		end = memchr(n, 0, MODULE_NAME_LEN);
		l = end ? (size_t)(end - n) : MODULE_NAME_LEN;
	}
	if (!l)
		return -ELF_ENONAME;
	if (l >= MODULE_NAME_LEN || l >= len)
		return -ELF_ENAME;
	memcpy(buf, n, l + 1);
	return 0;
}

int elf_symtab(const struct elf *e, struct elf_symtab *t)
{
	const char *d, *s;
	size_t size, ssize;
	int i = elf_find_section(e, ".symtab", &d, &size);
	unsigned link;

	if (i < 0)
		return i;
	t->entsize = e->is64 ? 24 : 16;
	link = elf_shdr(e, i, ELF_SH_LINK);
	if (link >= e->shnum || elf_shdr(e, link, ELF_SH_TYPE) != SHT_STRTAB)
		return -ELF_ENOSECTION;
	ssize = elf_shdr(e, link, ELF_SH_SIZE);
	s = (const char *)e->data + elf_shdr(e, link, ELF_SH_OFFSET);
	/* elf_open checked that every section lies inside the file */
	if (!ssize || s[ssize - 1])
		return -ELF_ENOSECTION;
	t->syms = (const unsigned char *)d;
	t->count = size / t->entsize;
	t->str = s;
	t->str_size = ssize;
	return 0;
}

const char *elf_sym(const struct elf *e, const struct elf_symtab *t, unsigned i,
		    unsigned *shndx, unsigned *bind)
{
	const unsigned char *p = t->syms + (size_t)i * t->entsize;
	/* ELF64: name, info, other, shndx at 0 4 5 6; ELF32: at 0 12 13 14 */
	unsigned name = elf_get(e, p, 4), o = e->is64 ? 4 : 12;

	*bind = p[o] >> 4;
	*shndx = elf_get(e, p + o + 2, 2);
	return name < t->str_size ? t->str + name : 0;
}
