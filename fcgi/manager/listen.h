/* The standalone manager's listening socket. */
#ifndef FCGI_LISTEN_H
#define FCGI_LISTEN_H

#include <sys/types.h>

/* The unix socket file --listen created (path NULL for TCP), as found on disk
 * right after bind: at exit it is removed only if that file is still there. */
struct listen_path {
	const char *path;
	dev_t dev;
	ino_t ino;
};

/* Opens a listening stream socket on address: "HOST:PORT", "[IPV6]:PORT",
 * ":PORT" / "*:PORT" (every address), or a unix socket path (contains '/').
 * A stale unix socket at the path (nobody accepts on it) is replaced; a live
 * one (another server answers) or any other file there is an error, as is a
 * path too long for a socket. *created says what to remove at exit.
 * Socket activation: the socket systemd passed (LISTEN_FDS) is used instead.
 * Returns the fd, or -1 after printing why to stderr. */
int listen_open(const char *address, struct listen_path *created);

/* Gives the unix socket file listen_open created the owner (if owner->set)
 * and permissions (if mode >= 0) asked for. Returns -1 after saying why. */
struct identity;
int listen_set_access(const struct listen_path *created, const struct identity *owner, int mode);

/* Connects to address, written as for listen_open (a client of a manager:
 * build/app.fcgi --status). Returns the fd, or -1 after printing why. */
int listen_connect(const char *address);

/* A TCP listening socket shared by a stopping pool: from now on the kernel
 * drops every new connection's first packet (SYN; a socket filter), so no
 * handshake completes into the backlog that the workers drain before they
 * close it; a client's retry then finds the port closed. Connections already
 * in the backlog, and those being served, are untouched. Unix sockets (whose
 * path is removed instead) and other sockets: nothing done, 0. Returns -1
 * (after saying why) if the filter cannot be attached. */
int listen_refuse_new(int fd);

/* Removes the socket file listen_open created, unless it was since removed or
 * replaced (by another server started on the same path). */
void listen_remove(const struct listen_path *created);

#endif
