/* xz: unz_xz against the system's xz tool, byte for byte: sizes, presets, checks, blocks,
 * streams, literal/position properties; hostile input (every truncation, bit flips, a
 * small limit, a distance beyond the data, a foreign filter). Optional argument: a module
 * tree, whose every 10th .ko.xz is decoded and compared with `xz -dc`. */
#include "unit.h"

#include <stdint.h>
#include <unistd.h>

#include "../../libmini/unz.h"

static char dir[] = "/tmp/test_xz.XXXXXX";

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

static void put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		printf("# cannot write %s\n", path);
}

/* data compressed by `xz OPTS`, in malloc'd memory (NULL if xz failed) */
static unsigned char *compress(const char *opts, const void *data, size_t n, size_t *xn)
{
	char path[64], cmd[256];

	snprintf(path, sizeof path, "%s/in", dir);
	put_file(path, data, n);
	snprintf(cmd, sizeof cmd, "xz -c %s %s/in > %s/in.xz", opts, dir, dir);
	if (system(cmd)) {
		printf("# failed: %s\n", cmd);
		return 0;
	}
	snprintf(path, sizeof path, "%s/in.xz", dir);
	return (unsigned char *)unit_slurp(path, xn);
}

/* unz_xz's verdict on in[0..n) with a limit (0: the default) */
static int decode(struct unz *u, const unsigned char *in, size_t n, size_t limit)
{
	memset(u, 0, sizeof *u);
	u->limit = limit ? limit : UNZ_LIMIT_DEFAULT;
	return unz_xz(u, in, n);
}

/* Compresses data with opts and checks that unz_xz gives it back exactly. */
static int round_trip(const char *opts, const void *data, size_t n)
{
	size_t xn;
	unsigned char *x = compress(opts, data, n, &xn);
	struct unz u;
	int err, ok;

	if (!x)
		return 0;
	err = decode(&u, x, xn, 0);
	ok = err == UNZ_OK && u.len == n && (!n || !memcmp(u.p, data, n));
	if (!ok)
		printf("# xz %s, %zu bytes: %s, %zu bytes out\n", opts, n,
		       err ? unz_error(err) : "wrong data", u.len);
	unz_free(&u);
	free(x);
	return ok;
}

/* Text-like, binary-like and random stretches, with repeats near and far. */
static unsigned char *mixed(size_t n)
{
	static const char *words[] = {
		"module", "alias",     "depends",	  "kernel", "xz", "the",
		"lzma2",  "vermagic=", "pci:v00008086d*", "\n",	    " ",  "="};
	unsigned char *p = malloc(n);
	size_t i = 0, k, len;

	while (i < n) {
		len = 1 + rnd() % 2000;
		if (len > n - i)
			len = n - i;
		switch (rnd() % 4) {
		case 0: /* words */
			for (k = 0; k < len; k++) {
				const char *w = words[rnd() % 12];

				while (*w && k < len)
					p[i + k++] = *w++;
			}
			break;
		case 1: /* random bytes */
			for (k = 0; k < len; k++)
				p[i + k] = rnd();
			break;
		case 2: /* a copy of something earlier, near or far */
			if (i > len) {
				memmove(p + i, p + rnd() % (i - len), len);
				break;
			}
			/* fall through */
		default: /* small integers, as in code and tables */
			for (k = 0; k < len; k++)
				p[i + k] = rnd() % 8 ? rnd() % 4 : rnd();
		}
		i += len;
	}
	return p;
}

/* --- a hand-made stream: a tiny LZMA range encoder, every probability fresh (1/2) --- */
struct enc {
	unsigned char out[64];
	size_t n, pending;
	uint64_t low;
	uint32_t range;
	unsigned char cache;
};

static void enc_shift(struct enc *e)
{
	if ((uint32_t)e->low < 0xff000000 || e->low >> 32) {
		unsigned char carry = e->low >> 32, c = e->cache;

		do {
			e->out[e->n++] = c + carry;
			c = 0xff;
		} while (--e->pending);
		e->cache = e->low >> 24;
	}
	e->pending++;
	e->low = (e->low & 0xffffff) << 8;
}

