/* indexw: writes kmod's modules.*.bin tries (the other side of index.h), byte for byte
 * as Debian's kmod 30 depmod does. */
#ifndef MODBOX_INDEXW_H
#define MODBOX_INDEXW_H

#include <stddef.h>

struct indexw_value;

/* A trie node: the bytes of its prefix, then a child per next byte. */
struct indexw_node {
	struct indexw_node *child; /* first child; the others follow in byte order */
	struct indexw_node *next; /* next sibling */
	struct indexw_value *values; /* by priority */
	const char *prefix; /* plen bytes, no NUL */
	unsigned plen;
	unsigned word; /* its offset word, once written */
	unsigned char c; /* the byte that leads to it from its parent */
};

/* Nodes and strings live in an arena of anonymous mappings, never freed one by one. */
struct indexw {
	struct indexw_node root;
	struct indexw_chunk *chunk; /* the newest mapping */
	char *free; /* its unused rest */
	size_t left;
	char *out; /* the file, on the second pass of a write */
	size_t len;
};

/* An empty index. */
void indexw_init(struct indexw *w);

/* Adds value under key with priority, as kmod's index_insert: in front of the key's
 * first value of equal or greater priority, a value already there or not. kmod takes
 * only 7-bit keys and values; any byte but NUL works here. Returns 0, 1 if the key
 * already had this value (kmod's depmod warns then), or -ENOMEM. */
int indexw_add(struct indexw *w, const char *key, const char *value, unsigned priority);

/* Writes the whole file to fd. Returns 0, -ENOMEM, -EFBIG (over 256 MiB: offsets have
 * 28 bits), or -errno from write. */
int indexw_write(struct indexw *w, int fd);

/* Unmaps everything; indexw_init makes w usable again. */
void indexw_free(struct indexw *w);

#endif
