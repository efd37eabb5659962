/* GET /__test/stream: a body in pieces (app/http/stream.h) whose pauses the
 * test controls, so that "the first piece reached the client before the last
 * was written" is proved, not hoped for. Query parameters:
 *   dir=D       before piece i (i >= 1) wait until the file D/go<i> exists
 *               (at most 60 s: then the stream fails), and after writing
 *               piece i create D/wrote<i>; without dir, no waits
 *   pieces=N    how many pieces (default 3, at most 1000)
 *   size=S      each piece is S bytes of one letter ('a' + i) (default: the
 *               text "piece <i>\n"); at most 64 MiB
 *   empty=1     a piece of 0 bytes before each piece
 *   fail=before the producer fails before its first piece (a 500)
 *   fail=after  the producer fails after its first piece, once D/go1 exists */
#include "hooks/stream_route.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/service.h"

#define WAIT_MAX_MS 60000
#define PIECES_MAX 1000
#define SIZE_MAX_BYTES (64L << 20)

struct plan {
	const char *dir;  /* NULL: no waits */
	long pieces, size;
	bool empty, fail_before, fail_after;
};

/* D/<name><i> as a path (static buffer). */
static const char *file(const struct plan *p, const char *name, long i)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s%ld", p->dir, name, i);
	return path;
}

/* Waits until D/go<i> exists: true, or false after WAIT_MAX_MS. */
static bool wait_go(const struct plan *p, long i)
{
	const char *path = file(p, "go", i);
	for (long waited = 0; waited < WAIT_MAX_MS; waited++) {
		if (access(path, F_OK) == 0)
			return true;
		struct timespec t = { 0, 1000000L };
		while (nanosleep(&t, &t) != 0 && errno == EINTR) {
		}
	}
	return false;
}

static void mark_written(const struct plan *p, long i)
{
	int fd = open(file(p, "wrote", i), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

/* Piece i's bytes (arena). */
static struct str piece(struct arena *a, const struct plan *p, long i)
{
	if (p->size <= 0)
		return str_c(arena_printf(a, "piece %ld\n", i));
	char *b = arena_alloc(a, (size_t)p->size);
	memset(b, 'a' + (int)(i % 26), (size_t)p->size);
	return (struct str){ b, (size_t)p->size };
}

static enum app_err produce(struct stream_writer *w, void *ctx)
{
	struct plan *p = ctx;
	if (p->fail_before)
		return stream_fail(w, "Test.Failure", "failed before the first piece");
	struct arena scratch; /* a large piece is not kept for the whole request */
	arena_init(&scratch);
	enum app_err err = APP_OK;
	for (long i = 0; i < p->pieces && err == APP_OK; i++) {
		if (i > 0 && p->dir != NULL && !wait_go(p, i)) {
			err = stream_fail(w, "Test.Timeout", "the test never said go");
			break;
		}
		if (i > 0 && p->fail_after) {
			err = stream_fail(w, "Test.Failure", "failed after the first piece");
			break;
		}
		if (p->empty)
			err = stream_write(w, STR_LIT(""));
		if (err == APP_OK)
			err = stream_write(w, piece(&scratch, p, i));
		arena_reset(&scratch);
		if (err == APP_OK && p->dir != NULL)
			mark_written(p, i);
	}
	arena_release(&scratch);
	return err;
}

/* A query value as a number in [lo, hi], else def. */
static long number(const struct arg *a, long def, long lo, long hi)
{
	if (!a->present)
		return def;
	char *end;
	long v = strtol(a->text[0].p, &end, 10);
	return *end == '\0' && v >= lo && v <= hi ? v : def;
}

static void handle_stream(const struct request *req, const struct arg *args, struct response *resp)
{
	struct plan *p = arena_calloc(req->arena, 1, sizeof *p);
	p->dir = args[0].present ? str_dup(req->arena, args[0].text[0]) : NULL;
	p->pieces = number(&args[1], 3, 0, PIECES_MAX);
	p->size = number(&args[2], 0, 0, SIZE_MAX_BYTES);
	p->empty = args[3].present && str_eq(args[3].text[0], STR_LIT("1"));
	p->fail_before = args[4].present && str_eq(args[4].text[0], STR_LIT("before"));
	p->fail_after = args[4].present && str_eq(args[4].text[0], STR_LIT("after"));
	response_set_stream(resp, 200, "text/plain; charset=utf-8", produce, p);
}

static const struct param_spec stream_params[] = {
	{ "dir", PARAM_QUERY, PARAM_OPTIONAL_STR },   { "pieces", PARAM_QUERY, PARAM_OPTIONAL_STR },
	{ "size", PARAM_QUERY, PARAM_OPTIONAL_STR },  { "empty", PARAM_QUERY, PARAM_OPTIONAL_STR },
	{ "fail", PARAM_QUERY, PARAM_OPTIONAL_STR },
};

static const struct route stream_routes[] = {
	{ .path = TEST_ROUTE_PREFIX "stream", .methods = M_GET, .handler = handle_stream, .function = "test_stream",
	  .summary = "Test Stream", PARAMS(stream_params), .doc = DOC_TEXT, .hidden = true },
};

void stream_route_register(void)
{
	app_set_test_routes(stream_routes, sizeof stream_routes / sizeof stream_routes[0]);
}
