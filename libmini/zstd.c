/* zstd: a Zstandard frame decoder (RFC 8878), no dictionaries. The output of a frame is
 * its own window, so a match reaches back into u->p; only the literals of one block and
 * the entropy tables need memory of their own (static: modbox is single-threaded). */
#include "unz.h"

#include <string.h>

typedef unsigned char u8;
typedef unsigned long long u64;

#define BLOCK_MAX (1 << 17)
/* For size: gcc -Oz would inline these into their one caller, at a cost. */
#define NOINLINE __attribute__((noinline))

/* One FSE state: the symbol it stands for, and how to reach the next state. */
struct fse {
	unsigned short base;
	u8 sym, bits;
};

/* A bit stream over s[0..n): bits outside it read as zeros, so a hostile stream only
 * decodes garbage, which the callers' final checks reject. */
struct br {
	const u8 *s;
	int n, pos;
	int base; /* w holds 57 bits of the stream from bit base */
	u64 w;
};

static struct {
	struct fse t[4]
		    [512]; /* literal lengths, offsets, match lengths, Huffman weights */
	u8 al[4]; /* their accuracy logs */
	u8 have; /* bit k: table k holds one a block may repeat */
	u8 hufbits; /* the Huffman table's longest code; 0: none yet */
	unsigned short huf[1 << 11]; /* symbol | code length << 8, by the next 11 bits */
	unsigned base[3][53]; /* literal length, offset, match length baselines by code */
	u8 xbits[3][53]; /* and their extra bits */
	size_t rep[3];
	u64 prime[5];
	u8 lit[BLOCK_MAX + 8]; /* + 8: copied 8 bytes at a time */
} z;

/* Extra bits of the literal length codes from 16 and the match length codes from 32
 * (below: none); the baselines follow from them. */
static const u8 xbits[] = "\1\1\1\1\2\2\3\3\4\6\7\10\11\12\13\14\15\16\17\20"
			  "\1\1\1\1\2\2\3\3\4\4\5\7\10\11\12\13\14\15\16\17\20";

/* The predefined distributions of literal lengths, offsets and match lengths, as the
 * table descriptions an encoder would write for them. */
static const u8 predef[] =
	"\x51\x10\x63\x8c\x31\xc6\x18\x63\x0c\x21\xc4\x18\x63\x66\x66\x86"
	"\x46\x92\x04\x00\x20\x84\x10\x42\x66\x46\x44\x44\x44\x44\x24\x49"
	"\x02\x00\x21\x14\xc4\x18\x63\x8c\x21\x84\x10\x42\x08\x21\x84\x10"
	"\x42\x08\x21\x44\x44\x44\x44\x44\x44\x44\x44\x24\x09\x00\x00";
static const u8 maxsym[3] = {35, 31, 52};
static const u8 maxal[3] = {9, 8, 9};

