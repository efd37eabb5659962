/* The standalone pre-fork manager: N workers accepting on one shared socket. */
#ifndef FCGI_PREFORK_H
#define FCGI_PREFORK_H

#include <signal.h>

#include "listen.h"
#include "options.h"

/* The signals the manager takes synchronously (SIGCHLD, SIGTERM, SIGINT,
 * SIGHUP): main() blocks them before it binds, so a stop sent the moment the
 * socket appears is handled by the loop, not by the default action. */
void prefork_signals(sigset_t *set);

/* Forks opts->workers processes running worker_run(listen_fd) and supervises
 * them: a worker that dies is replaced (one that retires after its
 * --max-requests or a request timeout, too); SIGHUP starts a fresh set and
 * retires the old one gracefully; SIGTERM/SIGINT stop accepting (the socket
 * is closed and the socket file in *created, if any, removed), give the
 * workers --shutdown-timeout seconds to finish the requests in flight and the
 * connections already waiting, kill those left, and return 0 (1 if a worker
 * failed or had to be killed while stopping). */
int prefork_run(int listen_fd, const struct options *opts, const struct listen_path *created);

#endif
