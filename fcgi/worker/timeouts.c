#define _GNU_SOURCE /* execve, environ */
#include "timeouts.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "close.h"
#include "core/arena.h"
#include "core/str.h"
#include "worker/log_gather.h"
#include "http/response.h"
#include "core/sysio.h"

extern char **environ;

enum phase { IDLE, READING, RUNNING };

/* Seconds given to the client to take the 504 and close before we go. */
#define LINGER_MS 1000
/* How long a timed-out worker waits for the log (its buffer, then room in
 * stderr) to write the held lines and its own before it is replaced. */
#define LAST_LOG_MS 2000
/* How often the timer thread ticks while requests run: a tenth of the
 * shortest timeout, within these bounds (a deadline is met at most one tick
 * late); with no timeout, every second for the held log lines. */
#define TICK_MIN_MS 50
#define TICK_MAX_MS 1000
/* The thread goes to sleep after this long without a request. */
#define IDLE_STOP_MS 1000

static int idle_stop_ms = IDLE_STOP_MS;

static int read_seconds, request_seconds, tick_ms;
static long worker_pid; /* getpid() once: the same after a re-exec */
static char *const *reexec;
static unsigned long *timeout_counter;
static const int *stop_flag; /* timeouts_watch_stop */

/* The request in progress, shared with the timer thread under lock (held by
 * either side for a few stores: uncontended, no system call). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a request began while the thread slept, or stop */
	enum phase phase;
	int conn_fd, fcgi_request_id;
	bool response_started, read_expired, asleep, stopping;
	/* A streamed answer has begun (stream_open) and the main thread is not
	 * inside a write (!writing): the connection is at a record boundary. */
	bool stream_open, writing;
	const char *method, *path;
	long long read_deadline, request_deadline, last_busy; /* CLOCK_MONOTONIC ms */
} cur = { .lock = PTHREAD_MUTEX_INITIALIZER, .conn_fd = -1 }; /* wake: made in timeouts_init() */
static pthread_t ticker;
static bool ticker_started;

static char *cgi_504; /* "Status: 504 ..." from app/, built once */
static size_t cgi_504_len;

/* Half-closes fd and reads until the peer closes or LINGER_MS pass, so the
 * peer gets what was written rather than a reset for unread input. */
static void linger(int fd)
{
	shutdown(fd, SHUT_WR);
	long long end = now_ms() + LINGER_MS;
	char trash[1024];
	for (long long left = LINGER_MS; left > 0; left = end - now_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0 || read(fd, trash, sizeof trash) <= 0)
			return;
	}
}

static void put_header(char *p, int type, int id, size_t len)
{
	p[0] = 1;
	p[1] = (char)type;
	p[2] = (char)((id >> 8) & 0xff);
	p[3] = (char)(id & 0xff);
	p[4] = (char)((len >> 8) & 0xff);
	p[5] = (char)(len & 0xff);
	p[6] = 0;
	p[7] = 0;
}

/* Copies s into out (at most n bytes), control bytes and spaces made '?'. */
static size_t printable(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s != NULL && s[i] != '\0' && i < n; i++)
		out[i] = ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) ? '?' : s[i];
	return i;
}

#ifdef FCGI_TEST_HOOKS
/* Test builds only (build/test-hooks/): FCGI_TEST_IDLE_RACE=1 holds the timer
 * thread in its idle path after it gave up the lock to flush, until a request
 * has begun, and holds each request's start until the thread is there: every
 * request begins inside that window. FCGI_TEST_IDLE_STOP_MS=N: the thread goes
 * idle after N ms instead of IDLE_STOP_MS. Waits are bounded (10 s). */
static struct {
	bool on, timer_in;
	pthread_cond_t moved; /* under cur.lock */
} race = { .moved = PTHREAD_COND_INITIALIZER };

static void hook_init(void)
{
	const char *on = getenv("FCGI_TEST_IDLE_RACE"), *stop = getenv("FCGI_TEST_IDLE_STOP_MS");
	race.on = on != NULL && strcmp(on, "1") == 0;
	if (stop != NULL && atoi(stop) > 0)
		idle_stop_ms = atoi(stop);
}

