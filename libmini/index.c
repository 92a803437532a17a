/* index: reads kmod's modules.*.bin tries straight from the mapping: a search touches
 * only the nodes on its way. Every offset and string is checked against the file size
 * first, and a search visits at most one node per byte of file, so a corrupt file
 * (children that point back to an ancestor, or that share a subtree) ends in -EBADMSG.
 *
 * Format (big-endian u32s): magic, version, root offset word. An offset word has flags
 * in its top bits (prefix, values, children) and the node's file offset in its low 28.
 * A node is [prefix NUL] [u8 first, u8 last, word child[last - first + 1]]
 * [u32 count, count * (u32 priority, value NUL)]; child[c] consumes the byte c. */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "match.h"
#include "sys.h"
#include "util.h"

#define INDEX_MAGIC 0xB007F457u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define NODE_OFFSET 0x0fffffffu

struct node {
	const char *prefix;
	const unsigned char *child; /* offset words for bytes first..last */
	const unsigned char *value; /* the next (priority, value) pair */
	unsigned first, last, values;
};

static unsigned be32(const void *p)
{
	const unsigned char *b = p;

	return (unsigned)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* The node of offset word w, its fields checked but its values not yet (a lookup
 * needs only the first). -ENOENT for a missing child (offset 0). */
static int node_read(const struct index *ix, unsigned w, struct node *n)
{
	size_t off = w & NODE_OFFSET, end = ix->size;
	const char *m = ix->map, *z;

	if (!off)
		return -ENOENT;
	if (off > end)
		return -EBADMSG;
	n->prefix = "";
	if (w & NODE_PREFIX) {
		z = memchr(m + off, 0, end - off);
		if (!z)
			return -EBADMSG;
		n->prefix = m + off;
		off = z + 1 - m;
	}
	n->first = 1;
	n->last = 0;
	if (w & NODE_CHILDREN) {
		if (end - off < 2)
			return -EBADMSG;
		n->first = (unsigned char)m[off];
		n->last = (unsigned char)m[off + 1];
		n->child = (const unsigned char *)m + off + 2;
		off += 2 + 4 * (n->last - n->first + 1);
		if (n->first > n->last || off > end)
			return -EBADMSG;
	}
	n->values = 0;
	if (w & NODE_VALUES) {
		if (end - off < 4)
			return -EBADMSG;
		n->values = be32(m + off);
		n->value = (const unsigned char *)m + off + 4;
	}
	return 0;
}

/* The child of n at byte c, which may be n itself. */
static int node_child(const struct index *ix, const struct node *n, unsigned c,
		      struct node *out)
{
	if (c < n->first || c > n->last)
		return -ENOENT;
	/* NOLINTNEXTLINE(bugprone-implicit-widening-*): c - first < 256 */
	return node_read(ix, be32(n->child + 4 * (c - n->first)), out);
}

/* n's next value and its priority, or NULL if it does not end inside the file. A huge
 * count thus ends at the end of the file. */
static const char *value_next(const struct index *ix, struct node *n, unsigned *prio)
{
	size_t left = ix->map + ix->size - (const char *)n->value;
	const char *v = (const char *)n->value + 4, *z;

	if (left < 5 || !(z = memchr(v, 0, left - 4)))
		return 0;
	*prio = be32(n->value);
	n->value = (const unsigned char *)z + 1;
	return v;
}

int index_open(struct index *ix, const char *path)
{
	char *map;
	size_t off;
	int r = map_file(path, &map, &ix->size);

	if (r)
		return r;
	ix->map = map;
	r = -EBADMSG;
	if (ix->size >= 12 && be32(map) == INDEX_MAGIC) {
		ix->root = be32(map + 8);
		off = ix->root & NODE_OFFSET;
		if (be32(map + 4) >> 16 != 2)
			r = -EPROTONOSUPPORT;
		else if (off >= 12 && off <= ix->size)
			r = 0;
	}
	if (r)
		index_close(ix);
	return r;
}

void index_close(struct index *ix)
{
	unmap((void *)ix->map, ix->size);
	ix->map = 0;
	ix->size = 0;
}

int index_lookup(const struct index *ix, const char *key, const char **value)
{
	struct node n;
	const char *p;
	unsigned prio;
	int r = node_read(ix, ix->root, &n);

	/* every step eats a byte of key: no loop to fear */
	while (!r) {
		for (p = n.prefix; *p; p++, key++)
			if (*p != *key)
				return -ENOENT;
		if (!*key) {
			if (!n.values)
				return -ENOENT;
			*value = value_next(ix, &n, &prio);
			return *value ? 0 : -EBADMSG;
		}
		r = node_child(ix, &n, (unsigned char)*key++, &n);
	}
	return r;
}

/* A search or a walk: the pattern or key rebuilt so far, where the values go. */
struct search {
	const struct index *ix;
	const char *query; /* the rest of the query the key must match; NULL in a walk */
	struct index_value *out;
	int n, cap;
	index_walk_fn *fn;
	void *ctx;
	size_t budget; /* nodes left to visit */
	char *key; /* INDEX_KEY_MAX bytes */
};

/* Hands on n's values: to fn in a walk, else into out as kmod's add_value does, each in
 * front of the first one of equal or greater priority. */
static int take_values(struct search *s, struct node *n)
{
	const char *v;
	unsigned prio;
	int i, r;

	for (; n->values; n->values--) {
		v = value_next(s->ix, n, &prio);
		if (!v)
			return -EBADMSG;
		if (!s->query) {
			r = s->fn(s->ctx, s->key, v, prio);
			if (r)
				return r;
			continue;
		}
		if (s->n == s->cap)
			return -E2BIG;
		for (i = s->n++; i && s->out[i - 1].priority >= prio; i--)
			s->out[i] = s->out[i - 1];
		s->out[i].value = v;
		s->out[i].priority = prio;
	}
	return 0;
}

/* Every key under n, s->key[0..len) being the key so far. A search keeps the values of
 * the keys that match the query, taken after the children's (kmod's
 * index_searchwild__all); a walk gives them before (kmod's index_dump). Recursion
 * depth is bounded by INDEX_KEY_MAX, as each level adds a byte to the key. */
static int subtree(struct search *s, struct node *n, size_t len)
{
	struct node k;
	const char *p;
	unsigned c;
	int r;

	if (!s->budget--)
		return -EBADMSG;
	for (p = n->prefix; *p; p++) {
		if (len >= INDEX_KEY_MAX - 1)
			return -EBADMSG;
		s->key[len++] = *p;
	}
	s->key[len] = 0;
	if (!s->query && (r = take_values(s, n)))
		return r;
	for (c = n->first; c <= n->last; c++) {
		r = node_child(s->ix, n, c, &k);
		if (r == -ENOENT)
			continue;
		if (r || len >= INDEX_KEY_MAX - 2)
			return -EBADMSG;
		s->key[len] = c;
		r = subtree(s, &k, len + 1);
		if (r)
			return r;
	}
	s->key[len] = 0;
	if (s->query && n->values && match_glob(s->key, s->query))
		return take_values(s, n);
	return 0;
}

int index_search(const struct index *ix, const char *query, struct index_value *out,
		 int cap)
{
	static const char wild[3] = "*?[";
	char key[INDEX_KEY_MAX];
	struct search s = {
		.ix = ix, .out = out, .cap = cap, .budget = ix->size, .key = key};
	struct node n, k;
	const char *p;
	int i, r = node_read(ix, ix->root, &n);

	/* Down the query's path; the subtrees behind a wildcard are searched whole, with
	 * the pattern from the wildcard on against the query from the same place, as kmod
	 * does: what came before matched byte for byte. */
	while (!r) {
		for (p = n.prefix; *p; p++, query++) {
			if (*p == '*' || *p == '?' || *p == '[') {
				n.prefix = p;
				s.query = query;
				r = subtree(&s, &n, 0);
				goto out;
			}
			if (*p != *query)
				goto out;
		}
		s.query = query;
		for (i = 0; i < 3; i++) {
			r = node_child(ix, &n, wild[i], &k);
			if (r == -ENOENT)
				continue;
			s.key[0] = wild[i];
			if (r || (r = subtree(&s, &k, 1)))
				goto out;
		}
		if (!*query) {
			r = take_values(&s, &n);
			break;
		}
		r = node_child(ix, &n, (unsigned char)*query++, &n);
	}
out:
	if (r && r != -ENOENT)
		return r;
	return s.n;
}

int index_walk(const struct index *ix, index_walk_fn *fn, void *ctx)
{
	char key[INDEX_KEY_MAX];
	struct search s = {
		.ix = ix, .fn = fn, .ctx = ctx, .budget = ix->size, .key = key};
	struct node n;
	int r = node_read(ix, ix->root, &n);

	if (r)
		return r == -ENOENT ? 0 : r;
	return subtree(&s, &n, 0);
}
