/* elf: a bounds-checked reader for kernel module files: ELF32/ELF64, either byte order,
 * any machine, on any host (depmod on x86 reads an arm64 tree). */
#ifndef MODBOX_ELF_H
#define MODBOX_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Errors, returned negated. Above the kernel's MAX_ERRNO (4095), so they never pass for
 * an -errno; elf_strerror() has a message for each. */
enum {
	ELF_ESHORT = 4096, /* file too short for an ELF header */
	ELF_EMAGIC, /* not an ELF file (bad magic) */
	ELF_ECLASS, /* bad ELF class */
	ELF_EDATA, /* bad ELF byte order */
	ELF_EVERSION, /* bad ELF version */
	ELF_ESHENTSIZE, /* bad section header size */
	ELF_EXNUM, /* extended section numbering (65280+ sections) */
	ELF_ESHNUM, /* more than ELF_MAX_SECTIONS sections */
	ELF_ESHTAB, /* section header table outside the file */
	ELF_ESHSTRNDX, /* section name table index out of range */
	ELF_ESECTION, /* section elf.bad lies outside the file */
	ELF_EOVERLAP, /* section elf.bad overlaps an earlier one */
	ELF_ESHNAME, /* the name of section elf.bad is outside the name table */
	ELF_ESHSTRTYPE, /* section name table is not a string table */
	ELF_ESHSTRNUL, /* section name table not NUL-terminated */
	ELF_ENOSECTION, /* no such section */
	ELF_ENOMODINFO, /* no .modinfo section */
	ELF_EMODINFONUL, /* .modinfo not NUL-terminated */
	ELF_ENONAME, /* no module name */
	ELF_ETHISMOD, /* .gnu.linkonce.this_module too short for the name */
	ELF_ENAME, /* module name too long */
	ELF_ESIGSHORT, /* signature trailer in a file shorter than the trailer */
	ELF_ESIGLEN, /* signature trailer lies about its length */
};

/* An appended module signature: ELF | signer | key id | signature | the 12 bytes of
 * struct module_signature | "~Module signature appended~\n". */
struct elf_sig {
	size_t elf_size; /* where the ELF ends: the signer's offset */
	size_t sig_offset; /* of the signature itself (PKCS#7 for id_type 2) */
	size_t sig_len;
	unsigned char algo, hash, id_type, signer_len, key_id_len;
};

/* Modules have fewer than 100 sections; the bound keeps the quadratic overlap check
 * fast on a crafted file. elf_strerror() says the number. */
#define ELF_MAX_SECTIONS 4096

struct elf {
	const unsigned char *data; /* the file */
	size_t size; /* of the ELF part: the file without a signature */
	const unsigned char *shdrs; /* section header table, inside the ELF part */
	const char *shstr; /* section name table, NUL-terminated */
	size_t shstr_size;
	const char *modinfo; /* .modinfo, NULL when there is none */
	size_t modinfo_size;
	unsigned shnum;
	unsigned machine; /* e_machine: 62 x86_64, 183 aarch64, ... */
	unsigned char is64, msb; /* ELFCLASS64, ELFDATA2MSB */
	unsigned char is_signed; /* sig holds the appended signature */
	unsigned bad; /* the section an error names */
	struct elf_sig sig;
};

/* Finds where an appended module signature ends the ELF in size bytes of data.
 * Returns 0 when there is none (sig->elf_size is size), 1 with *sig filled in, or
 * -ELF_ESIGSHORT / -ELF_ESIGLEN when the trailer lies. */
int elf_signature(const void *data, size_t size, struct elf_sig *sig);

/* Validates the ELF header and every section header against the ELF part of the file
 * (data stays borrowed: it must outlive e): every section with bytes in the file lies
 * inside it and overlaps no other, every section name is inside the name table.
 * Returns 0 or a negative ELF_E* code; for a section's error e->bad is its index. */
int elf_open(struct elf *e, const void *data, size_t size);

/* The functions below take an e that elf_open() accepted. Symbol tables (.symtab,
 * __ksymtab_strings, __versions) build on elf_find_section, elf_shdr and elf_get. */

/* A message for an ELF_E* code, negated or not. */
const char *elf_strerror(int err);

/* An integer of n bytes (1, 2, 4 or 8) at p, in the file's byte order. */
uint64_t elf_get(const struct elf *e, const void *p, int n);

/* Section header fields, for elf_shdr(). */
enum elf_sh_field {
	ELF_SH_NAME,
	ELF_SH_TYPE,
	ELF_SH_FLAGS,
	ELF_SH_ADDR,
	ELF_SH_OFFSET,
	ELF_SH_SIZE,
	ELF_SH_LINK,
	ELF_SH_INFO,
	ELF_SH_ADDRALIGN,
	ELF_SH_ENTSIZE,
};
/* Field f of section header i (i < e->shnum). */
uint64_t elf_shdr(const struct elf *e, unsigned i, enum elf_sh_field f);

/* The section called name: its index (> 0), its bytes in *data and their number in
 * *size (0 for SHT_NOBITS, which has none in the file); or -ELF_ENOSECTION. */
int elf_find_section(const struct elf *e, const char *name, const char **data,
		     size_t *size);

/* Steps through the "key=value" strings of .modinfo in file order, skipping the NUL
 * padding between them. Start with *s NULL. Returns 1 with the next string in *s, 0
 * after the last, -ELF_ENOMODINFO, or -ELF_EMODINFONUL for a last string the section
 * ends before terminating. */
int elf_modinfo_next(const struct elf *e, const char **s);
/* The value of the first key=value of .modinfo, or NULL. */
const char *elf_modinfo_get(const struct elf *e, const char *key);

/* The module's name into buf (len bytes): modinfo's name=, else the name field of
 * struct module in .gnu.linkonce.this_module. Both must fit the kernel's 56 bytes
 * (MODULE_NAME_LEN) and buf. Returns 0, -ELF_ENONAME, -ELF_ETHISMOD or -ELF_ENAME. */
int elf_module_name(const struct elf *e, char *buf, size_t len);

/* The symbol table (.symtab) and its string table, checked against the file. */
struct elf_symtab {
	const unsigned char *syms;
	const char *str; /* NUL-terminated */
	size_t str_size;
	unsigned count, entsize;
};

/* Finds .symtab: 0, or -ELF_ENOSECTION when there is none or it is malformed. */
int elf_symtab(const struct elf *e, struct elf_symtab *t);

/* Symbol i (< t->count) of t: its name (NULL when outside the string table), its
 * section index in *shndx (0: undefined) and its binding (1 GLOBAL, 2 WEAK). */
const char *elf_sym(const struct elf *e, const struct elf_symtab *t, unsigned i,
		    unsigned *shndx, unsigned *bind);

#endif
