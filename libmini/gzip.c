/* gzip: .ko.gz decompressed by zlib's raw inflate; the gzip wrapper (RFC 1952: header,
 * CRC32, ISIZE) is ours, which spares zlib's gzip code and its CRC tables. */
#include "unz.h"

#include <string.h>
#define Z_SOLO /* no default allocator: musl's malloc stays out */
#include <zlib.h>

/* zlib's allocations, about 7 KiB of state and the 32 KiB window, come from bss (no
 * bytes in the file, no malloc); each unz_gzip starts the arena afresh. */
static union {
	char b[48 << 10];
	long long align;
} arena;
static size_t arena_used;

static voidpf zalloc(voidpf opaque, uInt items, uInt size)
{
	size_t n = ((size_t)items * size + 15) & ~(size_t)15;

	(void)opaque;
	if (n > sizeof(arena) - arena_used)
		return Z_NULL;
	arena_used += n;
	return arena.b + arena_used - n;
}

static void zfree(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

static unsigned le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24;
}

/* The length of the member header at in[0..n): > 0, or minus an UNZ_ error. */
static long header(const unsigned char *in, size_t n)
{
	size_t i = 10;
	int flg, k;

	if (n < 10)
		return -UNZ_TRUNC;
	flg = in[3];
	if (in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 || (flg & 0xe0))
		return -UNZ_CORRUPT;
	if (flg & 4) { /* FEXTRA: a length, then that many bytes */
		if (n < 12)
			return -UNZ_TRUNC;
		i = 12 + (in[10] | in[11] << 8);
	}
	for (k = 8; k <= 16; k *= 2) /* FNAME, FCOMMENT: zero-terminated */
		if (flg & k) {
			const unsigned char *z = i < n ? memchr(in + i, 0, n - i) : 0;
			if (!z)
				return -UNZ_TRUNC;
			i = z - in + 1;
		}
	if (flg & 2) { /* FHCRC: the low half of the header's CRC32 */
		if (i + 2 > n)
			return -UNZ_TRUNC;
		if ((unz_crc32(0, in, i) & 0xffff) != (unsigned)(in[i] | in[i + 1] << 8))
			return -UNZ_CHECK;
		i += 2;
	}
	return i <= n ? (long)i : -UNZ_TRUNC;
}

int unz_gzip(struct unz *u, const unsigned char *in, size_t n)
{
	const unsigned char *end = in + n;
	z_stream s;
	size_t start, max;
	long h;
	int r, err;

	memset(&s, 0, sizeof(s));
	s.zalloc = zalloc;
	s.zfree = zfree;
	arena_used = 0;
	if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
		return UNZ_NOMEM;
	do { /* one member per turn */
		if ((h = header(in, end - in)) < 0) {
			err = -h;
			break;
		}
		inflateReset(&s);
		s.next_in = (unsigned char *)in + h;
		s.avail_in = 0; /* what was left counted from the old place */
		start = u->len;
		do {
			/* UINT_MAX bytes at a time at most (avail_in, avail_out are uInt) */
			if (!s.avail_in)
				s.avail_in = end - s.next_in > 1 << 30 ? 1 << 30
								       : end - s.next_in;
			max = u->cap < u->limit ? u->cap : u->limit;
			if (u->len == max && (err = unz_grow(u, 1)))
				goto out;
			max = u->cap < u->limit ? u->cap : u->limit;
			s.next_out = (unsigned char *)u->p + u->len;
			s.avail_out = max - u->len > 1 << 30 ? 1 << 30 : max - u->len;
			r = inflate(&s, Z_NO_FLUSH);
			u->len = (char *)s.next_out - u->p;
		} while (r == Z_OK || (r == Z_BUF_ERROR && s.next_in < end));
		err = r == Z_STREAM_END	 ? UNZ_OK
		      : r == Z_BUF_ERROR ? UNZ_TRUNC
		      : r == Z_MEM_ERROR ? UNZ_NOMEM
					 : UNZ_CORRUPT;
		if (err)
			break;
		/* zlib may have taken whole bytes past the stream's end into its bit buffer:
		 * data_type counts the bits it holds unused */
		in = s.next_in - (s.data_type & 63) / 8;
		if (end - in < 8) {
			err = UNZ_TRUNC;
			break;
		}
		if (le32(in) !=
			    unz_crc32(0, (unsigned char *)u->p + start, u->len - start) ||
		    le32(in + 4) != (unsigned)(u->len - start))
			err = UNZ_CHECK;
		in += 8;
	} while (!err && in < end);
out:
	inflateEnd(&s);
	return err;
}
