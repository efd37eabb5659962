/* Standard base64 (RFC 4648 section 4, with '=' padding), as Lambda events carry
 * binary request and response bodies. */
#ifndef APP_BASE64_H
#define APP_BASE64_H

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

/* Decodes in into a new arena string (NUL-terminated, may contain NULs).
 * ASCII whitespace is skipped (MIME-style line breaks); padding is optional.
 * APP_ERR_INVALID on any other character, misplaced '=' or a dangling final
 * character. */
enum app_err base64_decode(struct arena *a, struct str in, struct str *out) MUST_CHECK;

/* Encodes in with padding into a new arena string (NUL-terminated). */
struct str base64_encode(struct arena *a, struct str in);

#endif