/* A CLOCK_REALTIME time 10 s from now (race.moved's clock): the hooks' bound. */
static struct timespec hook_bound(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 10;
	return t;
}

/* The timer thread, lock released: stays until a request has begun. */
static void hook_hold_in_idle_window(void)
{
	if (!race.on)
		return;
	pthread_mutex_lock(&cur.lock);
	race.timer_in = true;
	pthread_cond_broadcast(&race.moved);
	struct timespec t = hook_bound();
	while (cur.phase == IDLE && !cur.stopping && pthread_cond_timedwait(&race.moved, &cur.lock, &t) == 0) {
	}
	race.timer_in = false;
	pthread_mutex_unlock(&cur.lock);
}

/* A request begins (cur.lock held): waits until the timer thread is in the window. */
static void hook_begin_in_idle_window(void)
{
	if (!race.on)
		return;
	struct timespec t = hook_bound();
	while (!race.timer_in && pthread_cond_timedwait(&race.moved, &cur.lock, &t) == 0) {
	}
}
#endif

/* The request ran out of time: answer it if we still can, say so, and let a
 * fresh process take our place (the main thread may be anywhere: in malloc,
 * in a loop that never ends; nothing of it can be trusted to continue). Runs
 * on the timer thread with cur.lock held and never gives it back: the main
 * thread stops at its next step (each function below waits for the lock)
 * until execve or _exit ends it. */
static void request_timed_out(void)
{
	int fd = cur.conn_fd, id = cur.fcgi_request_id;
	if (timeout_counter != NULL)
		__atomic_add_fetch(timeout_counter, 1, __ATOMIC_RELAXED);
	if (fd >= 0 && id != 0 && !cur.response_started) {
		enum { STDOUT_REC = 6, END_REQUEST = 3 };
		char reply[8 + 256 + 8 + 16];
		char *p = reply;
		put_header(p, STDOUT_REC, id, cgi_504_len);
		memcpy(p + 8, cgi_504, cgi_504_len);
		p += 8 + cgi_504_len;
		put_header(p, STDOUT_REC, id, 0);
		p += 8;
		put_header(p, END_REQUEST, id, 8);
		memset(p + 8, 0, 8); /* appStatus 0, FCGI_REQUEST_COMPLETE */
		p += 16;
		(void)write_all(fd, reply, (size_t)(p - reply));
	}
	/* A streamed answer that has begun: cut as a failed producer's is
	 * (close.h), since nginx would pass a bare close on as its end. Inside a
	 * write the record boundary is unknown: the bare close is all we can do. */
	if (fd >= 0 && id != 0 && cur.response_started && cur.stream_open && !cur.writing)
		fcgi_cut_stream(fd, LINGER_MS);
	if (fd >= 0)
		linger(fd);
	char m[16], u[256], line[512];
	size_t mn = id != 0 ? printable(m, sizeof m, cur.method) : 0, un = id != 0 ? printable(u, sizeof u, cur.path) : 0;
	int n = snprintf(line, sizeof line, "app.fcgi: worker %ld: request timed out after %d s:%s%.*s%s%.*s; replacing the worker\n",
			 worker_pid, request_seconds, id != 0 ? " " : "", (int)mn, m, id != 0 ? " " : "", (int)un, u);
	/* The lines of the requests before it go first, and none is lost when the
	 * main thread is inside the buffer's lock; a log nobody reads costs at
	 * most LAST_LOG_MS more before the worker is replaced. */
	(void)log_gather_flush_last(line, n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n, LAST_LOG_MS);
	if (reexec != NULL)
		execve("/proc/self/exe", reexec, environ);
	_exit(WORKER_EXIT_TIMEOUT);
}

/* The manager's stop deadline passed while a streamed answer runs: cut it and
 * exit. As request_timed_out: cur.lock held and never given back. */
