#include "deadline.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MARGIN_MS 200L

enum watch_state { IDLE, ARMED, FIRED, STOPPING };

struct deadline {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;  /* CLOCK_MONOTONIC */
	enum watch_state state;
	struct timespec when;    /* CLOCK_MONOTONIC */
	deadline_fn *fn;
	void *ctx;
	long margin_ms;
#ifdef LAMBDA_TEST_HOOKS
	struct {
		bool hold;        /* LAMBDA_TEST_HOLD_TIMEOUT=1: hold the watchdog after each timeout */
		bool held;        /* the watchdog is held (the lock is free meanwhile) */
		bool rearmed;     /* deadline_arm() ran while it was held */
		pthread_cond_t changed;
	} hook;
#endif
};

#ifdef LAMBDA_TEST_HOOKS
/* Test builds only (make test-hooks): the watchdog's side of the race tests.
 * With LAMBDA_TEST_HOLD_TIMEOUT=1, a timed-out wait is held, the lock released,
 * until the main thread has armed the next deadline (and that arm returns only
 * once the watchdog has gone on): the window in which a stale timeout could be
 * taken for the new deadline. Called with the lock held. */
static void test_hook_hold_after_timeout(struct deadline *d)
{
	if (!d->hook.hold)
		return;
	d->hook.held = true;
	d->hook.rearmed = false;
	pthread_cond_broadcast(&d->hook.changed);
	while (!d->hook.rearmed)
		pthread_cond_wait(&d->hook.changed, &d->lock);
	d->hook.held = false;  /* the arm waits for this; the lock stays held from here to the decision */
	pthread_cond_broadcast(&d->hook.changed);
}

/* deadline_arm()'s side: releases a held watchdog and waits until it has gone on. */
static void test_hook_after_arm(struct deadline *d)
{
	if (!d->hook.held)
		return;
	d->hook.rearmed = true;
	pthread_cond_broadcast(&d->hook.changed);
	while (d->hook.held)
		pthread_cond_wait(&d->hook.changed, &d->lock);
}

static void test_hook_fired(struct deadline *d)
{
	pthread_cond_broadcast(&d->hook.changed);
}

static void test_hook_destroy(struct deadline *d)
{
	pthread_cond_destroy(&d->hook.changed);
}

static bool test_hook_init(struct deadline *d)
{
	const char *v = getenv("LAMBDA_TEST_HOLD_TIMEOUT");
	d->hook.hold = v != NULL && strcmp(v, "1") == 0;
	return pthread_cond_init(&d->hook.changed, NULL) == 0;
}

void deadline_test_wait_held(struct deadline *d)
{
	pthread_mutex_lock(&d->lock);
	while (!d->hook.held)
		pthread_cond_wait(&d->hook.changed, &d->lock);
	pthread_mutex_unlock(&d->lock);
}

void deadline_test_wait_fired(struct deadline *d)
{
	pthread_mutex_lock(&d->lock);
	while (d->state != FIRED)
		pthread_cond_wait(&d->hook.changed, &d->lock);
	pthread_mutex_unlock(&d->lock);
}
#else
static void test_hook_hold_after_timeout(struct deadline *d)
{
	(void)d;
}

static void test_hook_after_arm(struct deadline *d)
{
	(void)d;
}

static void test_hook_fired(struct deadline *d)
{
	(void)d;
}

static void test_hook_destroy(struct deadline *d)
{
	(void)d;
}

static bool test_hook_init(struct deadline *d)
{
	(void)d;
	return true;
}
#endif

/* True when the monotonic clock has reached when. */
static bool reached(const struct timespec *when)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > when->tv_sec || (now.tv_sec == when->tv_sec && now.tv_nsec >= when->tv_nsec);
}

/* The watchdog thread: sleeps until armed, then until the time or a disarm; calls
 * the armed function (which ends the process) when the time comes first. It fires
 * only for the deadline armed now, and only once the clock has passed it: what the
 * wait returned is never trusted, since a timeout may belong to a deadline that was
 * disarmed, and the next one armed, before this thread had the lock back. */
