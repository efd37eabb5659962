#define _GNU_SOURCE /* execve, environ */
#include "timeouts.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/log.h"
#include "http/response.h"

extern char **environ;

/* The deadlines are read in the handler: 64-bit stores must not tear. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "lock-free 64-bit atomics");

enum phase { IDLE, READING, RUNNING };

/* Seconds given to the client to take the 504 and close before we go. */
#define LINGER_MS 1000
/* How often the timer ticks while requests run: a tenth of the shortest
 * timeout, within these bounds (a deadline is met at most one tick late). */
#define TICK_MIN_MS 50
#define TICK_MAX_MS 1000
/* An idle worker stops ticking after about this long. */
#define IDLE_STOP_MS 1000

static timer_t tick_timer;
static bool timer_made;
static int read_seconds, request_seconds, tick_ms, idle_ticks_to_stop;
static long worker_pid; /* getpid() once: the same after a re-exec */
static char *const *reexec;
static unsigned long *timeout_counter;

/* What the handler reads. The main line writes the deadlines and the request's
 * identity before it sets phase to READING, and reads nothing back. */
static volatile sig_atomic_t phase = IDLE;
static volatile sig_atomic_t conn_fd = -1;
static volatile sig_atomic_t response_started;
static volatile sig_atomic_t read_expired;
static volatile sig_atomic_t ticking, idle_ticks;
static volatile sig_atomic_t fcgi_request_id; /* 0 until the parameters are in */
static const char *volatile cur_method, *volatile cur_path;
static _Atomic long long read_deadline, request_deadline; /* CLOCK_MONOTONIC ms */

static char *cgi_504; /* "Status: 504 ..." from app/, built once */
static size_t cgi_504_len;

static void set_timer(int ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };
	its.it_interval = its.it_value;
	timer_settime(tick_timer, 0, &its, NULL); /* async-signal-safe */
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

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

/* Appends s (NULL: nothing; at most max bytes) to out at *n, control bytes
 * and spaces made '?'. Async-signal-safe, as everything the handler calls. */
static void put_printable(char *out, size_t cap, size_t *n, const char *s, size_t max)
{
	for (size_t i = 0; s != NULL && s[i] != '\0' && i < max && *n < cap; i++)
		out[(*n)++] = ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) ? '?' : s[i];
}

static void put_text(char *out, size_t cap, size_t *n, const char *s)
{
	for (size_t i = 0; s[i] != '\0' && *n < cap; i++)
		out[(*n)++] = s[i];
}

