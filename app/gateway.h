/* RFC 3875 meta-variables (CGI environment, FastCGI params) into a request.
 * CGI and FastCGI receive the same variables; only where the service is
 * mounted differs, so both targets share this parser. */
#ifndef APP_GATEWAY_H
#define APP_GATEWAY_H

#include <stdbool.h>

#include "request.h"

enum gateway_mount {
	/* The service lives under SCRIPT_NAME (a CGI script): the path is PATH_INFO, or "/". */
	MOUNT_AT_SCRIPT,
	/* The service answers every URL (a FastCGI responder): the path is PATH_INFO,
	 * else REQUEST_URI's path, else SCRIPT_NAME, so lighttpd, nginx and Apache all work. */
	MOUNT_AT_ROOT,
};

/* Fills req from envp ("NAME=value" strings, NULL-terminated; the strings must
 * outlive the request): method, path, query, headers (HTTP_*, CONTENT_TYPE,
 * CONTENT_LENGTH), remote address, scheme, host. Stores the declared body size
 * in *body_length (0 when absent). A malformed CONTENT_LENGTH is a 400, one
 * over limit_body_bytes() a 413; both are recorded in req and leave *body_length 0. */
void gateway_parse(struct request *req, char *const *envp, enum gateway_mount mount, size_t *body_length);

#endif