/* n bits of v, high first; fresh probabilities (each context here is used once) */
static void enc_bits(struct enc *e, unsigned v, int n, int direct)
{
	while (n--) {
		uint32_t bound = direct ? e->range >> 1 : (e->range >> 11) * 1024;

		if (v >> n & 1) {
			e->low += bound;
			e->range -= bound;
		} else {
			e->range = bound;
		}
		while (e->range < 1u << 24) {
			e->range <<= 8;
			enc_shift(e);
		}
	}
}

static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = v >> 8 * k;
}

/* An .xz file of "A" then a 2-byte match at distance dist + 1 (lc=3 lp=0 pb=2), with a
 * block header naming filter: 0x21 is LZMA2. */
static size_t make_match(unsigned char *x, unsigned dist, unsigned filter)
{
	struct enc e = {.range = 0xffffffff, .pending = 1};
	unsigned slot = 0, nd = 0;
	size_t n = 0, b, i;

	enc_bits(&e, 0, 1, 0); /* literal */
	enc_bits(&e, 'A', 8, 0);
	enc_bits(&e, 1, 1, 0); /* match */
	enc_bits(&e, 0, 1, 0); /* not a repeated distance */
	enc_bits(&e, 0, 1, 0); /* length 2..9 */
	enc_bits(&e, 0, 3, 0); /* 2 */
	if (dist >= 4) {
		nd = 31 - __builtin_clz(dist);
		slot = 2 * nd + (dist >> (nd - 1) & 1);
		nd--;
	} else {
		slot = dist;
	}
	enc_bits(&e, slot, 6, 0);
	if (slot >= 14) { /* direct bits, then the low 4 reversed */
		enc_bits(&e, dist >> 4 & ((1u << (nd - 4)) - 1), nd - 4, 1);
		for (i = 0; i < 4; i++)
			enc_bits(&e, dist >> i & 1, 1, 0);
	} else {
		for (i = 0; i < nd; i++)
			enc_bits(&e, dist >> i & 1, 1, 0);
	}
	for (i = 0; i < 5; i++)
		enc_shift(&e);

	memcpy(x,
	       "\xfd"
	       "7zXZ\0\0\x01",
	       8); /* stream header, CRC32 check */
	put32(x + 8, crc32_bitwise(x + 6, 2));
	n = 12;
	b = n; /* block header: 12 bytes, one filter */
	memcpy(x + n, "\x02\x00\x00\x01\x00\x00\x00\x00", 8);
	x[n + 2] = filter;
	put32(x + n + 8, crc32_bitwise(x + n, 8));
	n += 12;
	x[n++] = 0xe0; /* LZMA chunk, every reset: 3 bytes */
	x[n++] = 0;
	x[n++] = 2;
	x[n++] = (e.n - 1) >> 8;
	x[n++] = e.n - 1;
	x[n++] = 0x5d; /* lc=3 lp=0 pb=2 */
	memcpy(x + n, e.out, e.n);
	n += e.n;
	x[n++] = 0; /* end of LZMA2 */
	i = n - b; /* unpadded size, less the check */
	while (n % 4)
		x[n++] = 0;
	put32(x + n, crc32_bitwise((const unsigned char *)"AAA", 3));
	n += 4;
	b = n; /* the index */
	x[n++] = 0;
	x[n++] = 1;
	x[n++] = i + 4;
	x[n++] = 3;
	while (n % 4)
		x[n++] = 0;
	put32(x + n, crc32_bitwise(x + b, n - b));
	n += 4;
	put32(x + n + 4, (n - b) / 4 - 1); /* footer */
	memcpy(x + n + 8, "\0\x01YZ", 4);
	put32(x + n, crc32_bitwise(x + n + 4, 6));
	return n + 12;
}

