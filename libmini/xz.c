/* xz: modbox's own .xz decoder (LZMA2 only; CRC32 and CRC64 checks), written from the
 * xz file format spec and the LZMA algorithm. The output is the LZ dictionary. */
#include "unz.h"

#include <stdint.h>
#include <string.h>

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CRC64 (xz's default check, rare for modules: the kernel's build uses CRC32) a byte at
 * a time, its table built on first use. */
static uint64_t crc64(const unsigned char *p, size_t n)
{
	static uint64_t tab[256];
	uint64_t c;
	unsigned i, k;

	if (!tab[1])
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = c >> 1 ^ (0xc96c5795d7870f42 & -(c & 1));
			tab[i] = c;
		}
	for (c = ~(uint64_t)0; n--;)
		c = c >> 8 ^ tab[(c ^ *p++) & 255];
	return ~c;
}

/* The adaptive probabilities, as offsets in one array: 11-bit values, 1024 being 1/2. */
enum {
	P_MATCH = 0, /* [state][pos_state]: a match (else a literal) */
	P_REP = 192, /* [state]: a repeated distance */
	P_REP0 = 204, /* [state]: not rep0 */
	P_REP1 = 216,
	P_REP2 = 228,
	P_REP0_LONG = 240, /* [state][pos_state]: rep0 longer than one byte */
	P_SLOT = 432, /* [min(len - 2, 3)][64]: bit trees of distance slots */
	P_SPEC = 688, /* reverse trees of the low bits of distances 4..127 */
	P_ALIGN = 802, /* the reverse tree of the low 4 bits of larger distances */
	P_LEN = 818, /* choice, choice2, low[16][8], mid[16][8], high[256] */
	P_REPLEN = 1332,
	P_LIT = 1846, /* [0x300 << (lc + lp)] */
	P_END = P_LIT + (0x300 << 4),
};

/* Static rather than on the stack: 28 KiB is a deep frame for a library function, and
 * the zero pages cost neither file bytes nor memory until a .xz is decoded. */
static uint16_t pr[P_END];

/* The range decoder, kept in the locals range, code, ip and ie of lzma2(). */
#define NORMALIZE() \
	do { \
		if (range < 1u << 24) { \
			if (ip == ie) \
				return UNZ_CORRUPT; \
			range <<= 8; \
			code = code << 8 | *ip++; \
		} \
	} while (0)

/* One bit of probability *p, which adapts. */
#define BIT(p) \
	({ \
		uint16_t *p_ = (p); \
		uint32_t bound_; \
		unsigned bit_ = 0; \
		NORMALIZE(); \
		bound_ = (range >> 11) * *p_; \
		if (code < bound_) { \
			range = bound_; \
			*p_ += (2048 - *p_) >> 5; \
		} else { \
			range -= bound_; \
			code -= bound_; \
			*p_ -= *p_ >> 5; \
			bit_ = 1; \
		} \
		bit_; \
	})

/* An LZMA2 stream at in[*at..n) appended to u: LZMA chunks and stored chunks, each
 * within its stated sizes. Distances reach no further back than the last dictionary
 * reset. */
