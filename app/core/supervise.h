/* Process supervision, the OS plumbing a pre-fork pool needs and nothing more: a
 * table of child processes with spawn, reap and a crash-loop guard for replacing
 * them, and a drain that waits for every child up to a deadline and kills the
 * rest. No policy: the caller decides what an exit means and whether to replace
 * the child (lambda/loops.c; fcgi/manager/prefork.c keeps its own table for now,
 * docs/lambda.md says how it can move onto this one).
 *
 * Lives in app/core beside sysio.c (the other OS plumbing every target shares);
 * no request-layer file uses it. Not thread-safe: one supervising thread. */
#ifndef APP_CORE_SUPERVISE_H
#define APP_CORE_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct sup_child {
	pid_t pid;             /* 0: the slot is free */
	long long started_ms;  /* monotonic (now_ms) */
};

struct supervisor {
	struct sup_child *kids;
	size_t n;
	int quick_deaths;        /* children in a row that died soon after starting */
	long long restart_at_ms; /* no replacement before this monotonic time */
};

/* What sup_reap tells the caller about one child that ended. */
struct sup_exit {
	size_t slot;
	pid_t pid;
	int status;      /* as waitpid gives it */
	long long lived_ms;
};

/* A table of n free slots. APP_ERR_INVALID for n = 0, APP_ERR_IO when the table
 * cannot be allocated (errno says why). */
MUST_CHECK enum app_err sup_init(struct supervisor *s, size_t n);

/* Frees the table (the children are not touched). */
void sup_free(struct supervisor *s);

/* Forks a child into slot (which must be free): the child calls run(ctx, slot) and
 * exits with what it returns; it never returns here. The parent gets the pid, or -1
 * when fork failed (errno says why; the slot stays free). stdio is flushed first so
 * nothing buffered is written twice. */
pid_t sup_spawn(struct supervisor *s, size_t slot, int (*run)(void *ctx, size_t slot), void *ctx);

/* Reaps one ended child of this table without blocking. 1 with *out filled (the
 * slot is free again), 0 when none has ended. Children not in the table are reaped
 * and ignored. */
int sup_reap(struct supervisor *s, struct sup_exit *out);

/* The crash-loop guard, for a child that ended and is to be replaced: one quick death
 * (lived under quick_ms) is replaced at once, a second in a row only after quick_ms.
 * Returns the monotonic time from which the replacement may start. */
long long sup_replace_after(struct supervisor *s, const struct sup_exit *e, long long quick_ms);

/* How many slots hold a live child; the first free slot in *free_slot (n when none). */
size_t sup_live(const struct supervisor *s, size_t *free_slot);

/* Sends sig to every live child. */
void sup_signal_all(const struct supervisor *s, int sig);

/* Waits until no child is left or deadline_ms (monotonic) passes, reaping each and
 * calling ended(ctx, e) for it (may be NULL); then SIGKILLs and reaps the rest.
 * The number of children killed. SIGCHLD must not be ignored (its default is fine). */
int sup_drain(struct supervisor *s, long long deadline_ms, void (*ended)(void *ctx, const struct sup_exit *e),
	      void *ctx);

#endif