static void stream_stopped(void)
{
	int fd = cur.conn_fd;
	if (fd >= 0 && !cur.writing)
		fcgi_cut_stream(fd, LINGER_MS);
	char m[16], u[256], line[512];
	size_t mn = printable(m, sizeof m, cur.method), un = printable(u, sizeof u, cur.path);
	int n = snprintf(line, sizeof line, "app.fcgi: worker %ld: shutdown timeout: streamed answer %s: %.*s %.*s\n",
			 worker_pid, fd >= 0 && !cur.writing ? "cut" : "closed inside a write", (int)mn, m, (int)un, u);
	(void)log_gather_flush_last(line, n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n, LAST_LOG_MS);
	_exit(WORKER_EXIT_STOP_CUT);
}

/* The timer thread: every tick while requests run it enforces the deadlines
 * and writes log lines held for LOG_GATHER_HOLD_MS; after IDLE_STOP_MS without a
 * request it writes what is held and sleeps until the next one begins. It
 * never waits for stderr (log_gather.h): a full pipe delays lines, not deadlines. */
static void *tick(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&cur.lock);
	while (!cur.stopping) {
		long long now = now_ms();
		if (cur.phase == IDLE && now - cur.last_busy >= idle_stop_ms) {
			long long busy = cur.last_busy;
			pthread_mutex_unlock(&cur.lock);
			log_gather_try_flush(); /* nothing stays behind */
#ifdef FCGI_TEST_HOOKS
			hook_hold_in_idle_window();
#endif
			pthread_mutex_lock(&cur.lock);
			/* A request that began while the lock was free did not wake us
			 * (we were not asleep yet): its deadlines are ours to keep. */
			if (cur.phase != IDLE || cur.last_busy != busy)
				continue;
			cur.asleep = true;
			while (cur.asleep && !cur.stopping)
				pthread_cond_wait(&cur.wake, &cur.lock);
			continue;
		}
		if (cur.phase != IDLE) {
			if (cur.phase == READING && cur.conn_fd >= 0 && now >= cur.read_deadline) {
				/* Blocking reads inside libfcgi end at once with end of file. */
				cur.read_expired = true;
				cur.read_deadline = LLONG_MAX;
				shutdown(cur.conn_fd, SHUT_RDWR);
			}
			if (now >= cur.request_deadline)
				request_timed_out(); /* does not return */
			if (stop_flag != NULL && cur.stream_open && __atomic_load_n(stop_flag, __ATOMIC_SEQ_CST) != 0)
				stream_stopped(); /* does not return */
		}
		pthread_mutex_unlock(&cur.lock);
		log_gather_try_flush_stale(now);
		pthread_mutex_lock(&cur.lock);
		if (cur.stopping)
			break;
		/* The next tick, or at once when timeouts_close() calls. */
		long long at = now + tick_ms;
		struct timespec t = { (time_t)(at / 1000), (long)(at % 1000) * 1000000L };
		(void)pthread_cond_timedwait(&cur.wake, &cur.lock, &t);
	}
	pthread_mutex_unlock(&cur.lock);
	return NULL;
}

/* The 504 as app/ writes it (status line, headers, body), kept for every request. */
static int build_cgi_504(void)
{
	struct arena a;
	arena_init(&a);
	struct response r;
	response_init(&r, &a);
	response_error(&r, 504, "Request timed out");
	struct buf out;
	buf_init(&out, &a);
	response_serialize_cgi(&r, &out);
	struct str s = buf_str(&out);
	if (!str_is_null(s) && s.n <= 256)
		cgi_504 = malloc(s.n);
	if (cgi_504 != NULL) {
		memcpy(cgi_504, s.p, s.n);
		cgi_504_len = s.n;
	}
	arena_release(&a);
	return cgi_504 != NULL ? 0 : -1;
}

