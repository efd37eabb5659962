/* The standalone pre-fork manager: N workers accepting on one shared socket. */
#ifndef FCGI_PREFORK_H
#define FCGI_PREFORK_H

#include <signal.h>

#include "listen.h"

/* Forks `workers` processes running worker_run(listen_fd) and supervises them:
 * a worker that dies is replaced; SIGHUP starts a fresh set and retires the old
 * one gracefully; SIGTERM/SIGINT stop accepting (the socket is closed and
 * socket file in *created, if any, removed), wait for the workers to finish the
 * requests in flight, and return 0 (1 if a worker failed while stopping). */
/* The signals the manager takes synchronously (SIGCHLD, SIGTERM, SIGINT,
 * SIGHUP): main() blocks them before it binds, so a stop sent the moment the
 * socket appears is handled by the loop, not by the default action. */
void prefork_signals(sigset_t *set);

int prefork_run(int listen_fd, int workers, const struct listen_path *created);

#endif