static int lzma2(struct unz *u, const unsigned char *in, size_t n, size_t *at)
{
	const unsigned char *ip, *ie;
	unsigned char *o;
	size_t i = *at, dict = 0, pos, end, usize, csize;
	uint32_t range, code, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0, dist, len, m, r;
	unsigned state = 0, lc = 0, lp = 0, pb = 0, lpmask, pbmask, c, b, k, ps;
	int need_dict = 1, err;
	unsigned need_reset = 2;
	uint16_t *t;

	for (;;) {
		if (i >= n)
			return UNZ_TRUNC;
		c = in[i++];
		if (!c)
			break;
		if (c == 1 || c >= 0xe0) {
			need_dict = 0;
			dict = u->len;
		} else if (need_dict) {
			return UNZ_CORRUPT;
		}
		if (n - i < 2)
			return UNZ_TRUNC;
		usize = (in[i] << 8 | in[i + 1]) + 1;
		i += 2;
		if (c < 0x80) { /* stored */
			if (c > 2)
				return UNZ_CORRUPT;
			if (n - i < usize)
				return UNZ_TRUNC;
			err = unz_grow(u, usize);
			if (err)
				return err;
			memcpy(u->p + u->len, in + i, usize);
			u->len += usize;
			i += usize;
			/* an LZMA chunk after a dictionary reset must not see the old state */
			if (c == 1 && !need_reset)
				need_reset = 1;
			continue;
		}
		usize += (c & 0x1f) << 16;
		if (n - i < 3)
			return UNZ_TRUNC;
		csize = (in[i] << 8 | in[i + 1]) + 1;
		i += 2;
		c = c >> 5 &
		    3; /* 1: state reset, 2: and new properties, 3: and dict reset */
		if (c < need_reset)
			return UNZ_CORRUPT;
		need_reset = 0;
		if (c >= 2) {
			k = in[i++];
			if (k >= 9 * 5 * 5)
				return UNZ_CORRUPT;
			lc = k % 9;
			lp = k / 9 % 5;
			pb = k / 45;
			if (lc + lp > 4)
				return UNZ_CORRUPT;
		}
		if (c) {
			state = rep0 = rep1 = rep2 = rep3 = 0;
			for (k = P_LIT + (0x300u << (lc + lp)); k--;)
				pr[k] = 1024;
		}
		if (n - i < csize)
			return UNZ_TRUNC;
		if (csize < 5 || in[i])
			return UNZ_CORRUPT;
		ip = in + i + 5;
		ie = in + i + csize;
		code = (uint32_t)in[i + 1] << 24 | in[i + 2] << 16 | in[i + 3] << 8 |
		       in[i + 4];
		range = 0xffffffff;
		i += csize;
		err = unz_grow(u, usize);
		if (err)
			return err;
		o = (unsigned char *)u->p + dict;
		pos = u->len - dict;
		end = pos + usize;
		lpmask = (1u << lp) - 1;
		pbmask = (1u << pb) - 1;

		while (pos < end) {
			ps = pos & pbmask;
			if (!BIT(pr + P_MATCH + (state << 4) + ps)) {
				k = pos ? o[pos - 1] : 0;
				t = pr + P_LIT +
				    0x300 * (((pos & lpmask) << lc) + (k >> (8 - lc)));
				m = 1;
				if (state >= 7) {
					/* matched literal: bits follow the byte at rep0 until
					 * one differs */
					k = o[pos - rep0 - 1];
					do {
						b = k >> 7 & 1;
						k <<= 1;
						c = BIT(t + 0x100 + (b << 8) + m);
						m = m << 1 | c;
					} while (m < 0x100 && b == c);
				}
				while (m < 0x100)
					m = m << 1 | BIT(t + m);
				o[pos++] = m;
				state = state < 4    ? 0
					: state < 10 ? state - 3
						     : state - 6;
				continue;
			}
			if (BIT(pr + P_REP + state)) {
				if (!BIT(pr + P_REP0 + state)) {
					if (!BIT(pr + P_REP0_LONG + (state << 4) + ps)) {
						state = state < 7 ? 9 : 11;
						len = 1;
						goto copy;
					}
				} else {
					if (!BIT(pr + P_REP1 + state)) {
						dist = rep1;
					} else {
						if (!BIT(pr + P_REP2 + state)) {
							dist = rep2;
						} else {
							dist = rep3;
							rep3 = rep2;
						}
						rep2 = rep1;
					}
					rep1 = rep0;
					rep0 = dist;
				}
				state = state < 7 ? 8 : 11;
				t = pr + P_REPLEN;
			} else {
				rep3 = rep2;
				rep2 = rep1;
				rep1 = rep0;
				state = state < 7 ? 7 : 10;
				t = pr + P_LEN;
			}
			/* the length: 2-9, 10-17 or 18-273 */
			if (!BIT(t)) {
				t += 2 + (ps << 3);
				k = 3;
				len = 2;
			} else if (!BIT(t + 1)) {
				t += 130 + (ps << 3);
				k = 3;
				len = 10;
			} else {
				t += 258;
				k = 8;
				len = 18;
			}
			for (m = 1; m < 1u << k;)
				m = m << 1 | BIT(t + m);
			len += m - (1u << k);
			if (state == 8 || state == 11)
				goto copy;
			/* a new distance: its slot, then the bits below the top two */
			t = pr + P_SLOT + ((len < 6 ? len - 2 : 3) << 6);
			for (m = 1; m < 64;)
				m = m << 1 | BIT(t + m);
			m -= 64;
			if (m < 4) {
				rep0 = m;
				goto copy;
			}
			k = (m >> 1) - 1;
			dist = (2 | (m & 1)) << k;
			if (m < 14) {
				t = pr + P_SPEC + dist - m - 1;
			} else {
				for (k -= 4, r = 0; k--;) {
					NORMALIZE();
					range >>= 1;
					b = code >= range;
					code -= range & -b;
					r = r << 1 | b;
				}
				dist += r << 4;
				t = pr + P_ALIGN;
				k = 4;
			}
			/* the low bits, least significant first */
			for (m = 1, r = 0, c = 0; c < k; c++) {
				b = BIT(t + m);
				m = m << 1 | b;
				r |= b << c;
			}
			rep0 = dist + r;
		copy:
			if (rep0 >= pos || len > end - pos)
				return UNZ_CORRUPT;
			{
				unsigned char *d = o + pos, *s = d - rep0 - 1;

				pos += len;
				do
					*d++ = *s++;
				while (--len);
			}
		}
		NORMALIZE();
		if (ip != ie || code)
			return UNZ_CORRUPT;
		u->len = dict + pos;
	}
	*at = i;
	return UNZ_OK;
}

