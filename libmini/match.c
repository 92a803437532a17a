/* match: fnmatch(pattern, s, 0) for module aliases and modprobe.d patterns, without libc's
 * locale machinery. It gives glibc's answer even for malformed patterns, since kmod on
 * glibc decides what modprobe loads and modbox must load the same. */
#include "match.h"

#include <string.h>

/* The bracket expression after '[' at p against byte c: the pattern after the expression
 * if c matches, else NULL. An unterminated expression stands for a literal '[', p being
 * what follows it (glibc >= 2.36, bug 28792); a range without its end fails. */
static const char *bracket(const char *p, unsigned char c)
{
	const char *start = p;
	unsigned char lo, hi;
	int neg = *p == '!' || *p == '^';

	p += neg;
	lo = *p++; /* a ']' here is a member, not the end */
	for (;;) {
		if (lo == '\\')
			lo = *p++;
		if (!lo)
			break;
		if (*p == '-' && p[1] != ']') {
			hi = p[1];
			if (!hi) /* glibc takes the byte alone first, then fails the range */
				return lo == c && c == '[' ? start : 0;
			p += 2;
			if (hi == '\\')
				hi = *p++;
			if (!hi)
				return 0;
			if (lo <= c && c <= hi)
				goto matched;
		} else if (lo == c) {
			goto matched;
		}
		lo = *p++;
		if (lo == ']')
			return neg ? p : 0;
	}
	return c == '[' ? start : 0;
matched:
	/* the rest must still be a whole expression */
	while ((lo = *p++) != ']')
		if (!lo || (lo == '\\' && !*p++))
			return c == '[' ? start : 0;
	return neg ? 0 : p;
}

int match_glob(const char *p, const char *s)
{
	const char *star = 0, *retry = s, *next;

	for (;;) {
		if (*p == '*') {
			/* Only the last star needs a way back: whatever an earlier one would
			 * take more, this one can take as well. */
			star = ++p;
			retry = s;
			continue;
		}
		if (!*p && !*s)
			return 1;
		if (!*s)
			return 0; /* every other element needs a byte: taking more cannot help */
		next = 0;
		if (*p == '[')
			next = bracket(p + 1, *s);
		else if (*p == '\\')
			next = p[1] && p[1] == *s ? p + 2 : 0;
		else if (*p == '?' || *p == *s)
			next = p + 1;
		if (next) {
			p = next;
			s++;
		} else if (star) {
			/* the star takes one byte more; a literal after it must come next */
			p = star;
			s = ++retry;
			if (!strchr("*?[\\", *p)) {
				while (*s != *p)
					if (!*s++)
						return 0;
				retry = s;
			}
		} else {
			return 0;
		}
	}
}

/* One atom of a regular expression: where it ends. */
static const char *re_atom(const char *re)
{
	const char *p = re + 1;

	if (*re == '\\' && *p)
		return p + 1;
	if (*re != '[')
		return p;
	p += *p == '^';
	p += *p == ']';
	while (*p && *p != ']')
		p++;
	return *p ? p + 1 : re + 1; /* an unterminated '[' stands for itself */
}

/* Whether the atom re..end matches byte c. */
static int re_one(const char *re, const char *end, char c)
{
	char set[256];
	size_t n = end - re;

	if (!c)
		return 0;
	if (*re == '[' && n > 1 && n < sizeof(set)) {
		memcpy(set, re, n);
		set[n] = 0;
		return match_glob(set, (char[]){c, 0});
	}
	return *re == '.' || re[*re == '\\'] == c;
}

static int re_here(const char *re, const char *s)
{
	const char *end, *rest;

	if (!*re)
		return 1;
	if (*re == '$' && !re[1])
		return !*s;
	end = re_atom(re);
	rest = end + 1;
	if (*end == '?')
		return (re_one(re, end, *s) && re_here(rest, s + 1)) || re_here(rest, s);
	if (*end != '*' && *end != '+')
		return re_one(re, end, *s) && re_here(end, s + 1);
	if (*end == '+' && !re_one(re, end, *s++))
		return 0;
	do
		if (re_here(rest, s))
			return 1;
	while (re_one(re, end, *s++));
	return 0;
}

int match_regex(const char *re, const char *s)
{
	if (!strcmp(re, "*")) /* kmod's old style: every version */
		return 1;
	if (*re == '^')
		return re_here(re + 1, s);
	do
		if (re_here(re, s))
			return 1;
	while (*s++);
	return 0;
}
