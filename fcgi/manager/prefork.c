/* Signals are taken synchronously (sigtimedwait) in one loop, so the
 * manager's state is only ever changed in one place, never in a handler. */
#include "prefork.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "crash_loop.h"
#include "privileges.h"
#include "scoreboard.h"
#include "metrics.h"
#include "systemd.h"
#include "test_hooks.h"
#include "worker/timeouts.h"
#include "worker/worker.h"
#include "core/sysio.h"

/* Workers that keep dying sooner than this after starting are restarted only
 * after the same delay, so a worker that cannot start does not make us fork in
 * a loop. One quick death (a kill right after a start) is restarted at once. */
#define CRASH_LOOP_SECONDS 1

/* The dynamic pool's and the slow log's look at the scoreboard, every this many ms. */
#define MAINTENANCE_MS 100

struct slot {
	pid_t pid;            /* 0: free */
	unsigned generation;  /* workers older than the manager's current one are retiring */
	long long started_ms;  /* monotonic */
	unsigned long slow_logged; /* request_no of the last request logged as slow */
};

struct manager {
	struct slot *slots;   /* as many as the scoreboard has; index = scoreboard slot */
	size_t nslots;
	struct scoreboard *sb;
	int listen_fd;
	int workers;          /* current-generation workers wanted now (MIN..MAX) */
	const struct options *opts;
	unsigned generation;
	int missing;          /* current-generation workers to start */
	long long restart_at_ms; /* no restart before this monotonic time (crash-loop guard) */
	int quick_deaths;     /* consecutive workers that died right after starting */
	bool stopping;
	bool announce;        /* READY=1 is owed to systemd once no worker is missing */
	long long stop_deadline_ms; /* monotonic; 0: none (--shutdown-timeout 0) */
	bool deadline_passed; /* the workers left were killed */
	long long cut_deadline_ms; /* monotonic; 0: none: when workers left streaming are killed too */
	bool worker_failed;   /* a worker exited abnormally while stopping */
	bool crash_looped;    /* --max-consecutive-failures reached (crash_loop.h): stop, exit CRASH_LOOP_EXIT */
	sigset_t signals;     /* the signals the loop waits for */
};

static struct slot *free_slot(struct manager *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].pid == 0)
			return &m->slots[i];
	return NULL;
}

static int live_workers(const struct manager *m)
{
	int n = 0;
	for (size_t i = 0; i < m->nslots; i++)
		n += m->slots[i].pid != 0;
	return n;
}

static void start_worker(struct manager *m)
{
	struct slot *s = free_slot(m);
	if (s == NULL) {
		fprintf(stderr, "app.fcgi: every worker slot is taken (old workers still finishing)\n");
		return;
	}
	int index = (int)(s - m->slots);
	fflush(NULL); /* nothing buffered may be written twice */
	/* The slot is written now, while no process owns it: after the fork it is
	 * the worker's alone (it may be serving before we run again). */
	scoreboard_worker_forking(m->sb, index);
	pid_t manager = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "app.fcgi: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		scoreboard_worker_started(m->sb, index, getpid());
		/* Never serve as root when asked not to. Before PDEATHSIG: a change
		 * of credentials clears it. */
		if (privileges_drop(&m->opts->worker_identity) != 0)
			_exit(WORKER_EXIT_FAILED);
		/* A worker must not outlive its manager: it would hold the socket forever. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != manager)
			_exit(0);
		struct worker_config cfg = m->opts->worker;
		cfg.scoreboard = m->sb;
		cfg.slot = index;
		free(m->slots);
		/* The manager's signals stay blocked until worker_run has installed
		 * its handlers and set its own mask. */
		exit(worker_run(m->listen_fd, &cfg));
	}
	test_hook_after_fork(m->sb, index);
	*s = (struct slot){ pid, m->generation, now_ms(), 0 };
	m->missing--;
}

static void signal_generation(struct manager *m, unsigned older_than, int sig)
{
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].pid != 0 && m->slots[i].generation < older_than)
			kill(m->slots[i].pid, sig);
}

