/* The request model every target fills in and every handler reads.
 * Targets build it only through the request_set_* / request_add_* calls below,
 * which validate as they go: the first problem is recorded in error_status /
 * error_detail and app_handle() answers it with a 4xx JSON error.
 * Strings passed in are not copied: they must live until the request ends
 * (in the request arena, or in transport buffers that outlive it). */
#ifndef APP_REQUEST_H
#define APP_REQUEST_H

#include "arena.h"
#include "kvlist.h"
#include "request_context.h"
#include "str.h"

struct request {
	struct arena *arena;
	const char *target;      /* "cgi", "fcgi", "lambda" */
	struct str method;       /* as received, e.g. "GET" */
	struct str raw_path;     /* percent-encoded path (without root_path) */
	struct str path;         /* decoded, valid UTF-8, no NUL */
	struct str root_path;    /* prefix the service is mounted under (SCRIPT_NAME, API stage), or "" */
	struct str raw_query;    /* as received, without '?' */
	struct kvlist query;     /* decoded pairs, in order, repeats kept */
	struct kvlist headers;   /* names lower-cased, in order, repeats kept */
	struct kvlist cookies;   /* from every Cookie header */
	struct str body;         /* binary-safe */
	struct str remote_addr;
	struct str scheme;       /* "http" or "https" */
	struct str host;         /* Host header, else server name[:port]; may be empty */
	struct request_context context;  /* invocation ids, deadline, stage, authorizer claims (Lambda) */
	int error_status;        /* 0, or the 4xx status of the first problem found */
	const char *error_detail;
	size_t header_bytes;     /* running total, for LIMIT_HEADER_BYTES */
};

void request_init(struct request *r, struct arena *a, const char *target);

/* Records a problem with the request (only the first one is kept). detail must be static
 * or arena memory. */
void request_fail(struct request *r, int status, const char *detail);

/* Method token (RFC 9110 tchar only; anything else is a 400). */
void request_set_method(struct request *r, struct str method);

/* Path as received on the wire: percent-decoded here; malformed escapes and
 * decoded NUL bytes are a 400, over LIMIT_TARGET_BYTES a 414. */
void request_set_raw_path(struct request *r, struct str raw);

/* Path already decoded by the transport (CGI PATH_INFO, Lambda REST path). */
void request_set_decoded_path(struct request *r, struct str path);

/* Raw query string (without '?'); parsed into r->query. Malformed escapes: 400. */
void request_set_query_string(struct request *r, struct str raw);

/* Sets a body the transport already holds (Lambda events). Over limit_body_bytes(): 413. */
void request_set_body(struct request *r, struct str body);

/* Records the 413 for a body of more than limit_body_bytes(), naming the limit. */
void request_fail_body_too_large(struct request *r);

/* Adds a header; the name is lower-cased into the arena. Cookie headers also fill r->cookies. */
void request_add_header(struct request *r, struct str name, struct str value);

/* First value of a header, case-insensitive, or STR_NULL. */
struct str request_header(const struct request *r, const char *name);

/* Last value of a query parameter, or STR_NULL. */
struct str request_query(const struct request *r, const char *name);

#endif
