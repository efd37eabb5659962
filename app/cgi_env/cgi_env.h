/* app/cgi_env: RFC 3875 meta-variables (the CGI environment, FastCGI params)
 * into the request model, and one request served over a byte stream. Shared by
 * the CGI target (cgi/) and the FastCGI target (fcgi/); they differ only in
 * where the service is mounted and in how bytes move. Files here include
 * core/, http/, service/ and cgi_env/ only (tests/check_layers.sh).
 *   cgi_env.c         variables -> struct request
 *   front_errors.def  the statuses a front server answers by itself, with the
 *                     detail of each (also deploy/error-pages.sh's list)
 *   serve.c           variables + body stream -> app_handle() -> "Status:" + headers + body */
#ifndef APP_CGI_ENV_CGI_ENV_H
#define APP_CGI_ENV_CGI_ENV_H

#include <stdbool.h>
#include <sys/types.h>

#include "http/request.h"

enum cgi_mount {
	/* The service lives under SCRIPT_NAME (a CGI script): the path is PATH_INFO, or "/". */
	MOUNT_AT_SCRIPT,
	/* The service answers every URL (a FastCGI responder): the path is PATH_INFO,
	 * else REQUEST_URI's path, else SCRIPT_NAME, so lighttpd, nginx and Apache all work. */
	MOUNT_AT_ROOT,
};

/* Fills req from envp ("NAME=value" strings, NULL-terminated; the strings must
 * outlive the request): method, path, query, headers (HTTP_*, CONTENT_TYPE,
 * CONTENT_LENGTH), remote address, scheme, host. Stores the declared body size
 * in *body_length (0 when absent or when the request is refused). A malformed
 * variable refuses the request (APP_ERR_REFUSED, the 4xx recorded in req): a
 * CONTENT_LENGTH that is not digits is a 400, one over limit_body_bytes() (or
 * too large for any integer) a 413.
 * REDIRECT_STATUS of 400-599 is a front server's error-document call (lighttpd's
 * server.error-handler): the request is the client's REQUEST_URI, not the
 * handler's PATH_INFO. A 411 in lighttpd's shape (a POST without
 * Content-Length; the call a GET passing no body) for a URL under the mount is
 * that POST with an empty body, judged as any request; any other call is
 * refused with its status and the detail of front_errors.def
 * (request_set_front_error). *body_length is 0 either way. REDIRECT_STATUS
 * absent, "200" or anything but three digits 400-599: an ordinary request. */
enum app_err cgi_env_parse(struct request *req, char *const *envp, enum cgi_mount mount,
			   size_t *body_length) MUST_CHECK;

struct transport {
	/* Reads up to n bytes of request body: bytes read, 0 at end of input, -1 on error. */
	ssize_t (*read)(void *ctx, char *p, size_t n);
	/* Writes all n bytes of response: 0, or -1 on error. */
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
	/* Pushes what was written to the client now: 0, or -1 on error. NULL: the
	 * target cannot stream, and a body in pieces is sent whole (http/stream.h). */
	int (*flush)(void *ctx);
	/* Ends a streamed answer that failed after its first byte so that the
	 * client sees it incomplete (no end of stream). NULL with flush. */
	void (*cut)(void *ctx);
};

/* Serves one request: parses envp (cgi_env_parse), reads exactly the declared
 * body (a short body is a 400), answers with app_handle() and writes the whole
 * response with one t->write call; a body in pieces (http/stream.h), where
 * t->flush is set, goes out as "Status:" + headers (X-Accel-Buffering: no, no
 * Content-Length) and then piece by piece, each flushed, with t->cut after a
 * failure past the first byte (logged as an ERROR event before the access line). All request memory comes from one arena
 * released before returning; running out of it answers a 500.
 * target names the deployment ("cgi", "fcgi") for /hello.
 * APP_OK when the response was written, APP_ERR_IO when writing it failed. */
enum app_err cgi_env_serve(char *const *envp, const char *target, enum cgi_mount mount,
			   const struct transport *t) MUST_CHECK;

/* As cgi_env_serve(), but without running the handler or reading the body:
 * the answer is a 503 with {"detail": detail} (no request id in the body, as
 * a front server's own page: request_set_front_error) and Retry-After: 1, in
 * place of any 4xx the variables would get. The request id, the access log
 * line, observe_request() and the headers of any answer (X-Request-Id, CORS)
 * are those of cgi_env_serve(). detail must be static. */
enum app_err cgi_env_serve_unavailable(char *const *envp, const char *target, enum cgi_mount mount,
				       const struct transport *t, const char *detail) MUST_CHECK;

#endif
