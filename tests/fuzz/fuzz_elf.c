/* The ELF reader: elf_open on any bytes, then every reader a module's consumers call. */
#include "fuzz.h"

#include "../../libmini/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		".modinfo",	     "__versions",
		"__ksymtab_strings", ".gnu.linkonce.this_module",
		".symtab",	     ""};
	struct elf e;
	struct elf_sig sig;
	struct elf_symtab t;
	const char *s, *sec;
	char name[64];
	size_t n;
	unsigned i, shndx, bind;
	int r, k;

	r = elf_signature(data, size, &sig);
	FUZZ_ASSERT(r >= -ELF_ESIGLEN && r <= 1);
	if (r == 1)
		FUZZ_ASSERT(sig.elf_size <= size && sig.sig_offset + sig.sig_len <= size);
	r = elf_open(&e, data, size);
	FUZZ_ASSERT(elf_strerror(r) != 0);
	if (r)
		return 0;
	FUZZ_ASSERT(e.size <= size);
	for (s = 0; (r = elf_modinfo_next(&e, &s)) > 0;)
		FUZZ_ASSERT(s >= e.modinfo && s + strlen(s) < e.modinfo + e.modinfo_size);
	elf_modinfo_get(&e, "depends");
	elf_modinfo_get(&e, "vermagic");
	if (!elf_module_name(&e, name, sizeof(name)))
		FUZZ_ASSERT(strlen(name) < sizeof(name));
	for (k = 0; k < 6; k++)
		if (elf_find_section(&e, names[k], &sec, &n) > 0 && n)
			FUZZ_ASSERT(sec >= (const char *)data &&
				    sec + n <= (const char *)data + e.size);
	for (i = 0; i < e.shnum; i++)
		elf_shdr(&e, i, ELF_SH_ENTSIZE);
	if (elf_symtab(&e, &t))
		return 0;
	for (i = 0; i < t.count; i++)
		if ((s = elf_sym(&e, &t, i, &shndx, &bind)))
			FUZZ_ASSERT(s >= t.str && s + strlen(s) < t.str + t.str_size);
	return 0;
}
