/* FastCGI target: build/app.fcgi. Spawned with a listening socket on fd 0
 * (lighttpd mod_fastcgi, spawn-fcgi), or standalone with --listen. Only moves
 * bytes: every request is answered by app/ through worker.c. */
#include <fcgiapp.h>
#include <stdio.h>
#include <unistd.h>

#include "http/limits.h"
#include "listen.h"
#include "options.h"
#include "prefork.h"
#include "worker.h"

#ifndef APP_VERSION
#define APP_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	struct options o;
	if (options_parse(argc, argv, &o) != 0)
		return 2;
	const char *why = NULL;
	if (o.mode != RUN_HELP && limits_load(&why) != APP_OK) {
		fprintf(stderr, "%s: %s\n", argv[0], why);
		return 2;
	}
	switch (o.mode) {
	case RUN_HELP:
		options_usage(argv[0]);
		return 0;
	case RUN_VERSION:
		printf("app.fcgi (math-service) %s\n", APP_VERSION);
		return 0;
	case RUN_SPAWNED:
		if (FCGX_IsCGI()) {
			fprintf(stderr, "%s: fd 0 is not a listening socket: start me from a FastCGI process manager "
					"(lighttpd, spawn-fcgi) or with --listen ADDRESS (see --help)\n",
				argv[0]);
			return 2;
		}
		return worker_run(STDIN_FILENO);
	case RUN_STANDALONE: {
		int fd = listen_open(o.listen);
		if (fd < 0)
			return 1;
		fprintf(stderr, "app.fcgi: listening on %s with %d workers\n", o.listen, o.workers);
		return prefork_run(fd, o.workers, listen_is_path(o.listen) ? o.listen : NULL);
	}
	}
	return 2;
}
