/* zstd: frames made by the system's zstd tool decode to their input, at every level and
 * with every frame option; hostile frames (truncated, bit-flipped, hand-made) are
 * refused without a crash. Argument (optional): a module tree of .ko.xz files, of which
 * every 20th is recompressed with zstd -19 (cached in $TMPDIR) and decoded. */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "../../libmini/unz.h"

static char tmp[] = "/tmp/test_zstd.XXXXXX";
static char path_in[64], path_out[64];

struct buf {
	unsigned char *p;
	size_t n;
};

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

/* The input compressed by `zstd opts`. */
static struct buf zstd(const void *p, size_t n, const char *opts)
{
	char cmd[256];
	struct buf z;

	spit(path_in, p, n);
	snprintf(cmd, sizeof(cmd), "zstd -q -f %s %s -o %s", opts, path_in, path_out);
	if (system(cmd)) {
		printf("# %s failed\n", cmd);
		exit(1);
	}
	z.p = (unsigned char *)unit_slurp(path_out, &z.n);
	return z;
}

/* A copy of exactly n bytes, so that ASan sees any read beyond them. */
static struct buf exact(const void *p, size_t n)
{
	struct buf b = {malloc(n ? n : 1), n};

	memcpy(b.p, p, n);
	return b;
}

/* Decodes z; the error, and the output in *u (to be freed). */
static int unzstd(struct unz *u, const struct buf *z, size_t limit)
{
	memset(u, 0, sizeof(*u));
	u->limit = limit ? limit : UNZ_LIMIT_DEFAULT;
	return unz_zstd(u, z->p, z->n);
}

/* Does z decode to exactly p[0..n)? */
static int roundtrip(const struct buf *z, const void *p, size_t n)
{
	struct unz u;
	int err = unzstd(&u, z, 0), ok = !err && u.len == n && !memcmp(u.p, p, n);

	if (!ok)
		printf("# error %d (%s), %zu bytes, want %zu\n", err, unz_error(err),
		       u.len, n);
	unz_free(&u);
	return ok;
}

/* Test data, from a fixed seed: text-like words, random bytes, runs, and copies of
 * earlier parts (far ones only a long window reaches). */
static unsigned long long rnd_state = 1;
static unsigned rnd(void) /* xorshift64 */
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state >> 32;
}

static unsigned char *mixed(size_t n, int text)
{
	static const char *words[] = {
		"module", "alias", "depends",	      "kernel", "the ", "of",
		"\n",	  "=",	   "pci:v00008086d*", "usb",	" ",	"\t"};
	unsigned char *p = malloc(n);
	size_t i = 0, k, len;

	while (i < n) {
		len = 1 + rnd() % 4000;
		if (len > n - i)
			len = n - i;
		switch (text ? 2 + rnd() % 2 : rnd() % 5) {
		case 0:
			for (k = 0; k < len; k++)
				p[i + k] = rnd();
			break;
		case 1:
			memset(p + i, rnd(), len);
			break;
		case 2:
			if (i > len) {
				memmove(p + i, p + rnd() % (i - len), len);
				break;
			}
			/* fall through */
		default:
			for (k = 0; k < len;) {
				const char *w = words[rnd() % 12];

				while (*w && k < len)
					p[i + k++] = *w++;
			}
		}
		i += len;
	}
	if (n > (4 << 20)) /* the first MiB again at the end */
		memcpy(p + n - (1 << 20), p, 1 << 20);
	return p;
}

/* What a frame uses, from its block and section headers: bit 0-2 block types raw, RLE,
 * compressed; 4-7 literals raw, RLE, Huffman, treeless; 8-9 one and four Huffman
 * streams; 12-15 table modes predefined, RLE, FSE, repeat. */
