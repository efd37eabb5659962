/* UTF-8, decoded in one place: which bytes form a valid sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), and text made valid
 * the way Python does it. The log (http/log.c) and percent-decoding
 * (core/urlencoding.c) both use it. */
#ifndef APP_CORE_UTF8_H
#define APP_CORE_UTF8_H

#include <stddef.h>

#include "core/arena.h"
#include "core/str.h"

/* Length of the valid UTF-8 sequence at s[0..n) (1 for ASCII), n > 0; or 0 when
 * the bytes there are not one, and then *bad gets the length of the maximal
 * invalid subpart (at least 1), which Python replaces by one U+FFFD. */
size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad);

/* Returns s unchanged when it is valid UTF-8, otherwise a copy in which each
 * maximal invalid subsequence is replaced by U+FFFD, exactly as Python's
 * bytes.decode("utf-8", "replace"). */
struct str utf8_sanitize(struct arena *a, struct str s);

#endif
