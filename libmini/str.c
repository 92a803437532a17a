/* str: byte-at-a-time versions of the libc string functions modbox calls, replacing
 * musl's word-at-a-time ones when bytes matter more than speed (FEATURE_SMALL_STRINGS:
 * about 700 bytes less). Static linking takes these before libc's. Built with
 * -fno-builtin so the compiler does not turn the loops back into calls to themselves. */
#ifdef CONFIG_FEATURE_SMALL_STRINGS
#include <string.h>

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return *(unsigned char *)a - *(unsigned char *)b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; a++, b++, n--)
		;
	return n ? *(unsigned char *)a - *(unsigned char *)b : 0;
}

char *strchr(const char *s, int c)
{
	for (; *s != (char)c; s++)
		if (!*s)
			return 0;
	return (char *)s;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; p++, n--)
		if (*p == (unsigned char)c)
			return (void *)p;
	return 0;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; p++, q++, n--)
		if (*p != *q)
			return *p - *q;
	return 0;
}
#endif
