/* The manager under systemd (libsystemd): socket activation with sd_listen_fds
 * and the service manager's notifications with sd_notify (Type=notify:
 * READY, RELOADING, STOPPING, STATUS). Without systemd (no LISTEN_FDS for
 * this process, no NOTIFY_SOCKET) every function here does nothing. */
#ifndef FCGI_SYSTEMD_H
#define FCGI_SYSTEMD_H

#include <stdbool.h>

struct scoreboard;

/* What systemd_listen_fd returns when systemd passed no socket to this
 * process (no LISTEN_FDS, or LISTEN_PID names another process). */
#define SYSTEMD_NO_SOCKET (-2)

/* The listening socket systemd passed to this process (LISTEN_FDS=1 and
 * LISTEN_PID = our pid), in place of binding address (only named in the log).
 * Unsets LISTEN_* so that nothing started later takes it for its own.
 * Returns the fd; SYSTEMD_NO_SOCKET when none was passed; -1 after saying why
 * when what was passed is not one listening stream socket (LISTEN_FDS=2, a
 * datagram socket, an fd not listening). */
int systemd_listen_fd(const char *address);

/* READY=1 with the pool's STATUS= line: the socket is bound and the workers
 * run (at start, and again once SIGHUP's new workers are started). */
void systemd_ready(const struct scoreboard *sb);

/* RELOADING=1 with MONOTONIC_USEC= (as systemd >= 253 wants): SIGHUP taken. */
void systemd_reloading(void);

/* STOPPING=1: SIGTERM taken, the requests in flight are being finished. */
void systemd_stopping(void);

/* STATUS= with the workers busy and idle, sent only when it changed. */
void systemd_status(const struct scoreboard *sb);

/* Whether a NOTIFY_SOCKET is set: the manager then wakes every second to keep
 * STATUS= current. */
bool systemd_notifying(void);

#endif
