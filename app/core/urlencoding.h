/* Percent-decoding and application/x-www-form-urlencoded query parsing.
 * Decoded text is made valid UTF-8 the way Python does (errors="replace"),
 * because handlers echo it back inside JSON. */
#ifndef APP_URLENCODING_H
#define APP_URLENCODING_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/kvlist.h"
#include "core/err.h"
#include "core/str.h"
#include "core/utf8.h" /* utf8_sanitize(), for the callers of percent_decode() */

/* Decodes %XX escapes (and '+' as space when plus_is_space) into a new arena string.
 * APP_ERR_INVALID on a malformed escape ('%' not followed by two hex digits).
 * The result may contain NUL bytes (from %00). */
enum app_err percent_decode(struct arena *a, struct str in, bool plus_is_space, struct str *out) MUST_CHECK;

/* Splits a query string on '&' into decoded name/value pairs appended to out,
 * in order, keeping repeated names and blank values, skipping empty pairs
 * (Python's parse_qsl(keep_blank_values=True)). APP_ERR_INVALID on a malformed
 * escape (out may then hold the pairs before it). */
enum app_err query_parse(struct arena *a, struct str qs, struct kvlist *out) MUST_CHECK;

/* Percent-encodes every byte of a decoded path except unreserved characters,
 * '/' and RFC 3986 sub-delims, ':' and '@' (what stays literal in a URL path). */
struct str percent_encode_path(struct arena *a, struct str path);

/* A raw query string made fit for a URL (a redirect's Location), as Starlette's
 * RedirectResponse quotes its URL: every byte but unreserved characters and
 * :/%#?=@[]!$&'()*+,; becomes %XX (non-ASCII bytes, spaces, "<>\^`{|}).
 * Existing escapes stay as they are ('%' is kept), so a query of valid escapes
 * and those characters comes back unchanged. */
struct str percent_encode_url_query(struct arena *a, struct str raw);

/* Percent-encodes a query name or value as application/x-www-form-urlencoded
 * (space as '+', everything but unreserved characters escaped), as Python's quote_plus. */
struct str percent_encode_query(struct arena *a, struct str s);

#endif
