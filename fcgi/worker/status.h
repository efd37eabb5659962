/* The pool's status page (php-fpm's pm.status_path), answered by a worker
 * from the scoreboard without going through app/'s routes: JSON by default,
 * plain text with the query "text". And its command-line reader,
 * build/app.fcgi --status ADDRESS. */
#ifndef FCGI_STATUS_H
#define FCGI_STATUS_H

#include <fcgiapp.h>
#include <stdbool.h>

#include "manager/scoreboard.h"
#include "cgi_env/cgi_env.h"

/* Whether the request's path (REQUEST_URI up to any '?') is status_path.
 * A NULL status_path (the default: no page) is never matched. */
bool status_is_request(const char *status_path, FCGX_ParamArray envp);

/* Records in the worker's slot that a request runs: its method and REQUEST_URI,
 * without the query string unless show_query (it may hold secrets: ?api_key=),
 * as php-fpm's status page shows them unless asked for "full". */
void status_request_running(struct scoreboard *sb, int slot, bool show_query, const char *method,
			    const char *uri);

/* Answers a status request through t: 403 unless REMOTE_ADDR is one of the
 * comma-separated addresses in allow; else the page. Either way one access
 * line in the service's schema (http/log.h) goes to stderr, with a fresh
 * request id, also sent as X-Request-Id. Returns t->write's result. */
int status_serve(const struct scoreboard *sb, const char *allow, FCGX_ParamArray envp, const struct transport *t);

/* --status: asks the manager at address (as --listen takes it) for
 * status_path?text over FastCGI and prints the page on stdout. Returns the
 * exit status: 0, or 1 after saying on stderr what went wrong (nothing
 * listening, no answer within 5 s, an answer that is not a 200 page). */
int status_query(const char *address, const char *status_path);

#endif