/* A variable-length integer (7 bits a byte, low first, at most 9 bytes) in in[*at..end).
 * Running out of in[] is UNZ_TRUNC when end is the input's end, else UNZ_CORRUPT. */
static int vli(const unsigned char *in, size_t end, size_t *at, uint64_t *v, int out)
{
	uint64_t x = 0;
	unsigned k, b;

	for (k = 0; k < 63; k += 7) {
		if (*at >= end)
			return out;
		b = in[(*at)++];
		x |= (uint64_t)(b & 0x7f) << k;
		if (!(b & 0x80)) {
			*v = x;
			return k && !b ? UNZ_CORRUPT
				       : UNZ_OK; /* the shortest encoding only */
		}
	}
	return UNZ_CORRUPT;
}

/* Zero bytes up to a multiple of 4 (streams start at one). */
static int pad4(const unsigned char *in, size_t n, size_t *at)
{
	for (; *at % 4; ++*at) {
		if (*at >= n)
			return UNZ_TRUNC;
		if (in[*at])
			return UNZ_CORRUPT;
	}
	return UNZ_OK;
}

/* One block at in[*at..n): its header, LZMA2 data, padding and check. Adds its size as
 * the index records it to sizes[0], its uncompressed size to sizes[1]. */
static int block(struct unz *u, const unsigned char *in, size_t n, size_t *at,
		 unsigned check, uint64_t *sizes)
{
	/* NOLINTNEXTLINE(bugprone-implicit-widening-*): a byte times 4 */
	size_t i = *at, hs = (in[i] + 1) * 4, end = i + hs - 4, out = u->len, data;
	unsigned csz = check ? 4 << ((check + 2) / 3 - 1) : 0;
	uint64_t csize = 0, usize = 0, v;
	const char *p;
	int err;

	if (n - i < hs)
		return UNZ_TRUNC;
	if (unz_crc32(0, in + i, hs - 4) != le32(in + end))
		return UNZ_CORRUPT;
	if (in[i + 1] & 0x3f) /* reserved bits, or more than one filter (BCJ) */
		return UNZ_UNSUPPORTED;
	i += 2;
	if (in[*at + 1] & 0x40 && (err = vli(in, end, &i, &csize, UNZ_CORRUPT)))
		return err;
	if (in[*at + 1] & 0x80 && (err = vli(in, end, &i, &usize, UNZ_CORRUPT)))
		return err;
	if ((err = vli(in, end, &i, &v, UNZ_CORRUPT)))
		return err;
	if (v != 0x21)
		return UNZ_UNSUPPORTED;
	/* LZMA2's properties: one byte, the dictionary size, unused here but for its
	 * range */
	if ((err = vli(in, end, &i, &v, UNZ_CORRUPT)) || v != 1 || i >= end ||
	    in[i++] > 40)
		return err ? err : UNZ_CORRUPT;
	while (i < end)
		if (in[i++])
			return UNZ_CORRUPT;
	i += 4;
	data = i;
	err = lzma2(u, in, n, &i);
	if (err)
		return err;
	if ((in[*at + 1] & 0x40 && csize != i - data) ||
	    (in[*at + 1] & 0x80 && usize != u->len - out))
		return UNZ_CORRUPT;
	sizes[0] += hs + i - data + csz;
	sizes[1] += u->len - out;
	err = pad4(in, n, &i);
	if (err)
		return err;
	if (n - i < csz)
		return UNZ_TRUNC;
	/* SHA-256 (check 10) is skipped, not verified: it would cost more code than the
	 * rest of this file, and kernel modules never use it */
	p = u->p ? u->p + out
		 : u->p; /* an empty block leaves no output, not even a buffer */
	if ((check == 1 && unz_crc32(0, p, u->len - out) != le32(in + i)) ||
	    (check == 4 && crc64((unsigned char *)p, u->len - out) !=
				   (le32(in + i) | (uint64_t)le32(in + i + 4) << 32)))
		return UNZ_CHECK;
	*at = i + csz;
	return UNZ_OK;
}

