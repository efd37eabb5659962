/* The worker's loop. It accepts connections itself and keeps every open one
 * in a small set, polled together with the listening socket: a server that
 * keeps its FastCGI connections (nginx fastcgi_keep_conn) gets each of them
 * served until it closes it, and a client that connects and sends nothing
 * costs a slot in the set, not the worker. Requests are still served one at
 * a time, by libfcgi on the connection whose first bytes have arrived.
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cgi_env/cgi_env.h"
#include "worker/log_gather.h"
#include "close.h"
#include "manager/scoreboard.h"
#include "worker/status.h"
#include "timeouts.h"
#include "openmetrics.h"
#include "core/sysio.h"

extern char **environ;

/* How long a worker with nothing to do keeps its log lines (see wait_and_serve). */
#define LOG_IDLE_FLUSH_MS 10

/* Connections one worker keeps open at once. When full, the one idle the
 * longest (first those that never sent a request) is closed for a new one. */
#define MAX_CONNS 64

/* On a stop, how long a connection not yet heard from may take to send its
 * request, from when it was accepted (at most the read timeout): long enough
 * for a front server on a busy machine, short enough that a silent client
 * does not hold the stop. */
#define DRAIN_WAIT_MS 5000

struct conn {
	int fd;
	bool served;            /* has sent at least one request */
	long long idle_since;   /* monotonic ms: accepted or last request finished */
};

struct worker {
	int listen_fd;
	const struct worker_config *cfg;
	struct conn conns[MAX_CONNS];
	int nconns;
	int next;               /* where the fair scan of ready connections starts */
	FCGX_Request req;
	long served;            /* requests answered */
	long share;             /* requests before retiring; 0: no limit */
};

/* The body as app/ reads it, with the bytes still to come (from CONTENT_LENGTH)
 * so the read deadline is lifted once they are in. */
