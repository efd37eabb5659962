/* The held lines of log_gather_start(), behind http/log.h's writer hook. */
#define _GNU_SOURCE /* O_CLOEXEC, MSG_NOSIGNAL with -std=c11 */
#include "log_gather.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/log.h"

/* Whole lines only, never more than a pipe writes in one piece. The lock is
 * the worker's timer thread's too; uncontended, it costs no system call, and
 * no thread waits for the fd while it holds it. */
static struct {
	int fd; /* -1: lines are written one by one */
	int nowait_fd; /* open_nowait(): fd written without waiting, or -1 */
	bool nowait_send; /* fd is a socket: send(MSG_DONTWAIT) on fd */
	bool stalled; /* the fd took nothing for LOG_STALL_MS: no wait for it until it takes again */
	size_t n;
	long long first_ms; /* CLOCK_MONOTONIC ms of the oldest line held */
	pthread_mutex_t lock;
	char p[PIPE_BUF];
} held = { .fd = -1, .nowait_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

/* How a flush may wait for a full fd: the main thread up to LOG_STALL_MS
 * (without the lock; as long as it takes when the fd changes), the timer thread never (its deadlines go first), the
 * path before a timed-out worker exits until a deadline. */
#define WAIT_FOREVER LLONG_MAX
#define WAIT_NOT 0LL

#ifdef FCGI_TEST_HOOKS
/* Test builds only (build/test-hooks/): a line containing FCGI_TEST_LOG_HOLD_MATCH
 * keeps the buffer's lock FCGI_TEST_LOG_HOLD_MS ms before it is held, so that
 * a request timeout finds the main thread inside the lock. */
static const char *hook_match;
static long hook_ms;

static void hook_init(void)
{
	const char *ms = getenv("FCGI_TEST_LOG_HOLD_MS");
	hook_match = getenv("FCGI_TEST_LOG_HOLD_MATCH");
	hook_ms = ms != NULL ? strtol(ms, NULL, 10) : 0;
}

static void hook_stall(const char *p, size_t n)
{
	if (hook_ms <= 0 || hook_match == NULL || memmem(p, n, hook_match, strlen(hook_match)) == NULL)
		return;
	struct timespec t = { hook_ms / 1000, (hook_ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR) {
	}
}
#endif

/* A way to write to fd that never waits for its reader: a socket takes
 * send(MSG_DONTWAIT); a regular file makes no writer wait: fd itself; a pipe
 * or a terminal is opened again through /proc/self/fd as a file description
 * of our own, non-blocking (fd's flags, shared with other processes, stay as
 * they are). None (-1) when that open fails (no /proc; a pipe of another
 * user after the privileges were dropped; a FIFO with no reader). */
static void open_nowait(int fd)
{
	held.nowait_fd = -1;
	held.nowait_send = false;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		held.nowait_send = true;
	} else if (S_ISREG(st.st_mode)) {
		held.nowait_fd = fd;
	} else {
		char path[40];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		held.nowait_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	}
}

static void close_nowait(void)
{
	if (held.nowait_fd >= 0 && held.nowait_fd != held.fd)
		close(held.nowait_fd);
	held.nowait_fd = -1;
	held.nowait_send = false;
}

/* One write of p[0..n) that does not wait for the reader: the bytes taken
 * (a pipe takes a piece of at most PIPE_BUF whole or not at all), 0 when the
 * fd is full now, -1 on another error. strict: with no way that never waits
 * (open_nowait failed), 0; else fd is written when poll() says it has room
 * (another process may fill it in between: then this write waits). */
static ssize_t try_write(const char *p, size_t n, bool strict)
{
	ssize_t w;
	do {
		if (held.nowait_send) {
			w = send(held.fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else if (held.nowait_fd >= 0) {
			w = write(held.nowait_fd, p, n);
		} else {
			struct pollfd f = { .fd = held.fd, .events = POLLOUT };
			if (strict || poll(&f, 1, 0) == 0)
				return 0;
			w = write(held.fd, p, n);
		}
	} while (w < 0 && errno == EINTR);
	return w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : w;
}

/* Waits, without the lock, until the fd takes more or until deadline
 * (CLOCK_MONOTONIC ms; WAIT_FOREVER; WAIT_NOT: no wait). false when the time is up. */
static bool wait_room(long long deadline)
{
	long long left = deadline == WAIT_FOREVER ? -1 : deadline - now_ms();
	if (deadline == WAIT_NOT || (deadline != WAIT_FOREVER && left <= 0))
		return false;
	struct pollfd f = { .fd = held.nowait_fd >= 0 ? held.nowait_fd : held.fd, .events = POLLOUT };
	pthread_mutex_unlock(&held.lock);
	int r = poll(&f, 1, left < 0 || left > INT_MAX ? -1 : (int)left);
	pthread_mutex_lock(&held.lock);
	return r != 0;
}

/* Writes what is held (the lock is taken), the bytes taken leaving the
 * front before the lock is let go to wait (so no other flush writes them
 * again); what the fd has not taken by deadline stays held, in order. 0 when
 * all went; -1 when some is left, or when the fd failed otherwise: then the
 * lines are dropped (nothing will take them). strict: try_write()'s. */
static int flush_locked(long long deadline, bool strict)
{
	while (held.n > 0) {
		ssize_t w = try_write(held.p, held.n, strict);
		if (w > 0) {
			held.stalled = false;
			memmove(held.p, held.p + w, held.n - (size_t)w);
			__atomic_store_n(&held.n, held.n - (size_t)w, __ATOMIC_RELAXED);
		} else if (w < 0) {
			__atomic_store_n(&held.n, 0, __ATOMIC_RELAXED);
			return -1;
		} else if (!wait_room(deadline)) {
			return -1;
		}
	}
	return 0;
}

/* Writes line p (not held: nothing is held when it is called; the lock is
 * taken) by deadline, waiting for room as flush_locked() does. 0 when it all went. */
static int write_line(const char *p, size_t n, long long deadline)
{
	while (n > 0) {
		ssize_t w = try_write(p, n, false);
		if (w > 0) {
			held.stalled = false;
			p += w;
			n -= (size_t)w;
		} else if (w < 0 || !wait_room(deadline)) {
			return -1;
		}
	}
	return 0;
}

/* How long the main thread may wait for room: LOG_STALL_MS, or not at all
 * while the fd is stalled (a reader that took nothing for that long). */
static long long room_deadline(void)
{
	return held.stalled ? WAIT_NOT : now_ms() + LOG_STALL_MS;
}

/* The main thread's flush (the lock is taken): bounded by room_deadline();
 * when lines are left, the fd is marked stalled. 0 when all went. */
static int flush_bounded(void)
{
	int rc = flush_locked(room_deadline(), false);
	if (rc != 0 && held.n > 0)
		held.stalled = true;
	return rc;
}

/* Keeps line p for the next flush (flushing first if it would not fit,
 * waiting for the fd up to LOG_STALL_MS); 0 when kept or written. A line
 * longer than the buffer goes out at once, after what is held. A stalled fd
 * (a log reader that reads nothing) costs the held lines, not the worker. */
static int hold(const char *p, size_t n)
{
	int rc = 0;
	pthread_mutex_lock(&held.lock);
#ifdef FCGI_TEST_HOOKS
	hook_stall(p, n);
#endif
	if (held.n + n > sizeof held.p && flush_bounded() != 0)
		__atomic_store_n(&held.n, 0, __ATOMIC_RELAXED); /* dropped: nothing takes them */
	if (held.n + n > sizeof held.p) {
		rc = write_line(p, n, room_deadline());
		if (rc != 0)
			held.stalled = true;
	} else {
		if (held.n == 0)
			held.first_ms = now_ms();
		memcpy(held.p + held.n, p, n);
		__atomic_store_n(&held.n, held.n + n, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&held.lock);
	return rc;
}

/* The logger's writer while gathering: lines for the held fd are held, others
 * written at once. held.fd changes only in log_gather_start(), on the main thread. */
static int gather_line(int fd, const char *line, size_t n)
{
	return fd == held.fd ? hold(line, n) : write_all(fd, line, n);
}

void log_gather_start(int fd)
{
	pthread_mutex_lock(&held.lock);
	(void)flush_locked(WAIT_FOREVER, false);
	close_nowait();
	held.fd = fd;
	held.stalled = false;
	open_nowait(fd);
#ifdef FCGI_TEST_HOOKS
	hook_init();
#endif
	pthread_mutex_unlock(&held.lock);
	log_set_writer(fd >= 0 ? gather_line : NULL);
}

bool log_gather_pending(void)
{
	return __atomic_load_n(&held.n, __ATOMIC_RELAXED) > 0;
}

void log_gather_flush(void)
{
	pthread_mutex_lock(&held.lock);
	(void)flush_bounded();
	pthread_mutex_unlock(&held.lock);
}

void log_gather_try_flush_stale(long long now)
{
	if (pthread_mutex_trylock(&held.lock) != 0)
		return;
	if (held.n > 0 && now - held.first_ms >= LOG_GATHER_HOLD_MS)
		(void)flush_locked(WAIT_NOT, true);
	pthread_mutex_unlock(&held.lock);
}

void log_gather_try_flush(void)
{
	if (pthread_mutex_trylock(&held.lock) != 0)
		return;
	(void)flush_locked(WAIT_NOT, true);
	pthread_mutex_unlock(&held.lock);
}

int log_gather_flush_last(const char *line, size_t n, int within_ms)
{
	long long deadline = now_ms() + within_ms;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	long long ns = until.tv_nsec + (within_ms % 1000) * 1000000LL;
	until.tv_sec += within_ms / 1000 + (time_t)(ns / 1000000000LL);
	until.tv_nsec = (long)(ns % 1000000000LL);
	if (pthread_mutex_timedlock(&held.lock, &until) != 0)
		return -1;
	int rc = -1;
	if (held.fd >= 0 && flush_locked(deadline, false) == 0)
		rc = write_line(line, n, deadline);
	pthread_mutex_unlock(&held.lock);
	return rc;
}