static void real_modules(const char *tree)
{
	char cmd[8192], line[4096];
	FILE *list;
	unsigned files = 0, bad = 0;

	snprintf(cmd, sizeof cmd, "find '%s' -name '*.ko.xz' | sort | sed -n '1~10p'",
		 tree);
	list = popen(cmd, "r");
	while (list && fgets(line, sizeof line, list)) {
		size_t xn, rn;
		unsigned char *x;
		char *raw, out[64];
		struct unz u;
		int err;

		line[strcspn(line, "\n")] = 0;
		x = (unsigned char *)unit_slurp(line, &xn);
		snprintf(out, sizeof out, "%s/raw", dir);
		snprintf(cmd, sizeof cmd, "xz -dc '%s' > %s", line, out);
		if (!x || system(cmd)) {
			bad++;
			continue;
		}
		raw = unit_slurp(out, &rn);
		err = decode(&u, x, xn, 0);
		if (err || u.len != rn || memcmp(u.p, raw, rn) || rn < 4 ||
		    memcmp(u.p,
			   "\x7f"
			   "ELF",
			   4)) {
			printf("# %s: %s\n", line, err ? unz_error(err) : "wrong data");
			bad++;
		}
		unz_free(&u);
		free(x);
		free(raw);
		files++;
	}
	if (list)
		pclose(list);
	printf("# %u modules decoded\n", files);
	CHECK(files > 100);
	CHECK(!bad);
}