static void put_decimal(char *out, size_t cap, size_t *n, long v)
{
	char digits[24];
	size_t k = 0;
	unsigned long u = v < 0 ? 0 : (unsigned long)v;
	do
		digits[k++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	while (k > 0 && *n < cap)
		out[(*n)++] = digits[--k];
}

/* The request ran out of time: answer it if we still can, say so, and let a
 * fresh process take our place (the handler may be anywhere: in malloc, in a
 * loop that never ends; nothing of this process can be trusted to continue). */
static void request_timed_out(void)
{
	int fd = conn_fd, id = fcgi_request_id;
	if (timeout_counter != NULL)
		__atomic_add_fetch(timeout_counter, 1, __ATOMIC_RELAXED); /* lock-free: safe here */
	if (fd >= 0 && id != 0 && !response_started) {
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
		write_all(fd, reply, (size_t)(p - reply));
	}
	if (fd >= 0)
		linger(fd);
	char line[512];
	size_t n = 0, cap = sizeof line - 1;
	put_text(line, cap, &n, "app.fcgi: worker ");
	put_decimal(line, cap, &n, worker_pid);
	put_text(line, cap, &n, ": request timed out after ");
	put_decimal(line, cap, &n, request_seconds);
	put_text(line, cap, &n, " s:");
	if (id != 0) {
		line[n++] = ' ';
		put_printable(line, cap, &n, cur_method, 16);
		line[n++] = ' ';
		put_printable(line, cap, &n, cur_path, 256);
	}
	put_text(line, cap, &n, "; replacing the worker");
	line[n++] = '\n';
	log_flush_from_signal(); /* the lines of the requests before it go first */
	write_all(STDERR_FILENO, line, n);
	if (reexec != NULL)
		execve("/proc/self/exe", reexec, environ);
	_exit(WORKER_EXIT_TIMEOUT);
}

/* Every tick while a request runs: enforces its deadlines and writes log
 * lines that have waited too long. Idle for IDLE_STOP_MS: stops ticking. */
static void on_tick(int sig)
{
	(void)sig;
	int saved = errno;
	if (phase == IDLE) {
		if (++idle_ticks >= idle_ticks_to_stop) {
			struct itimerspec off = { { 0, 0 }, { 0, 0 } };
			timer_settime(tick_timer, 0, &off, NULL);
			ticking = 0;
		}
		errno = saved;
		return;
	}
	idle_ticks = 0;
	long long now = now_ms();
	if (phase == READING && conn_fd >= 0 && now >= atomic_load_explicit(&read_deadline, memory_order_relaxed)) {
		/* Blocking reads inside libfcgi end at once with end of file. */
		read_expired = 1;
		atomic_store_explicit(&read_deadline, LLONG_MAX, memory_order_relaxed);
		shutdown(conn_fd, SHUT_RDWR);
	}
	if (now >= atomic_load_explicit(&request_deadline, memory_order_relaxed))
		request_timed_out();
	log_flush_stale_from_signal(now);
	errno = saved;
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
	if (build_cgi_504() != 0) {
		fprintf(stderr, "app.fcgi: out of memory\n");
		return -1;
	}
	/* No timeout at all: the timer still ticks for the held log lines. */
	int shortest = read_s == 0 ? request_s : request_s == 0 ? read_s : read_s < request_s ? read_s : request_s;
	tick_ms = shortest == 0 || shortest >= TICK_MAX_MS / 100 ? TICK_MAX_MS : shortest * 100;
	if (tick_ms < TICK_MIN_MS)
		tick_ms = TICK_MIN_MS;
	idle_ticks_to_stop = IDLE_STOP_MS / tick_ms;
	if (idle_ticks_to_stop < 1)
		idle_ticks_to_stop = 1;
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	if (timer_create(CLOCK_MONOTONIC, &ev, &tick_timer) != 0) {
		fprintf(stderr, "app.fcgi: timer_create: %s\n", strerror(errno));
		free(cgi_504);
		cgi_504 = NULL;
		return -1;
	}
	timer_made = true;
	return 0;
}

void timeouts_request_begin(int fd)
{
	if (!timer_made)
		return;
	read_expired = 0;
	response_started = 0;
	fcgi_request_id = 0;
	cur_method = cur_path = NULL;
	long long now = now_ms();
	atomic_store_explicit(&read_deadline, read_seconds > 0 ? now + read_seconds * 1000LL : LLONG_MAX,
			      memory_order_relaxed);
	atomic_store_explicit(&request_deadline, request_seconds > 0 ? now + request_seconds * 1000LL : LLONG_MAX,
			      memory_order_relaxed);
	conn_fd = fd;
	atomic_signal_fence(memory_order_seq_cst);
	phase = READING;
	idle_ticks = 0;
	if (!ticking) { /* after phase: a tick between the two sees a request and keeps going */
		ticking = 1;
		set_timer(tick_ms);
	}
}

void timeouts_request_known(int request_id, const char *method, const char *path)
{
	if (!timer_made)
		return;
	cur_method = method;
	cur_path = path;
	atomic_signal_fence(memory_order_seq_cst);
	fcgi_request_id = request_id;
}

void timeouts_input_done(void)
{
	if (timer_made && phase == READING)
		phase = RUNNING;
}

void timeouts_response_started(void)
{
	response_started = 1;
	timeouts_input_done();
}

bool timeouts_request_end(void)
{
	if (!timer_made)
		return false;
	phase = IDLE;
	atomic_signal_fence(memory_order_seq_cst);
	conn_fd = -1;
	return read_expired != 0;
}

void timeouts_close(void)
{
	if (!timer_made)
		return;
	timer_delete(tick_timer);
	timer_made = false;
	ticking = 0;
	free(cgi_504);
	cgi_504 = NULL;
}
