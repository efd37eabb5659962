/* The response every handler fills in and every target serializes. */
#ifndef APP_HTTP_RESPONSE_H
#define APP_HTTP_RESPONSE_H

#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/kvlist.h"
#include "core/str.h"

struct stream_writer;
/* Produces a body in pieces through stream_write() (http/stream.h): APP_OK
 * once every piece is written, else what stream_write()/stream_fail() returned. */
typedef enum app_err stream_producer(struct stream_writer *w, void *ctx);

struct response {
	struct arena *arena;
	int status;
	struct kvlist headers;  /* in order; Content-Length is added by the serializers */
	struct str body;        /* binary-safe */
	bool omit_body;         /* a HEAD answer: headers (with the GET Content-Length) but no body */
	const char *route;      /* the matched route's template (router_dispatch), NULL: none matched */
	/* A body sent in pieces (http/stream.h): set by response_set_stream(),
	 * cleared once the pieces are collected into body or sent. */
	stream_producer *produce;
	void *produce_ctx;
	bool streamed;          /* the body was made in pieces: never compressed per request */
	bool head_sent;         /* a streamed answer's status and headers have gone out */
	size_t sent;            /* body bytes a streamed answer has sent */
	const char *fail_type;  /* a producer's failure (stream_fail), NULL: none */
	const char *fail_message;
};

void response_init(struct response *r, struct arena *a);

/* Appends a header (strings must live until the request ends). */
void response_add_header(struct response *r, const char *name, struct str value);

/* First value of a response header, case-insensitive, or STR_NULL. */
struct str response_header(const struct response *r, const char *name);

/* Sets status, Content-Type and body. */
void response_set_body(struct response *r, int status, const char *content_type, struct str body);

/* Serializes doc compactly (FastAPI's separators) as an application/json body.
 * Takes ownership of doc and frees it (cJSON_Delete). A NULL doc (cJSON out of
 * memory) is out of memory (core/arena.h). */
void response_json(struct response *r, int status, cJSON *doc);

/* FastAPI's error shape: {"detail":"..."} with the given status. */
void response_error(struct response *r, int status, const char *detail);

/* A 5xx body: {"detail":"...","request_id":"..."} (the Content-Type header is
 * set once: an existing one is replaced by application/json). */
void response_error_id(struct response *r, int status, const char *detail, struct str request_id);

/* Reason phrase for a status code ("Not Found"), "" if unknown. */
const char *http_reason(int status);

/* Writes the CGI/FastCGI form: "Status:" line, headers, Content-Length, blank
 * line and, unless omit_body, the body. */
void response_serialize_cgi(const struct response *r, struct buf *out);

/* The "Status:" line and the headers, each ending in CRLF; no Content-Length
 * and no blank line (a streamed answer's head adds the blank line itself). */
void response_serialize_cgi_head(const struct response *r, struct buf *out);

#endif