static void describe_exit(pid_t pid, int status, char *out, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(out, n, "worker %ld killed by signal %d", (long)pid, WTERMSIG(status));
	else
		snprintf(out, n, "worker %ld exited with status %d", (long)pid, WEXITSTATUS(status));
}

static void reap(struct manager *m)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct slot *s = NULL;
		for (size_t i = 0; i < m->nslots && s == NULL; i++)
			if (m->slots[i].pid == pid)
				s = &m->slots[i];
		if (s == NULL)
			continue;
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		bool clean = code == 0;
		bool current = s->generation == m->generation;
		char what[96];
		describe_exit(pid, status, what, sizeof what);
		int index = (int)(s - m->slots);
		if (current && !m->stopping &&
		    crash_loop_worker_ended(m->opts->max_consecutive_failures, &m->sb->consecutive_failures,
					    code != WORKER_EXIT_MAX_REQUESTS && code != WORKER_EXIT_TIMEOUT,
					    m->sb->slots[index].requests > 0))
			m->crash_looped = true;
		if (code == WORKER_EXIT_MAX_REQUESTS || code == WORKER_EXIT_TIMEOUT) {
			/* Retired by its own rules (it said why in the log): not a crash. */
			if (current && !m->stopping) {
				m->missing++;
				m->quick_deaths = 0;
			}
		} else if (m->stopping) {
			if (!clean) {
				m->worker_failed = true;
				fprintf(stderr, "app.fcgi: %s while stopping\n", what);
			}
		} else if (current) {
			/* Any other exit of a current worker is a failure. */
			fprintf(stderr, "app.fcgi: %s; starting a new one\n", what);
			m->missing++;
			long long now = now_ms();
			m->quick_deaths = now - s->started_ms < CRASH_LOOP_SECONDS * 1000 ? m->quick_deaths + 1 : 0;
			if (m->quick_deaths > 1)
				m->restart_at_ms = now + CRASH_LOOP_SECONDS * 1000;
		} else if (!clean) {
			fprintf(stderr, "app.fcgi: retiring %s\n", what);
		}
		scoreboard_worker_gone(m->sb, index, current && !m->stopping);
		metrics_worker_exit(status, current, m->stopping);
		s->pid = 0;
	}
}

/* New connections are refused from here on: the manager stops new TCP
 * handshakes, closes its copy of the socket (and removes a unix socket's path,
 * so clients fail fast), and every worker serves what it holds and what the
 * backlog holds, then exits. */
/* How often the manager looks for its first workers' slots before READY. */
#define READY_POLL_MS 10

/* Whether every worker started has taken its slot (written its pid): READY
 * is told only then, so the STATUS= it carries counts them. No board: true. */
static bool workers_running(const struct manager *m)
{
	if (m->sb == NULL)
		return true;
	int busy, idle;
	scoreboard_count(m->sb, &busy, &idle);
	return busy + idle >= m->sb->min_workers;
}

static void stop(struct manager *m, int sig, const struct listen_path *created)
{
	if (m->stopping)
		return;
	if (sig != 0) /* 0: the crash-loop limit, which said so */
		fprintf(stderr, "app.fcgi: signal %d: finishing requests in flight, then exiting\n", sig);
	m->stopping = true;
	m->missing = 0;
	systemd_stopping();
	if (m->opts->shutdown_timeout > 0)
		m->stop_deadline_ms = now_ms() + m->opts->shutdown_timeout * 1000LL;
	/* On TCP no handshake completes from here on (the unix socket's path goes
	 * below): what the backlog holds now is all the workers have to drain, and
	 * the last one to close the socket resets nothing. */
	(void)listen_refuse_new(m->listen_fd);
	close(m->listen_fd);
	listen_remove(created);
	signal_generation(m, m->generation + 1, SIGTERM);
}

static void replace_workers(struct manager *m)
{
	if (m->stopping)
		return;
	fprintf(stderr, "app.fcgi: SIGHUP: starting %d new workers, retiring the old ones\n", m->workers);
	/* The old workers finish their requests while the new ones (started by the
	 * main loop right after this) take new connections from the same socket. */
	systemd_reloading();
	m->announce = true;
	m->generation++;
	m->missing = m->workers;
	m->restart_at_ms = 0;
	signal_generation(m, m->generation, SIGTERM);
}

