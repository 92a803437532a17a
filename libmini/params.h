/* params: the parameter string handed to init_module/finit_module. */
#ifndef MODBOX_PARAMS_H
#define MODBOX_PARAMS_H

#include <stddef.h>

/* Longest value the kernel takes for a charp parameter; longer ones are refused. */
#define PARAMS_VALUE_MAX 1024

/* Bytes of room a word may take in the string: separator, quotes and NUL included. */
#define PARAMS_ROOM(word_len) ((word_len) + 4)

/* Appends one argv-style word, "name=value" or a bare "name" (a bool), to dst, a
 * NUL-terminated string with PARAMS_ROOM(strlen(word)) bytes to spare. A value holding
 * white space is quoted as name="a b"; a value the user quoted whole is kept.
 * Returns NULL, or why the kernel would mis-parse the word (dst is then unchanged). */
const char *params_append(char *dst, const char *word);

#endif
