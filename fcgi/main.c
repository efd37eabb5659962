/* FastCGI target: build/app.fcgi. Spawned with a listening socket on fd 0
 * (lighttpd mod_fastcgi, spawn-fcgi), or standalone with --listen. Only moves
 * bytes: every request is answered by app/ through worker.c. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "http/settings.h"
#include "manager/listen.h"
#include "options.h"
#include "test_hooks.h"
#include "service/service.h"
#include "manager/prefork.h"
#include "worker/status.h"
#include "worker/worker.h"

#ifndef APP_VERSION
#define APP_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	struct options o;
	if (options_parse(argc, argv, &o) != 0)
		return 2;
	const char *why = NULL;
	if ((o.mode == RUN_SPAWNED || o.mode == RUN_STANDALONE) &&
	    (http_settings_load(&why) != APP_OK || service_settings_load(&why) != APP_OK)) {
		fprintf(stderr, "%s: %s\n", argv[0], why);
		return 2;
	}
	test_hook_routes(); /* test_hooks.h: nothing outside the test-hooks build */
	switch (o.mode) {
	case RUN_HELP:
		options_usage(argv[0]);
		return 0;
	case RUN_VERSION:
		printf("app.fcgi (math-service) %s\n", APP_VERSION);
		return 0;
	case RUN_STATUS:
		return status_query(o.status_address, o.worker.status_path);
	case RUN_SPAWNED:
		if (FCGX_IsCGI()) {
			fprintf(stderr, "%s: fd 0 is not a listening socket: start me from a FastCGI process manager "
					"(lighttpd, spawn-fcgi) or with --listen ADDRESS (see --help)\n",
				argv[0]);
			return 2;
		}
		return worker_run(STDIN_FILENO, &o.worker);
	case RUN_STANDALONE: {
		/* Before the socket exists nothing may stop us by a default action: a
		 * SIGTERM sent as soon as the socket appears waits for the manager's
		 * loop, and a log reader that went away is a failed write, not a death. */
		sigset_t manager_signals;
		prefork_signals(&manager_signals);
		sigprocmask(SIG_BLOCK, &manager_signals, NULL);
		signal(SIGPIPE, SIG_IGN);
		struct listen_path created;
		int fd = listen_open(o.listen, &created);
		if (fd < 0)
			return 1;
		if (listen_set_access(&created, &o.socket_owner, o.socket_mode) != 0) {
			close(fd);
			listen_remove(&created);
			return 1;
		}
		if (o.max_workers > o.workers)
			fprintf(stderr, "app.fcgi: listening on %s with %d to %d workers\n", o.listen, o.workers,
				o.max_workers);
		else
			fprintf(stderr, "app.fcgi: listening on %s with %d workers\n", o.listen, o.workers);
		return prefork_run(fd, &o, &created);
	}
	}
	return 2;
}
