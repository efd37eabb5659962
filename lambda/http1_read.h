/* Internal to lambda/http1.c and lambda/http1_read.c: reading one response off
 * the connection, within the limits http1.h states. */
#ifndef LAMBDA_HTTP1_READ_H
#define LAMBDA_HTTP1_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "http1.h"

/* Buffered reading of one response. */
struct http1_reader {
	struct http1 *c;
	char *buf;         /* HTTP1_READ_BUFFER bytes, in the arena */
	size_t pos, len;   /* unread bytes are buf[pos..len) */
	long long deadline;
	long timeout_ms;
	size_t received;   /* bytes of this response so far */
	size_t head_left;  /* bytes the rest of the head (or the trailers) may take */
};

/* The reader's buffer: one line at most, the longest head. */
#define HTTP1_READ_BUFFER HTTP1_MAX_HEAD_BYTES

/* Records why (with strerror(err) when err is set), drops the connection, returns st. */
enum http1_status http1_fail(struct http1 *c, enum http1_status st, const char *what, int err);

/* Waits until the connection is ready for events, or the deadline (0: none). */
enum http1_status http1_wait(struct http1 *c, short events, long long deadline, long timeout_ms);

/* The status line and headers of the final response, 1xx heads read and dropped.
 * 1, or a negative http1_status (the connection dropped, c->error saying why) for
 * an answer that is not HTTP/1.x, a malformed header, or a head over the limits. */
int http1_read_head(struct http1_reader *r, struct arena *a, struct http1_response *out);

/* The body, framed as the headers say, into out->body; *keep is cleared when the
 * connection cannot carry another exchange. 1, or a negative http1_status for a
 * body over max_body, bad framing, or trailers over HTTP1_MAX_HEAD_BYTES. */
int http1_read_body(struct http1_reader *r, struct arena *a, size_t max_body, struct http1_response *out,
		    bool *keep);

#endif
