/* params: the parameter string handed to init_module/finit_module. */
#ifndef MODBOX_PARAMS_H
#define MODBOX_PARAMS_H

#include <stddef.h>

/* Longest value the kernel takes for a charp parameter; longer ones are refused. */
#define PARAMS_VALUE_MAX 1024

/* Appends one argv-style word, "name=value" or a bare "name" (a bool), to dst, a
 * NUL-terminated string in a buffer of cap bytes. A value holding white space is quoted
 * as name="a b"; a value the user quoted whole is kept as it is. Returns NULL, or why
 * the kernel would mis-parse the word or it does not fit (dst is then unchanged). */
const char *params_append(char *dst, size_t cap, const char *word);

/* params_append for each word of a NULL-terminated list; on failure *bad is the word. */
const char *params_build(char *dst, size_t cap, char **words, char ***bad);

#endif
