/* indexw: builds a modules.*.bin trie in memory and writes it as kmod 30's depmod does.
 *
 * The trie is the path-compressed one kmod's index_insert grows: a node splits where a
 * new key leaves its prefix, and the root never has a prefix. Its shape follows from
 * the set of keys alone; only the order of a key's values follows from the order of
 * insertion. kmod 30 writes it children first (post-order, children in byte order, the
 * root last), each node as [prefix NUL] [first, last, child words] [count, (priority,
 * value NUL)...], and puts the root's offset word in the header; so does this. kmod 34
 * and later write parents first: readers follow offsets and accept both.
 *
 * The writer walks the trie twice, first to learn the file's size (and so every
 * node's offset), then to fill one buffer of that size. */
#include "indexw.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sys.h"
#include "util.h"

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define CHUNK_SIZE (1 << 20)

struct indexw_value {
	struct indexw_value *next;
	unsigned priority;
	char value[];
};

struct indexw_chunk {
	struct indexw_chunk *prev;
	size_t size;
};

/* n bytes of zeroed memory, aligned for pointers; fresh mappings are zero and nothing
 * is reused. */
static void *arena_alloc(struct indexw *w, size_t n)
{
	struct indexw_chunk *c;
	size_t size;
	long p;

	n = (n + 7) & ~(size_t)7;
	if (n > w->left) {
		size = sizeof(*c) + n;
		if (size < CHUNK_SIZE)
			size = CHUNK_SIZE;
		p = sys_mmap(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1);
		if (sys_failed(p))
			return 0;
		c = (struct indexw_chunk *)p;
		c->prev = w->chunk;
		c->size = size;
		w->chunk = c;
		w->free = (char *)(c + 1);
		w->left = size - sizeof(*c);
	}
	w->left -= n;
	w->free += n;
	return w->free - n;
}

void indexw_init(struct indexw *w)
{
	memset(w, 0, sizeof(*w));
}

int indexw_add(struct indexw *w, const char *key, const char *value, unsigned priority)
{
	struct indexw_node *n = &w->root, *k, **pp;
	struct indexw_value *v, **vp;
	size_t len;
	unsigned j;
	int dup = 0;

	for (;;) {
		for (j = 0; j < n->plen && n->prefix[j] == key[j]; j++)
			;
		if (j < n->plen) {
			/* the key leaves n's prefix: the rest of n moves to a child */
			k = arena_alloc(w, sizeof(*k));
			if (!k)
				return -ENOMEM;
			*k = *n;
			k->next = 0;
			k->c = n->prefix[j];
			k->prefix += j + 1;
			k->plen -= j + 1;
			n->child = k;
			n->values = 0;
			n->plen = j;
		}
		key += j;
		if (!*key)
			break;
		for (pp = &n->child; *pp && (*pp)->c < (unsigned char)*key;
		     pp = &(*pp)->next)
			;
		k = *pp;
		if (!k || k->c != (unsigned char)*key) {
			/* a new leaf holds the rest of the key; the next round reaches its end */
			len = strlen(key + 1);
			k = arena_alloc(w, sizeof(*k) + len);
			if (!k)
				return -ENOMEM;
			k->next = *pp;
			k->c = *key;
			k->prefix = memcpy(k + 1, key + 1, len);
			k->plen = len;
			*pp = k;
		}
		n = k;
		key++;
	}
	vp = &n->values;
	for (v = *vp; v; v = v->next) {
		dup |= !strcmp(v->value, value);
		if (v->priority < priority)
			vp = &v->next;
	}
	len = strlen(value) + 1;
	v = arena_alloc(w, sizeof(*v) + len);
	if (!v)
		return -ENOMEM;
	v->next = *vp;
	v->priority = priority;
	memcpy(v->value, value, len);
	*vp = v;
	return dup;
}

/* Appends to the file, or on the first pass only counts. */
static void emit(struct indexw *w, const void *p, size_t n)
{
	if (w->out)
		memcpy(w->out + w->len, p, n);
	w->len += n;
}

static void emit32(struct indexw *w, unsigned v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	emit(w, b, 4);
}

static void emit_node(struct indexw *w, struct indexw_node *n)
{
	struct indexw_node *k, *last;
	struct indexw_value *v;
	unsigned word, c, count = 0;

	for (k = n->child; k; k = k->next)
		emit_node(w, k);
	word = w->len;
	if (n->plen) {
		word |= NODE_PREFIX;
		emit(w, n->prefix, n->plen);
		emit(w, "", 1);
	}
	k = n->child;
	if (k) {
		word |= NODE_CHILDREN;
		for (last = k; last->next; last = last->next)
			;
		emit(w, &k->c, 1);
		emit(w, &last->c, 1);
		for (c = k->c; k; c++) {
			emit32(w, k->c == c ? k->word : 0);
			if (k->c == c)
				k = k->next;
		}
	}
	if (n->values) {
		word |= NODE_VALUES;
		for (v = n->values; v; v = v->next)
			count++;
		emit32(w, count);
		for (v = n->values; v; v = v->next) {
			emit32(w, v->priority);
			emit(w, v->value, strlen(v->value) + 1);
		}
	}
	n->word = word;
}

int indexw_write(struct indexw *w, int fd)
{
	w->out = 0;
	for (;;) {
		w->len = 0;
		emit32(w, INDEX_MAGIC);
		emit32(w, INDEX_VERSION);
		emit32(w, w->root.word); /* known from the first pass */
		emit_node(w, &w->root);
		if (w->out)
			return write_all(fd, w->out, w->len);
		if (w->len > 0x0fffffff)
			return -EFBIG;
		w->out = arena_alloc(w, w->len);
		if (!w->out)
			return -ENOMEM;
	}
}

void indexw_free(struct indexw *w)
{
	struct indexw_chunk *c = w->chunk, *prev;

	for (; c; c = prev) {
		prev = c->prev;
		sys_munmap(c, c->size);
	}
}
