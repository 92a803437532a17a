/* unz: the output buffer and the dispatch by magic shared by the decoders. */
#include "unz.h"

#include <sys/mman.h>
#include <string.h>

#include <stdint.h>

#include "sys.h"
#include "util.h"

const char *unz_format(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "gzip";
	if (n >= 6 && !memcmp(m,
			      "\xfd"
			      "7zXZ",
			      6))
		return "xz";
	if (n >= 4 && !memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return 0;
}

int unz_grow(struct unz *u, size_t need)
{
	size_t cap = u->cap ? u->cap : 1 << 16;
	long p;

	if (need > u->limit - u->len)
		return UNZ_LIMIT;
	while (cap - u->len < need)
		cap *= 2;
	if (cap > u->limit) /* the limit is not a page multiple in general: round up */
		cap = (u->limit + 4095) & ~(size_t)4095;
	if (cap == u->cap)
		return UNZ_OK;
	p = u->p ? sys_mremap(u->p, u->cap, cap)
		 : sys_mmap(cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (p < 0 && p > -4096)
		return UNZ_NOMEM;
	u->p = (char *)p;
	u->cap = cap;
	return UNZ_OK;
}

int unz_any(struct unz *u, const unsigned char *in, size_t n)
{
	const char *f = unz_format(in, n);

	if (!u->limit)
		u->limit = UNZ_LIMIT_DEFAULT;
	if (!f)
		return UNZ_FORMAT;
#ifdef CONFIG_FEATURE_GZIP
	if (*f == 'g')
		return unz_gzip(u, in, n);
#endif
#ifdef CONFIG_FEATURE_XZ
	if (*f == 'x')
		return unz_xz(u, in, n);
#endif
#ifdef CONFIG_FEATURE_ZSTD
	if (*f == 'z')
		return unz_zstd(u, in, n);
#endif
	return UNZ_FORMAT;
}

void unz_free(struct unz *u)
{
	if (u->p)
		unmap(u->p, u->cap);
	u->p = 0;
	u->len = u->cap = 0;
}

const char *unz_error(int err)
{
	static const char text[] =
		"truncated\0corrupt data\0checksum mismatch\0too large\0"
		"out of memory\0unsupported feature\0unknown format";
	const char *s = text;

	while (--err > 0)
		s += strlen(s) + 1;
	return s;
}

/* CRC32 for gzip and xz. */
static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Slice-by-8 (8 KiB of tables built on first use): a byte at a time would cost depmod
 * half a second on Debian's tree, the table loads being one long dependency chain. */
static uint32_t crc32_tab[8][256];

unsigned unz_crc32(unsigned crc, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint32_t c = ~crc, a, b;
	unsigned i, k;

	if (!crc32_tab[0][1]) {
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = c >> 1 ^ (0xedb88320 & -(c & 1));
			crc32_tab[0][i] = c;
		}
		for (i = 0; i < 256; i++)
			for (k = 1; k < 8; k++)
				crc32_tab[k][i] = crc32_tab[k - 1][i] >> 8 ^
						  crc32_tab[0][crc32_tab[k - 1][i] & 255];
		c = ~crc;
	}
	for (; n >= 8; n -= 8, p += 8) {
		a = c ^ le32(p);
		b = le32(p + 4);
		c = crc32_tab[7][a & 255] ^ crc32_tab[6][a >> 8 & 255] ^
		    crc32_tab[5][a >> 16 & 255] ^ crc32_tab[4][a >> 24] ^
		    crc32_tab[3][b & 255] ^ crc32_tab[2][b >> 8 & 255] ^
		    crc32_tab[1][b >> 16 & 255] ^ crc32_tab[0][b >> 24];
	}
	while (n--)
		c = c >> 8 ^ crc32_tab[0][(c ^ *p++) & 255];
	return ~c;
}