/* One stream at in[*at..n): header, blocks, index, footer. */
static int stream(struct unz *u, const unsigned char *in, size_t n, size_t *at)
{
	size_t i = *at, index;
	const unsigned char *f;
	uint64_t sizes[2] = {0, 0}, count = 0, v, w;
	int err;

	if (n - i < 12)
		return UNZ_TRUNC;
	f = in + i + 6; /* the stream flags */
	if (memcmp(in + i,
		   "\xfd"
		   "7zXZ",
		   6))
		return i ? UNZ_CORRUPT : UNZ_FORMAT;
	if (unz_crc32(0, f, 2) != le32(f + 2))
		return UNZ_CORRUPT;
	/* checks none, CRC32, CRC64 and SHA-256 */
	if (f[0] || f[1] > 10 || !(0x413 >> f[1] & 1))
		return UNZ_UNSUPPORTED;
	for (i += 12;; count++) {
		if (i >= n)
			return UNZ_TRUNC;
		if (!in[i])
			break;
		err = block(u, in, n, &i, f[1], sizes);
		if (err)
			return err;
	}
	/* the index: its records must sum to what the blocks were */
	index = i++;
	if ((err = vli(in, n, &i, &v, UNZ_TRUNC)))
		return err;
	if (v != count)
		return UNZ_CORRUPT;
	while (count--) {
		if ((err = vli(in, n, &i, &v, UNZ_TRUNC)) ||
		    (err = vli(in, n, &i, &w, UNZ_TRUNC)))
			return err;
		sizes[0] -= v;
		sizes[1] -= w;
	}
	if (sizes[0] || sizes[1])
		return UNZ_CORRUPT;
	if ((err = pad4(in, n, &i)))
		return err;
	if (n - i < 16)
		return UNZ_TRUNC;
	if (unz_crc32(0, in + index, i - index) != le32(in + i))
		return UNZ_CORRUPT;
	/* the footer: backward size and flags, as the index and header said */
	i += 4;
	if (unz_crc32(0, in + i + 4, 6) != le32(in + i) ||
	    (uint64_t)le32(in + i + 4) * 4 + 4 != i - index || memcmp(in + i + 8, f, 2) ||
	    memcmp(in + i + 10, "YZ", 2))
		return UNZ_CORRUPT;
	*at = i + 12;
	return UNZ_OK;
}

int unz_xz(struct unz *u, const unsigned char *in, size_t n)
{
	size_t i = 0;
	int err;

	do {
		err = stream(u, in, n, &i);
		if (err)
			return err;
		/* stream padding: zeros, a multiple of 4 bytes */
		while (i < n && !in[i])
			i++;
		if (i % 4)
			return UNZ_CORRUPT;
	} while (i < n);
	return UNZ_OK;
}
