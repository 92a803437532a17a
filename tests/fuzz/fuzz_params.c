/* The parameter string: NUL-separated words; the first byte sets the buffer's size. */
#include "fuzz.h"

#include "../../libmini/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[65], **bad = 0, *copy, *p, *end, *dst;
	size_t cap;
	int n = 0;
	const char *err;

	if (!size)
		return 0;
	cap = 1 + (size_t)data[0] * 17; /* 1 to 4336 bytes */
	copy = fuzz_str(data + 1, size - 1);
	for (p = copy, end = copy + size - 1; p <= end && n < 64; p += strlen(p) + 1)
		words[n++] = p;
	words[n] = 0;
	dst = malloc(cap);
	*dst = 0;
	err = params_build(dst, cap, words, &bad);
	FUZZ_ASSERT(strlen(dst) < cap);
	if (err)
		FUZZ_ASSERT(bad && *bad && bad >= words && bad < words + n);
	free(dst);
	free(copy);
	return 0;
}
