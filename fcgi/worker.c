/* The accept loop. Stop signals are blocked except while waiting for work
 * (ppoll), so a SIGTERM never cuts a request short and can never slip in
 * between the "should I stop?" check and the wait. The listening socket is
 * non-blocking: workers sharing it race for each connection, and the losers
 * go back to waiting instead of blocking in accept(). */
#define _GNU_SOURCE /* ppoll */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcgios.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgi_env/cgi_env.h"
#include "close.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static ssize_t fcgi_read(void *ctx, char *p, size_t n)
{
	FCGX_Request *req = ctx;
	int got = FCGX_GetStr(p, n > INT_MAX ? INT_MAX : (int)n, req->in);
	if (got < 0 || (got == 0 && FCGX_GetError(req->in) != 0))
		return -1;
	return got;
}

static int fcgi_write(void *ctx, const char *p, size_t n)
{
	FCGX_Request *req = ctx;
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (FCGX_PutStr(p, chunk, req->out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* Installs the handlers and blocks the stop signals; *waitmask gets the mask to wait with. */
static void setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a server gone mid-response is a failed write */
	/* Ctrl-C reaches the whole process group: the process manager in front
	 * (lighttpd, our own) decides when workers stop, and sends SIGTERM. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, waitmask);
	sigdelset(waitmask, SIGTERM);
}

enum wake { WAKE_STOP, WAKE_KEPT, WAKE_LISTEN };

/* A stop signal that came while blocked: ppoll returns a ready socket rather
 * than run the handler when both happen, so look for it explicitly. */
static bool stop_pending(void)
{
	sigset_t pending;
	return stop_requested || (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM));
}

/* Waits for a request on the kept connection (kept_fd >= 0), a new connection, or a stop signal. */
static enum wake wait_for_work(int listen_fd, int kept_fd, const sigset_t *waitmask)
{
	for (;;) {
		if (stop_pending())
			return WAKE_STOP;
		struct pollfd fds[2] = { { .fd = listen_fd, .events = POLLIN }, { .fd = kept_fd, .events = POLLIN } };
		int n = ppoll(fds, kept_fd >= 0 ? 2 : 1, NULL, waitmask);
		if (n <= 0 || stop_pending())
			continue; /* EINTR: the stop handler ran; the check above returns */
		if (kept_fd >= 0 && fds[1].revents != 0)
			return WAKE_KEPT;
		if (fds[0].revents != 0)
			return WAKE_LISTEN;
	}
}

/* FCGX_Accept_r's result: 1 go on serving the request, 0 nothing to serve, -1 give up. */
static int accepted(int rc)
{
	if (rc >= 0)
		return 1;
	int err = -rc;
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR)
		return 0; /* another worker took the connection */
	if (err == EBADF || err == ENOTSOCK || err == EINVAL) {
		fprintf(stderr, "app.fcgi: cannot accept on the listening socket: %s\n", strerror(err));
		return -1;
	}
	/* Out of descriptors or memory: say so and back off instead of spinning. */
	fprintf(stderr, "app.fcgi: accept failed: %s\n", err > 0 && err < 4096 ? strerror(err) : "FastCGI error");
	nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	return 0;
}

int worker_run(int listen_fd)
{
	sigset_t waitmask;
	setup_signals(&waitmask);
	int flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		fprintf(stderr, "app.fcgi: fd %d is not open: %s\n", listen_fd, strerror(errno));
		return 1;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "app.fcgi: FastCGI library failed to start\n");
		return 1;
	}

	FCGX_Request req;
	FCGX_InitRequest(&req, listen_fd, 0);
	const struct transport fcgi = { fcgi_read, fcgi_write, &req };
	int status = 0;
	for (;;) {
		enum wake w = wait_for_work(listen_fd, req.ipcFd, &waitmask);
		if (w == WAKE_STOP)
			break;
		/* A worker serves one connection at a time: when the server keeps an idle
		 * connection (fastcgi_keep_conn) but opens another, close the idle one. */
		if (w == WAKE_LISTEN && req.ipcFd >= 0)
			FCGX_Free(&req, 1);
		int ok = accepted(FCGX_Accept_r(&req));
		if (ok < 0) {
			status = 1;
			break;
		}
		if (ok == 0)
			continue;
		/* A failed write is the web server's connection gone: nothing to answer. */
		enum app_err err = cgi_env_serve(req.envp, "fcgi", MOUNT_AT_ROOT, &fcgi);
		(void)err;
		fcgi_finish(&req); /* close.c: no idle wait for the web server to hang up */
	}
	FCGX_Free(&req, 1);
	OS_LibShutdown(); /* frees what FCGX_Init took: a worker exits with nothing allocated */
	return status;
}
