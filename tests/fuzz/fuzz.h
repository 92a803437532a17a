/* fuzz: helpers shared by the libFuzzer targets. Test-only code: libc is fine here.
 * Each target takes one input, hands it to a libmini parser (in memory, or written to
 * files in a private temporary directory when the parser reads files) and checks what
 * the API promises; the sanitizers check the rest. */
#ifndef MODBOX_FUZZ_H
#define MODBOX_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run with a report when an API promise is broken. */
#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, \
				__LINE__, #c); \
			abort(); \
		} \
	} while (0)

/* A directory of this process's own, made once: dir + "/" + name in a static buffer. */
static __attribute__((unused)) const char *fuzz_path(const char *name)
{
	static char dir[256], buf[4][512];
	static int i;
	char *p = buf[i++ % 4];

	if (!*dir) {
		const char *t = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/modbox-fuzz.XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(p, sizeof(buf[0]), "%s%s%s", dir, *name ? "/" : "", name);
	return p;
}

/* Writes n bytes to path (made or truncated). */
static __attribute__((unused)) void fuzz_write(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || close(fd))
		abort();
}

/* Splits data at each occurrence of sep into at most max parts; returns how many. */
static __attribute__((unused)) int fuzz_split(const uint8_t *data, size_t size,
					      const char *sep, const uint8_t **part,
					      size_t *len, int max)
{
	size_t k = strlen(sep);
	int n = 0;
	const uint8_t *p = data, *end = data + size, *q;

	while (n < max - 1 && (q = memmem(p, end - p, sep, k))) {
		part[n] = p;
		len[n++] = q - p;
		p = q + k;
	}
	part[n] = p;
	len[n++] = end - p;
	return n;
}

/* A NUL-terminated copy of n bytes (malloc'd, to be freed). */
static __attribute__((unused)) char *fuzz_str(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

#endif