void prefork_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* How long a worker whose streamed answer has begun gets, past the stop
 * deadline, to cut that answer itself (its timer thread ticks at most a
 * second apart: worker/timeouts.c) before it is killed too. A killed worker's
 * bare close would pass, through nginx, for the end of the answer. */
#define STOP_CUT_MS 2500

/* The stop deadline has passed: every worker still running is killed, and
 * named; one streaming an answer is told to cut it and exit, and killed only
 * at cut_deadline_ms (kill_late) if it has not. */
static void kill_stragglers(struct manager *m)
{
	m->deadline_passed = true;
	__atomic_store_n(&m->sb->stop_cut, 1, __ATOMIC_SEQ_CST);
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i].pid == 0)
			continue;
		if (scoreboard_streaming(m->sb, (int)i)) {
			fprintf(stderr, "app.fcgi: shutdown timeout (%d s): worker %ld is streaming an answer: cutting it\n",
				m->opts->shutdown_timeout, (long)m->slots[i].pid);
			m->cut_deadline_ms = now_ms() + STOP_CUT_MS;
			continue;
		}
		fprintf(stderr, "app.fcgi: shutdown timeout (%d s): killing worker %ld, still serving\n",
			m->opts->shutdown_timeout, (long)m->slots[i].pid);
		kill(m->slots[i].pid, SIGKILL);
	}
	m->worker_failed = true;
}

/* STOP_CUT_MS after the stop deadline: a worker that did not cut its stream and exit is killed. */
static void kill_late(struct manager *m)
{
	m->cut_deadline_ms = 0;
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i].pid == 0)
			continue;
		fprintf(stderr, "app.fcgi: killing worker %ld, which did not cut its streamed answer\n",
			(long)m->slots[i].pid);
		kill(m->slots[i].pid, SIGKILL);
	}
}

