/* unz: user-space decompression of module files (gzip, xz, zstd), for modinfo, depmod
 * and kernels that cannot decompress. Whole input in memory (a mapped file), output
 * into one anonymous mapping grown as needed: the LZ decoders use the output itself as
 * their dictionary, so no other memory is needed. Output never exceeds u->limit. */
#ifndef MODBOX_UNZ_H
#define MODBOX_UNZ_H

#include <stddef.h>

struct unz {
	char *p; /* the output: an anonymous mapping (0 before the first byte) */
	size_t len; /* bytes written */
	size_t cap; /* size of the mapping */
	size_t limit; /* the most output allowed; UNZ_LIMIT beyond it */
};

enum {
	UNZ_OK,
	UNZ_TRUNC, /* the input ends inside the stream */
	UNZ_CORRUPT, /* malformed data */
	UNZ_CHECK, /* the stream's checksum does not match its data */
	UNZ_LIMIT, /* output would exceed u->limit */
	UNZ_NOMEM, /* no memory for the output */
	UNZ_UNSUPPORTED, /* a valid feature this decoder lacks (filter, check type...) */
	UNZ_FORMAT, /* not a compressed format modbox knows, or one it was built without */
};

/* Modules larger than this are refused (the biggest in Debian's 6.12 tree: ~30 MiB). */
#define UNZ_LIMIT_DEFAULT ((size_t)256 << 20)

/* The format of a compressed file by its first 6 bytes: "gzip", "xz", "zstd" or 0. */
const char *unz_format(const unsigned char *m, size_t n);
/* Makes room for need more bytes after u->len (may move u->p). 0, UNZ_LIMIT or UNZ_NOMEM. */
int unz_grow(struct unz *u, size_t need);
/* Decompresses in[0..n) (its format by magic) into u, which starts zeroed but for
 * limit (0: UNZ_LIMIT_DEFAULT). Returns UNZ_OK or an error; u->p is then to be freed with
 * unz_free either way. */
int unz_any(struct unz *u, const unsigned char *in, size_t n);
void unz_free(struct unz *u);
/* What an error code means: "truncated", "corrupt data"... */
const char *unz_error(int err);

/* The decoders, one per format, each in its own file. Each decodes one whole stream
 * (xz: every stream and padding to the end of the input; gzip and zstd: every member
 * or frame to the end) appending to u. */
int unz_gzip(struct unz *u, const unsigned char *in, size_t n);
int unz_xz(struct unz *u, const unsigned char *in, size_t n);
int unz_zstd(struct unz *u, const unsigned char *in, size_t n);

/* zlib's crc32: crc is 0 or the value for the data before buf (in xz.c). */
unsigned unz_crc32(unsigned crc, const void *buf, size_t n);

#endif
