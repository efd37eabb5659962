/* fcgi/worker/log_gather.c: a FastCGI worker's access lines, gathered and
 * written a bufferful at a time through http/log.h's writer hook. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/log.h"
#include "worker/log_gather.h"
#include "unit/io_shim.h"

static int fds[2];
static char got[65536];

static void setup(void)
{
	cr_assert_eq(pipe(fds), 0);
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

static void teardown(void)
{
	log_gather_start(-1);
	close(fds[0]);
	close(fds[1]);
}

TestSuite(log_gather, .init = setup, .fini = teardown);

/* What the pipe holds now (all written so far: the writer end stays open). */
static const char *drain_now(void)
{
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	ssize_t n = read(fds[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	return got;
}

static struct log_access sample(void)
{
	return (struct log_access){
		.target = "fcgi",
		.method = STR_LIT("GET"),
		.path = STR_LIT("/math/add"),
		.query = STR_LIT("i=5&i=10"),
		.request_id = STR_LIT("rid-1"),
		.trace_id = STR_NULL,
		.client = STR_LIT("203.0.113.7"),
		.user_agent = STR_LIT("curl/7.88.1"),
		.status = 200,
		.bytes = 2,
		.duration_us = 84,
	};
}

/* Nothing reaches fd before a flush, then every line, whole and in order, in one write. */
static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

Test(log_gather, held_lines_wait_for_a_flush_and_keep_their_order)
{
	log_gather_start(fds[1]);
	struct log_access a = sample();
	for (int i = 0; i < 3; i++) {
		a.status = 200 + i;
		cr_assert_eq(log_access_write(fds[1], &a), 0);
	}
	cr_assert(log_gather_pending());
	cr_assert_str_eq(drain_now(), "");
	log_gather_flush();
	cr_assert_not(log_gather_pending());
	const char *all = drain_now();
	cr_assert_eq(count_lines(all), 3);
	const char *s200 = strstr(all, "\"status\":200"), *s201 = strstr(all, "\"status\":201"),
		   *s202 = strstr(all, "\"status\":202");
	cr_assert(s200 != NULL && s201 > s200 && s202 > s201, "%s", all);
}

Test(log_gather, a_full_buffer_goes_out_in_whole_lines_of_at_most_pipe_buf)
{
	log_gather_start(fds[1]);
	struct log_access a = sample();
	size_t written = 0, held_lines = 0;
	while (written == 0) {
		cr_assert_eq(log_access_write(fds[1], &a), 0);
		held_lines++;
		written = strlen(drain_now());
	}
	/* The line that did not fit pushed out the ones before it, and stays. */
	cr_assert(written <= PIPE_BUF && written > PIPE_BUF / 2, "%zu bytes", written);
	cr_assert_eq(count_lines(got), held_lines - 1);
	cr_assert_eq(got[written - 1], '\n');
	cr_assert(log_gather_pending());
	log_gather_flush();
	cr_assert_eq(count_lines(drain_now()), 1);
}

/* A line is never longer than LOG_LINE_MAX (http/log.h): one that would not fit
 * behind the held ones sends them first and is held itself. */
Test(log_gather, a_line_that_would_not_fit_sends_the_held_ones_first)
{
	log_gather_start(fds[1]);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	static char agent[PIPE_BUF + 100];
	memset(agent, 'a', sizeof agent);
	a.user_agent = a.path = a.query = (struct str){ agent, sizeof agent };
	a.status = 201;
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cr_assert(log_gather_pending());
	a.status = 202;
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	const char *all = drain_now();
	cr_assert_eq(count_lines(all), 2);
	cr_assert(strstr(all, "\"status\":200") < strstr(all, "\"status\":201"));
	cr_assert(log_gather_pending());
	log_gather_flush();
	cr_assert_not_null(strstr(drain_now(), "\"status\":202"));
}

Test(log_gather, stale_lines_are_flushed_from_a_signal_only_when_old)
{
	log_gather_start(fds[1]);
	long long before = now_ms();
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	log_gather_try_flush_stale(before + LOG_GATHER_HOLD_MS - 1);
	cr_assert(log_gather_pending());
	cr_assert_str_eq(drain_now(), "");
	log_gather_try_flush_stale(now_ms() + LOG_GATHER_HOLD_MS);
	cr_assert_not(log_gather_pending());
	cr_assert_eq(count_lines(drain_now()), 1);
}

Test(log_gather, lines_to_another_fd_are_not_held)
{
	int other[2];
	cr_assert_eq(pipe(other), 0);
	log_gather_start(other[1]);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cr_assert_not(log_gather_pending());
	cr_assert_eq(count_lines(drain_now()), 1);
	log_gather_start(-1);
	close(other[0]);
	close(other[1]);
}

/* Fills the pipe (O_NONBLOCK for the time it takes); the bytes written. */
static size_t fill_pipe(void)
{
	static char block[4096];
	memset(block, '#', sizeof block);
	int flags = fcntl(fds[1], F_GETFL);
	fcntl(fds[1], F_SETFL, flags | O_NONBLOCK);
	size_t n = 0;
	for (ssize_t w; (w = write(fds[1], block, sizeof block)) > 0 || (w < 0 && errno == EINTR);)
		n += w > 0 ? (size_t)w : 0;
	fcntl(fds[1], F_SETFL, flags);
	return n;
}

/* Reads n bytes of filler out of the pipe. */
static void empty_pipe(size_t n)
{
	static char trash[65536];
	while (n > 0) {
		ssize_t r = read(fds[0], trash, n < sizeof trash ? n : sizeof trash);
		cr_assert(r > 0);
		n -= (size_t)r;
	}
}

/* got holds exactly `want` whole JSON lines, statuses 200, 201, ... in order. */
static void assert_lines_in_order(int want)
{
	int i = 0;
	for (char *line = got, *end; *line != '\0'; line = end + 1, i++) {
		end = strchr(line, '\n');
		cr_assert_not_null(end, "a cut line at the end: %s", line);
		*end = '\0';
		cJSON *doc = cJSON_Parse(line);
		cr_assert_not_null(doc, "line %d is not JSON: %s", i, line);
		cJSON *status = cJSON_GetObjectItemCaseSensitive(doc, "status");
		cr_assert(cJSON_IsNumber(status) && status->valueint == 200 + i, "line %d: %s", i, line);
		cJSON_Delete(doc);
	}
	cr_assert_eq(i, want);
}

static void log_statuses(int n)
{
	struct log_access a = sample();
	for (int i = 0; i < n; i++) {
		a.status = 200 + i;
		cr_assert_eq(log_access_write(fds[1], &a), 0);
	}
}

/* The timer thread's flushes never wait for a full pipe (its deadlines come
 * first): the lines stay held and go once the pipe is read. */
Test(log_gather, a_full_pipe_never_blocks_the_timer_and_loses_no_line, .timeout = 10)
{
	log_gather_start(fds[1]);
	size_t filler = fill_pipe();
	log_statuses(5);
	log_gather_try_flush_stale(now_ms() + LOG_GATHER_HOLD_MS);
	log_gather_try_flush();
	cr_assert(log_gather_pending(), "nothing could go: all is still held");
	empty_pipe(filler);
	log_gather_try_flush();
	cr_assert_not(log_gather_pending());
	drain_now();
	assert_lines_in_order(5);
}

/* A pipe nobody reads stops the main thread for LOG_STALL_MS once, not for
 * ever: the lines that do not fit are dropped, later ones wait no more, and
 * lines go again once the pipe is read. (The old code waited for ever here:
 * a worker whose stderr nobody read stopped answering after ~64 KB of lines.) */
Test(log_gather, a_pipe_nobody_reads_stalls_the_main_thread_once_not_for_ever, .timeout = 30)
{
	log_gather_start(fds[1]);
	size_t filler = fill_pipe();
	long long t0 = now_ms();
	log_statuses(60); /* ~14 KB: more than the buffer holds */
	long long first = now_ms() - t0;
	cr_assert(first >= LOG_STALL_MS - 50 && first < LOG_STALL_MS + 3000, "waited %lld ms", first);
	t0 = now_ms();
	log_statuses(60);
	log_gather_flush();
	cr_assert_lt(now_ms() - t0, 1000, "a stalled pipe is not waited for again");
	empty_pipe(filler);
	log_statuses(1);
	log_gather_flush();
	cr_assert_not(log_gather_pending(), "the pipe, read again, takes lines again");
	drain_now();
	cr_assert_gt(count_lines(got), 0);
}

/* A write that takes part, or nothing (EAGAIN), leaves the rest held, in order:
 * no line lost, none cut, whether flushed by the timer (never waiting, again
 * and again) or by the main thread (waiting for room). */
static void short_writes_and_eagain(bool waiting)
{
	log_gather_start(fds[1]);
	log_statuses(12);
	struct stat st;
	cr_assert_eq(fstat(fds[1], &st), 0);
	shim.ino = st.st_ino; /* the gatherer writes through a descriptor of its own */
	shim.most = 97;
	shim.eagain_every = 3;
	int tries = 0;
	if (waiting)
		log_gather_flush();
	for (; log_gather_pending() && tries < 10000; tries++)
		log_gather_try_flush();
	int calls = shim.calls;
	shim.ino = 0;
	cr_assert_not(log_gather_pending());
	cr_assert(calls > 12 * 250 / 97, "the shim cut the writes (%d calls)", calls);
	drain_now();
	assert_lines_in_order(12);
}

Test(log_gather, short_writes_and_eagain_lose_or_cut_no_line_of_the_timer)
{
	short_writes_and_eagain(false);
}

Test(log_gather, short_writes_and_eagain_lose_or_cut_no_line_of_the_main_thread)
{
	short_writes_and_eagain(true);
}

/* The path before a timed-out worker exits: the held lines, then its own. */
Test(log_gather, the_last_flush_writes_the_held_lines_then_the_last_one)
{
	log_gather_start(fds[1]);
	log_statuses(3);
	static const char last[] = "app.fcgi: worker 1: request timed out\n";
	cr_assert_eq(log_gather_flush_last(last, sizeof last - 1, 1000), 0);
	cr_assert_not(log_gather_pending());
	char *end = strstr(drain_now(), last);
	cr_assert(end != NULL && end[sizeof last - 1] == '\0', "%s", got);
	*end = '\0';
	assert_lines_in_order(3);
}

/* ... and it gives up on a full pipe after the time it was given, not later. */
Test(log_gather, the_last_flush_gives_up_on_a_full_pipe_in_time, .timeout = 10)
{
	log_gather_start(fds[1]);
	size_t filler = fill_pipe();
	log_statuses(1);
	long long t0 = now_ms();
	int rc = log_gather_flush_last("x\n", 2, 300);
	long long took = now_ms() - t0;
	empty_pipe(filler); /* teardown's flush waits for room */
	cr_assert_eq(rc, -1);
	cr_assert(took >= 290 && took < 2000, "%lld ms", took);
}

/* The same on a socket (a journald stream, say): send(MSG_DONTWAIT). */
Test(log_gather, a_full_socket_never_blocks_the_timer_and_loses_no_line, .timeout = 10)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int pipe_fds[2] = { fds[0], fds[1] };
	fds[0] = sv[0];
	fds[1] = sv[1];
	log_gather_start(fds[1]);
	size_t filler = fill_pipe();
	log_statuses(4);
	log_gather_try_flush();
	cr_assert(log_gather_pending(), "nothing could go: all is still held");
	empty_pipe(filler);
	log_gather_try_flush();
	cr_assert_not(log_gather_pending());
	drain_now();
	assert_lines_in_order(4);
	log_gather_start(-1);
	close(sv[0]);
	close(sv[1]);
	fds[0] = pipe_fds[0];
	fds[1] = pipe_fds[1];
}
