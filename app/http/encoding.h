/* Content codings (RFC 9110 8.4, 12.5.3): which one an answer goes out in,
 * negotiated from Accept-Encoding, and the compressors (br, zstd, gzip).
 * docs/compression-cors.md says why each choice. */
#ifndef APP_HTTP_ENCODING_H
#define APP_HTTP_ENCODING_H

#include <stdbool.h>

#include "core/err.h"
#include "core/str.h"
#include "http/request.h"
#include "http/response.h"

/* In the server's order of preference, best first; identity last. */
enum coding { CODING_BR, CODING_ZSTD, CODING_GZIP, CODING_IDENTITY, CODING_COUNT };

/* How hard to compress: FAST per request, BEST once per process (fixed documents). */
enum effort { EFFORT_FAST, EFFORT_BEST };

/* COMPRESSION (on/off, default on) and COMPRESS_MIN_BYTES (default 1024), once
 * at start (http_settings_load). A malformed value is APP_ERR_INVALID with *why. */
enum app_err encoding_load(const char **why) MUST_CHECK;

/* Bodies shorter than this are never compressed (COMPRESS_MIN_BYTES). */
size_t encoding_min_bytes(void);

/* The token of a coding: "br", "zstd", "gzip", "identity". */
const char *coding_name(enum coding c);

/* Picks the coding for a request's Accept-Encoding values (all of them, in
 * order): the acceptable one (q > 0) with the highest q, ties broken by
 * enum coding's order. No Accept-Encoding, compression off, or nothing
 * acceptable: CODING_IDENTITY. Entries with a malformed q (q=1.0001, q=-1,
 * q=NaN) are ignored; the work is linear in the header's length. */
enum coding encoding_negotiate(const struct request *req);

/* The same on one header value (for the tests; req-less callers). */
enum coding encoding_negotiate_value(struct str accept_encoding);

/* Whether an answer of this Content-Type is worth compressing: JSON (and
 * +json), text/ (HTML, CSS, plain), JavaScript, SVG. Anything else: false. */
bool encoding_type_compressible(struct str content_type);

/* Whether this answer can go out in more than one coding: a compressible
 * type, at least encoding_min_bytes(), not a 304/204, not made in pieces
 * (http/stream.h), compression on. */
bool encoding_negotiable(const struct response *resp);

/* Compresses in with c into malloc'd memory (*out, *out_n; the caller frees).
 * APP_ERR_NO_MEMORY when the library or malloc fails; APP_ERR_INVALID for
 * CODING_IDENTITY. */
enum app_err encoding_compress(enum coding c, enum effort e, struct str in, char **out, size_t *out_n) MUST_CHECK;

/* The hook for answers built per request (app_handle, last): when the answer
 * is negotiable, has no Content-Encoding yet and the request sent
 * Accept-Encoding, adds Vary: Accept-Encoding and, for a coding other than
 * identity, compresses the body (EFFORT_FAST, into the arena) and sets
 * Content-Encoding. A HEAD answer is compressed too: its Content-Length is
 * that of the GET. Without Accept-Encoding the answer is left byte for byte. */
void encoding_finish(const struct request *req, struct response *resp);

/* Adds token to the answer's Vary header (one header, ", "-joined), unless it
 * is there already (case-insensitive). token must be static. */
void response_add_vary(struct response *resp, const char *token);

#endif
