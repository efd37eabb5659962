/* The held lines of log_gather_start(), behind http/log.h's writer hook. */
#include "log_gather.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "core/sysio.h"
#include "http/log.h"

/* Whole lines only, never more than a pipe writes in one piece. The lock is
 * the worker's timer thread's too (log_gather_try_flush_stale); uncontended,
 * it costs no system call. */
static struct {
	int fd; /* -1: lines are written one by one */
	size_t n;
	long long first_ms; /* CLOCK_MONOTONIC ms of the oldest line held */
	pthread_mutex_t lock;
	char p[PIPE_BUF];
} held = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Writes what is held; the lock is taken. A failed write loses those lines. */
static void flush_locked(void)
{
	if (held.n > 0)
		(void)write_all(held.fd, held.p, held.n);
	__atomic_store_n(&held.n, 0, __ATOMIC_RELAXED);
}

/* Keeps line p for the next flush (flushing first if it would not fit); 0 when
 * kept. A line longer than the buffer goes out at once, after what is held. */
static int hold(const char *p, size_t n)
{
	int rc = 0;
	pthread_mutex_lock(&held.lock);
	if (held.n + n > sizeof held.p)
		flush_locked();
	if (n > sizeof held.p) {
		rc = write_all(held.fd, p, n);
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
	flush_locked();
	held.fd = fd;
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
	flush_locked();
	pthread_mutex_unlock(&held.lock);
}

void log_gather_try_flush_stale(long long now)
{
	if (pthread_mutex_trylock(&held.lock) != 0)
		return;
	if (held.n > 0 && now - held.first_ms >= LOG_GATHER_HOLD_MS)
		flush_locked();
	pthread_mutex_unlock(&held.lock);
}

void log_gather_try_flush(void)
{
	if (pthread_mutex_trylock(&held.lock) != 0)
		return;
	flush_locked();
	pthread_mutex_unlock(&held.lock);
}
