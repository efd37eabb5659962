#include "openmetrics.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/emf.h"
#include "http/observe.h"
#include "manager/metrics.h"
#include "worker/log_gather.h"

static int listen_fd = -1;

/* The EMF timer: writes the process's line every METRICS_INTERVAL seconds until told to
 * stop at exit, which then joins it (nothing left running for valgrind to see). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* on CLOCK_MONOTONIC */
	bool stop;
	pthread_t thread;
} timer = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *emf_timer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&timer.lock);
	while (!timer.stop) {
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += observe_interval();
		while (!timer.stop && pthread_cond_timedwait(&timer.wake, &timer.lock, &at) != ETIMEDOUT) {
		}
		if (timer.stop)
			break;
		pthread_mutex_unlock(&timer.lock);
		emf_flush(STDERR_FILENO); /* held with the access lines (log_gather.h) */
		log_gather_try_flush(); /* out now if the fd takes it, never waiting */
		pthread_mutex_lock(&timer.lock);
	}
	pthread_mutex_unlock(&timer.lock);
	return NULL;
}

static void emf_at_exit(void)
{
	pthread_mutex_lock(&timer.lock);
	timer.stop = true;
	pthread_cond_signal(&timer.wake);
	pthread_mutex_unlock(&timer.lock);
	pthread_join(timer.thread, NULL);
	emf_flush(STDERR_FILENO);
	log_gather_flush(); /* the worker flushed before exit(): this line is held after that */
}

static void emf_flush_only(void)
{
	emf_flush(STDERR_FILENO);
	log_gather_flush();
}

