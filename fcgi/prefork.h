/* The standalone pre-fork manager: N workers accepting on one shared socket. */
#ifndef FCGI_PREFORK_H
#define FCGI_PREFORK_H

/* Forks `workers` processes running worker_run(listen_fd) and supervises them:
 * a worker that dies is replaced; SIGHUP starts a fresh set and retires the old
 * one gracefully; SIGTERM/SIGINT stop accepting (the socket is closed and
 * unlink_path, if not NULL, removed), wait for the workers to finish the
 * requests in flight, and return 0 (1 if a worker failed while stopping). */
int prefork_run(int listen_fd, int workers, const char *unlink_path);

#endif
