#define _GNU_SOURCE /* ppoll-free poll, execve, environ */
#include "timeouts.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/response.h"

extern char **environ;

enum phase { IDLE, READING, RUNNING };
enum which { READ_TIMER = 1, REQUEST_TIMER = 2 };

/* Seconds given to the client to take the 504 and close before we go. */
#define LINGER_MS 1000

static timer_t read_timer, request_timer;
static bool timers_made;
static int read_seconds, request_seconds;
static char *const *reexec;
static unsigned long *timeout_counter;

/* What the handler reads; written only while it cannot run for this request
 * (before the timers are armed or after they are disarmed), except the flags. */
static volatile sig_atomic_t phase = IDLE;
static volatile sig_atomic_t conn_fd = -1;
static volatile sig_atomic_t response_started;
static volatile sig_atomic_t read_expired;
static volatile sig_atomic_t reply_ready;

static char *cgi_504;         /* "Status: 504 ..." from app/, built once */
static size_t cgi_504_len;
static char reply[8 + 256 + 8 + 16]; /* STDOUT record, empty STDOUT, END_REQUEST */
static size_t reply_len;
static char log_line[512];
static size_t log_len;

static void arm(timer_t t, int seconds)
{
	struct itimerspec its = { .it_value = { .tv_sec = seconds } };
	timer_settime(t, 0, &its, NULL);
}

static void disarm(timer_t t)
{
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	timer_settime(t, 0, &off, NULL);
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

/* The request ran out of time: answer it if we still can, say so, and let a
 * fresh process take our place (the handler may be anywhere: in malloc, in a
 * loop that never ends; nothing of this process can be trusted to continue). */
static void request_timed_out(void)
{
	int fd = conn_fd;
	if (timeout_counter != NULL)
		__atomic_add_fetch(timeout_counter, 1, __ATOMIC_RELAXED); /* lock-free: safe here */
	if (fd >= 0) {
		if (reply_ready && !response_started)
			write_all(fd, reply, reply_len);
		linger(fd);
	}
	write_all(STDERR_FILENO, log_line, log_len);
	if (reexec != NULL)
		execve("/proc/self/exe", reexec, environ);
	_exit(WORKER_EXIT_TIMEOUT);
}

static void on_alarm(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	int saved = errno;
	int which = info->si_code == SI_TIMER ? info->si_value.sival_int : 0;
	if (which == READ_TIMER && phase == READING && conn_fd >= 0) {
		/* Blocking reads inside libfcgi end at once with end of file. */
		read_expired = 1;
		shutdown(conn_fd, SHUT_RDWR);
	} else if (which == REQUEST_TIMER && phase != IDLE) {
		request_timed_out();
	}
	errno = saved;
}

static int make_timer(timer_t *t, int which)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	ev.sigev_value.sival_int = which;
	if (timer_create(CLOCK_MONOTONIC, &ev, t) != 0) {
		fprintf(stderr, "app.fcgi: timer_create: %s\n", strerror(errno));
		return -1;
	}
	return 0;
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
	if (read_s == 0 && request_s == 0)
		return 0;
	if (build_cgi_504() != 0) {
		fprintf(stderr, "app.fcgi: out of memory\n");
		return -1;
	}
	struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (make_timer(&read_timer, READ_TIMER) != 0)
		return -1;
	if (make_timer(&request_timer, REQUEST_TIMER) != 0) {
		timer_delete(read_timer);
		return -1;
	}
	timers_made = true;
	return 0;
}

void timeouts_request_begin(int fd)
{
	if (!timers_made)
		return;
	read_expired = 0;
	response_started = 0;
	reply_ready = 0;
	conn_fd = fd;
	phase = READING;
	if (read_seconds > 0)
		arm(read_timer, read_seconds);
	if (request_seconds > 0)
		arm(request_timer, request_seconds);
}

/* Copies s into out (at most n bytes), control bytes and spaces made '?'. */
static size_t printable(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s != NULL && s[i] != '\0' && i < n; i++)
		out[i] = ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) ? '?' : s[i];
	return i;
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

void timeouts_request_known(int request_id, const char *method, const char *path)
{
	if (!timers_made)
		return;
	/* Everything the handler sends or logs is built now, outside it. */
	sigset_t alarm, old;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alarm, &old);
	enum { STDOUT_REC = 6, END_REQUEST = 3 };
	char *p = reply;
	put_header(p, STDOUT_REC, request_id, cgi_504_len);
	memcpy(p + 8, cgi_504, cgi_504_len);
	p += 8 + cgi_504_len;
	put_header(p, STDOUT_REC, request_id, 0);
	p += 8;
	put_header(p, END_REQUEST, request_id, 8);
	memset(p + 8, 0, 8); /* appStatus 0, FCGI_REQUEST_COMPLETE */
	p += 16;
	reply_len = (size_t)(p - reply);
	reply_ready = 1;

	char m[16], u[256];
	size_t mn = printable(m, sizeof m, method), un = printable(u, sizeof u, path);
	int n = snprintf(log_line, sizeof log_line,
			 "app.fcgi: worker %ld: request timed out after %d s: %.*s %.*s; replacing the worker\n",
			 (long)getpid(), request_seconds, (int)mn, m, (int)un, u);
	log_len = n < 0 ? 0 : (size_t)n >= sizeof log_line ? sizeof log_line - 1 : (size_t)n;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void timeouts_input_done(void)
{
	if (!timers_made || phase != READING)
		return;
	phase = RUNNING;
	disarm(read_timer);
}

void timeouts_response_started(void)
{
	response_started = 1;
	timeouts_input_done();
}

bool timeouts_request_end(void)
{
	if (!timers_made)
		return false;
	phase = IDLE;
	disarm(read_timer);
	disarm(request_timer);
	conn_fd = -1;
	return read_expired != 0;
}

void timeouts_close(void)
{
	if (!timers_made)
		return;
	timer_delete(read_timer);
	timer_delete(request_timer);
	timers_made = false;
	free(cgi_504);
	cgi_504 = NULL;
}
