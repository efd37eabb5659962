/* The RFC 3875 variables a web server would set for one request, built from
 * what a person types: a request line and header lines. The tool hands them to
 * the same gateway code a server's variables go through; every HTTP decision
 * (decoding, validation, routing) stays there. */
#ifndef CGI_SHELL_ENV_H
#define CGI_SHELL_ENV_H

#include <stdio.h>

/* "NAME=value" strings (each malloc'd), NULL-terminated, in the order set. */
struct shell_env {
	char **vars;
	size_t n, cap;
};

/* Fills e (zero it first) for the request line "[METHOD] /target [HTTP/1.x]"
 * (METHOD defaults to GET; a '#fragment' is dropped, as clients do), the
 * header lines "Name: value" (repeated names joined with ", ", Cookie with
 * "; ", as servers do) and a body of body_len bytes (-1: no body). A
 * Content-Length header overrides the body's length (to send a wrong one on
 * purpose). What the tool cannot express as CGI variables (no target, a
 * target not starting with '/', a header line without "Name:", a name that is
 * not an RFC 9110 token or has '_') is printed to stderr and returns -1. */
int shell_env_build(struct shell_env *e, const char *prog, const char *request, const char *const *headers,
		    size_t n_headers, long long body_len);

/* Prints one variable a line, each one shell word ('NAME=value' quoted when
 * needed), so that `env -i LINES... app.cgi` replays the request. */
void shell_env_print(const struct shell_env *e, FILE *out);

/* Releases every variable and the array, leaving e empty. */
void shell_env_free(struct shell_env *e);

#endif
