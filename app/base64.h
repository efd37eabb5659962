/* Standard base64 (RFC 4648 section 4, with '=' padding), as Lambda events carry
 * binary request and response bodies. */
#ifndef APP_BASE64_H
#define APP_BASE64_H

#include "arena.h"
#include "str.h"

/* Decodes in into a new arena string (NUL-terminated, may contain NULs).
 * ASCII whitespace is skipped (MIME-style line breaks); padding is optional.
 * Returns 0; -1 on any other character, misplaced '=' or a dangling final
 * character; -2 when out of memory. */
int base64_decode(struct arena *a, struct str in, struct str *out);

/* Encodes in with padding into a new arena string (NUL-terminated).
 * Returns STR_NULL when out of memory. */
struct str base64_encode(struct arena *a, struct str in);

#endif
