/* unit: the smallest test harness. Each CASE prints "ok - NAME" or "not ok - NAME";
 * main returns non-zero if any failed. Built with the host compiler against libmini. */
#ifndef MODBOX_UNIT_H
#define MODBOX_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed, unit_case_failed;
static const char *unit_case;

#define CASE(name) for (unit_case = (name), unit_case_failed = 0; unit_case; \
			unit_report(), unit_case = 0)

/* Checks one condition; on failure says where and what. */
#define CHECK(cond) do { \
		if (!(cond)) { \
			printf("# %s:%d: %s: failed: %s\n", __FILE__, __LINE__, unit_case, #cond); \
			unit_case_failed = 1; \
		} \
	} while (0)

#define CHECK_STR(got, want) do { \
		const char *g_ = (got), *w_ = (want); \
		if (!g_ || !w_ ? g_ != w_ : strcmp(g_, w_) != 0) { \
			printf("# %s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
			       unit_case, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
			unit_case_failed = 1; \
		} \
	} while (0)

static void unit_report(void)
{
	printf("%s - %s\n", unit_case_failed ? "not ok" : "ok", unit_case);
	unit_failed |= unit_case_failed;
}

/* The whole file at path, NUL-terminated, in malloc'd memory (*len: its length, if len
 * is given); NULL when it cannot be read. */
static __attribute__((unused)) char *unit_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? n + 1 : 1);
	if (n < 0 || fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	buf[n] = 0;
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

#endif
