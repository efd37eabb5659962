/* One request through a CGI-style gateway: meta-variables and a body stream
 * in, "Status:" + headers + body out. The CGI main and the FastCGI worker loop
 * both call this with their own byte streams. */
#ifndef APP_SERVE_H
#define APP_SERVE_H

#include <sys/types.h>

#include "gateway.h"

struct transport {
	/* Reads up to n bytes of request body: bytes read, 0 at end of input, -1 on error. */
	ssize_t (*read)(void *ctx, char *p, size_t n);
	/* Writes all n bytes of response: 0, or -1 on error. */
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
};

/* Parses envp (see gateway_parse), reads exactly the declared body (a short
 * body is a 400), answers with app_handle and writes the response. All
 * request memory comes from one arena released before returning.
 * target names the deployment ("cgi", "fcgi") for /hello.
 * Returns 0 when the response was written, -1 when writing it failed. */
int serve_gateway_request(char *const *envp, const char *target, enum gateway_mount mount, const struct transport *t);

#endif
