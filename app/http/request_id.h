/* Request ids: one per request, echoed as X-Request-Id, in every access log line
 * and in 5xx bodies, so that a client's report, a balancer's log and ours meet. */
#ifndef APP_HTTP_REQUEST_ID_H
#define APP_HTTP_REQUEST_ID_H

#include <stdbool.h>

#include "core/str.h"
#include "http/request.h"

/* Longest id accepted from outside (X-Request-Id, an event's request id). */
#define REQUEST_ID_MAX 128

/* A generated id: 32 lowercase hex digits (16 random bytes) and a NUL. */
#define REQUEST_ID_GENERATED_SIZE 33

/* True for 1 to REQUEST_ID_MAX bytes of visible ASCII (0x21-0x7e) other than
 * '"' and '\\': what can go into a header, a log line and a JSON string unchanged. */
bool request_id_is_sane(struct str id);

/* Writes a fresh id into out: 16 bytes from getrandom(2) (the kernel's CSPRNG),
 * read 4 KiB at a time into a per-process pool that a fork empties in the
 * child (pthread_atfork), so workers never repeat each other; /dev/urandom if
 * getrandom fails, and the time and pid as a last resort. */
void request_id_generate(char out[REQUEST_ID_GENERATED_SIZE]);

/* Sets r->request_id: the X-Request-Id header when FORWARDED_REQUEST_ID is on
 * (http/trust.h), the peer is a trusted proxy (http/forwarded.h) and the value
 * is sane; else given, when sane (the Lambda
 * invocation's id); else a generated one (in r's arena). Call once the headers
 * and peer address are set. */
void request_assign_id(struct request *r, struct str given);

/* The "Root=1-XXXXXXXX-YYYYYYYYYYYYYYYYYYYYYYYY" field of an X-Amzn-Trace-Id
 * header (X-Ray's format: 8 and 24 lowercase hex digits), pointing into
 * header; STR_NULL when there is none or it is malformed (the rest of the
 * header, Parent=, Self=, Sampled=, is never taken). */
struct str request_trace_header(struct str header);

/* A W3C traceparent header ("00-" 32 hex "-" 16 hex "-" 2 hex; a later version
 * may add "-..." fields): true with *trace and *span (the trace id and the
 * parent id, pointing into header) when it is well formed; false for anything
 * else (uppercase, all-zero ids, version ff, a wrong length), which is ignored. */
bool request_traceparent(struct str header, struct str *trace, struct str *span);

/* The request's trace id for the log: the trace id of a well-formed W3C
 * traceparent (any peer may start or continue a trace; only hex is taken);
 * else request_trace_header() of its X-Amzn-Trace-Id where a balancer sets
 * that header (a Lambda event, which API Gateway, an ALB or a Function URL
 * wrote: r->aws_front; or a trusted proxy with FORWARDED_TRACE_ID on,
 * http/trust.h); else the request context's (the Lambda invocation's
 * Lambda-Runtime-Trace-Id); else STR_NULL or "". */
struct str request_trace_id(const struct request *r);

/* The parent (span) id of a well-formed traceparent; STR_NULL without one. */
struct str request_span_id(const struct request *r);

#endif
