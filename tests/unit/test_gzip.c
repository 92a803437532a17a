/* gzip: .ko.gz decompression (libmini/gzip.c over zlib's raw inflate). Inputs made by
 * the gzip tool: empty, one byte, random, repetitive, more than 5 MiB, levels 1 and 9,
 * members concatenated; headers with every optional field; and damage: every
 * truncation, every bit flipped (an error or the right data, never wrong data), bad
 * checksums, trailing garbage, a limit too small. Every input sits in a heap block of
 * its exact size, so ASan sees any over-read. */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "../../libmini/unz.h"

static char dir[] = "/tmp/modbox-gzip.XXXXXX";

/* data compressed by `gzip OPTS`, in a block of its exact size */
static unsigned char *gz(const void *data, size_t n, const char *opts, size_t *len)
{
	char path[64], cmd[256];
	unsigned char *out;
	char *file;
	FILE *f;

	snprintf(path, sizeof(path), "%s/in", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f))
		return 0;
	snprintf(cmd, sizeof(cmd), "gzip -c %s %s/in >%s/in.gz", opts, dir, dir);
	if (system(cmd))
		return 0;
	snprintf(path, sizeof(path), "%s/in.gz", dir);
	file = unit_slurp(path, len);
	if (!file)
		return 0;
	out = malloc(*len);
	memcpy(out, file, *len);
	free(file);
	return out;
}

static unsigned char *cat2(const unsigned char *a, size_t na, const unsigned char *b,
			   size_t nb)
{
	unsigned char *p = malloc(na + nb);

	memcpy(p, a, na);
	if (nb)
		memcpy(p + na, b, nb);
	return p;
}

/* unz_any on in, the result compared with want */
static int roundtrip(const unsigned char *in, size_t n, const void *want, size_t wn)
{
	struct unz u = {0};
	int err = unz_any(&u, in, n), ok;

	ok = !err && u.len == wn && (!wn || !memcmp(u.p, want, wn));
	if (!ok)
		printf("# unz_any: %s, %zu bytes (want %zu)\n",
		       err ? unz_error(err) : "ok", u.len, wn);
	unz_free(&u);
	return ok;
}

static int decode(const unsigned char *in, size_t n, size_t limit, struct unz *u)
{
	memset(u, 0, sizeof(*u));
	u->limit = limit ? limit : UNZ_LIMIT_DEFAULT;
	return unz_gzip(u, in, n);
}

static unsigned long long rng = 88172645463325252ull;
static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

/* text-like data: words from a small vocabulary, some compression but not too much */
static char *words(size_t n)
{
	static const char *w[] = {"module",   "kernel", "alias",   "depends", "symbol",
				  "firmware", "param",	"license", "GPL",     "\n"};
	char *p = malloc(n);
	const char *s;
	size_t i = 0;

	while (i < n) {
		for (s = w[next() % 10]; *s && i < n;)
			p[i++] = *s++;
		if (i < n)
			p[i++] = ' ';
	}
	return p;
}

static unsigned crc32_bits(const unsigned char *p, size_t n)
{
	unsigned c = ~0u;
	int k;

	while (n--)
		for (c ^= *p++, k = 0; k < 8; k++)
			c = c >> 1 ^ (c & 1 ? 0xedb88320 : 0);
	return ~c;
}

