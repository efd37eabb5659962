/* The worker's loop. It accepts connections itself and keeps every open one
 * in a small set, polled together with the listening socket: a server that
 * keeps its FastCGI connections (nginx fastcgi_keep_conn) gets each of them
 * served until it closes it, and a client that connects and sends nothing,
 * or part of a request head, costs a slot in the set, not the worker
 * (conns.c). Requests are still served one at a time, by libfcgi on a
 * connection whose whole request head has arrived.
 *
 * Stop signals are blocked except while waiting for work (ppoll), so a
 * SIGTERM never cuts a request short and can never slip in between the
 * "should I stop?" check and the wait. The listening socket is non-blocking:
 * workers sharing it race for each connection, and the losers go back to
 * waiting instead of blocking in accept(). */
#define _GNU_SOURCE /* ppoll, accept4, execve */
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
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cgi_env/cgi_env.h"
#include "worker/log_gather.h"
#include "close.h"
#include "conns.h"
#include "peers.h"
#include "manager/scoreboard.h"
#include "test_hooks.h"
#include "worker/status.h"
#include "timeouts.h"
#include "worker/overload_hooks.h"
#include "worker/params.h"
#include "worker/queue_wait.h"
#include "worker/rss.h"
#include "openmetrics.h"
#include "core/sysio.h"

extern char **environ;

/* How long a worker with nothing to do keeps its log lines (see wait_and_serve). */
#define LOG_IDLE_FLUSH_MS 10

/* On a stop, how long a connection not yet heard from may take to send its
 * request, from when it was accepted (at most the read timeout): long enough
 * for a front server on a busy machine, short enough that a silent client
 * does not hold the stop. */
#define DRAIN_WAIT_MS 5000

struct worker {
	int listen_fd;
	const struct worker_config *cfg;
	struct conn_set set;    /* the open connections (conns.h) */
	FCGX_Request req;
	long served;            /* requests answered */
	long share;             /* requests before retiring; 0: no limit */
};

/* The body as app/ reads it, with the bytes still to come (from CONTENT_LENGTH)
 * so the read deadline is lifted once they are in. */
