/* index: kmod's modules.*.bin tries (modules.dep.bin, modules.alias.bin, ...), read in
 * place from a private mapping. */
#ifndef MODBOX_INDEX_H
#define MODBOX_INDEX_H

#include <stddef.h>

/* Longest key a search or a walk can rebuild; a longer one reads as corruption. */
#define INDEX_KEY_MAX 4096

struct index {
	const char *map;
	size_t size;
	unsigned root; /* offset word of the root node */
};

struct index_value {
	const char *value; /* NUL-terminated, inside the mapping */
	unsigned priority;
};

/* Maps path and checks the header (magic, major version 2, root offset). Returns 0,
 * -errno from open/mmap, -EBADMSG for a file that is no index, -EPROTONOSUPPORT for
 * another major version. */
int index_open(struct index *ix, const char *path);
void index_close(struct index *ix);

/* Exact search, as kmod's index_search: *value is the key's first value (the lowest
 * priority number). Returns 0, -ENOENT, or -EBADMSG when the file is corrupt. */
int index_lookup(const struct index *ix, const char *key, const char **value);

/* Search for a literal query among keys that may be wildcard patterns, as kmod's
 * index_searchwild (modules.alias.bin): the values of every key matching the query,
 * in kmod's order (by priority; of equal ones, the last found first). Returns how
 * many were stored in out, -E2BIG if there are more than cap, or -EBADMSG. */
int index_search(const struct index *ix, const char *query, struct index_value *out,
		 int cap);

typedef int index_walk_fn(void *ctx, const char *key, const char *value,
			  unsigned priority);

/* Every key and value, as kmod's index_dump (modprobe -c): keys in byte order, a key's
 * values in file order. Stops at fn's first non-zero return and returns it; else 0,
 * or -EBADMSG. */
int index_walk(const struct index *ix, index_walk_fn *fn, void *ctx);

#endif