int main(void)
{
	static const char small[] = "fakemod small: a module small enough to damage at "
				    "every byte and bit, repeated: small small small\n";
	unsigned char *z, *z2, *zz, *rnd;
	size_t n, n2, i, big = (6 << 20) + 12345;
	struct unz u;
	char *text;
	int err;

	if (!mkdtemp(dir)) {
		printf("not ok - gzip: a temporary directory\n");
		return 1;
	}
	rnd = malloc(300000);
	for (i = 0; i < 300000; i++)
		rnd[i] = next() >> 5;

	CASE("gzip: the format is known by its magic")
	{
		CHECK_STR(unz_format((const unsigned char *)"\x1f\x8b\x08", 3), "gzip");
		CHECK(!unz_format((const unsigned char *)"\x1f", 1));
	}
	CASE("gzip: an empty file")
	{
		z = gz("", 0, "-9", &n);
		CHECK(z && roundtrip(z, n, "", 0));
		free(z);
	}
	CASE("gzip: one byte")
	{
		z = gz("x", 1, "-6", &n);
		CHECK(z && roundtrip(z, n, "x", 1));
		free(z);
	}
	CASE("gzip: random data (stored blocks)")
	{
		z = gz(rnd, 300000, "-6", &n);
		CHECK(z && n > 300000 && roundtrip(z, n, rnd, 300000));
		free(z);
	}
	CASE("gzip: repetitive data (long matches, far distances)")
	{
		unsigned char *rep = malloc(1 << 20);
		for (i = 0; i < 1 << 20; i++)
			rep[i] = i < 1 << 19 ? rnd[i % 32000] : "abc"[i % 3];
		z = gz(rep, 1 << 20, "-9", &n);
		CHECK(z && roundtrip(z, n, rep, 1 << 20));
		CHECK(n < (1 << 20) / 8); /* it is repetitive */
		free(z);
		free(rep);
	}
	text = words(big);
	CASE("gzip: more than 5 MiB, levels 1 and 9")
	{
		z = gz(text, big, "-1", &n);
		z2 = gz(text, big, "-9", &n2);
		CHECK(z && z2 && n != n2 && n < big / 2);
		CHECK(z && roundtrip(z, n, text, big));
		CHECK(z2 && roundtrip(z2, n2, text, big));
		free(z);
		free(z2);
	}
	CASE("gzip: two members concatenated decompress as one")
	{
		z = gz(text, 100000, "-n", &n);
		z2 = gz(text + 100000, 5000, "", &n2); /* this one keeps the file name */
		zz = cat2(z, n, z2, n2);
		CHECK(z && z2 && roundtrip(zz, n + n2, text, 105000));
		free(zz);
		free(z2);
		z2 = gz("", 0, "", &n2); /* and a member after an empty one */
		zz = cat2(z2, n2, z, n);
		CHECK(roundtrip(zz, n + n2, text, 100000));
		for (i = n2 + 1; i < n + n2; i += 997) { /* the second one cut short */
			unsigned char *t = cat2(zz, i, 0, 0);
			CHECK(decode(t, i, 0, &u) == UNZ_TRUNC);
			unz_free(&u);
			free(t);
		}
		free(z);
		free(z2);
		free(zz);
	}
	z = gz(small, sizeof(small) - 1, "-9", &n);
	CASE("gzip: every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC)")
	{
		/* the same deflate data after a header of our own making */
		static const unsigned char hdr[] = {0x1f, 0x8b, 8,   2 | 4 | 8 | 16,
						    0,	  0,	0,   0,
						    0,	  3,	4,   0,
						    'a',  'b',	'c', 'd',
						    'n',  'a',	'm', 'e',
						    0,	  'h',	'i', 0};
		unsigned c = crc32_bits(hdr, sizeof(hdr));
		size_t h = 10 + strlen((char *)z + 10) + 1; /* gzip wrote FNAME alone */
		unsigned char crc[2] = {c & 255, c >> 8 & 255},
			      *t = cat2(hdr, sizeof(hdr), crc, 2);
		zz = cat2(t, sizeof(hdr) + 2, z + h, n - h);
		CHECK(z[3] == 8 &&
		      roundtrip(zz, sizeof(hdr) + 2 + n - h, small, sizeof(small) - 1));
		zz[sizeof(hdr)] ^= 1;
		CHECK(decode(zz, sizeof(hdr) + 2 + n - h, 0, &u) == UNZ_CHECK);
		unz_free(&u);
		free(t);
		free(zz);
	}
	CASE("gzip: every truncation is UNZ_TRUNC")
	{
		for (i = 0; i < n; i++) {
			unsigned char *t = malloc(i ? i : 1);
			memcpy(t, z, i);
			err = decode(t, i, 0, &u);
			if (err != UNZ_TRUNC)
				printf("# cut at %zu of %zu: %s\n", i, n,
				       err ? unz_error(err) : "ok");
			CHECK(err == UNZ_TRUNC);
			unz_free(&u);
			free(t);
		}
	}
	CASE("gzip: every bit flipped: an error, or the right data")
	{
		int errors = 0;
		for (i = 0; i < n * 8; i++) {
			unsigned char *t = cat2(z, n, 0, 0);
			t[i / 8] ^= 1 << i % 8;
			err = decode(t, n, 0, &u);
			if (!err &&
			    (u.len != sizeof(small) - 1 || memcmp(u.p, small, u.len))) {
				printf("# bit %zu: wrong data, no error\n", i);
				CHECK(0);
			}
			errors += err != 0;
			unz_free(&u);
			free(t);
		}
		CHECK(errors > (int)(n * 8) / 2);
	}
	CASE("gzip: a wrong CRC32 or ISIZE is UNZ_CHECK")
	{
		zz = cat2(z, n, 0, 0);
		zz[n - 8] ^= 0x10;
		CHECK(decode(zz, n, 0, &u) == UNZ_CHECK);
		unz_free(&u);
		zz[n - 8] ^= 0x10;
		zz[n - 1] ^= 0x80;
		CHECK(decode(zz, n, 0, &u) == UNZ_CHECK);
		unz_free(&u);
		free(zz);
	}
	CASE("gzip: trailing garbage is UNZ_CORRUPT")
	{
		zz = cat2(z, n, (const unsigned char *)"\0\0\0\0garbage", 11);
		CHECK(decode(zz, n + 11, 0, &u) == UNZ_CORRUPT);
		unz_free(&u);
		free(zz);
	}
	CASE("gzip: a bad method or reserved flag is UNZ_CORRUPT")
	{
		zz = cat2(z, n, 0, 0);
		zz[2] = 7;
		CHECK(decode(zz, n, 0, &u) == UNZ_CORRUPT);
		unz_free(&u);
		zz[2] = 8;
		zz[3] |= 0x20;
		CHECK(decode(zz, n, 0, &u) == UNZ_CORRUPT);
		unz_free(&u);
		free(zz);
	}
	CASE("gzip: output beyond the limit is UNZ_LIMIT; exactly the limit is fine")
	{
		CHECK(decode(z, n, sizeof(small) - 2, &u) == UNZ_LIMIT);
		CHECK(u.len <= sizeof(small) - 2);
		unz_free(&u);
		CHECK(decode(z, n, sizeof(small) - 1, &u) == UNZ_OK &&
		      u.len == sizeof(small) - 1);
		unz_free(&u);
		z2 = gz(text, big, "-1", &n2);
		CHECK(z2 && decode(z2, n2, 1 << 20, &u) == UNZ_LIMIT && u.len <= 1 << 20);
		unz_free(&u);
		CHECK(z2 && decode(z2, n2, big, &u) == UNZ_OK && u.len == big);
		unz_free(&u);
		free(z2);
	}
	CASE("gzip: the output starts at the end of what u holds (append)")
	{
		memset(&u, 0, sizeof(u));
		u.limit = 1 << 20;
		CHECK(unz_gzip(&u, z, n) == UNZ_OK && unz_gzip(&u, z, n) == UNZ_OK);
		CHECK(u.len == 2 * (sizeof(small) - 1) &&
		      !memcmp(u.p + u.len / 2, small, u.len / 2));
		unz_free(&u);
	}
	free(z);
	free(text);
	free(rnd);
	snprintf((char *)(z = malloc(128)), 128, "rm -rf %s", dir);
	if (system((char *)z))
		printf("# could not remove %s\n", dir);
	free(z);
	return unit_failed;
}
