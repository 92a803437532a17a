/* The /proc/modules parser: lines cut in place, then each module's holders. */
#include "fuzz.h"

#include "../../libmini/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), *p, *end = copy + size, holders[256];
	struct proc_module m;
	int lines = 0;

	memcpy(copy, data, size);
	setenv("MODBOX_FAKE_ROOT", fuzz_path(""), 0);
	for (p = copy; (p = kernel_modules_next(p, end, &m)); lines++) {
		FUZZ_ASSERT(lines <= (int)size);
		kernel_module_holders(&m, ' ', holders, sizeof(holders));
		FUZZ_ASSERT(strlen(holders) < sizeof(holders));
	}
	free(copy);
	return 0;
}
