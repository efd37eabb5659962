/* The standalone manager's listening socket. */
#ifndef FCGI_LISTEN_H
#define FCGI_LISTEN_H

/* Opens a listening stream socket on address: "HOST:PORT", "[IPV6]:PORT",
 * ":PORT" / "*:PORT" (every address), or a unix socket path (contains '/').
 * A stale unix socket at the path is replaced; any other file there is an error.
 * Returns the fd, or -1 after printing why to stderr. */
int listen_open(const char *address);

/* Whether address names a unix socket path (the caller removes it at exit). */
int listen_is_path(const char *address);

#endif
