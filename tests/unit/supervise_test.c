/* core/supervise.c: the child table, reaping, the crash-loop guard and the
 * bounded drain, with real child processes. A child that must be inside its work
 * when the parent acts says so through a pipe first (no sleeps). */
#include <criterion/criterion.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/supervise.h"
#include "core/sysio.h"

static int exit_with_slot(void *ctx, size_t slot)
{
	(void)ctx;
	return 10 + (int)slot;
}

/* Ignores SIGTERM, says "ready" on the pipe, then waits forever. */
static int stubborn(void *ctx, size_t slot)
{
	(void)slot;
	int *fds = ctx;
	signal(SIGTERM, SIG_IGN);
	(void)write_all(fds[1], "r", 1);
	for (;;)
		pause();
	return 1; /* not reached */
}

/* Exits 0 on SIGTERM (the default would be death by the signal). */
static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static int obedient(void *ctx, size_t slot)
{
	(void)slot;
	int *fds = ctx;
	signal(SIGTERM, on_term);
	(void)write_all(fds[1], "r", 1);
	for (;;)
		pause();
	return 1; /* not reached */
}

static void wait_ready(int fd, int n)
{
	char c;
	for (int i = 0; i < n; i++)
		cr_assert_eq(read_full(fd, &c, 1), 1);
}

Test(supervise, zero_slots_refused)
{
	struct supervisor s;
	cr_assert_eq(sup_init(&s, 0), APP_ERR_INVALID);
}

Test(supervise, spawn_fills_the_slot_and_reap_frees_it)
{
	struct supervisor s;
	cr_assert_eq(sup_init(&s, 3), APP_OK);
	size_t free_slot;
	cr_assert_eq(sup_live(&s, &free_slot), 0);
	cr_assert_eq(free_slot, 0);
	pid_t pid = sup_spawn(&s, 1, exit_with_slot, NULL);
	cr_assert_gt(pid, 0);
	cr_assert_eq(sup_live(&s, &free_slot), 1);
	cr_assert_eq(free_slot, 0);
	cr_assert_eq(sup_spawn(&s, 1, exit_with_slot, NULL), -1, "a taken slot is refused");
	cr_assert_eq(sup_spawn(&s, 3, exit_with_slot, NULL), -1, "a slot out of range is refused");
	struct sup_exit e;
	long long until = now_ms() + 10000;
	while (!sup_reap(&s, &e) && now_ms() < until)
		;
	cr_assert_eq(e.pid, pid);
	cr_assert_eq(e.slot, 1);
	cr_assert(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 11);
	cr_assert_eq(sup_live(&s, NULL), 0);
	cr_assert_eq(sup_reap(&s, &e), 0);
	sup_free(&s);
}

Test(supervise, second_quick_death_in_a_row_waits)
{
	struct supervisor s;
	cr_assert_eq(sup_init(&s, 1), APP_OK);
	struct sup_exit quick = { 0, 1, 0, 5 }, slow = { 0, 1, 0, 5000 };
	long long now = now_ms();
	cr_assert_leq(sup_replace_after(&s, &quick, 1000), now + 50, "one quick death: at once");
	cr_assert_geq(sup_replace_after(&s, &quick, 1000), now + 900, "the second: after the delay");
	cr_assert_geq(sup_replace_after(&s, &slow, 1000), now + 900, "the delay already set still holds");
	cr_assert_eq(s.quick_deaths, 0, "a long life resets the count");
	sup_free(&s);
}

Test(supervise, drain_waits_for_the_obedient_and_kills_the_stubborn)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct supervisor s;
	cr_assert_eq(sup_init(&s, 2), APP_OK);
	cr_assert_gt(sup_spawn(&s, 0, obedient, fds), 0);
	cr_assert_gt(sup_spawn(&s, 1, stubborn, fds), 0);
	wait_ready(fds[0], 2);
	sup_signal_all(&s, SIGTERM);
	long long start = now_ms();
	cr_assert_eq(sup_drain(&s, start + 300, NULL, NULL), 1, "one child outlived the deadline");
	long long took = now_ms() - start;
	cr_assert(took >= 300 && took < 5000, "took %lld ms", took);
	cr_assert_eq(sup_live(&s, NULL), 0);
	sup_free(&s);
	close(fds[0]);
	close(fds[1]);
}

Test(supervise, drain_returns_as_soon_as_all_are_gone)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct supervisor s;
	cr_assert_eq(sup_init(&s, 2), APP_OK);
	cr_assert_gt(sup_spawn(&s, 0, obedient, fds), 0);
	cr_assert_gt(sup_spawn(&s, 1, obedient, fds), 0);
	wait_ready(fds[0], 2);
	sup_signal_all(&s, SIGTERM);
	long long start = now_ms();
	cr_assert_eq(sup_drain(&s, start + 20000, NULL, NULL), 0);
	cr_assert_lt(now_ms() - start, 5000);
	sup_free(&s);
	close(fds[0]);
	close(fds[1]);
}