int main(int argc, char **argv)
{
	static unsigned char rnd_buf[200000], rep[1 << 20];
	unsigned char *big = mixed(5 << 20 | 777), *x, *y;
	size_t i, xn, yn, small = 60000;
	struct unz u;
	char opts[64];
	int err;

	setvbuf(stdout, 0, _IOLBF, 0); /* in order with xz's messages */
	if (!mkdtemp(dir))
		return 1;
	for (i = 0; i < sizeof rnd_buf; i++)
		rnd_buf[i] = rnd();
	for (i = 0; i < sizeof rep; i++)
		rep[i] = "repetition "[i % 11];

	CASE("an empty file")
	CHECK(round_trip("", "", 0));
	CASE("one byte")
	CHECK(round_trip("", "x", 1));
	CASE("random data: LZMA2's stored chunks")
	CHECK(round_trip("", rnd_buf, sizeof rnd_buf));
	CASE("highly repetitive data: long matches")
	CHECK(round_trip("", rep, sizeof rep));
	CASE("more than 5 MiB of mixed data")
	CHECK(round_trip("-1", big, 5 << 20 | 777));
	CASE("every preset, -0 to -9 and -e")
	{
		for (i = 0; i <= 10; i++) {
			snprintf(opts, sizeof opts, i < 10 ? "-%zu" : "-6e", i);
			CHECK(round_trip(opts, big, 150000));
		}
	}
	CASE("checks: none, CRC32, CRC64, SHA-256 (skipped)")
	{
		CHECK(round_trip("--check=none", big, small));
		CHECK(round_trip("--check=crc32", big, small));
		CHECK(round_trip("--check=crc64", big, small));
		CHECK(round_trip("--check=sha256", big, small));
	}
	CASE("many small blocks")
	CHECK(round_trip("--block-size=4000", big, 100000));
	CASE("literal and position properties: lc=4 lp=0, lc=0 lp=4 pb=4")
	{
		CHECK(round_trip("--lzma2=preset=6,lc=4,lp=0", big, 200000));
		CHECK(round_trip("--lzma2=preset=6,lc=0,lp=4,pb=4", big, 200000));
		CHECK(round_trip("--lzma2=preset=1,lc=1,lp=3,pb=0", big, 200000));
	}

	/* a small file for the hostile cases: one stream, CRC32 */
	x = compress("--check=crc32", big, 3000, &xn);
	CASE("two streams and stream padding")
	{
		y = malloc(2 * xn + 12);
		memcpy(y, x, xn);
		memset(y + xn, 0, 8);
		memcpy(y + xn + 8, x, xn);
		memset(y + 2 * xn + 8, 0, 4);
		err = decode(&u, y, 2 * xn + 12, 0);
		CHECK(err == UNZ_OK);
		CHECK(u.len == 6000 && !memcmp(u.p, big, 3000) &&
		      !memcmp(u.p + 3000, big, 3000));
		unz_free(&u);
		CHECK(decode(&u, y, 2 * xn + 10, 0) == UNZ_CORRUPT); /* padding of 2 */
		unz_free(&u);
		y[xn + 4] = 1; /* garbage between streams */
		CHECK(decode(&u, y, 2 * xn + 12, 0) == UNZ_CORRUPT);
		unz_free(&u);
		free(y);
	}
	CASE("every truncation fails, but at the end of stream padding")
	{
		y = malloc(xn + 8);
		memcpy(y, x, xn);
		memset(y + xn, 0, 8);
		for (i = 0; i <= xn + 8; i++) {
			err = decode(&u, y, i, 0);
			if (i >= xn && i % 4 == 0) {
				CHECK(err == UNZ_OK && u.len == 3000);
			} else if (err != UNZ_TRUNC && err != UNZ_CORRUPT) {
				printf("# %zu of %zu bytes: %d\n", i, xn, err);
				CHECK(0);
			}
			unz_free(&u);
		}
		free(y);
	}
	CASE("a flipped bit anywhere never gives wrong data")
	{
		unsigned wrong = 0, ok = 0;

		for (i = 0; i < xn;
		     i++) { /* one bit of each byte, a different one each time */
			x[i] ^= 1 << i % 8;
			err = decode(&u, x, xn, 0);
			if (!err) {
				ok++;
				wrong += u.len != 3000 || memcmp(u.p, big, 3000);
			}
			unz_free(&u);
			x[i] ^= 1 << i % 8;
		}
		CHECK(!wrong);
		CHECK(!ok);
	}
	CASE("a flipped bit without a check: no crash")
	{
		y = compress("--check=none", big, 3000, &yn);
		for (i = 0; y && i < yn; i++) {
			y[i] ^= 1 << (i + 3) % 8;
			decode(&u, y, yn, 0);
			unz_free(&u);
			y[i] ^= 1 << (i + 3) % 8;
		}
		free(y);
	}
	CASE("output beyond the limit: UNZ_LIMIT")
	{
		CHECK(decode(&u, x, xn, 2999) == UNZ_LIMIT);
		unz_free(&u);
		CHECK(decode(&u, x, xn, 3000) == UNZ_OK);
		unz_free(&u);
	}
	CASE("a match within the data decodes; one beyond it is corrupt")
	{
		unsigned char m[128];
		size_t mn = make_match(m, 0, 0x21);

		char path[64], cmd[128];

		snprintf(path, sizeof path, "%s/m.xz", dir);
		put_file(path, m, mn); /* xz agrees that the file is well made */
		snprintf(cmd, sizeof cmd, "xz -t %s 2>/dev/null", path);
		CHECK(!system(cmd));
		CHECK(decode(&u, m, mn, 0) == UNZ_OK && u.len == 3 &&
		      !memcmp(u.p, "AAA", 3));
		unz_free(&u);
		mn = make_match(m, 1, 0x21);
		CHECK(decode(&u, m, mn, 0) == UNZ_CORRUPT);
		unz_free(&u);
		mn = make_match(m, 1000, 0x21);
		put_file(path, m, mn);
		CHECK(system(cmd)); /* and so is the copy that reaches too far */
		CHECK(decode(&u, m, mn, 0) == UNZ_CORRUPT);
		unz_free(&u);
		mn = make_match(m, 0x7fffffff, 0x21);
		CHECK(decode(&u, m, mn, 0) == UNZ_CORRUPT);
		unz_free(&u);
	}
	CASE("filters other than LZMA2 alone: UNZ_UNSUPPORTED")
	{
		unsigned char m[128];
		size_t mn = make_match(m, 0, 0x03); /* delta */

		CHECK(decode(&u, m, mn, 0) == UNZ_UNSUPPORTED);
		unz_free(&u);
		y = compress("--x86 --lzma2", big, 3000, &yn);
		CHECK(y && decode(&u, y, yn, 0) == UNZ_UNSUPPORTED);
		unz_free(&u);
		free(y);
	}
	free(x);
	if (argc > 1) {
		CASE("every 10th module of a Debian tree, as xz -dc gives it")
		real_modules(argv[1]);
	}
	snprintf(opts, sizeof opts, "rm -rf %s", dir);
	if (system(opts))
		printf("# cannot remove %s\n", dir);
	free(big);
	return unit_failed;
}