struct body_stream {
	FCGX_Request *req;
	unsigned long long left;
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

/* CONTENT_LENGTH as the number of body bytes to expect; anything that is not
 * plain digits, or does not fit, is 0 (app/ refuses such a request unread). */
static unsigned long long declared_length(FCGX_ParamArray envp)
{
	const char *s = FCGX_GetParam("CONTENT_LENGTH", envp);
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

static void drop_conn(struct worker *w, int i, bool close_fd)
{
	if (close_fd)
		close(w->conns[i].fd);
	w->conns[i] = w->conns[--w->nconns];
}

/* Makes room for one more connection: closes the one idle the longest,
 * preferring one that never sent a request. */
static void evict_one(struct worker *w)
{
	int victim = 0;
	for (int i = 1; i < w->nconns; i++) {
		const struct conn *c = &w->conns[i], *v = &w->conns[victim];
		if ((c->served < v->served) || (c->served == v->served && c->idle_since < v->idle_since))
			victim = i;
	}
	drop_conn(w, victim, true);
}

/* Closes connections that sent nothing within the read timeout of being accepted. */
static void close_silent(struct worker *w, long long now)
{
	if (w->cfg->read_timeout <= 0)
		return;
	for (int i = w->nconns - 1; i >= 0; i--)
		if (!w->conns[i].served && now - w->conns[i].idle_since >= w->cfg->read_timeout * 1000LL)
			drop_conn(w, i, true);
}

/* While stopping: closes the connections that have not sent a request within
 * DRAIN_WAIT_MS (or the read timeout) of being accepted, and returns how long
 * to wait for the others' first bytes (0: there are none). */
static int drain_wait(struct worker *w, long long now)
{
	long long limit = DRAIN_WAIT_MS;
	if (w->cfg->read_timeout > 0 && w->cfg->read_timeout * 1000LL < limit)
		limit = w->cfg->read_timeout * 1000LL;
	long long soonest = 0;
	for (int i = w->nconns - 1; i >= 0; i--) {
		if (w->conns[i].served)
			continue;
		long long left = w->conns[i].idle_since + limit - now;
		if (left <= 0)
			drop_conn(w, i, true);
		else if (soonest == 0 || left < soonest)
			soonest = left;
	}
	return (int)soonest;
}

/* Milliseconds until the next silent connection is due to be closed; -1: none. */
static int next_expiry(const struct worker *w, long long now)
{
	if (w->cfg->read_timeout <= 0)
		return -1;
	long long soonest = -1;
	for (int i = 0; i < w->nconns; i++) {
		if (w->conns[i].served)
			continue;
		long long left = w->conns[i].idle_since + w->cfg->read_timeout * 1000LL - now;
		if (left < 0)
			left = 0;
		if (soonest < 0 || left < soonest)
			soonest = left;
	}
	return soonest > INT_MAX ? INT_MAX : (int)soonest;
}

/* FCGI_WEB_SERVER_ADDRS as libfcgi reads it: the comma-separated addresses
 * a TCP peer must have (unset or empty: any). libfcgi applied it in its own
 * accept; we accept ourselves, so we apply it here, to IPv4 peers as libfcgi
 * does and to IPv6 ones too. Unix socket peers are never refused. */
static bool peer_allowed(const struct sockaddr_storage *peer)
{
	if (peer->ss_family != AF_INET && peer->ss_family != AF_INET6)
		return true;
	static const char *list;
	static bool read_once;
	if (!read_once) { /* the environment does not change: read at the first TCP peer */
		list = getenv("FCGI_WEB_SERVER_ADDRS");
		read_once = true;
	}
	if (list == NULL || *list == '\0')
		return true;
	for (const char *at = list; *at != '\0';) {
		char entry[INET6_ADDRSTRLEN];
		size_t n = strcspn(at, ",");
		if (n < sizeof entry) {
			memcpy(entry, at, n);
			entry[n] = '\0';
			struct in_addr a4;
			struct in6_addr a6;
			if (peer->ss_family == AF_INET && inet_pton(AF_INET, entry, &a4) == 1 &&
			    a4.s_addr == ((const struct sockaddr_in *)peer)->sin_addr.s_addr)
				return true;
			if (peer->ss_family == AF_INET6 && inet_pton(AF_INET6, entry, &a6) == 1 &&
			    memcmp(&a6, &((const struct sockaddr_in6 *)peer)->sin6_addr, sizeof a6) == 0)
				return true;
		}
		at += n;
		if (*at == ',')
			at++;
	}
	return false;
}

/* Takes one connection off the listen backlog: 1 taken, 0 none there (or
 * another worker was quicker, or a passing shortage), -1 the socket is unusable. */
static int accept_one(struct worker *w)
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
	if (w->nconns == MAX_CONNS)
		evict_one(w);
	w->conns[w->nconns++] = (struct conn){ fd, false, now_ms() };
	return 1;
}

#ifdef FCGI_TEST_HOOKS
/* Test builds only (build/test-hooks/): FCGI_TEST_DELAY_MS=N makes the handler
 * N ms late, for requests whose REQUEST_URI starts with FCGI_TEST_DELAY_PATH
 * (every request when unset). Never compiled into a release build. */
static void test_delay(FCGX_ParamArray envp)
{
	const char *ms = getenv("FCGI_TEST_DELAY_MS"), *path = getenv("FCGI_TEST_DELAY_PATH");
	const char *uri = FCGX_GetParam("REQUEST_URI", envp);
	if (ms == NULL || (path != NULL && (uri == NULL || strncmp(uri, path, strlen(path)) != 0)))
		return;
	long n = strtol(ms, NULL, 10);
	struct timespec t = { n / 1000, (n % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR) {
	}
}
#endif

/* Serves the request whose first bytes wait on connection i, then keeps the
 * connection in the set if the server asked for that and it is still sound. */
static void serve_conn(struct worker *w, int i)
{
	FCGX_Request *req = &w->req;
	int fd = w->conns[i].fd;
	req->ipcFd = fd;
	req->keepConnection = 1; /* FCGX_Accept_r begins by finishing the previous request: keep fd */
	struct scoreboard *sb = w->cfg->scoreboard;
	timeouts_request_begin(fd);
	scoreboard_request_reading(sb, w->cfg->slot);
	if (FCGX_Accept_r(req) < 0) {
		scoreboard_request_done(sb, w->cfg->slot, false);
		/* libfcgi closed the connection: the server closed it (the usual end of
		 * a kept connection), sent garbage, or the read deadline shut it down. */
		if (timeouts_request_end()) {
			log_gather_flush(); /* in order after the lines held */
			fprintf(stderr, "app.fcgi: worker %ld: no complete request within %d s; connection closed\n",
				(long)getpid(), w->cfg->read_timeout);
		}
		req->ipcFd = -1;
		drop_conn(w, i, false);
		return;
	}
	w->conns[i].served = true;
	const char *method = FCGX_GetParam("REQUEST_METHOD", req->envp), *uri = FCGX_GetParam("REQUEST_URI", req->envp);
	timeouts_request_known(req->requestId, method, uri);
	scoreboard_request_running(sb, w->cfg->slot, method, uri);
	struct body_stream body = { req, declared_length(req->envp) };
	if (body.left == 0)
		timeouts_input_done();
#ifdef FCGI_TEST_HOOKS
	test_delay(req->envp);
#endif
	const struct transport fcgi = { fcgi_read, fcgi_write, &body };
	if (sb != NULL && status_is_request(w->cfg->status_path, req->envp))
		status_serve(sb, w->cfg->status_allow, req->envp, &fcgi);
	else if (cgi_env_serve(req->envp, "fcgi", MOUNT_AT_ROOT, &fcgi) != APP_OK) {
		/* The front server's connection is gone mid-answer: nothing to tell it. */
	}
	bool cut = timeouts_request_end();
	/* close.c: what app/ left unread (a refused body, the end-of-input record)
	 * is read before the next request on a kept connection, or before a close,
	 * and a closing connection goes at once, without libfcgi's wait. */
	fcgi_finish(req);
	scoreboard_request_done(sb, w->cfg->slot, true);
	if (cut) {
		log_gather_flush();
		fprintf(stderr, "app.fcgi: worker %ld: request input stalled for %d s; connection closed\n",
			(long)getpid(), w->cfg->read_timeout);
	}
	if (req->ipcFd < 0) {
		drop_conn(w, i, false);
	} else {
		w->conns[i].idle_since = now_ms();
		req->ipcFd = -1;
	}
	w->served++;
}

enum wait_result { WAIT_ERROR = -1, WAIT_NOTHING = 0, WAIT_SERVED = 1, WAIT_INTERRUPTED = 2 };

/* Waits (up to timeout_ms; -1 forever) for a request on a kept connection or
 * a new connection, and handles one. take_new: also accept from the backlog. */
static enum wait_result wait_and_serve(struct worker *w, int timeout_ms, bool take_new, const sigset_t *waitmask)
{
	struct pollfd fds[MAX_CONNS + 1];
	fds[0] = (struct pollfd){ .fd = take_new ? w->listen_fd : -1, .events = POLLIN };
	for (int i = 0; i < w->nconns; i++)
		fds[i + 1] = (struct pollfd){ .fd = w->conns[i].fd, .events = POLLIN };
	/* Log lines held (log_gather_start) go out once nothing has come for
	 * LOG_IDLE_FLUSH_MS: the wait we do anyway is cut short for them, so a
	 * busy worker writes its lines a bufferful at a time and an idle one a
	 * moment after its last answer, without a system call of their own. */
	if (log_gather_pending() && (timeout_ms < 0 || timeout_ms > LOG_IDLE_FLUSH_MS))
		timeout_ms = LOG_IDLE_FLUSH_MS;
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int n = ppoll(fds, (nfds_t)w->nconns + 1, timeout_ms < 0 ? NULL : &ts, waitmask);
	if (n == 0 && log_gather_pending())
		log_gather_flush();
	if (n < 0 && errno != EINTR) {
		/* Nothing will change by trying again: stop, and let the manager replace us. */
		fprintf(stderr, "app.fcgi: worker %ld: ppoll: %s\n", (long)getpid(), strerror(errno));
		return WAIT_ERROR;
	}
	if (n < 0)
		return WAIT_INTERRUPTED; /* a signal: the caller looks at what it asks for */
	if (n == 0)
		return WAIT_NOTHING;
	for (int k = 0; k < w->nconns; k++) {
		int i = (w->next + k) % w->nconns;
		if (fds[i + 1].revents != 0) {
			w->next = i + 1;
			serve_conn(w, i);
			return WAIT_SERVED;
		}
	}
	if (fds[0].revents != 0) {
		int rc = accept_one(w);
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

	/* Access lines are gathered and written a few at a time (worker/log_gather.h):
	 * when the buffer is full, after LOG_IDLE_FLUSH_MS with nothing to do, and by
	 * the timer thread once one is a second old. */
	log_gather_start(STDERR_FILENO);
	openmetrics_worker_start(listen_fd);

	static struct worker w; /* MAX_CONNS slots: not on the stack */
	w = (struct worker){ .listen_fd = listen_fd, .cfg = cfg, .share = request_share(cfg) };
	/* libfcgi never accepts (we do): its listening socket is none, so a
	 * connection it gives up on is closed and FCGX_Accept_r returns. */
	FCGX_InitRequest(&w.req, -1, 0);
	int status = 0;
	bool retiring = false;
	for (long long now = now_ms(); !retiring && !stop_pending(now); now = now_ms()) {
		close_silent(&w, now);
		if (wait_and_serve(&w, next_expiry(&w, now), true, &waitmask) == WAIT_ERROR) {
			status = WORKER_EXIT_FAILED;
			break;
		}
		retiring = w.share > 0 && w.served >= w.share;
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
		int wait = drain_wait(&w, now_ms());
		enum wait_result r = wait_and_serve(&w, wait, !retiring, &waitmask);
		if (r == WAIT_ERROR)
			status = WORKER_EXIT_FAILED;
		else if (r == WAIT_NOTHING && wait == 0)
			break;
	}
	while (w.nconns > 0)
		drop_conn(&w, w.nconns - 1, true);
	log_gather_flush();
	FCGX_Free(&w.req, 1);
	timeouts_close();
	OS_LibShutdown(); /* frees what FCGX_Init took: a worker exits with nothing allocated */
	if (status == 0 && retiring) {
		fprintf(stderr, "app.fcgi: worker %ld: served %ld requests; %s\n", (long)getpid(), w.served,
			cfg->spawned ? "starting afresh" : "retiring");
		if (cfg->spawned) {
			execve("/proc/self/exe", cfg->argv, environ);
			fprintf(stderr, "app.fcgi: exec /proc/self/exe: %s\n", strerror(errno));
		}
		return WORKER_EXIT_MAX_REQUESTS;
	}
	return status;
}
