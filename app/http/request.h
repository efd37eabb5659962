/* app/http: the HTTP model every target shares. The request and response
 * structs, the input limits, the router, and serialisation to CGI/FastCGI
 * output. Files here include core/ and http/ only (tests/check_layers.sh).
 *
 * The request model: targets build it only through the request_set_* /
 * request_add_* calls below, which validate as they go. A call that finds a
 * problem records the 4xx (status and detail) in the request and returns
 * APP_ERR_REFUSED; the caller stops building and hands the request to
 * app_handle(), which answers with that error. Only the first problem is kept.
 * Strings passed in are not copied: they must live until the request ends
 * (in the request arena, or in transport buffers that outlive it). */
#ifndef APP_HTTP_REQUEST_H
#define APP_HTTP_REQUEST_H

#include "core/arena.h"
#include "core/err.h"
#include "core/kvlist.h"
#include "core/str.h"
#include "http/request_context.h"

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
	struct str remote_addr;  /* the client: peer_addr, or what a trusted proxy says (http/forwarded.h) */
	struct str peer_addr;    /* the address that connected (REMOTE_ADDR); "" when unknown */
	struct str scheme;       /* "http" or "https" */
	struct str host;         /* host[:port] for absolute URLs (host_is_valid); may be empty */
	bool origin_forwarded;   /* scheme or host taken from a trusted proxy's header (http/forwarded.h) */
	bool aws_front;          /* a Lambda event: an AWS front (API Gateway, ALB, Function URL) wrote its headers */
	bool streams;            /* the target sends a body in pieces (http/stream.h); else app_handle collects them */
	struct str request_id;   /* http/request_id.h; "" until assigned */
	int error_status;        /* 0, or the 4xx status of the first problem found (or a front server's status) */
	const char *error_detail;
	bool front_error;        /* error_status is a front server's own (request_set_front_error) */
	size_t header_bytes;     /* running total, for LIMIT_HEADER_BYTES */
	struct request_context context;  /* invocation ids, deadline, stage, authorizer claims (Lambda) */
};

void request_init(struct request *r, struct arena *a, const char *target);

/* Records a problem with the request (only the first one is kept) and returns
 * APP_ERR_REFUSED. detail must be static or arena memory. */
enum app_err request_refuse(struct request *r, int status, const char *detail) MUST_CHECK;

/* Records the status a front server was answering the request with by itself
 * (a CGI error-document call, app/cgi_env), in place of any problem recorded
 * before; later problems are ignored as usual. app_handle() answers it as the
 * server's static page would: the status and {"detail": detail}, nothing more
 * (no request id in a 5xx body). detail must be static or arena memory. */
enum app_err request_set_front_error(struct request *r, int status, const char *detail) MUST_CHECK;

/* Method token (RFC 9110 tchar only, at most 32 bytes; anything else is a 400). */
enum app_err request_set_method(struct request *r, struct str method) MUST_CHECK;

/* Path as received on the wire: percent-decoded here; malformed escapes and
 * decoded NUL bytes are a 400, over LIMIT_TARGET_BYTES a 414. */
enum app_err request_set_raw_path(struct request *r, struct str raw) MUST_CHECK;

/* The path as the client sent it, when the transport also hands over a decoded
 * copy (CGI REQUEST_URI beside PATH_INFO): checked by the same rules as
 * request_set_raw_path() (malformed escapes and %00 are a 400), so that a front
 * server decoding the path leniently changes no answer. Nothing is stored. */
enum app_err request_check_raw_path(struct request *r, struct str raw) MUST_CHECK;

/* Path already decoded by the transport (CGI PATH_INFO, Lambda REST path):
 * a NUL byte or no leading '/' is a 400; invalid UTF-8 becomes U+FFFD. */
enum app_err request_set_decoded_path(struct request *r, struct str path) MUST_CHECK;

/* Raw query string (without '?'); parsed into r->query. Malformed escapes, NUL
 * or other control bytes: 400; over LIMIT_TARGET_BYTES: 414. */
enum app_err request_set_query_string(struct request *r, struct str raw) MUST_CHECK;

/* Sets a body the transport already holds (Lambda events). Over limit_body_bytes(): 413. */
enum app_err request_set_body(struct request *r, struct str body) MUST_CHECK;

/* Records the 413 for a body of more than limit_body_bytes(), naming the limit. */
enum app_err request_refuse_body_too_large(struct request *r) MUST_CHECK;

/* Adds a header; the name is lower-cased into the arena. Cookie headers also
 * fill r->cookies. An empty name, NUL/CR/LF anywhere: 400; past
 * LIMIT_HEADER_COUNT or LIMIT_HEADER_BYTES: 431. */
enum app_err request_add_header(struct request *r, struct str name, struct str value) MUST_CHECK;

/* request_add_header for a name the caller made: already lower-case, not empty,
 * no NUL, CR or LF in it (cgi_env's, mapped from HTTP_*). The same limits and
 * value check in the same order; the name is not looked at again. */
enum app_err request_add_lower_header(struct request *r, struct str lname, struct str value) MUST_CHECK;

/* An RFC 9110 token (a method, a header name): one or more of letters, digits
 * and !#$%&'*+-.^_`|~; false for anything else, the empty string included. */
bool is_http_token(struct str s);

/* The one host check every target uses before a host reaches an absolute URL
 * (a redirect's Location): the Host header, CGI SERVER_NAME[:SERVER_PORT],
 * Lambda's requestContext.domainName. True for 1 to 300 bytes of RFC 3986
 * host[:port] characters: letters, digits, "-._~", sub-delims "!$&'()*+,;=",
 * ':', '%' and the brackets of an IP literal; false for anything else (empty,
 * spaces, control bytes, '/', '?', '#', '@', '\', non-ASCII). */
bool host_is_valid(struct str host);

/* First value of a header, case-insensitive, or STR_NULL. */
struct str request_header(const struct request *r, const char *name);

/* Last value of a query parameter, or STR_NULL. */
struct str request_query(const struct request *r, const char *name);

#endif
