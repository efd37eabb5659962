#include "systemd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "scoreboard.h"

int systemd_listen_fd(const char *address)
{
	int n = sd_listen_fds(1); /* 0 when LISTEN_PID is not ours: ignored, as systemd means */
	if (n == 0)
		return SYSTEMD_NO_SOCKET;
	if (n < 0) {
		fprintf(stderr, "app.fcgi: LISTEN_FDS: %s\n", strerror(-n));
		return -1;
	}
	if (n != 1) {
		fprintf(stderr,
			"app.fcgi: systemd passed %d sockets (LISTEN_FDS=%d); one listening stream socket expected "
			"(one ListenStream= in the socket unit)\n",
			n, n);
		return -1;
	}
	int fd = SD_LISTEN_FDS_START;
	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
		fprintf(stderr, "app.fcgi: the socket systemd passed (fd %d) is not a listening stream socket\n", fd);
		return -1;
	}
	fprintf(stderr, "app.fcgi: socket activation: using the socket systemd passed, not binding %s\n", address);
	return fd;
}

/* How long one notification may take. sd_notify's sendmsg blocks while the
 * receiver's queue is full (a NOTIFY_SOCKET nobody reads): the manager's loop
 * must not stop with it. */
#define NOTIFY_TIMEOUT_US 200000

static void interrupt_send(int sig)
{
	(void)sig; /* only there to make sendmsg fail with EINTR */
}

/* sd_notify(state), cut short after NOTIFY_TIMEOUT_US by SIGALRM (no
 * SA_RESTART), repeated in case the first one came before the send began.
 * Only the manager calls it; forked workers inherit no timer. */
static int notify_bounded(const char *state)
{
	struct sigaction on = { .sa_handler = interrupt_send }, off;
	sigemptyset(&on.sa_mask);
	sigaction(SIGALRM, &on, &off);
	struct itimerval every = { { 0, NOTIFY_TIMEOUT_US }, { 0, NOTIFY_TIMEOUT_US } }, none = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &every, NULL);
	int rc = sd_notify(0, state);
	setitimer(ITIMER_REAL, &none, NULL);
	sigaction(SIGALRM, &off, NULL);
	return rc;
}

/* Sends state to NOTIFY_SOCKET; the first failure (a socket that is gone, or
 * one nobody reads) is logged, the later ones are not, and the service runs
 * on either way. */
static void notify(const char *state)
{
	static bool failed_before;
	int rc = notify_bounded(state);
	if (rc < 0 && !failed_before) {
		failed_before = true;
		const char *where = getenv("NOTIFY_SOCKET");
		fprintf(stderr, "app.fcgi: cannot notify systemd at NOTIFY_SOCKET=%s: %s (said once; serving on)\n",
			where != NULL ? where : "",
			rc == -EINTR ? "no room in its queue within 200 ms" : strerror(-rc));
	}
}

/* "STATUS=..." for sb into buf: the workers busy, idle and their bounds. */
static void status_line(const struct scoreboard *sb, char *buf, size_t size)
{
	int busy = 0, idle = 0;
	scoreboard_count(sb, &busy, &idle);
	snprintf(buf, size, "STATUS=%d busy, %d idle, %d workers (min %d, max %d), %lu requests served", busy, idle,
		 busy + idle, sb->min_workers, sb->max_workers, __atomic_load_n(&sb->requests, __ATOMIC_RELAXED));
}

static char last_status[160];

void systemd_ready(const struct scoreboard *sb)
{
	if (!systemd_notifying())
		return;
	char msg[200];
	status_line(sb, last_status, sizeof last_status);
	snprintf(msg, sizeof msg, "READY=1\n%s", last_status);
	notify(msg);
}

void systemd_reloading(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	char msg[80];
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)t.tv_sec * 1000000ULL + (unsigned long long)t.tv_nsec / 1000ULL);
	notify(msg);
}

void systemd_stopping(void)
{
	notify("STOPPING=1");
}

void systemd_status(const struct scoreboard *sb)
{
	if (!systemd_notifying())
		return;
	char line[sizeof last_status];
	status_line(sb, line, sizeof line);
	if (strcmp(line, last_status) == 0)
		return;
	memcpy(last_status, line, sizeof line);
	notify(line);
}

bool systemd_notifying(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	return s != NULL && s[0] != '\0';
}
