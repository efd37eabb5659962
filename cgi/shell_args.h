/* Command line of build/app.cgi run by hand (the shell tool):
 *   app.cgi --request 'GET /math/add?i=5&i=10' [-H 'Name: value']... [-d BODY] [--env]
 *   app.cgi --help | --version
 * Only parsed here; shell_env.c turns a request into RFC 3875 variables. */
#ifndef CGI_SHELL_ARGS_H
#define CGI_SHELL_ARGS_H

#include <stdbool.h>
#include <stdio.h>

enum shell_mode {
	SHELL_REQUEST,  /* --request: run one request, print the raw CGI output */
	SHELL_HELP,     /* --help: usage on stdout, exit 0 */
	SHELL_VERSION,  /* --version: version on stdout, exit 0 */
};

struct shell_args {
	enum shell_mode mode;
	const char *request;    /* "[METHOD] /target [HTTP/1.x]", as given (points into argv) */
	const char **headers;   /* each -H argument as given, "Name: value" (points into argv) */
	size_t n_headers;
	const char *data;       /* -d argument: the body, or @FILE / @- to read it; NULL without -d */
	bool show_env;          /* --env: print the variables set, on stderr */
};

/* Parses argv into *a. On a usage error (unknown option, missing --request,
 * a stray argument) prints why to stderr and returns -1; else 0. The headers
 * array is allocated: release it with shell_args_free, whatever the result. */
int shell_args_parse(int argc, char **argv, struct shell_args *a);

/* Releases what shell_args_parse allocated; safe to call twice. */
void shell_args_free(struct shell_args *a);

/* Prints the usage text to out. */
void shell_args_usage(FILE *out, const char *prog);

#endif