struct body_stream {
	FCGX_Request *req;
	unsigned long long left;
	struct scoreboard *sb; /* NULL when spawned */
	int slot;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static ssize_t fcgi_read(void *ctx, char *p, size_t n)
{
	struct body_stream *b = ctx;
	int got = FCGX_GetStr(p, n > INT_MAX ? INT_MAX : (int)n, b->req->in);
	if (got < 0 || (got == 0 && FCGX_GetError(b->req->in) != 0))
		return -1;
	b->left = (unsigned long long)got >= b->left ? 0 : b->left - (unsigned long long)got;
	if (b->left == 0)
		timeouts_input_done();
	return got;
}

static int fcgi_write(void *ctx, const char *p, size_t n)
{
	struct body_stream *b = ctx;
	timeouts_response_started();
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (FCGX_PutStr(p, chunk, b->req->out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* A piece of a streamed answer goes to the web server now (app/http/stream.h).
 * Once it has, the connection is at a record boundary: a request timeout from
 * here until the next write can cut the answer as fcgi_cut does. */
static int fcgi_flush(void *ctx)
{
	struct body_stream *b = ctx;
	if (FCGX_FFlush(b->req->out) != 0 || FCGX_GetError(b->req->out) != 0)
		return -1;
	timeouts_stream_flushed();
	scoreboard_request_streaming(b->sb, b->slot);
	return 0;
}

/* A streamed answer failed past its first byte: it must not look complete
 * (close.h fcgi_cut_stream: lighttpd and nginx then close the client's
 * connection without the last chunk). No FCGI_END_REQUEST follows. */
static void fcgi_cut(void *ctx)
{
	struct body_stream *b = ctx;
	(void)FCGX_FFlush(b->req->out);
	fcgi_cut_stream(b->req->ipcFd, -1);
	b->req->keepConnection = 0;
}

/* CONTENT_LENGTH as the number of body bytes to expect; anything that is not
 * plain digits, or does not fit, is 0 (app/ refuses such a request unread). */
static unsigned long long declared_length(const char *s)
{
	unsigned long long n = 0;
	for (; s != NULL && *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (ULLONG_MAX - 9) / 10)
			return 0;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	return n;
}

/* Installs the handlers, then sets the worker's whole mask: SIGTERM blocked
 * (taken only while waiting for work), everything else open. The caller may
 * start us with any signals blocked (the manager forks with its own set
 * blocked): a SIGTERM sent before this point stays pending and is seen by the
 * first look of stop_pending(), never met by the default action. *waitmask gets the
 * mask to wait with. */
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
	sigprocmask(SIG_SETMASK, &stops, NULL);
	sigemptyset(waitmask);
}

/* A stop signal that came while blocked: ppoll returns a ready socket rather
 * than run the handler when both happen, so look for it explicitly, at most
 * once a millisecond (now: the caller's clock in ms): under load a stop is seen
 * within a millisecond, without a system call per request. */
static bool stop_pending(long long now)
{
	static long long looked_at = -1;
	if (stop_requested)
		return true;
	if (now == looked_at)
		return false;
	looked_at = now;
	sigset_t pending;
	return sigpending(&pending) == 0 && sigismember(&pending, SIGTERM);
}

/* Milliseconds to wait: the shorter of a and b, where -1 is for ever. */
static int shorter(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* Takes one connection off the listen backlog: 1 taken, 0 none there (or
 * another worker was quicker, or a passing shortage), -1 the socket is unusable. */
static int accept_one(struct worker *w, long long now)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	int fd = accept4(w->listen_fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED || err == EPROTO)
			return 0;
		if (err == EBADF || err == ENOTSOCK || err == EINVAL || err == EOPNOTSUPP) {
			fprintf(stderr, "app.fcgi: cannot accept on the listening socket: %s\n", strerror(err));
			return -1;
		}
		/* Out of descriptors or memory: say so and back off instead of spinning. */
		fprintf(stderr, "app.fcgi: accept failed: %s\n", strerror(err));
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		return 0;
	}
	if (!peer_allowed(&peer)) {
		close(fd);
		return 0;
	}
	if (peer.ss_family == AF_INET || peer.ss_family == AF_INET6) {
		/* As libfcgi's accept did: a response goes out in several writes, none
		 * of which should wait for the previous one's ACK. */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	scoreboard_accepted(w->cfg->scoreboard);
	conns_add(&w->set, fd, peer.ss_family == AF_INET || peer.ss_family == AF_INET6, now);
	return 1;
}

/* Whether the request waited for a worker longer than --max-queue-wait (queue_wait.h). */
static bool waited_too_long(const struct worker_config *cfg, FCGX_ParamArray envp)
{
	if (cfg->max_queue_wait <= 0)
		return false;
	return queue_wait_envp_ms(envp, queue_wait_now_us()) > cfg->max_queue_wait;
}

/* Serves the request whose first bytes wait on connection i (seen ready at
 * now, now_ms()), then keeps the connection in the set if the server asked for
 * that and it is still sound. Returns the clock (now_ms()) as read at the end. */
static long long serve_conn(struct worker *w, int i, long long now)
{
	FCGX_Request *req = &w->req;
	int fd = w->set.c[i].fd;
	req->ipcFd = fd;
	req->keepConnection = 1; /* FCGX_Accept_r begins by finishing the previous request: keep fd */
	struct scoreboard *sb = w->cfg->scoreboard;
	timeouts_request_begin(fd, now);
	scoreboard_request_reading(sb, w->cfg->slot);
	if (FCGX_Accept_r(req) < 0) {
		scoreboard_request_done(sb, w->cfg->slot, false);
		/* libfcgi closed the connection: the server closed it (the usual end of
		 * a kept connection), sent garbage, or the read deadline shut it down. */
		long long end = now_ms();
		if (timeouts_request_end(end)) {
			log_gather_flush(); /* in order after the lines held */
			fprintf(stderr, "app.fcgi: worker %ld: no complete request within %d s; connection closed\n",
				(long)getpid(), w->cfg->read_timeout);
			end = now_ms(); /* the log may have kept us */
		}
		req->ipcFd = -1;
		conns_drop(&w->set, i, false);
		return end;
	}
	w->set.c[i].served = true;
	struct worker_params params = worker_params(req->envp);
	const char *method = params.method, *uri = params.uri;
	struct body_stream body = { req, declared_length(params.content_length), sb, w->cfg->slot };
	timeouts_request_known(req->requestId, method, uri, body.left == 0);
	status_request_running(sb, w->cfg->slot, w->cfg->status_show_query, method, uri);
	const struct transport fcgi = { fcgi_read, fcgi_write, &body, fcgi_flush, fcgi_cut };
	bool crash = false;
	/* The test delay (test_hooks.h) holds the status page and the handler, never a shed answer. */
	if (sb != NULL && status_is_request(w->cfg->status_path, req->envp)) {
		test_hook_delay(uri);
		status_serve(sb, w->cfg->status_allow, req->envp, &fcgi); /* (logs its own line) */
	} else if (waited_too_long(w->cfg, req->envp))
		(void)queue_wait_shed(req->envp, &fcgi, sb != NULL ? &sb->shed : NULL); /* a failed write: the server is gone */
	else {
		test_hook_delay(uri);
#ifdef FCGI_TEST_HOOKS
		crash = overload_hooks_request(uri);
#endif
		if (cgi_env_serve(req->envp, "fcgi", MOUNT_AT_ROOT, &fcgi) != APP_OK) {
			/* The front server's connection is gone mid-answer: nothing to tell it. */
		}
	}
	/* close.c: what app/ left unread (a refused body, the end-of-input record)
	 * is read before the next request on a kept connection, or before a close,
	 * and a closing connection goes at once, without libfcgi's wait. A body
	 * still on its way is bounded by the read deadline until then. */
	/* The end of the answer is a write too: a streamed answer's FCGI_END_REQUEST must
	 * not be interleaved with a timer's cut (timeouts.c cuts only between writes). */
	timeouts_response_started();
	if (body.left > 0)
		timeouts_input_pending();
	fcgi_finish(req);
	long long end = now_ms();
	bool cut = timeouts_request_end(end);
	scoreboard_request_done(sb, w->cfg->slot, true);
#ifdef FCGI_TEST_HOOKS
	if (crash)
		overload_hooks_crash();
#endif
	(void)crash;
	if (cut) {
		log_gather_flush();
		fprintf(stderr, "app.fcgi: worker %ld: request input stalled for %d s; connection closed\n",
			(long)getpid(), w->cfg->read_timeout);
		end = now_ms(); /* the log may have kept us */
	}
	if (req->ipcFd < 0) {
		conns_drop(&w->set, i, false);
	} else {
		w->set.c[i].idle_since = end;
		req->ipcFd = -1;
	}
	w->served++;
	return end;
}

enum wait_result { WAIT_ERROR = -1, WAIT_NOTHING = 0, WAIT_SERVED = 1, WAIT_INTERRUPTED = 2 };

/* Waits (up to timeout_ms; -1 forever) for a request on a kept connection or
 * a new connection, and handles one. take_new: also accept from the backlog,
 * unless a connection just accepted is still sending its request head
 * (conns_fresh_wait): so a worker that dies takes at most one request with it
 * that it had not finished. A connection is served once its whole request
 * head is in (conns_head_ready); one that sent only part of it waits in the
 * set. *clock: now_ms() as the caller read it just before; on return the
 * clock as last read here (after the wait, or at the end of a request served),
 * for the caller's next look at its deadlines. */
static enum wait_result wait_and_serve(struct worker *w, long long *clock, int timeout_ms, bool take_new,
				       const sigset_t *waitmask)
{
	struct conn_set *set = &w->set;
	long long now = *clock;
	int fresh = conns_fresh_wait(set, now);
	if (fresh > 0) {
		take_new = false;
		timeout_ms = shorter(timeout_ms, fresh);
	}
	timeout_ms = shorter(timeout_ms, conns_peek_wait(set, now));
	struct pollfd fds[MAX_CONNS + 1];
	fds[0] = (struct pollfd){ .fd = take_new ? w->listen_fd : -1, .events = POLLIN };
	for (int i = 0; i < set->n; i++) /* a unix socket looked at again later: only for a hang-up */
		fds[i + 1] = (struct pollfd){ .fd = set->c[i].fd,
					      .events = set->c[i].peek_at != 0 ? POLLRDHUP : POLLIN | POLLRDHUP };
	/* Log lines held (log_gather_start) go out once nothing has come for
	 * LOG_IDLE_FLUSH_MS: the wait we do anyway is cut short for them, so a
	 * busy worker writes its lines a bufferful at a time and an idle one a
	 * moment after its last answer, without a system call of their own. */
	if (log_gather_pending() && (timeout_ms < 0 || timeout_ms > LOG_IDLE_FLUSH_MS))
		timeout_ms = LOG_IDLE_FLUSH_MS;
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int n = ppoll(fds, (nfds_t)set->n + 1, timeout_ms < 0 ? NULL : &ts, waitmask);
	if (n == 0 && log_gather_pending())
		log_gather_flush();
	if (n < 0 && errno != EINTR) {
		/* Nothing will change by trying again: stop, and let the manager replace us. */
		fprintf(stderr, "app.fcgi: worker %ld: ppoll: %s\n", (long)getpid(), strerror(errno));
		return WAIT_ERROR;
	}
	now = *clock = now_ms();
	if (n < 0)
		return WAIT_INTERRUPTED; /* a signal: the caller looks at what it asks for */
	for (int k = 0; k < set->n; k++) {
		int i = (set->next + k) % set->n;
		short ev = fds[i + 1].revents;
		bool due = set->c[i].peek_at != 0 && set->c[i].peek_at <= now;
		if ((ev != 0 || due) && conns_head_ready(set, i, (ev & (POLLRDHUP | POLLHUP | POLLERR)) != 0, now)) {
			set->next = i + 1;
			*clock = serve_conn(w, i, now);
			return WAIT_SERVED;
		}
	}
	if (fds[0].revents != 0) {
		int rc = accept_one(w, now);
		return rc < 0 ? WAIT_ERROR : rc > 0 ? WAIT_SERVED : WAIT_NOTHING;
	}
	return WAIT_NOTHING;
}

/* The share of requests before this worker is replaced: max_requests plus a
 * random 0..jitter, so a pool started together is not replaced together. */
static long request_share(const struct worker_config *cfg)
{
	if (cfg->max_requests <= 0)
		return 0;
	if (cfg->max_requests_jitter <= 0)
		return cfg->max_requests;
	srandom((unsigned)getpid() ^ (unsigned)now_ms());
	return cfg->max_requests + random() % (cfg->max_requests_jitter + 1);
}

int worker_run(int listen_fd, const struct worker_config *cfg)
{
	test_hook_worker_start(cfg->scoreboard);
#ifdef FCGI_TEST_HOOKS
	overload_hooks_start();
#endif
	sigset_t waitmask;
	setup_signals(&waitmask);
	int flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		fprintf(stderr, "app.fcgi: fd %d is not open: %s\n", listen_fd, strerror(errno));
		return WORKER_EXIT_FAILED;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "app.fcgi: FastCGI library failed to start\n");
		return WORKER_EXIT_FAILED;
	}
	if (timeouts_init(cfg->read_timeout, cfg->request_timeout, cfg->spawned ? cfg->argv : NULL,
			  cfg->scoreboard != NULL ? &cfg->scoreboard->timeouts : NULL) != 0) {
		OS_LibShutdown();
		return WORKER_EXIT_FAILED;
	}
	if (cfg->scoreboard != NULL)
		timeouts_watch_stop(&cfg->scoreboard->stop_cut);

	/* Access lines are gathered and written a few at a time (worker/log_gather.h):
	 * when the buffer is full, after LOG_IDLE_FLUSH_MS with nothing to do, and by
	 * the timer thread once one is a second old. */
	log_gather_start(STDERR_FILENO);
	openmetrics_worker_start(listen_fd);

	static struct worker w; /* MAX_CONNS connections: not on the stack */
	w = (struct worker){ .listen_fd = listen_fd, .cfg = cfg, .share = request_share(cfg) };
	/* libfcgi never accepts (we do): its listening socket is none, so a
	 * connection it gives up on is closed and FCGX_Accept_r returns. */
	FCGX_InitRequest(&w.req, -1, 0);
	int status = 0;
	bool retiring = false, too_big = false; /* too_big: --max-worker-rss */
	/* On a stop, how long a connection not yet heard from in full may take:
	 * DRAIN_WAIT_MS, or the read timeout if shorter. */
	long long drain_limit = DRAIN_WAIT_MS;
	if (cfg->read_timeout > 0 && cfg->read_timeout * 1000LL < drain_limit)
		drain_limit = cfg->read_timeout * 1000LL;
	/* The clock as wait_and_serve last read it: after its wait, or at the end of a request. */
	for (long long now = now_ms(); !retiring && !stop_pending(now);) {
		conns_close_silent(&w.set, cfg->read_timeout, now);
		long before = w.served;
		if (wait_and_serve(&w, &now, conns_next_expiry(&w.set, cfg->read_timeout, now), true, &waitmask) == WAIT_ERROR) {
			status = WORKER_EXIT_FAILED;
			break;
		}
		retiring = w.share > 0 && w.served >= w.share;
		if (!retiring && w.served > before && rss_above(cfg->max_rss_mb)) /* after a request, not an accept */
			retiring = too_big = true;
	}
	/* Serve what has arrived already: requests waiting on kept connections and,
	 * on a stop, the connections the kernel has accepted for us (they would be
	 * reset when the last worker closes the socket). A retiring worker leaves
	 * the backlog to the others. */
	while (status == 0) {
		/* A connection already taken from the backlog gets a moment for its
		 * first bytes (a front server writes right after connecting): we are
		 * done only when nothing is ready and no such connection is left. A
		 * lost race for the next connection, or another SIGTERM (a second
		 * SIGHUP of the manager), changes nothing. */
		long long now = now_ms();
		int wait = conns_drain_wait(&w.set, drain_limit, now);
		enum wait_result r = wait_and_serve(&w, &now, wait, !retiring, &waitmask);
		if (r == WAIT_ERROR)
			status = WORKER_EXIT_FAILED;
		else if (r == WAIT_NOTHING && wait == 0)
			break;
	}
	if (status == 0 && !retiring)
		test_hook_stop_hold(); /* the last look at the backlog is over; our copy of it still open */
	while (w.set.n > 0)
		conns_drop(&w.set, w.set.n - 1, true);
	log_gather_flush();
	FCGX_Free(&w.req, 1);
	timeouts_close();
	OS_LibShutdown(); /* frees what FCGX_Init took: a worker exits with nothing allocated */
	if (status == 0 && retiring) {
		if (too_big) {
			fprintf(stderr, "app.fcgi: worker %ld: resident memory %ld kB is above --max-worker-rss %ld MB; %s\n",
				(long)getpid(), rss_kb(), cfg->max_rss_mb, cfg->spawned ? "starting afresh" : "retiring");
			if (cfg->scoreboard != NULL)
				__atomic_add_fetch(&cfg->scoreboard->rss_recycles, 1, __ATOMIC_RELAXED);
		} else {
			fprintf(stderr, "app.fcgi: worker %ld: served %ld requests; %s\n", (long)getpid(), w.served,
				cfg->spawned ? "starting afresh" : "retiring");
		}
		if (cfg->spawned) {
			execve("/proc/self/exe", cfg->argv, environ);
			fprintf(stderr, "app.fcgi: exec /proc/self/exe: %s\n", strerror(errno));
		}
		return WORKER_EXIT_MAX_REQUESTS;
	}
	return status;
}
