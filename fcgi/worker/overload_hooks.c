#include "overload_hooks.h"

#ifdef FCGI_TEST_HOOKS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether uri starts with the prefix in the environment variable var (unset: no). */
static bool under(const char *var, const char *uri)
{
	const char *prefix = getenv(var);
	return prefix != NULL && uri != NULL && strncmp(uri, prefix, strlen(prefix)) == 0;
}

void overload_hooks_start(void)
{
	const char *path = getenv("FCGI_TEST_CRASH_AT_START");
	FILE *f = path != NULL ? fopen(path, "r+") : NULL;
	if (f == NULL)
		return;
	long n = 0;
	if (fscanf(f, "%ld", &n) == 1 && n > 0) {
		rewind(f);
		fprintf(f, "%ld\n", n - 1);
		fclose(f);
		kill(getpid(), SIGKILL);
	}
	fclose(f);
}

/* What the allocation hook keeps: reachable (no leak report), never freed on
 * purpose, and visible outside this file so the compiler cannot drop it unread. */
char *overload_hooks_kept[64];

bool overload_hooks_request(const char *uri)
{
	char **kept = overload_hooks_kept;
	static int nkept;
	const char *mb = getenv("FCGI_TEST_ALLOC_MB");
	if (mb != NULL && under("FCGI_TEST_ALLOC_PATH", uri) && nkept < 64) {
		size_t n = (size_t)strtol(mb, NULL, 10) << 20;
		kept[nkept] = malloc(n);
		if (kept[nkept] != NULL)
			memset(kept[nkept++], 1, n);
	}
	return under("FCGI_TEST_CRASH_PATH", uri);
}

void overload_hooks_crash(void)
{
	kill(getpid(), SIGKILL);
}
#endif
