/* params: builds the kernel's "name[=value[,value...]] ..." string, quoting what the
 * kernel's parser (next_arg() in lib/cmdline.c) needs quoted and refusing what it would
 * split or join wrongly. */
#include "params.h"

#include <string.h>

static int has_space(const char *s, size_t n)
{
	for (; n; s++, n--)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return 1;
	return 0;
}

const char *params_append(char *dst, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t nlen = eq ? (size_t)(eq - word) : strlen(word);
	const char *val = eq ? eq + 1 : "";
	size_t vlen = strlen(val);
	int quote = 0;
	char *d;

	if (!nlen)
		return "empty parameter name";
	if (has_space(word, nlen) || memchr(word, '"', nlen))
		return "white space or a quote in the parameter name";
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		if (memchr(val + 1, '"', vlen - 2))
			return "a quote inside a quoted value";
		if (vlen - 2 > PARAMS_VALUE_MAX)
			return "value longer than 1024 bytes";
	} else {
		if (memchr(val, '"', vlen))
			return "a quote inside the value";
		if (vlen > PARAMS_VALUE_MAX)
			return "value longer than 1024 bytes";
		quote = has_space(val, vlen);
	}
	d = dst + strlen(dst);
	if (d != dst)
		*d++ = ' ';
	memcpy(d, word, nlen);
	d += nlen;
	if (eq) {
		*d++ = '=';
		if (quote)
			*d++ = '"';
		memcpy(d, val, vlen);
		d += vlen;
		if (quote)
			*d++ = '"';
	}
	*d = 0;
	return 0;
}
