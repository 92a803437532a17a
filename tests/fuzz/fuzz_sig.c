/* The signature trailer and the PKCS#7 walker: a module's tail, and bare DER. */
#include "fuzz.h"

#include "../../libmini/sig.h"

static void check(const struct sig_info *si, const uint8_t *data, size_t size)
{
	int k;

	for (k = 0; k < SIG_FIELDS; k++)
		if (si->val[k] && si->len[k] &&
		    !(si->val[k] >= (const unsigned char *)si &&
		      si->val[k] < (const unsigned char *)(si + 1)) &&
		    k != SIG_ID && k != SIG_HASHALGO)
			FUZZ_ASSERT(si->val[k] >= data &&
				    si->val[k] + si->len[k] <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_sig es;
	struct sig_info si;

	memset(&si, 0, sizeof(si));
	if (elf_signature(data, size, &es) == 1 && !sig_read(data, &es, &si))
		check(&si, data, size);
	memset(&si, 0, sizeof(si));
	if (!sig_pkcs7(data, size, &si))
		check(&si, data, size);
	return 0;
}
