/* fcgi/worker/log_gather.c: a FastCGI worker's access lines, gathered and
 * written a bufferful at a time through http/log.h's writer hook. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/log.h"
#include "worker/log_gather.h"

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
