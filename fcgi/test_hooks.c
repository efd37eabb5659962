#include "test_hooks.h"

#ifdef FCGI_TEST_HOOKS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hooks/stream_route.h"
#include "manager/scoreboard.h"

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR) {
	}
}

void test_hook_after_fork(const struct scoreboard *sb, int slot)
{
	if (getenv("FCGI_TEST_HOLD_FORK") == NULL || sb == NULL)
		return;
	for (int waited = 0; waited < 10000; waited++) {
		struct scoreboard_slot s;
		scoreboard_read_slot(sb, slot, &s);
		if (s.state != WORKER_IDLE)
			return;
		pause_ms(1);
	}
}

void test_hook_worker_start(struct scoreboard *sb)
{
	if (getenv("FCGI_TEST_SCRIBBLE_BOARD") == NULL || sb == NULL)
		return;
	/* Every int of the header made 4194304: as a slot count, a mapping of
	 * some 800 MB, reaching over the libraries mapped above the board. */
	int *p = (int *)(void *)sb;
	for (size_t i = 0; i < sizeof *sb / sizeof(int); i++)
		p[i] = 1 << 22;
}

void test_hook_stop_hold(void)
{
	const char *dir = getenv("FCGI_TEST_STOP_HOLD");
	if (dir == NULL)
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/held", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof path, "%s/go", dir);
	for (int waited = 0; waited < 10000 && access(path, F_OK) != 0; waited++)
		pause_ms(1);
}

void test_hook_delay(const char *uri)
{
	const char *ms = getenv("FCGI_TEST_DELAY_MS"), *path = getenv("FCGI_TEST_DELAY_PATH");
	if (ms == NULL || (path != NULL && (uri == NULL || strncmp(uri, path, strlen(path)) != 0)))
		return;
	pause_ms(strtol(ms, NULL, 10));
}

size_t test_hook_drain_read_size(size_t n)
{
	const char *s = getenv("FCGI_TEST_DRAIN_READ_BYTES");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;
	return v > 0 && (size_t)v < n ? (size_t)v : n;
}

void test_hook_routes(void)
{
	stream_route_register();
}
#else
typedef int test_hooks_none; /* an empty file is not C */
#endif