static void *watch(void *arg)
{
	struct deadline *d = arg;
	pthread_mutex_lock(&d->lock);
	for (;;) {
		if (d->state == STOPPING)
			break;
		if (d->state != ARMED) {
			pthread_cond_wait(&d->changed, &d->lock);
			continue;
		}
		if (!reached(&d->when)) {
			if (pthread_cond_timedwait(&d->changed, &d->lock, &d->when) == ETIMEDOUT)
				test_hook_hold_after_timeout(d);
			continue;  /* decided again from the state and the clock */
		}
		d->state = FIRED;
		test_hook_fired(d);
		deadline_fn *fn = d->fn;
		void *ctx = d->ctx;
		pthread_mutex_unlock(&d->lock);
		fn(ctx);  /* does not return */
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* LAMBDA_DEADLINE_MARGIN_MS, or the default for anything but 0..60000. */
static long margin_from_env(void)
{
	const char *v = getenv("LAMBDA_DEADLINE_MARGIN_MS");
	char *end;
	long n = v != NULL ? strtol(v, &end, 10) : -1;
	return v != NULL && *v != '\0' && *end == '\0' && n >= 0 && n <= 60000 ? n : DEFAULT_MARGIN_MS;
}

struct deadline *deadline_start(void)
{
	struct deadline *d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->margin_ms = margin_from_env();
	pthread_condattr_t attr;
	if (pthread_condattr_init(&attr) != 0) {
		free(d);
		return NULL;
	}
	bool cond = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
		    pthread_cond_init(&d->changed, &attr) == 0;
	pthread_condattr_destroy(&attr);
	bool lock = cond && test_hook_init(d) && pthread_mutex_init(&d->lock, NULL) == 0;
	if (!lock || pthread_create(&d->thread, NULL, watch, d) != 0) {
		if (lock)
			pthread_mutex_destroy(&d->lock);
		if (cond)
			pthread_cond_destroy(&d->changed);
		free(d);
		return NULL;
	}
	return d;
}

long deadline_remaining_ms(const struct deadline *d, struct str epoch_ms)
{
	long long deadline = 0;
	for (size_t i = 0; i < epoch_ms.n; i++) {
		if (epoch_ms.p[i] < '0' || epoch_ms.p[i] > '9' || deadline > LLONG_MAX / 100)
			return LONG_MAX;
		deadline = deadline * 10 + (epoch_ms.p[i] - '0');
	}
	if (deadline <= 0)
		return LONG_MAX;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long left = deadline - ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000) - d->margin_ms;
	return left > (long long)LONG_MAX ? LONG_MAX : left < 0 ? 0 : (long)left;
}

void deadline_arm(struct deadline *d, long remaining_ms, deadline_fn *fn, void *ctx)
{
	struct timespec when;
	clock_gettime(CLOCK_MONOTONIC, &when);
	when.tv_sec += remaining_ms / 1000;
	when.tv_nsec += (remaining_ms % 1000) * 1000000L;
	if (when.tv_nsec >= 1000000000L) {
		when.tv_sec++;
		when.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&d->lock);
	d->when = when;
	d->fn = fn;
	d->ctx = ctx;
	d->state = ARMED;
	pthread_cond_signal(&d->changed);
	test_hook_after_arm(d);
	pthread_mutex_unlock(&d->lock);
}

bool deadline_disarm(struct deadline *d)
{
	pthread_mutex_lock(&d->lock);
	bool in_time = d->state != FIRED;
	if (in_time)
		d->state = IDLE;
	pthread_cond_signal(&d->changed);
	pthread_mutex_unlock(&d->lock);
	return in_time;
}

void deadline_stop(struct deadline *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->state = STOPPING;
	pthread_cond_signal(&d->changed);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	test_hook_destroy(d);
	pthread_cond_destroy(&d->changed);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