static unsigned survey(const struct buf *z)
{
	const unsigned char *p = z->p + 4, *b;
	unsigned seen = 0, d = p[0];
	size_t bs;
	int last, type, lt, sf, k, hl;

	p += 1 + !(d & 32) + "\0\1\2\4"[d & 3] + (d >> 6 ? 1u << (d >> 6) : d >> 5 & 1);
	do {
		bs = (p[0] | p[1] << 8 | p[2] << 16) >> 3;
		last = p[0] & 1;
		type = p[0] >> 1 & 3;
		seen |= 1 << type;
		b = p + 3;
		p = b + (type == 1 ? 1 : bs);
		if (type != 2)
			continue;
		lt = b[0] & 3;
		sf = b[0] >> 2 & 3;
		seen |= 16 << lt;
		if (lt < 2) {
			size_t regen;

			hl = sf & 1 ? 2 + (sf >> 1) : 1;
			regen = hl == 1 ? b[0] >> 3
					: (b[0] | b[1] << 8 | (size_t)b[2] << 16) >> 4 &
						  (hl == 2 ? 0xfff : 0xfffff);
			b += hl + (lt ? 1 : regen);
		} else {
			unsigned long long h = 0;
			int nb = sf < 2 ? 10 : 4 * sf + 6;

			hl = sf < 2 ? 3 : sf + 2;
			for (k = hl; k--;)
				h = h << 8 | b[k];
			seen |= sf ? 512 : 256;
			b += hl + (h >> (4 + nb));
		}
		if (b >= p || !*b)
			continue;
		b += *b < 128 ? 1 : *b < 255 ? 2 : 3;
		for (k = 0; k < 3; k++)
			seen |= 4096 << (*b >> (6 - 2 * k) & 3);
	} while (!last);
	return seen;
}

static void check_levels(const char *name, const unsigned char *p, size_t n,
			 const char *const *opts, unsigned *seen)
{
	int i;

	for (i = 0; opts[i]; i++) {
		struct buf z = zstd(p, n, opts[i]);

		if (!roundtrip(&z, p, n))
			printf("# %s, zstd %s\n", name, opts[i]);
		CHECK(roundtrip(&z, p, n));
		if (seen)
			*seen |= survey(&z);
		free(z.p);
	}
}

/* A frame by hand: 4 raw literals "abcd", then one sequence of RLE-coded lengths
 * (literal length code 4, match length code 10: 13) and offset code oc, its extra bits
 * x, in a frame of content size 17 without checksum. */
static struct buf handmade(int oc, int x)
{
	static unsigned char f[] = {
		0x28, 0xb5, 0x2f,   0xfd, 0x20, 17,  11 << 3 | 2 << 1 | 1,
		0,    0,    4 << 3, 'a',  'b',	'c', 'd',
		1,    0x54, 4,	    0,	  10,	0};
	struct buf z = {f, sizeof(f)};

	f[17] = oc;
	f[19] = 1 << oc | x; /* the extra bits under the end marker */
	return z;
}

/* Every 20th .ko.xz under dir, through xz -dc | zstd -19 (kept in a cache). */
static void modules(const char *dir)
{
	char cmd[8192], line[4096], cache[512];
	FILE *list;
	int i = 0, count = 0;
	const char *t = getenv("TMPDIR");

	snprintf(cache, sizeof(cache), "%s/modbox-test-zstd-cache", t ? t : "/tmp");
	mkdir(cache, 0755);
	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.ko.xz' | sort", dir);
	list = popen(cmd, "r");
	CASE("modules: every 20th of the tree, recompressed with zstd -19, decodes to xz's output")
	{
		while (list && fgets(line, sizeof(line), list)) {
			struct buf ko, z;
			char zpath[1024], *name;

			if (i++ % 20)
				continue;
			line[strcspn(line, "\n")] = 0;
			name = strrchr(line, '/') + 1;
			snprintf(cmd, sizeof(cmd), "xz -dc '%s' > %s", line, path_in);
			CHECK(!system(cmd));
			ko.p = (unsigned char *)unit_slurp(path_in, &ko.n);
			snprintf(zpath, sizeof(zpath), "%s/%.*s.%zu.zst", cache,
				 (int)strlen(name) - 3, name, ko.n);
			if (access(zpath, R_OK)) {
				snprintf(cmd, sizeof(cmd),
					 "zstd -q -f -19 %s -o %s.tmp && mv %s.tmp %s",
					 path_in, zpath, zpath, zpath);
				CHECK(!system(cmd));
			}
			z.p = (unsigned char *)unit_slurp(zpath, &z.n);
			CHECK(z.p && ko.n > 4 &&
			      !memcmp(ko.p,
				      "\x7f"
				      "ELF",
				      4));
			if (z.p && !roundtrip(&z, ko.p, ko.n))
				printf("# %s\n", line);
			CHECK(z.p && roundtrip(&z, ko.p, ko.n));
			free(ko.p);
			free(z.p);
			count++;
		}
		CHECK(count > 100);
		printf("# %d modules\n", count);
	}
	if (list)
		pclose(list);
}

