/* params: builds the kernel's "name[=value[,value...]] ..." string, quoting what the
 * kernel's parser (next_arg() in lib/cmdline.c) needs quoted and refusing what it would
 * split or join wrongly: there a '"' toggles quoting anywhere in a word. */
#include "params.h"

#include <string.h>

static int has_space(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return 1;
	return 0;
}

const char *params_append(char *dst, size_t cap, const char *word)
{
	size_t n = strlen(dst), vlen;
	const char *v = word, *in;
	int quote = 0;
	char *d;

	for (; *v && *v != '='; v++)
		if (*v == '"' || *v == ' ' || (*v >= '\t' && *v <= '\r'))
			return "white space or a quote in the parameter name";
	if (v == word)
		return "empty parameter name";
	if (*v)
		v++;
	vlen = strlen(v);
	in = v;
	if (vlen >= 2 && *v == '"' && v[vlen - 1] == '"')
		in++, vlen -= 2; /* quoted whole by the user: check what is inside */
	else
		quote = has_space(v);
	if (memchr(in, '"', vlen))
		return "a quote inside the value";
	if (vlen > PARAMS_VALUE_MAX)
		return "value longer than 1024 bytes";
	if (n + strlen(word) + 4 > cap)
		return "parameters too long";
	d = dst + n;
	if (n)
		*d++ = ' ';
	memcpy(d, word, v - word);
	d += v - word;
	if (quote)
		*d++ = '"';
	vlen = strlen(v);
	memcpy(d, v, vlen);
	d += vlen;
	if (quote)
		*d++ = '"';
	*d = 0;
	return 0;
}

const char *params_build(char *dst, size_t cap, char **words, char ***bad)
{
	const char *why = 0;

	*dst = 0;
	for (; *words && !(why = params_append(dst, cap, *words)); words++)
		;
	*bad = words;
	return why;
}
