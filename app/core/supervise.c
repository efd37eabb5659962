/* Process supervision: the child table (core/supervise.h). */
#include "core/supervise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"

/* n = 0 is refused; an allocation failure is APP_ERR_IO (errno set by calloc). */
enum app_err sup_init(struct supervisor *s, size_t n)
{
	*s = (struct supervisor){ 0 };
	if (n == 0)
		return APP_ERR_INVALID;
	s->kids = calloc(n, sizeof *s->kids);
	if (s->kids == NULL)
		return APP_ERR_IO;
	s->n = n;
	return APP_OK;
}

void sup_free(struct supervisor *s)
{
	free(s->kids);
	*s = (struct supervisor){ 0 };
}

/* A slot out of range or taken is a caller's bug: -1 with EINVAL, nothing forked. */
pid_t sup_spawn(struct supervisor *s, size_t slot, int (*run)(void *ctx, size_t slot), void *ctx)
{
	if (slot >= s->n || s->kids[slot].pid != 0) {
		errno = EINVAL;
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		exit(run(ctx, slot));
	s->kids[slot] = (struct sup_child){ pid, now_ms() };
	return pid;
}

static size_t slot_of(const struct supervisor *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->kids[i].pid == pid)
			return i;
	return s->n;
}

/* Children of this process that are not in the table are reaped and skipped. */
int sup_reap(struct supervisor *s, struct sup_exit *out)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0 || (pid < 0 && errno == EINTR)) {
		if (pid < 0)
			continue;
		size_t i = slot_of(s, pid);
		if (i == s->n)
			continue;
		*out = (struct sup_exit){ i, pid, status, now_ms() - s->kids[i].started_ms };
		s->kids[i].pid = 0;
		return 1;
	}
	return 0;
}

long long sup_replace_after(struct supervisor *s, const struct sup_exit *e, long long quick_ms)
{
	long long now = now_ms();
	s->quick_deaths = e->lived_ms < quick_ms ? s->quick_deaths + 1 : 0;
	if (s->quick_deaths > 1)
		s->restart_at_ms = now + quick_ms;
	return s->restart_at_ms > now ? s->restart_at_ms : now;
}

size_t sup_live(const struct supervisor *s, size_t *free_slot)
{
	size_t live = 0, first_free = s->n;
	for (size_t i = 0; i < s->n; i++) {
		if (s->kids[i].pid != 0)
			live++;
		else if (first_free == s->n)
			first_free = i;
	}
	if (free_slot != NULL)
		*free_slot = first_free;
	return live;
}

void sup_signal_all(const struct supervisor *s, int sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->kids[i].pid != 0)
			kill(s->kids[i].pid, sig);
}

/* Polls every 10 ms: a SIGCHLD handler would have to be installed and
 * restored around the wait, and the deadline is seconds long anyway. */
int sup_drain(struct supervisor *s, long long deadline_ms, void (*ended)(void *ctx, const struct sup_exit *e),
	      void *ctx)
{
	struct sup_exit e;
	while (sup_live(s, NULL) > 0 && now_ms() < deadline_ms) {
		if (sup_reap(s, &e)) {
			if (ended != NULL)
				ended(ctx, &e);
			continue;
		}
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	int killed = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->kids[i].pid == 0)
			continue;
		kill(s->kids[i].pid, SIGKILL);
		killed++;
	}
	while (sup_live(s, NULL) > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno != EINTR)
			break;
		size_t i = pid > 0 ? slot_of(s, pid) : s->n;
		if (i == s->n)
			continue;
		e = (struct sup_exit){ i, pid, status, now_ms() - s->kids[i].started_ms };
		s->kids[i].pid = 0;
		if (ended != NULL)
			ended(ctx, &e);
	}
	return killed;
}
