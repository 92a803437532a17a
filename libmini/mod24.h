/* mod24: the linker that insmod ran for Linux 2.2 and 2.4, whose init_module takes the
 * module already laid out and relocated for the address create_module reserved. */
#ifndef MODBOX_MOD24_H
#define MODBOX_MOD24_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

/* Errors beyond elf_open's ELF_E* codes, returned negated; mod24_strerror() words them
 * with the section, symbol, type or offset they are about. */
enum {
	MOD24_ETYPE = 4500, /* not a relocatable object (ET_REL) */
	MOD24_EMACHINE, /* no linker for the object's machine and class */
	MOD24_ESYMTAB, /* no symbol table, or one without its string table */
	MOD24_ESHNDX, /* symbol err_sym: section index out of range */
	MOD24_ESYMNAME, /* undefined symbol err_sym: name outside the string table */
	MOD24_EALIGN, /* section err_sec or common symbol err_sym: bad alignment */
	MOD24_ETOOBIG, /* the image would be larger than MOD24_MAX_SIZE */
	MOD24_EUNDEF, /* unknown symbol err_sym (mod24_missing() lists them all) */
	MOD24_ERELSEC, /* relocation section err_sec: bad target, symbol table or kind */
	MOD24_ERELSYM, /* err_sec: relocation against symbol err_sym, out of range */
	MOD24_ERELOFF, /* err_sec: relocation at err_off, outside its section */
	MOD24_ERELTYPE, /* err_sec: relocation type err_type unknown */
	MOD24_EOVERFLOW, /* err_sec: type err_type at err_off: the value does not fit */
	MOD24_EUNLOADED, /* err_sec: relocation against err_sym, in a section not loaded */
	MOD24_EBASE, /* the image does not fit the target's address space at that base */
};

/* create_module gets vmalloc'd, page-aligned memory: no section may ask for more. */
#define MOD24_MAX_ALIGN 4096
#define MOD24_MAX_SIZE (256u << 20)

/* mod24_layout's flags */
#define MOD24_AUTOCLEAN 1 /* struct module's MOD_AUTOCLEAN (insmod -k) */
#define MOD24_EXPORT_ALL \
	2 /* no __ksymtab: export every global symbol, as 2.4's insmod did
			    * unless told otherwise (-x) */

/* Resolves an undefined symbol: 0 with its address in *value and, when a module
 * exports it, that module's address in *module (0 for the kernel itself); non-zero
 * when nobody has it. */
typedef int mod24_lookup_fn(void *ctx, const char *name, uint64_t *value,
			    uint64_t *module);

struct mod24_arch;

struct mod24 {
	struct elf elf; /* the object, as elf_open() checked it */
	struct elf_symtab sym;
	const struct mod24_arch *arch;
	unsigned symsec; /* .symtab's section index, the relocations' sh_link */
	/* in one mapping: per section its offset in the image (~0: not loaded), per
	 * symbol its value (an image offset or an address, as kind says), the distinct
	 * modules the symbols came from */
	uint64_t *addr, *val, *deps;
	unsigned char *kind;
	size_t map_size;
	unsigned ndeps, nmissing, nexports, init, cleanup, flags;
	uint64_t size; /* of the image: create_module's size */
	uint64_t hdr_size, deps_off, exp_off, expstr_off, name_off;
	const char *name;
	/* what an error is about: 0 when it is about no section or symbol */
	unsigned err_sec, err_sym, err_type;
	uint64_t err_off;
};

/* Checks the object in data (borrowed: it must outlive m) for a machine this links:
 * i386 (ELF32) and x86_64 (ELF64), little-endian, ET_REL. Returns 0, -ENOMEM, a
 * negative ELF_E* or MOD24_E* code. Call mod24_close() afterwards either way. */
int mod24_open(struct mod24 *m, const void *data, size_t size);

/* Lays the image out, once: struct module of 2.4 at its start (as 2.4 read it from
 * there), each SHF_ALLOC section but .modinfo at its alignment, the common symbols,
 * the module_ref array for the modules it uses, the exported symbols' table (with
 * MOD24_EXPORT_ALL when there is no __ksymtab) and the name, last. Undefined symbols
 * go to lookup; __this_module is the struct module. Sets m->size. Returns 0,
 * -MOD24_EUNDEF when symbols are missing (err_sym names the first; weak ones are 0),
 * or another negative code. */
int mod24_layout(struct mod24 *m, const char *name, unsigned flags,
		 mod24_lookup_fn *lookup, void *ctx);

/* The missing symbols one by one after -MOD24_EUNDEF: start with *i 0; NULL after
 * the last. */
const char *mod24_missing(const struct mod24 *m, unsigned *i);

/* Builds the image for the address base into image (m->size bytes): the sections'
 * bytes, relocated, and struct module filled in. Returns 0 or a negative code. */
int mod24_link(struct mod24 *m, void *image, uint64_t base);

/* The value of symbol name in the image at base, 0 when there is none. */
uint64_t mod24_symbol(const struct mod24 *m, const char *name, uint64_t base);

void mod24_close(struct mod24 *m);

/* The message for an error of m's (ELF_E* and MOD24_E*) into buf; returns buf. */
const char *mod24_strerror(const struct mod24 *m, int err, char *buf, size_t cap);

#endif
