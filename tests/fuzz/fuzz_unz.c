/* The decompressors, through unz_any: whichever the build has (gzip, xz, zstd; the
 * others answer UNZ_FORMAT). Output is capped at 4 MiB so that a run stays fast; the
 * cap itself is checked. */
#include "fuzz.h"

#include "../../libmini/unz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unz u;
	int r;

	memset(&u, 0, sizeof(u));
	u.limit = (size_t)4 << 20;
	r = unz_any(&u, data, size);
	FUZZ_ASSERT(r >= UNZ_OK && r <= UNZ_FORMAT && unz_error(r));
	FUZZ_ASSERT(u.len <= u.limit && u.len <= u.cap);
	if (!unz_format(data, size))
		FUZZ_ASSERT(r == UNZ_FORMAT);
	if (u.len) /* every byte written is readable */
		FUZZ_ASSERT(((volatile char *)u.p)[u.len - 1] || 1);
	unz_free(&u);
	return 0;
}
