/* One FastCGI worker: accepts connections on a listening socket and answers
 * each request through app/ (cgi_env_serve), one at a time. */
#ifndef FCGI_WORKER_H
#define FCGI_WORKER_H

/* Serves requests on listen_fd until SIGTERM: then finishes the request in
 * hand and returns 0. SIGINT, SIGHUP and SIGPIPE are ignored. Returns 1 if
 * listen_fd is not a usable listening socket. */
int worker_run(int listen_fd);

#endif