int timeouts_init(int read_s, int request_s, char *const *reexec_argv, unsigned long *timeouts_seen)
{
	timeout_counter = timeouts_seen;
	read_seconds = read_s;
	request_seconds = request_s;
	reexec = reexec_argv;
	worker_pid = (long)getpid();
#ifdef FCGI_TEST_HOOKS
	hook_init();
#endif
	if (build_cgi_504() != 0) {
		fprintf(stderr, "app.fcgi: out of memory\n");
		return -1;
	}
	int shortest = read_s == 0 ? request_s : request_s == 0 ? read_s : read_s < request_s ? read_s : request_s;
	tick_ms = shortest == 0 || shortest >= TICK_MAX_MS / 100 ? TICK_MAX_MS : shortest * 100;
	if (tick_ms < TICK_MIN_MS)
		tick_ms = TICK_MIN_MS;
	cur.phase = IDLE;
	cur.conn_fd = -1;
	cur.stopping = cur.asleep = false;
	cur.last_busy = now_ms();
	pthread_condattr_t monotonic;
	if (pthread_condattr_init(&monotonic) != 0 || pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&cur.wake, &monotonic) != 0) {
		fprintf(stderr, "app.fcgi: no monotonic condition variable\n");
		free(cgi_504);
		cgi_504 = NULL;
		return -1;
	}
	pthread_condattr_destroy(&monotonic);
	/* Every signal stays with the main thread: the timer thread blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&ticker, NULL, tick, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		fprintf(stderr, "app.fcgi: no timer thread: %s\n", strerror(err));
		free(cgi_504);
		cgi_504 = NULL;
		return -1;
	}
	ticker_started = true;
	return 0;
}

void timeouts_watch_stop(const int *stop_cut)
{
	stop_flag = stop_cut;
}

void timeouts_request_begin(int fd, long long now)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock);
	cur.read_expired = false;
	cur.response_started = cur.stream_open = cur.writing = false;
	cur.fcgi_request_id = 0;
	cur.method = cur.path = NULL;
	cur.read_deadline = read_seconds > 0 ? now + read_seconds * 1000LL : LLONG_MAX;
	cur.request_deadline = request_seconds > 0 ? now + request_seconds * 1000LL : LLONG_MAX;
	cur.conn_fd = fd;
#ifdef FCGI_TEST_HOOKS
	hook_begin_in_idle_window();
#endif
	cur.phase = READING;
#ifdef FCGI_TEST_HOOKS
	pthread_cond_broadcast(&race.moved);
#endif
	if (cur.asleep) {
		cur.asleep = false;
		pthread_cond_signal(&cur.wake); /* a system call only after an idle second */
	}
	pthread_mutex_unlock(&cur.lock);
}

void timeouts_request_known(int request_id, const char *method, const char *path, bool input_done)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock);
	cur.method = method;
	cur.path = path;
	cur.fcgi_request_id = request_id;
	if (input_done && cur.phase == READING)
		cur.phase = RUNNING;
	pthread_mutex_unlock(&cur.lock);
}

void timeouts_input_done(void)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock);
	if (cur.phase == READING)
		cur.phase = RUNNING;
	pthread_mutex_unlock(&cur.lock);
}

void timeouts_response_started(void)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock); /* after a request timeout: waits until the process is replaced */
	cur.response_started = cur.writing = true;
	if (cur.phase == READING)
		cur.phase = RUNNING;
	pthread_mutex_unlock(&cur.lock);
}

void timeouts_stream_flushed(void)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock); /* after a request timeout: waits until the process is replaced */
	cur.stream_open = true;
	cur.writing = false;
	pthread_mutex_unlock(&cur.lock);
}

void timeouts_input_pending(void)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock);
	cur.response_started = true;
	cur.request_deadline = LLONG_MAX;
	cur.phase = READING;
	pthread_mutex_unlock(&cur.lock);
}

bool timeouts_request_end(long long now)
{
	if (!ticker_started)
		return false;
	pthread_mutex_lock(&cur.lock);
	cur.phase = IDLE;
	cur.conn_fd = -1;
	cur.last_busy = now;
	bool cut = cur.read_expired;
	pthread_mutex_unlock(&cur.lock);
	return cut;
}

void timeouts_close(void)
{
	if (!ticker_started)
		return;
	pthread_mutex_lock(&cur.lock);
	cur.stopping = true;
	cur.asleep = false;
	pthread_cond_signal(&cur.wake);
	pthread_mutex_unlock(&cur.lock);
	pthread_join(ticker, NULL);
	pthread_cond_destroy(&cur.wake);
	ticker_started = false;
	free(cgi_504);
	cgi_504 = NULL;
}
