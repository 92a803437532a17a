/* The modules.*.bin reader over a fuzzed file: exact, wildcard and walk lookups. The
 * input is a query, a NUL, then the index file. */
#include "fuzz.h"

#include <errno.h>

#include "../../libmini/index.h"

static int walked(void *ctx, const char *key, const char *value, unsigned priority)
{
	(void)priority;
	FUZZ_ASSERT(strlen(key) < INDEX_KEY_MAX && value);
	return ++*(int *)ctx > 100000; /* a walk must end */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct index_value v[64];
	const uint8_t *nul = memchr(data, 0, size);
	const char *path = fuzz_path("modules.fuzz.bin"), *value;
	struct index ix;
	char *query;
	int r, i, count = 0;

	if (!nul)
		return 0;
	query = fuzz_str(data, nul - data);
	fuzz_write(path, nul + 1, data + size - nul - 1);
	if (!index_open(&ix, path)) {
		r = index_lookup(&ix, query, &value);
		FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EBADMSG);
		if (!r)
			FUZZ_ASSERT(value >= ix.map &&
				    value + strlen(value) < ix.map + ix.size);
		r = index_search(&ix, query, v, 64);
		FUZZ_ASSERT(r <= 64 && (r >= 0 || r == -E2BIG || r == -EBADMSG));
		for (i = 0; i < r; i++)
			FUZZ_ASSERT(v[i].value >= ix.map &&
				    v[i].value + strlen(v[i].value) < ix.map + ix.size);
		index_walk(&ix, walked, &count);
		index_close(&ix);
	}
	free(query);
	return 0;
}
