/* The /next loops as supervised processes (lambda/loops.h). Signals are taken
 * synchronously in the parent (sigtimedwait), so its state changes in one place. */
#include "loops.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/supervise.h"
#include "core/sysio.h"

/* Loops that keep dying sooner than this after starting are replaced only after it. */
#define QUICK_DEATH_MS 1000
#define DEFAULT_SHUTDOWN_TIMEOUT_MS 10000

static volatile sig_atomic_t in_loop_process, stop_asked, waiting_in_next;

/* In a loop process: SIGTERM/SIGINT. Idle in /next: end now (no invocation is
 * lost); inside an invocation: the loop ends after posting its answer. */
static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
	if (waiting_in_next)
		_exit(LOOP_EXIT_DRAINED);
}

bool loops_idle(bool idle)
{
	if (!in_loop_process)
		return true;
	waiting_in_next = idle;
	return !(idle && stop_asked);
}

void loops_answer_arriving(void)
{
	waiting_in_next = 0;
}

void loops_retrying_next(void)
{
	if (!in_loop_process)
		return;
	waiting_in_next = 1;
	if (stop_asked)
		_exit(LOOP_EXIT_DRAINED);
}

/* Garbage, 0, negative: 1 (with a note); above LOOPS_MAX: LOOPS_MAX (with a note). */
int loops_wanted(const char *value, char *note, size_t n)
{
	note[0] = '\0';
	if (value == NULL || *value == '\0')
		return 1;
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (*end != '\0' || end == value || (errno == ERANGE && v < 0) || v < 1) {
		snprintf(note, n, "AWS_LAMBDA_MAX_CONCURRENCY=%.40s is not a whole number of at least 1: "
			 "one invocation at a time", value);
		return 1;
	}
	if (errno == ERANGE || v > LOOPS_MAX) {
		snprintf(note, n, "AWS_LAMBDA_MAX_CONCURRENCY=%.40s is above %d: running %d loops", value,
			 LOOPS_MAX, LOOPS_MAX);
		return LOOPS_MAX;
	}
	return (int)v;
}

struct loop_ctx {
	int (*loop)(void *ctx);
	void *ctx;
	sigset_t old_mask;
	pid_t parent;
};

/* The child side of sup_spawn: its own stop handler, the parent's mask undone,
 * and no life after the parent's. */
static int loop_child(void *p, size_t slot)
{
	(void)slot;
	struct loop_ctx *lc = p;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != lc->parent)
		return LOOP_EXIT_DRAINED;
	in_loop_process = 1;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigprocmask(SIG_SETMASK, &lc->old_mask, NULL);
	return lc->loop(lc->ctx);
}

static void describe(const struct sup_exit *e, char *out, size_t n)
{
	if (WIFSIGNALED(e->status))
		snprintf(out, n, "loop %ld killed by signal %d", (long)e->pid, WTERMSIG(e->status));
	else
		snprintf(out, n, "loop %ld exited with status %d", (long)e->pid, WEXITSTATUS(e->status));
}

/* During the drain: anything but a clean exit makes the parent's status 1. */
static void drained(void *ctx, const struct sup_exit *e)
{
	int *status = ctx;
	if (WIFEXITED(e->status) && WEXITSTATUS(e->status) == LOOP_EXIT_DRAINED)
		return;
	char what[96];
	describe(e, what, sizeof what);
	fprintf(stderr, "bootstrap: %s while stopping\n", what);
	*status = 1;
}

static long shutdown_timeout_ms(void)
{
	const char *v = getenv("LAMBDA_SHUTDOWN_TIMEOUT_MS");
	char *end;
	long ms = v != NULL ? strtol(v, &end, 10) : -1;
	return v != NULL && *v != '\0' && *end == '\0' && ms >= 0 && ms <= 3600000 ? ms : DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

/* Tells every loop to stop and waits for them, bounded. The status to exit with. */
static int drain(struct supervisor *s, int status)
{
	long timeout = shutdown_timeout_ms();
	sup_signal_all(s, SIGTERM);
	int killed = sup_drain(s, now_ms() + timeout, drained, &status);
	if (killed > 0) {
		fprintf(stderr, "bootstrap: %d loops still busy after LAMBDA_SHUTDOWN_TIMEOUT_MS=%ld: killed\n",
			killed, timeout);
		status = 1;
	}
	return status;
}

/* Starts the missing loops when the crash-loop guard allows it. */
static void fill(struct supervisor *s, struct loop_ctx *lc, long long restart_at)
{
	size_t slot;
	while (now_ms() >= restart_at && sup_live(s, &slot) < s->n) {
		if (sup_spawn(s, slot, loop_child, lc) < 0) {
			fprintf(stderr, "bootstrap: fork: %s\n", strerror(errno));
			return;
		}
	}
}

/* One ended loop: 1 when every loop must now end (the Runtime API went away). */
static int ended(struct supervisor *s, const struct sup_exit *e, long long *restart_at, int *api_at_start)
{
	int code = WIFEXITED(e->status) ? WEXITSTATUS(e->status) : -1;
	if (code == LOOP_EXIT_API_GONE || code == LOOP_EXIT_API_AT_START) {
		*api_at_start = code == LOOP_EXIT_API_AT_START;
		return 1;
	}
	char what[96];
	describe(e, what, sizeof what);
	fprintf(stderr, "bootstrap: %s; starting a new one\n", what);
	*restart_at = sup_replace_after(s, e, QUICK_DEATH_MS);
	return 0;
}

int loops_run(int loops, int (*loop)(void *ctx), void (*init_error)(void *ctx), void *ctx)
{
	struct supervisor s;
	if (sup_init(&s, (size_t)loops) != APP_OK) {
		fprintf(stderr, "bootstrap: cannot set up %d loops: %s\n", loops, strerror(errno));
		return 1;
	}
	sigset_t waited;
	sigemptyset(&waited);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGCHLD);
	struct loop_ctx lc = { loop, ctx, { { 0 } }, getpid() };
	sigprocmask(SIG_BLOCK, &waited, &lc.old_mask);
	fprintf(stderr, "bootstrap: %d loops, one invocation each at a time\n", loops);
	long long restart_at = 0;
	int api_at_start = 0, status = 0;
	for (;;) {
		fill(&s, &lc, restart_at);
		long long wait_ms = sup_live(&s, NULL) < s.n ? restart_at - now_ms() : 1000;
		if (wait_ms < 1)
			wait_ms = 1000; /* a failed fork: try again in a second */
		struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
		int sig = sigtimedwait(&waited, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			fprintf(stderr, "bootstrap: signal %d: finishing the invocations in flight, then exiting\n", sig);
			break;
		}
		struct sup_exit e;
		int gone = 0;
		while (!gone && sup_reap(&s, &e))
			gone = ended(&s, &e, &restart_at, &api_at_start);
		if (gone) {
			status = 1;
			break;
		}
	}
	if (api_at_start && init_error != NULL)
		init_error(ctx);
	status = drain(&s, status);
	sup_free(&s);
	sigprocmask(SIG_SETMASK, &lc.old_mask, NULL);
	return status;
}
