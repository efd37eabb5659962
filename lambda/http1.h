/* The little HTTP/1.1 client the Runtime API needs, and nothing more: one
 * kept-alive connection to host:port, a request with a body of known length, a
 * response framed by Content-Length, chunked encoding or the connection's end.
 * No TLS, no redirects, no proxies: the Runtime API is plain HTTP on loopback.
 * Replaces libcurl, whose 30-odd shared libraries cost 4 ms at every cold start. */
#ifndef LAMBDA_HTTP1_H
#define LAMBDA_HTTP1_H

#include <stddef.h>

#include "core/arena.h"
#include "core/kvlist.h"
#include "core/str.h"

struct http1 {
	char *host;          /* "127.0.0.1", "::1", "localhost" (malloc) */
	char *port;          /* "9001" (malloc) */
	char *authority;     /* host:port as given, for the Host header (malloc) */
	int fd;              /* -1 when not connected */
	int connect_timeout_ms;
	void (*on_answer)(void); /* NULL, or called when a response's first bytes arrive */
	char error[512];     /* why the last call failed */
};

/* Outcome of http1_exchange. */
enum http1_status {
	HTTP1_OK = 0,
	HTTP1_FAILED = -1,     /* could not connect, reset, closed early, malformed answer */
	HTTP1_TIMED_OUT = -2,  /* the whole exchange took longer than its timeout */
	HTTP1_NO_MEMORY = -3,
};

/* What one response's head may hold (HTTP1_MAX_HEAD_BYTES also bounds its trailers):
 * the status lines, header lines and CRLFs of the final head and of every 1xx head
 * before it, in all; the header lines of each head; the 1xx heads before the answer.
 * One past any of them fails the exchange with a sentence saying which. */
#define HTTP1_MAX_HEAD_BYTES 65536
#define HTTP1_MAX_HEADER_LINES 100
#define HTTP1_MAX_INTERIM 5

struct http1_response {
	int status;
	struct kvlist headers;  /* names and values as sent, in the arena */
	struct str body;        /* in the arena, NUL-terminated */
};

/* Splits host:port ("127.0.0.1:9001", "[::1]:9001"); nothing is sent. -1 (c->error
 * set) for text that is not host:port, or when out of memory. */
int http1_init(struct http1 *c, const char *host_port);
void http1_close(struct http1 *c);

/* Sends one request (connecting first when needed) and reads its response into a.
 * extra_headers: full "Name: value\r\n" lines, or NULL. timeout_ms bounds the whole
 * exchange; 0 waits for as long as the answer takes. A kept-alive connection the
 * server closed while idle is opened again once, transparently. Bodies over
 * max_body bytes, and heads over the limits above, fail. Any failure closes the
 * connection; c->error says why. */
enum http1_status http1_exchange(struct http1 *c, struct arena *a, const char *method, const char *target,
				 const char *extra_headers, struct str body, long timeout_ms, size_t max_body,
				 struct http1_response *out);

/* http1_exchange with the body sent chunked (Transfer-Encoding: chunked), each of
 * the n pieces one chunk, in one write: the Runtime API's streaming responses. */
enum http1_status http1_exchange_chunked(struct http1 *c, struct arena *a, const char *method, const char *target,
					 const char *extra_headers, const struct str *pieces, size_t n,
					 long timeout_ms, size_t max_body, struct http1_response *out);

/* A request whose body is sent as it is made (the Runtime API's streaming
 * responses, one chunk per piece): begin sends the head (Transfer-Encoding:
 * chunked; an idle kept-alive connection the server closed is replaced first,
 * as the body cannot be sent twice), send_chunk one chunk (a piece of 0 bytes
 * sends nothing: it would end the body), finish the last chunk with trailers
 * ("Name: value\r\n" lines, or NULL) and reads the response as http1_exchange.
 * timeout_ms bounds each call, not the time between them. Any failure closes
 * the connection (c->error says why); the calls after it fail at once. */
enum http1_status http1_begin_chunked(struct http1 *c, struct arena *a, const char *method, const char *target,
				      const char *extra_headers, long timeout_ms);
enum http1_status http1_send_chunk(struct http1 *c, struct arena *a, struct str piece, long timeout_ms);
enum http1_status http1_finish_chunked(struct http1 *c, struct arena *a, const char *trailers, long timeout_ms,
				       size_t max_body, struct http1_response *out);

#endif
