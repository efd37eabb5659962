/* Command line of build/app.fcgi: no --listen (spawned: the listening socket
 * is fd 0), or the standalone manager's --listen/--workers; the request
 * controls apply to both. Each control also has an environment variable
 * (FCGI_READ_TIMEOUT...), taken when the flag is not given. */
#ifndef FCGI_OPTIONS_H
#define FCGI_OPTIONS_H

#include "manager/privileges.h"
#include "worker/worker.h"

enum run_mode {
	RUN_SPAWNED,     /* lighttpd mod_fastcgi or spawn-fcgi handed us a socket on fd 0 */
	RUN_STANDALONE,  /* --listen: bind ourselves, supervise --workers processes */
	RUN_HELP,        /* --help: usage printed, exit 0 */
	RUN_VERSION,     /* --version: version printed, exit 0 */
	RUN_STATUS,      /* --status ADDRESS: print a running manager's status page */
};

struct options {
	enum run_mode mode;
	const char *listen;        /* "HOST:PORT", ":PORT" or a socket path (points into argv) */
	int workers;               /* 1..MAX_WORKERS: the pool's minimum (--workers N or MIN:MAX) */
	int max_workers;           /* workers..MAX_WORKERS: more than workers makes the pool dynamic */
	int idle_timeout;          /* seconds a worker above the minimum may stay idle */
	int shutdown_timeout;      /* seconds the requests in flight get after SIGTERM; 0: no limit */
	int slow_request;          /* seconds after which a running request is logged; 0: never */
	const char *status_address;/* --status: the manager to ask */
	const char *user, *group;  /* --user/--group as given, resolved into worker_identity */
	const char *socket_owner_spec; /* --socket-owner as given, resolved into socket_owner */
	struct identity worker_identity; /* --user/--group: who the workers run as */
	struct identity socket_owner;    /* --socket-owner: the unix socket's owner */
	int socket_mode;           /* --socket-mode: its permissions; -1: as created */
	long max_consecutive_failures; /* workers dying in a row without serving before the manager exits; 0: never */
	struct worker_config worker;
};

#define MAX_WORKERS 256

/* Defaults (seconds; 0 is off). */
#define DEFAULT_SHUTDOWN_TIMEOUT 30
#define DEFAULT_READ_TIMEOUT 60
#define DEFAULT_REQUEST_TIMEOUT 0
#define DEFAULT_IDLE_TIMEOUT 10
#define DEFAULT_STATUS_PATH "/-/status"
#define DEFAULT_STATUS_ALLOW "127.0.0.1,::1"

/* Parses argv (and the FCGI_* environment variables) into *o; o->worker.argv
 * is argv. On a usage error or a bad value prints why to stderr and returns -1. */
int options_parse(int argc, char **argv, struct options *o);

/* Prints the usage text to stdout. */
void options_usage(const char *prog);

#endif
