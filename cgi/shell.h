/* build/app.cgi run by hand with --request: the variables set from the command
 * line (shell_env.c), the request run through cgi_env_serve exactly as
 * under a web server, the raw CGI output on stdout. */
#ifndef CGI_SHELL_H
#define CGI_SHELL_H

#include "shell_args.h"

/* Runs the request of a (mode SHELL_REQUEST). Exit status: 0 when the response
 * was written, 1 when writing it failed, 2 when the command line cannot be
 * turned into a request (said on stderr), e.g. an unreadable -d @FILE. */
int shell_run(const char *prog, const struct shell_args *a);

#endif