/* Whether connections wait in the listen backlog (no worker has taken them). */
static bool backlog_waiting(const struct manager *m)
{
	struct pollfd p = { .fd = m->listen_fd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/* php-fpm's maintenance: logs requests running past --slow-request, adds a
 * worker while every current one is busy and connections wait (up to MAX),
 * retires the worker idle the longest once it has been idle --idle-timeout
 * seconds (down to MIN). One change per call. */
static void maintain(struct manager *m)
{
	const struct options *o = m->opts;
	long long now = now_ms();
	int live = 0, idle = 0;
	struct slot *idlest = NULL;
	long long idlest_since = 0;
	for (size_t i = 0; i < m->nslots; i++) {
		struct slot *s = &m->slots[i];
		if (s->pid == 0 || s->generation != m->generation)
			continue;
		struct scoreboard_slot b;
		scoreboard_read_slot(m->sb, (int)i, &b);
		live++;
		if (b.state == WORKER_IDLE) {
			idle++;
			if (idlest == NULL || b.request_ms < idlest_since) {
				idlest = s;
				idlest_since = b.request_ms;
			}
		} else if (o->slow_request > 0 && now - b.request_ms >= o->slow_request * 1000LL &&
			   s->slow_logged != b.request_no) {
			s->slow_logged = b.request_no;
			__atomic_add_fetch(&m->sb->slow, 1, __ATOMIC_RELAXED);
			fprintf(stderr, "app.fcgi: slow request: worker %ld running %s %s for %lld ms\n", (long)s->pid,
				b.method[0] ? b.method : "(reading)", b.path, now - b.request_ms);
		}
	}
	if (o->max_workers == o->workers || m->missing > 0)
		return;
	if (idle == 0 && live < o->max_workers && backlog_waiting(m)) {
		m->workers = live + 1;
		m->missing = 1;
		fprintf(stderr, "app.fcgi: all %d workers busy and connections waiting: starting one more\n", live);
	} else if (idle > 0 && live > o->workers && idlest != NULL && now - idlest_since >= o->idle_timeout * 1000LL) {
		m->workers = live - 1;
		idlest->generation = 0; /* retiring: its exit is not a failure */
		fprintf(stderr, "app.fcgi: worker %ld idle for %d s: retiring it (%d left)\n", (long)idlest->pid,
			o->idle_timeout, live - 1);
		kill(idlest->pid, SIGTERM);
	}
}

/* How long the loop may sleep: until the crash-loop guard allows a restart
 * (when workers are missing), until the stop deadline; NULL: until a signal. */
static struct timespec *wait_time(const struct manager *m, struct timespec *ts)
{
	long long ms = -1;
	if (m->missing > 0)
		ms = CRASH_LOOP_SECONDS * 1000;
	bool dynamic = m->opts->max_workers > m->opts->workers;
	if (!m->stopping && (dynamic || m->opts->slow_request > 0))
		ms = MAINTENANCE_MS;
	else if (!m->stopping && systemd_notifying() && (ms < 0 || ms > 1000))
		ms = 1000; /* STATUS= kept current */
	if (m->announce && !m->stopping && systemd_notifying())
		ms = READY_POLL_MS; /* READY once the workers have taken their slots */
	if (m->stop_deadline_ms > 0 && !m->deadline_passed) {
		long long left = m->stop_deadline_ms - now_ms();
		left = left < 0 ? 0 : left;
		ms = ms < 0 || left < ms ? left : ms;
	}
	if (m->cut_deadline_ms > 0) {
		long long left = m->cut_deadline_ms - now_ms();
		left = left < 0 ? 0 : left;
		ms = ms < 0 || left < ms ? left : ms;
	}
	if (ms < 0)
		return NULL;
	*ts = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
	return ts;
}

int prefork_run(int listen_fd, const struct options *opts, const struct listen_path *created)
{
	int workers = opts->workers;
	/* Room for a whole pool retiring (SIGHUP) beside a whole new one, twice. */
	size_t nslots = (size_t)opts->max_workers * 4;
	struct manager m = {
		.slots = calloc(nslots, sizeof(struct slot)),
		.nslots = nslots,
		.sb = scoreboard_create((int)nslots, opts->workers, opts->max_workers),
		.listen_fd = listen_fd,
		.workers = workers,
		.opts = opts,
		.generation = 1,
		.missing = workers,
		.announce = true,
	};
	if (m.slots == NULL || m.sb == NULL || (opts->worker.status_path != NULL && metrics_create() != 0)) {
		fprintf(stderr, "app.fcgi: out of memory\n");
		free(m.slots);
		scoreboard_destroy(m.sb);
		return 1;
	}
	prefork_signals(&m.signals);
	sigprocmask(SIG_BLOCK, &m.signals, NULL); /* main() blocked them already, before the bind */

	while (!m.stopping || live_workers(&m) > 0) {
		if (!m.stopping)
			maintain(&m);
		while (m.missing > 0 && now_ms() >= m.restart_at_ms && free_slot(&m) != NULL) {
			int before = m.missing;
			start_worker(&m);
			if (m.missing == before) {
				m.restart_at_ms = now_ms() + CRASH_LOOP_SECONDS * 1000; /* fork failed: try again later */
				break;
			}
		}
		if (m.announce && m.missing == 0 && !m.stopping && workers_running(&m)) {
			systemd_ready(m.sb);
			m.announce = false;
		} else if (!m.stopping) {
			systemd_status(m.sb);
		}
		if (m.stopping && m.stop_deadline_ms > 0 && !m.deadline_passed && now_ms() >= m.stop_deadline_ms) {
			kill_stragglers(&m);
			continue;
		}
		if (m.cut_deadline_ms > 0 && now_ms() >= m.cut_deadline_ms) {
			kill_late(&m);
			continue;
		}
		struct timespec ts;
		int sig = sigtimedwait(&m.signals, NULL, wait_time(&m, &ts));
		if (sig == SIGCHLD)
			reap(&m);
		if (m.crash_looped)
			stop(&m, 0, created);
		else if (sig == SIGTERM || sig == SIGINT)
			stop(&m, sig, created);
		else if (sig == SIGHUP)
			replace_workers(&m);
	}
	free(m.slots);
	scoreboard_destroy(m.sb);
	metrics_destroy();
	return m.crash_looped ? CRASH_LOOP_EXIT : m.worker_failed ? 1 : 0;
}
