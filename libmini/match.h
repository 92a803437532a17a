/* match: shell wildcards as kmod matches them (fnmatch(pattern, s, 0) in the C locale). */
#ifndef MODBOX_MATCH_H
#define MODBOX_MATCH_H

/* 1 if s matches pattern, else 0. Knows '*', '?', '\' escapes and bracket expressions
 * ("[a-z]", "[!a]" or "[^a]", ']' first is literal), byte by byte, with glibc's (2.36)
 * answers for malformed patterns: a trailing '\' never matches, an unterminated '['
 * is a literal '[', a range without its end ("[a-") fails. Classes such as
 * "[[:digit:]]" are not supported. Time is O(strlen(pattern) * strlen(s)) at worst. */
int match_glob(const char *pattern, const char *s);

/* 1 if the POSIX extended regular expression re matches somewhere in s (regexec), as
 * depmod.d's kernel versions are matched; "*" alone matches everything. A subset: '.',
 * '*', '+', '?', '^', '$', '\\' escapes and bracket expressions; groups, alternation and
 * intervals are taken literally. */
int match_regex(const char *re, const char *s);

#endif
