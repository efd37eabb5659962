/* core/sysio.c: the monotonic clock, write_all() and read_full(). Interrupted
 * calls and short transfers are made on purpose by a -Wl,--wrap=write,--wrap=read
 * shim (io_shim.h) that acts on one chosen descriptor only. */
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"
#include "unit/io_shim.h"

static int fds[2];

static void setup(void)
{
	cr_assert_eq(pipe(fds), 0);
	shim.fd = -1;
	shim.calls = 0;
}

static void teardown(void)
{
	shim.fd = -1;
	close(fds[0]);
	close(fds[1]);
}

TestSuite(sysio, .init = setup, .fini = teardown);

Test(sysio, write_all_goes_on_after_eintr_and_short_writes)
{
	static const char text[] = "one line, written three bytes at a time\n";
	shim.fd = fds[1];
	shim.eintr = 2;
	shim.most = 3;
	cr_assert_eq(write_all(fds[1], text, sizeof text - 1), 0);
	cr_assert_eq(shim.calls, 2 + (int)((sizeof text - 1 + 2) / 3));
	shim.fd = -1;
	char got[sizeof text] = { 0 };
	cr_assert_eq(read(fds[0], got, sizeof got), (ssize_t)sizeof text - 1);
	cr_assert_str_eq(got, text);
}

Test(sysio, write_all_reports_a_write_of_nothing_as_eio)
{
	shim.fd = fds[1];
	shim.most = 0;
	errno = 0;
	cr_assert_eq(write_all(fds[1], "x", 1), -1);
	cr_assert_eq(errno, EIO);
	cr_assert_eq(shim.calls, 1, "a write of 0 bytes is not tried again");
}

Test(sysio, write_all_fails_when_the_reader_is_gone)
{
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	fds[0] = -1;
	cr_assert_eq(write_all(fds[1], "x", 1), -1);
	cr_assert_eq(errno, EPIPE);
}

Test(sysio, write_all_of_nothing_writes_nothing)
{
	shim.fd = fds[1];
	cr_assert_eq(write_all(fds[1], "", 0), 0);
	cr_assert_eq(shim.calls, 0);
}

Test(sysio, read_full_goes_on_after_eintr_and_short_reads)
{
	static const char text[] = "0123456789abcdef";
	cr_assert_eq(write(fds[1], text, 16), 16);
	shim.fd = fds[0];
	shim.eintr = 1;
	shim.most = 5;
	char got[17] = { 0 };
	cr_assert_eq(read_full(fds[0], got, 16), 16);
	cr_assert_eq(shim.calls, 1 + 4);
	cr_assert_str_eq(got, text);
}

Test(sysio, read_full_stops_at_the_end_of_the_input)
{
	cr_assert_eq(write(fds[1], "abcde", 5), 5);
	close(fds[1]);
	fds[1] = -1;
	char got[10];
	cr_assert_eq(read_full(fds[0], got, sizeof got), 5);
	cr_assert_eq(memcmp(got, "abcde", 5), 0);
	cr_assert_eq(read_full(fds[0], got, sizeof got), 0, "at the end: 0, not an error");
}

Test(sysio, read_full_fails_on_an_error)
{
	char got[4];
	errno = 0;
	cr_assert_eq(read_full(fds[1], got, sizeof got), -1, "the write end cannot be read");
	cr_assert_eq(errno, EBADF);
}

Test(sysio, clocks_are_monotonic_and_agree)
{
	long long ms = now_ms(), us = now_us();
	cr_assert(us / 1000 - ms >= 0 && us / 1000 - ms < 1000);
	struct timespec nap = { 0, 20 * 1000000L };
	while (nanosleep(&nap, &nap) != 0)
		;
	cr_assert_geq(now_ms() - ms, 20);
	cr_assert_geq(now_us() - us, 20000);
}