static u64 le(const u8 *p, int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static u64 le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static int top(unsigned v)
{
	return 31 - __builtin_clz(v);
}

/* 64 bits of the stream from bit p up. */
static u64 at(const struct br *b, int p)
{
	int i = p >> 3, k = 8;
	u64 v = 0;

	if (p < 0)
		return p > -64 ? at(b, 0) << -p : 0;
	if (i + 8 <= b->n)
		return le64(b->s + i) >> (p & 7);
	while (k--)
		v = v << 8 | (i + k < b->n ? b->s[i + k] : 0);
	return v >> (p & 7);
}

/* Backward streams are read from their end down: the next n (<= 32) bits. */
static unsigned rd(struct br *b, int n)
{
	if (b->pos - n < b->base) {
		b->base = b->pos - 57;
		b->w = at(b, b->base);
	}
	b->pos -= n;
	return b->w >> (b->pos - b->base) & ((1ull << n) - 1);
}

/* A backward stream starts below the highest set bit of its last byte. */
static int rd_init(struct br *b, const u8 *s, int n)
{
	b->s = s;
	b->n = n;
	if (n <= 0 || !s[n - 1])
		return UNZ_CORRUPT;
	b->pos = 8 * n - 8 + top(s[n - 1]);
	b->base = b->pos + 1;
	return 0;
}

/* Decoding table k from a distribution: -1 counts at the end, the others spread. */
static void fse_build(int k, const short *c, int ns, int al)
{
	struct fse *t = z.t[k];
	int size = 1 << al, hi = size - 1, pos = 0, s, i;
	unsigned short next[53];

	for (s = 0; s < ns; s++) {
		next[s] = c[s] < 0 ? 1 : c[s];
		if (c[s] < 0)
			t[hi--].sym = s;
	}
	for (s = 0; s < ns; s++)
		for (i = 0; i < c[s]; i++) {
			t[pos].sym = s;
			do
				pos = (pos + (size >> 1) + (size >> 3) + 3) & (size - 1);
			while (pos > hi);
		}
	for (i = 0; i < size; i++) {
		unsigned x = next[t[i].sym]++;

		t[i].bits = al - top(x);
		t[i].base = (x << t[i].bits) - size;
	}
	z.al[k] = al;
}

/* Table k from its description in p[0..n): the bytes used, or -1. */
static int fse_read(int k, const u8 *p, int n, int max, int maxal)
{
	struct br b = {p, n, 4, 0, 0};
	int al = (at(&b, 0) & 15) + 5, rem = (1 << al) + 1, thr = 1 << al, ns = 0, v, r,
	    i;
	short c[53];

	if (al > maxal)
		return -1;
	while (rem > 1) {
		int m = 2 * thr - 1 - rem;

		if (ns > max)
			return -1;
		v = at(&b, b.pos) & (2 * thr - 1);
		if ((v & (thr - 1)) < m) {
			v &= thr - 1;
			b.pos += top(thr);
		} else {
			if (v >= thr)
				v -= m;
			b.pos += top(thr) + 1;
		}
		rem -= v ? v - 1 : 1;
		c[ns++] = v - 1;
		/* A zero count is followed by 2-bit counts of more zeros (3: and more). */
		if (v == 1)
			do {
				r = at(&b, b.pos) & 3;
				b.pos += 2;
				if (ns + r > max + 1)
					return -1;
				for (i = r; i--;)
					c[ns++] = 0;
			} while (r == 3);
		while (rem < thr)
			thr >>= 1;
	}
	if (b.pos > 8 * n)
		return -1;
	fse_build(k, c, ns, al);
	return (b.pos + 7) >> 3;
}

/* The Huffman table from its description in p[0..n): the bytes used, or -1. */
NOINLINE static int huf_read(const u8 *p, int n)
{
	u8 w[256];
	int nw = 0, i, s, mb, x, total = 0, h = n ? *p : 0;
	int used;
	struct br b;
	unsigned st[2];

	if (h >= 128) {
		nw = h - 127;
		used = 1 + (nw + 1) / 2;
		if (used > n)
			return -1;
		for (i = 0; i < nw; i++)
			w[i] = p[1 + i / 2] >> (i & 1 ? 0 : 4) & 15;
	} else {
		int k;

		used = 1 + h;
		if (used > n || (k = fse_read(3, p + 1, h, 11, 6)) < 0 ||
		    rd_init(&b, p + 1 + k, h - k))
			return -1;
		st[0] = rd(&b, z.al[3]);
		st[1] = rd(&b, z.al[3]);
		/* Two interleaved states; when the stream runs out, the other state's
		 * symbol is the last. */
		for (i = 0;; i ^= 1) {
			struct fse *e = &z.t[3][st[i]];

			if (nw > 253)
				return -1;
			w[nw++] = e->sym;
			st[i] = e->base + rd(&b, e->bits);
			if (b.pos < 0) {
				w[nw++] = z.t[3][st[i ^ 1]].sym;
				break;
			}
		}
	}
	for (i = 0; i < nw; i++)
		if (w[i])
			total += 1 << (w[i] - 1);
	if (!total || (mb = top(total) + 1) > 11)
		return -1;
	/* The last weight is implied: it completes the total to a power of two. */
	x = (1 << mb) - total;
	if (x & (x - 1))
		return -1;
	w[nw++] = top(x) + 1;
	/* Codes by weight, then symbol: the lightest take the lowest table entries. */
	for (x = 0, i = 1; i <= mb; i++)
		for (s = 0; s < nw; s++)
			if (w[s] == i)
				for (h = 1 << (i - 1); h--;)
					z.huf[x++] = s | (mb + 1 - i) << 8;
	z.hufbits = mb;
	return used;
}

/* cnt literals from the Huffman stream s[0..n). */
NOINLINE static int huf_stream(u8 *o, int cnt, const u8 *s, int n)
{
	struct br b;
	int mb = z.hufbits;

	if (rd_init(&b, s, n))
		return UNZ_CORRUPT;
	/* 64 bits at a time: at least 4 codes */
	while (cnt > 0) {
		int base = b.pos - 56;
		u64 w = at(&b, base);

		for (; cnt > 0 && b.pos - mb >= base; cnt--) {
			unsigned e = z.huf[w >> (b.pos - mb - base) & ((1 << mb) - 1)];

			*o++ = e;
			b.pos -= e >> 8;
		}
	}
	return b.pos ? UNZ_CORRUPT : 0;
}

/* n bytes from s up to o, which may overlap when one at a time. wide: 8 at a time,
 * writing up to 7 bytes more (for speed: most copies are short). */
static void copy(u8 *o, const u8 *s, size_t n, int wide)
{
	size_t i;
	u64 t;

	if (wide)
		for (i = 0; i < n; i += 8) {
			memcpy(&t, s + i, 8);
			memcpy(o + i, &t, 8);
		}
	else
		for (i = 0; i < n; i++)
			o[i] = s[i];
}

/* A compressed block b[0..n) into o[0..room); *len: the bytes written. Errors are
 * UNZ_CORRUPT but for output beyond room, which is err. */
NOINLINE static int block(u8 *o, size_t room, size_t done, const u8 *b, int n, int err,
			  size_t *len)
{
	int lt, sf, hl, k, ns = 1, wide, regen, csz, m, i;
	u64 v;
	const u8 *lit = z.lit, *lend, *p, *e = b + n;
	u8 *o0 = o, *end = o + room;
	struct br br;
	unsigned st[3];

	/* Literals section header: raw and RLE sizes in 5, 12 or 20 bits, Huffman sizes
	 * in 2 x 10, 14 or 18 bits. */
	if (n < 2)
		return UNZ_CORRUPT;
	lt = *b & 3;
	sf = *b >> 2 & 3;
	hl = lt < 2 ? (sf & 1 ? 2 + (sf >> 1) : 1) : sf < 2 ? 3 : sf + 2;
	if (hl > n)
		return UNZ_CORRUPT;
	v = le(b, hl);
	if (lt < 2) {
		regen = v >> (hl == 1 ? 3 : 4);
		csz = lt ? 1 : regen;
	} else {
		regen = v >> 4 & ((1 << (4 * hl - 2)) - 1);
		csz = v >> (4 * hl + 2);
		ns = sf ? 4 : 1;
	}
	p = b + hl;
	if (regen > BLOCK_MAX || csz > e - p)
		return UNZ_CORRUPT;
	if (!lt) {
		memcpy(z.lit, p, regen);
	} else if (lt == 1) {
		memset(z.lit, *p, regen);
	} else {
		const u8 *s = p, *jt = p;
		int left = csz, seg = regen;

		if (lt == 2) {
			m = huf_read(p, csz);
			if (m < 0)
				return UNZ_CORRUPT;
			s += m;
			left -= m;
		} else if (!z.hufbits) {
			return UNZ_CORRUPT;
		}
		if (ns == 4) {
			jt = s;
			s += 6;
			left -= 6;
			seg = (regen + 3) / 4;
			if (left < 0 || 3 * seg > regen)
				return UNZ_CORRUPT;
		}
		for (i = k = 0; k < ns; k++) {
			/* NOLINTNEXTLINE(bugprone-implicit-widening-*): k < 4 */
			int sz = k < ns - 1 ? (int)le(jt + 2 * k, 2) : left,
			    cnt = k < ns - 1 ? seg : regen - i;

			if (sz > left || huf_stream(z.lit + i, cnt, s, sz))
				return UNZ_CORRUPT;
			s += sz;
			left -= sz;
			i += cnt;
		}
	}
	lend = lit + regen;
	p += csz;

	/* Sequences section header: the count, then the three tables' modes. */
	if (p >= e)
		return UNZ_CORRUPT;
	m = *p++;
	if (m >= 128) {
		if (e - p < 1 + (m == 255))
			return UNZ_CORRUPT;
		if (m == 255) {
			m = 0x7f00 + (int)le(p, 2);
			p += 2;
		} else {
			m = (m - 128) << 8 | *p++;
		}
	}
	if (m) {
		int modes;

		if (p >= e || (modes = *p++) & 3)
			return UNZ_CORRUPT;
		for (k = 0; k < 3; k++) {
			int mode = modes >> (6 - 2 * k) & 3;

			if (!(mode & 1)) { /* predefined or described */
				int used =
					fse_read(k, mode ? p : predef + "\0\24\42"[k],
						 mode ? e - p : 29, maxsym[k], maxal[k]);

				if (used < 0)
					return UNZ_CORRUPT;
				if (mode)
					p += used;
			} else if (mode == 1) {
				if (p >= e || *p > maxsym[k])
					return UNZ_CORRUPT;
				z.t[k][0] = (struct fse){0, *p++, 0};
				z.al[k] = 0;
			} else if (!(z.have >> k & 1)) {
				return UNZ_CORRUPT;
			}
			z.have |= 1 << k;
		}
		if (rd_init(&br, p, e - p))
			return UNZ_CORRUPT;
		for (k = 0; k < 3; k++)
			st[k] = rd(&br, z.al[k]);
	} else if (p != e) {
		return UNZ_CORRUPT;
	}

	while (m--) {
		size_t v[3], off, mlen, llen, r;

		/* The offset, match and literal lengths, then the literal length, match
		 * length and offset states. */
		for (k = 0; k < 3; k++) {
			int j = (unsigned char)"\1\2\0"[k], c = z.t[j][st[j]].sym;

			v[j] = z.base[j][c] + rd(&br, z.xbits[j][c]);
		}
		for (k = 0; m && k < 3; k++) {
			int j = (unsigned char)"\0\2\1"[k];
			struct fse *t = &z.t[j][st[j]];

			st[j] = t->base + rd(&br, t->bits);
		}
		llen = v[0];
		off = v[1];
		mlen = v[2];
		/* Offsets 1-3 repeat a recent one (shifted by one after no literals). */
		if (off > 3) {
			r = off - 3;
			k = 3;
		} else {
			k = off - 1 + !llen;
			r = k < 3 ? z.rep[k] : z.rep[0] - 1;
		}
		if (k) {
			if (k > 1)
				z.rep[2] = z.rep[1];
			z.rep[1] = z.rep[0];
			z.rep[0] = r;
		}
		if (llen > (size_t)(lend - lit))
			return UNZ_CORRUPT;
		if (llen + mlen > (size_t)(end - o))
			return err;
		wide = end - o - llen - mlen >= 8;
		copy(o, lit, llen, wide);
		o += llen;
		lit += llen;
		if (!r || r > done + (size_t)(o - o0))
			return UNZ_CORRUPT;
		copy(o, o - r, mlen, wide && r >= 8);
		o += mlen;
		if (!m && br.pos) /* the stream must end with the last sequence */
			return UNZ_CORRUPT;
	}
	if (lend - lit > end - o)
		return err;
	memcpy(o, lit, lend - lit);
	*len = o + (lend - lit) - o0;
	return 0;
}

/* XXH64 with seed 0, for the content checksum. Its primes are read from z.prime: gcc
 * would otherwise load each use as a 10-byte immediate. */
static const u64 prime[5] = {0x9e3779b185ebca87, 0xc2b2ae3d27d4eb4f, 0x165667b19e3779f9,
			     0x85ebca77c2b2ae63, 0x27d4eb2f165667c5};
#define P1 z.prime[0]
#define P2 z.prime[1]
#define P3 z.prime[2]
#define P4 z.prime[3]
#define P5 z.prime[4]

static u64 rotl(u64 x, int r)
{
	return x << r | x >> (64 - r);
}

__attribute__((noinline)) static u64 round64(u64 acc, u64 x)
{
	return rotl(acc + x * P2, 31) * P1;
}

static u64 xxh64(const u8 *p, size_t n)
{
	u64 v[4] = {P1 + P2, P2, 0, -P1}, h = P5;
	const u8 *e = p + n;
	int i;

	if (n >= 32) {
		while (e - p >= 32)
			for (i = 0; i < 4; i++, p += 8)
				v[i] = round64(v[i], le64(p));
		for (h = i = 0; i < 4; i++)
			h += rotl(v[i], "\1\7\14\22"[i]);
		for (i = 0; i < 4; i++)
			h = (h ^ round64(0, v[i])) * P1 + P4;
	}
	h += n;
	for (; e - p >= 8; p += 8)
		h = rotl(h ^ round64(0, le64(p)), 27) * P1 + P4;
	if (e - p >= 4) {
		h = rotl(h ^ le(p, 4) * P1, 23) * P2 + P3;
		p += 4;
	}
	while (p < e)
		h = rotl(h ^ *p++ * P5, 11) * P1;
	h = (h ^ h >> 33) * P2;
	h = (h ^ h >> 29) * P3;
	return h ^ h >> 32;
}

/* One frame at in[*at..n) (after its magic), appended to u. */
static int frame(struct unz *u, const u8 *in, size_t n, size_t *ip)
{
	size_t i = *ip, start = u->len, bs, csz, room, len;
	u64 win = 0, fcs = -1ull;
	int d, last, type, err, fl, over;

	if (i >= n)
		return UNZ_TRUNC;
	d = in[i++];
	if (d & 8)
		return UNZ_CORRUPT;
	if (!(d & 32)) {
		if (i >= n)
			return UNZ_TRUNC;
		win = 1ull << (10 + (in[i] >> 3));
		win += (win >> 3) * (in[i++] & 7);
	}
	fl = (unsigned char)"\0\1\2\4"[d & 3];
	if (n - i < (size_t)fl)
		return UNZ_TRUNC;
	if (le(in + i, fl))
		return UNZ_UNSUPPORTED; /* modbox has no dictionaries */
	i += fl;
	fl = d >> 6 ? 1 << (d >> 6) : d >> 5 & 1;
	if (fl) {
		if (n - i < (size_t)fl)
			return UNZ_TRUNC;
		fcs = le(in + i, fl) + (fl == 2 ? 256 : 0);
		i += fl;
		if (d & 32)
			win = fcs;
		if (fcs > u->limit - u->len)
			return UNZ_LIMIT;
		err = unz_grow(u, fcs);
		if (err)
			return err;
	}
	if (win > BLOCK_MAX)
		win = BLOCK_MAX;
	z.have = z.hufbits = 0;
	z.rep[0] = 1;
	z.rep[1] = 4;
	z.rep[2] = 8;
	do {
		if (n - i < 3)
			return UNZ_TRUNC;
		bs = le(in + i, 3) >> 3;
		last = in[i] & 1;
		type = in[i] >> 1 & 3;
		i += 3;
		csz = type == 1 ? 1 : bs;
		if (type == 3 || bs > win)
			return UNZ_CORRUPT;
		if (n - i < csz)
			return UNZ_TRUNC;
		/* The block's output is bounded by the window, the content size, and the
		 * limit (the only bound that makes excess not corrupt). */
		room = win;
		if (fcs != -1ull && fcs - (u->len - start) < room)
			room = fcs - (u->len - start);
		over = UNZ_CORRUPT;
		if (u->limit - u->len < room) {
			room = u->limit - u->len;
			over = UNZ_LIMIT;
		}
		err = unz_grow(u, room);
		if (err)
			return err;
		if (type == 2) {
			err = block((u8 *)u->p + u->len, room, u->len - start, in + i,
				    csz, over, &len);
			if (err)
				return err;
		} else {
			if (bs > room)
				return over;
			len = bs;
			if (type)
				memset(u->p + u->len, in[i], bs);
			else
				memcpy(u->p + u->len, in + i, bs);
		}
		u->len += len;
		i += csz;
	} while (!last);
	if (fcs != -1ull && u->len - start != fcs)
		return UNZ_CORRUPT;
	if (d & 4) {
		if (n - i < 4)
			return UNZ_TRUNC;
		if ((unsigned)xxh64((u8 *)u->p + start, u->len - start) != le(in + i, 4))
			return UNZ_CHECK;
		i += 4;
	}
	*ip = i;
	return 0;
}

int unz_zstd(struct unz *u, const unsigned char *in, size_t n)
{
	size_t i = 0, sz;
	unsigned magic, k, v, x;
	int err;

	memcpy(z.prime, prime, sizeof(prime));
	/* Offset code c: 1 << c and c bits; length codes: from xbits. */
	for (k = 0; k < 3; k++)
		for (i = 0, v = k ? 3 : 0; i < 53; i++) {
			/* NOLINTNEXTLINE(bugprone-implicit-widening-*): k < 3 */
			x = k == 1 ? i : i < 16 + 8 * k ? 0 : xbits[i - 16 + 2 * k];
			z.xbits[k][i] = x;
			z.base[k][i] = k == 1 ? 1u << (i & 31) : v;
			v += 1u << (x & 31);
		}
	for (i = 0; !i || i < n;) {
		if (n - i < 4)
			return UNZ_TRUNC;
		magic = le(in + i, 4);
		i += 4;
		if ((magic & ~15u) == 0x184d2a50) { /* skippable */
			if (n - i < 4)
				return UNZ_TRUNC;
			sz = le(in + i, 4);
			if (n - i - 4 < sz)
				return UNZ_TRUNC;
			i += 4 + sz;
			continue;
		}
		if (magic != 0xfd2fb528)
			return UNZ_CORRUPT;
		err = frame(u, in, n, &i);
		if (err)
			return err;
	}
	return 0;
}
