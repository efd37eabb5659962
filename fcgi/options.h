/* Command line of build/app.fcgi: no arguments (spawned: the listening socket
 * is fd 0), or the standalone manager's --listen/--workers. */
#ifndef FCGI_OPTIONS_H
#define FCGI_OPTIONS_H

enum run_mode {
	RUN_SPAWNED,     /* lighttpd mod_fastcgi or spawn-fcgi handed us a socket on fd 0 */
	RUN_STANDALONE,  /* --listen: bind ourselves, supervise --workers processes */
	RUN_HELP,        /* --help: usage printed, exit 0 */
	RUN_VERSION,     /* --version: version printed, exit 0 */
};

struct options {
	enum run_mode mode;
	const char *listen;  /* "HOST:PORT", ":PORT" or a socket path (points into argv) */
	int workers;         /* 1..MAX_WORKERS */
};

#define MAX_WORKERS 256

/* Parses argv into *o. On a usage error prints why to stderr and returns -1. */
int options_parse(int argc, char **argv, struct options *o);

/* Prints the usage text to stdout. */
void options_usage(const char *prog);

#endif