int main(int argc, char **argv)
{
	static const char *const levels[] = {"-1", "-3", "-9", "-19", "--ultra -22", 0};
	unsigned char *small = mixed(3000, 0), *mid = mixed(1 << 20, 0),
		      *big = mixed(6 << 20, 0);
	unsigned seen = 0;
	struct unz u;
	struct buf z;
	size_t i;
	int err, bit, bad;

	if (!mkdtemp(tmp))
		return 1;
	snprintf(path_in, sizeof(path_in), "%s/in", tmp);
	snprintf(path_out, sizeof(path_out), "%s/out", tmp);

	CASE("empty input: a frame with no content decodes to nothing")
	{
		z = zstd("", 0, "");
		CHECK(roundtrip(&z, "", 0));
		free(z.p);
	}
	CASE("one byte")
	{
		check_levels("one byte", (const unsigned char *)"x", 1, levels, 0);
	}
	CASE("random bytes: raw blocks")
	{
		unsigned char *r = malloc(300000);

		for (i = 0; i < 300000; i++)
			r[i] = rnd();
		z = zstd(r, 300000, "-1");
		seen |= survey(&z);
		CHECK(survey(&z) == 1);
		CHECK(roundtrip(&z, r, 300000));
		free(z.p);
		free(r);
	}
	CASE("repetitive: RLE blocks and RLE literals")
	{
		unsigned char *r = malloc(800000);

		/* Random bytes, then copies of them each after one 'A' (the only
		 * literal), then a run longer than a block. */
		for (i = 0; i < 100000; i++)
			r[i] = rnd();
		for (; i < 500000; i += 501) {
			r[i] = 'A';
			memcpy(r + i + 1, r + rnd() % 99000, 500);
		}
		memset(r + i, 'A', 800000 - i);
		z = zstd(r, 800000, "-19");
		seen |= bad = survey(&z);
		CHECK(bad & 2);
		CHECK(bad & 32);
		CHECK(roundtrip(&z, r, 800000));
		free(z.p);
		free(r);
	}
	CASE("alike sequences: RLE-coded lengths and offsets")
	{
		unsigned char *r = malloc(21 * 2001);

		/* One literal, then 20 bytes copied from 21 back: alike sequences. */
		memset(r, 'a', 21 * 2001);
		for (i = 1; i <= 2000; i++)
			r[21 * i] = 'b' + rnd() % 10;
		z = zstd(r, 21 * 2001, "-1");
		seen |= bad = survey(&z);
		CHECK(bad & 0x2000);
		CHECK(roundtrip(&z, r, 21 * 2001));
		free(z.p);
		free(r);
	}
	CASE("levels 1, 3, 9, 19 and 22 of 1 MiB of mixed data")
	{
		check_levels("1 MiB", mid, 1 << 20, levels, &seen);
	}
	CASE("1 MiB of text, levels 3 and 19")
	{
		static const char *const opts[] = {"-3", "-19", 0};
		unsigned char *t = mixed(1 << 20, 1);

		check_levels("text", t, 1 << 20, opts, &seen);
		free(t);
	}
	CASE("6 MiB of mixed data, levels 1 and 3, --long, -B (small blocks)")
	{
		static const char *const opts[] = {"-1", "-3", "--long=25 -3",
						   "-B4096 -5", 0};

		check_levels("6 MiB", big, 6 << 20, opts, &seen);
	}
	CASE("with and without checksum and content size")
	{
		static const char *const opts[] = {"--no-check",
						   "--check",
						   "--no-content-size",
						   "--content-size",
						   "--no-check --no-content-size",
						   0};

		check_levels("options", mid, 100000, opts, &seen);
	}
	CASE("the inputs cover every block type, literals type, stream count and table mode")
	{
		CHECK((seen & 0xf3f7) == 0xf3f7);
		if ((seen & 0xf3f7) != 0xf3f7)
			printf("# seen %#x\n", seen);
	}
	CASE("two frames and skippable frames decode to the frames' contents in order")
	{
		struct buf a = zstd(small, 3000, "-3"),
			   b = zstd(mid, 200000, "--no-check");
		unsigned char skip[] = {0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3};
		unsigned char *want = malloc(203000);

		z.p = malloc(a.n + b.n + 2 * sizeof(skip));
		memcpy(z.p, skip, sizeof(skip));
		memcpy(z.p + sizeof(skip), a.p, a.n);
		memcpy(z.p + sizeof(skip) + a.n, b.p, b.n);
		memcpy(z.p + sizeof(skip) + a.n + b.n, skip, sizeof(skip));
		z.n = a.n + b.n + 2 * sizeof(skip);
		memcpy(want, small, 3000);
		memcpy(want + 3000, mid, 200000);
		CHECK(roundtrip(&z, want, 203000));
		z.n--; /* a skippable frame cut short */
		CHECK(unzstd(&u, &z, 0) == UNZ_TRUNC);
		unz_free(&u);
		z.n -= sizeof(skip) - 1; /* trailing bytes that are no frame */
		memset(z.p + z.n - 1, 0, 4);
		z.n += 3;
		CHECK(unzstd(&u, &z, 0) == UNZ_CORRUPT);
		unz_free(&u);
		free(a.p);
		free(b.p);
		free(z.p);
		free(want);
	}
	CASE("a hand-made sequence: overlapping match, repeat offsets")
	{
		z = handmade(2, 3); /* offset value 7: offset 4 */
		CHECK(roundtrip(&z, "abcdabcdabcdabcda", 17));
		z = handmade(
			1, 0); /* offset value 2, literals before: the second repeat, 4 */
		CHECK(roundtrip(&z, "abcdabcdabcdabcda", 17));
		z = handmade(0, 0); /* offset value 1: the first repeat, 1 */
		CHECK(roundtrip(&z,
				"abcd"
				"ddddddddddddd",
				17));
	}
	CASE("a match beyond the data decoded so far is corrupt")
	{
		z = handmade(3, 0); /* offset value 8: offset 5 */
		CHECK(unzstd(&u, &z, 0) == UNZ_CORRUPT);
		unz_free(&u);
	}
	CASE("every truncation of a frame is truncated or corrupt")
	{
		struct buf full = zstd(small, 3000, "-19");

		bad = 0;
		for (i = 0; i < full.n; i++) {
			z = exact(full.p, i);
			err = unzstd(&u, &z, 0);
			bad += err != UNZ_TRUNC && err != UNZ_CORRUPT;
			unz_free(&u);
			free(z.p);
		}
		CHECK(!bad);
		free(full.p);
	}
	CASE("every bit flip: no crash, and never wrong data when a checksum is present")
	{
		static const char *const opts[] = {"-19", "-1", "--no-check -19", 0};
		int k;

		bad = 0;
		for (k = 0; opts[k]; k++) {
			struct buf t = zstd(small, 3000, opts[k]);

			z = exact(t.p, t.n);
			free(t.p);
			for (i = 0; i < z.n; i++)
				for (bit = 0; bit < 8; bit++) {
					z.p[i] ^= 1 << bit;
					err = unzstd(&u, &z, 0);
					if (!err && k < 2 &&
					    (u.len != 3000 || memcmp(u.p, small, 3000)))
						bad++;
					unz_free(&u);
					z.p[i] ^= 1 << bit;
				}
			free(z.p);
		}
		CHECK(!bad);
	}
	CASE("blocks too short for their headers: corrupt, nothing read beyond them")
	{
		/* an empty compressed block; one whose Huffman literals have no bytes */
		static const unsigned char
			empty[] = {0x28, 0xb5, 0x2f, 0xfd, 0, 0, 2 << 1 | 1, 0, 0},
			nohuf[] = {
				0x28, 0xb5, 0x2f,	0xfd, 0, 0, 3 << 3 | 2 << 1 | 1,
				0,    0,    1 << 4 | 2, 0,    0};

		z = exact(empty, sizeof(empty));
		CHECK(unzstd(&u, &z, 0) == UNZ_CORRUPT);
		unz_free(&u);
		free(z.p);
		z = exact(nohuf, sizeof(nohuf));
		CHECK(unzstd(&u, &z, 0) == UNZ_CORRUPT);
		unz_free(&u);
		free(z.p);
	}
	CASE("random damage to multi-block frames: no crash, never wrong data with a checksum")
	{
		unsigned char *t = mixed(300000, 1);
		struct buf a = zstd(t, 300000, "-19"),
			   b = zstd(t, 300000, "-1 --no-check");
		int k, j;

		bad = 0;
		for (k = 0; k < 1200; k++) {
			struct buf *src = k & 1 ? &b : &a;

			z = exact(src->p, src->n);
			for (j = rnd() % 3; j >= 0; j--)
				z.p[rnd() % z.n] = rnd();
			err = unzstd(&u, &z, 0);
			if (!err && !(k & 1) &&
			    (u.len != 300000 || memcmp(u.p, t, 300000)))
				bad++;
			unz_free(&u);
			free(z.p);
		}
		CHECK(!bad);
		free(a.p);
		free(b.p);
		free(t);
	}
	CASE("output beyond the limit: UNZ_LIMIT, with and without content size")
	{
		static const char *const opts[] = {"-3", "--no-content-size", 0};
		int k;

		for (k = 0; opts[k]; k++) {
			z = zstd(mid, 300000, opts[k]);
			CHECK(unzstd(&u, &z, 299999) == UNZ_LIMIT);
			unz_free(&u);
			CHECK(unzstd(&u, &z, 300000) == UNZ_OK);
			unz_free(&u);
			free(z.p);
		}
	}
	CASE("a dictionary ID is unsupported (an ID of 0 is no dictionary)")
	{
		struct buf a = zstd(small, 3000, "-3");

		/* the descriptor says: a 1-byte dictionary ID after the window descriptor */
		size_t at = 5 + !(a.p[4] & 32);

		z.p = malloc(a.n + 1);
		z.n = a.n + 1;
		memcpy(z.p, a.p, at);
		z.p[4] |= 1;
		z.p[at] = 7;
		memcpy(z.p + at + 1, a.p + at, a.n - at);
		CHECK(!(a.p[4] & 3));
		CHECK(unzstd(&u, &z, 0) == UNZ_UNSUPPORTED);
		unz_free(&u);
		z.p[at] = 0;
		CHECK(roundtrip(&z, small, 3000));
		free(a.p);
		free(z.p);
	}
	CASE("reserved block type, reserved descriptor bit, oversized block: corrupt")
	{
		struct buf a = zstd(small, 3000, "-3");
		/* The first block header follows magic, descriptor, window, content size. */
		int d = a.p[4];
		size_t h = 5 + !(d & 32) + (d >> 6 ? 1 << (d >> 6) : d >> 5 & 1);

		CHECK(!(d & 3));
		a.p[h] |= 6;
		CHECK(unzstd(&u, &a, 0) == UNZ_CORRUPT);
		unz_free(&u);
		a.p[h] ^= 2; /* back to a compressed block */
		a.p[4] |= 8;
		CHECK(unzstd(&u, &a, 0) == UNZ_CORRUPT);
		unz_free(&u);
		a.p[4] &= ~8;
		CHECK(roundtrip(&a, small, 3000));
		/* a raw block of 128 KiB + 1 */
		a.p[h] = (a.p[h] & 7) | 8;
		a.p[h + 1] = 0;
		a.p[h + 2] = 0x10;
		a.p[h] &= ~6;
		CHECK(unzstd(&u, &a, 0) == UNZ_CORRUPT);
		unz_free(&u);
		free(a.p);
	}
	if (argc > 1)
		modules(argv[1]);

	free(small);
	free(mid);
	free(big);
	unlink(path_in);
	unlink(path_out);
	rmdir(tmp);
	return unit_failed;
}
