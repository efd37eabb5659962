/* A body sent in pieces. A handler calls response_set_stream() with a producer
 * instead of setting a body; the producer runs after app_handle() has added
 * every header (request id, CORS), and hands each piece to stream_write().
 *
 * Where the target cannot stream (CGI, Lambda BUFFERED, a HEAD request, or a
 * 5xx that replaces the body), app_handle() collects the pieces into the body
 * (stream_collect), and the answer is byte for byte what one body would give.
 * Where it can (FastCGI; Lambda RESPONSE_STREAM), the target calls
 * stream_run() with its sink: the status and headers (no Content-Length) go
 * out with the first piece that has bytes, and each piece is flushed.
 *
 * A streamed answer is never compressed per request (encoding_negotiable() is
 * false for it): its pieces leave as they come.
 *
 * A producer that fails (stream_fail) before any byte left: the answer is a
 * 500 as for any handler. After: the target ends the stream so that the
 * client cannot take it for complete (FastCGI: the connection is cut with no
 * end of stream; Lambda: the Runtime API's error trailers). */
#ifndef APP_HTTP_STREAM_H
#define APP_HTTP_STREAM_H

#include "core/err.h"
#include "core/str.h"
#include "http/response.h"

/* Sets status and Content-Type, and produce(w, ctx) as the body's maker; ctx
 * must live until the request ends (arena). */
void response_set_stream(struct response *r, int status, const char *content_type, stream_producer *produce,
			 void *ctx);

/* Sends (or collects) one piece. A piece of 0 bytes is nothing: it sends no
 * headers and no empty chunk. APP_ERR_IO when the client is gone (the
 * producer should stop and return it); APP_OK else. */
enum app_err stream_write(struct stream_writer *w, struct str piece) MUST_CHECK;

/* Records why the producer gives up (type: a short name such as
 * "Stream.Error", message: a sentence; both static or arena) and returns
 * APP_ERR_IO for the producer to return. It is final: stream_write refuses
 * every piece after it, and the stream fails even if the producer returns APP_OK. */
enum app_err stream_fail(struct stream_writer *w, const char *type, const char *message) MUST_CHECK;

/* How a target sends a streamed answer: head() writes the status and headers
 * (called once, before the first byte), piece() writes and flushes bytes;
 * both return 0, or -1 when the client is gone. */
struct stream_sink {
	int (*head)(void *ctx, const struct response *r);
	int (*piece)(void *ctx, struct str piece);
	void *ctx;
};

enum stream_end {
	STREAM_DONE,        /* every piece went out */
	STREAM_UNSENT,      /* the producer failed before any byte left: r is now a 500 to send whole */
	STREAM_CUT,         /* the producer failed after the first byte (r->fail_type says why) */
	STREAM_GONE,        /* a write failed: the client went away */
};

/* Runs r's producer into sink (r->produce is cleared). An early failure turns r
 * into a 500 with request_id in its body (response_error_id). */
enum stream_end stream_run(struct response *r, const struct stream_sink *sink, struct str request_id);

/* Runs r's producer and keeps its pieces as r->body (r->produce cleared). A
 * failure, at any point, makes r a 500 (the request id is added by app_handle). */
void stream_collect(struct response *r);

#endif
