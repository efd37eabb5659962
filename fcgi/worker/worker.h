/* One FastCGI worker: accepts connections on a listening socket and answers
 * each request through app/ (cgi_env_serve), one at a time. */
#ifndef FCGI_WORKER_H
#define FCGI_WORKER_H

#include <stdbool.h>

struct scoreboard;

/* Exit statuses the manager tells apart (see also WORKER_EXIT_TIMEOUT). */
#define WORKER_EXIT_FAILED 1        /* the listening socket or the system failed us */
#define WORKER_EXIT_MAX_REQUESTS 3  /* served its --max-requests share; replace it */

struct worker_config {
	int read_timeout;        /* seconds for a request's params and body to arrive; 0: none */
	int request_timeout;     /* seconds a request may run; 0: none */
	long max_requests;       /* requests before the worker is replaced; 0: no limit */
	long max_requests_jitter;/* plus a random 0..this, so workers are not replaced together */
	int max_queue_wait;      /* ms a request may have waited for a worker, else 503 (queue_wait.h); 0: no limit */
	long max_rss_mb;         /* MB of resident memory after which the worker is replaced (rss.h); 0: no limit */
	bool spawned;            /* no manager of ours: replace ourselves by exec(argv) */
	char *const *argv;       /* our command line, for that exec */
	const char *status_path; /* the status page's path; NULL: no page */
	const char *status_allow;/* REMOTE_ADDRs it is shown to, comma-separated */
	bool status_show_query;  /* the page shows requests' query strings (default: paths only) */
	struct scoreboard *scoreboard; /* the manager's, shared; NULL when spawned */
	int slot;                /* this worker's slot in it */
};

/* Serves requests on listen_fd until SIGTERM: then serves what has already
 * arrived (requests waiting on kept connections, connections waiting in the
 * listen backlog) and returns 0. Connections the server keeps open
 * (FCGI_KEEP_CONN) are served until the server closes them, never closed
 * under it while it may be sending. SIGINT, SIGHUP and SIGPIPE are ignored.
 * Returns WORKER_EXIT_FAILED if listen_fd is not a usable listening socket or
 * waiting fails, WORKER_EXIT_MAX_REQUESTS after its share of requests
 * (spawned: it execs itself instead, keeping its pid). */
int worker_run(int listen_fd, const struct worker_config *cfg);

#endif