/* Starts the timer thread with every signal blocked (the worker waits for them). */
static int start_timer(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int err = pthread_cond_init(&timer.wake, &attr);
	pthread_condattr_destroy(&attr);
	if (err != 0)
		return err;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&timer.thread, NULL, emf_timer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

void openmetrics_worker_start(int fd)
{
	listen_fd = fd;
	if (metrics_shared())
		observe_listen(metrics_record);
	if (observe_mode() != METRICS_EMF)
		return;
	observe_listen(emf_add);
	int err = start_timer();
	if (err != 0) {
		fprintf(stderr, "app.fcgi: EMF timer: %s; metrics lines at exit only\n", strerror(err));
		atexit(emf_flush_only);
	} else {
		atexit(emf_at_exit);
	}
}

/* Appends one printf-formatted piece to out. */
__attribute__((format(printf, 2, 3))) static void put(struct buf *out, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_append(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void family(struct buf *out, const char *name, const char *type, const char *unit, const char *help)
{
	put(out, "# TYPE %s %s\n", name, type);
	if (unit != NULL)
		put(out, "# UNIT %s %s\n", name, unit);
	put(out, "# HELP %s %s\n", name, help);
}

static void histogram(struct buf *out)
{
	family(out, "http_server_request_duration_seconds", "histogram", "seconds",
	       "Duration of HTTP server requests.");
	for (int i = 0; i < metrics_capacity(); i++) {
		struct metrics_series s;
		if (!metrics_series_at(i, &s))
			continue;
		char labels[256];
		snprintf(labels, sizeof labels, "http_request_method=\"%s\",http_response_status_code=\"%d\",http_route=\"%s\"",
			 s.method, s.status, s.route);
		uint64_t total = 0;
		for (int b = 0; b < METRICS_BOUNDS; b++) {
			total += s.buckets[b];
			put(out, "http_server_request_duration_seconds_bucket{%s,le=\"%s\"} %llu\n", labels,
			    metrics_bound_text[b], (unsigned long long)total);
		}
		total += s.buckets[METRICS_BOUNDS];
		put(out, "http_server_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", labels,
		    (unsigned long long)total);
		put(out, "http_server_request_duration_seconds_count{%s} %llu\n", labels, (unsigned long long)total);
		put(out, "http_server_request_duration_seconds_sum{%s} %llu.%06llu\n", labels,
		    (unsigned long long)(s.sum_us / 1000000), (unsigned long long)(s.sum_us % 1000000));
	}
}

static void counter(struct buf *out, const char *name, const char *help, unsigned long long v)
{
	family(out, name, "counter", NULL, help);
	put(out, "%s_total %llu\n", name, v);
}

/* The accept queue of a TCP listening socket (Linux: tcpi_unacked is the
 * queue, tcpi_sacked its limit). A Unix socket's queue is not told through
 * the socket: no sample. */
static void listen_queue(struct buf *out)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (listen_fd < 0 || getsockname(listen_fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return;
	family(out, "app_pool_listen_queue", "gauge", NULL, "Connections waiting in the listen backlog.");
	put(out, "app_pool_listen_queue %u\n", ti.tcpi_unacked);
	family(out, "app_pool_listen_queue_limit", "gauge", NULL, "The listen backlog's length.");
	put(out, "app_pool_listen_queue_limit %u\n", ti.tcpi_sacked);
}

static const char *const state_names[] = { "idle", "reading", "running" };

static void pool(const struct scoreboard *sb, struct buf *out)
{
	int count[3] = { 0 };
	for (int i = 0, n = scoreboard_slots(sb); i < n; i++) {
		struct scoreboard_slot s;
		scoreboard_read_slot(sb, i, &s);
		if (s.pid != 0 && s.state >= 0 && s.state < 3)
			count[s.state]++;
	}
	family(out, "app_pool_workers", "gauge", NULL, "Workers by state.");
	for (int st = 0; st < 3; st++)
		put(out, "app_pool_workers{state=\"%s\"} %d\n", state_names[st], count[st]);
	family(out, "app_pool_max_workers", "gauge", NULL, "The most workers the pool may run.");
	put(out, "app_pool_max_workers %d\n", sb->max_workers);
	counter(out, "app_pool_accepted_connections", "Connections accepted.",
		__atomic_load_n(&sb->accepted, __ATOMIC_RELAXED));
	counter(out, "app_pool_requests", "Requests served.", __atomic_load_n(&sb->requests, __ATOMIC_RELAXED));
	family(out, "app_pool_worker_restarts", "counter", NULL, "Workers replaced, by cause.");
	for (int c = 0; c < RESTART_CAUSES; c++)
		put(out, "app_pool_worker_restarts_total{cause=\"%s\"} %llu\n", metrics_restart_names[c],
		    (unsigned long long)metrics_restarts((enum restart_cause)c));
	counter(out, "app_pool_request_timeouts", "Requests cut by --request-timeout.",
		__atomic_load_n(&sb->timeouts, __ATOMIC_RELAXED));
	counter(out, "app_pool_slow_requests", "Requests logged by --slow-request.",
		__atomic_load_n(&sb->slow, __ATOMIC_RELAXED));
	counter(out, "app_pool_shed_requests", "Requests answered 503 by load shedding (--max-queue-wait).",
		__atomic_load_n(&sb->shed, __ATOMIC_RELAXED));
	counter(out, "app_pool_rss_recycles", "Workers replaced for --max-worker-rss.",
		__atomic_load_n(&sb->rss_recycles, __ATOMIC_RELAXED));
	counter(out, "app_pool_metrics_dropped", "Requests not in the histogram: every series taken.",
		metrics_dropped());
	listen_queue(out);
}

static void workers(const struct scoreboard *sb, struct buf *out, long long now)
{
	struct buf rows[3];
	struct arena *a = out->arena;
	for (int k = 0; k < 3; k++)
		buf_init(&rows[k], a);
	for (int i = 0, n = scoreboard_slots(sb); i < n; i++) {
		struct scoreboard_slot s;
		scoreboard_read_slot(sb, i, &s);
		if (s.pid == 0)
			continue;
		put(&rows[0], "app_worker_requests_total{pid=\"%ld\"} %lu\n", (long)s.pid, s.requests);
		for (int st = 0; st < 3; st++)
			put(&rows[1], "app_worker_state{app_worker_state=\"%s\",pid=\"%ld\"} %d\n", state_names[st],
			    (long)s.pid, s.state == st);
		put(&rows[2], "app_worker_uptime_seconds{pid=\"%ld\"} %lld.%03lld\n", (long)s.pid,
		    (now - s.started_ms) / 1000, (now - s.started_ms) % 1000);
	}
	family(out, "app_worker_requests", "counter", NULL, "Requests served by one worker (pid).");
	buf_append_str(out, buf_str(&rows[0]));
	family(out, "app_worker_state", "stateset", NULL, "What one worker (pid) is doing.");
	buf_append_str(out, buf_str(&rows[1]));
	family(out, "app_worker_uptime_seconds", "gauge", NULL, "How long one worker (pid) has run.");
	buf_append_str(out, buf_str(&rows[2]));
}

bool openmetrics_wanted(const char *query)
{
	return query != NULL && (strcmp(query, "openmetrics") == 0 || strncmp(query, "openmetrics=", 12) == 0);
}

void openmetrics_page(const struct scoreboard *sb, struct buf *out)
{
	histogram(out);
	pool(sb, out);
	workers(sb, out, now_ms());
	buf_append_cstr(out, "# EOF\n");
}
