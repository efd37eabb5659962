/* Load shedding's stamps (fcgi/worker/queue_wait.c): the formats taken, the
 * nonsense refused, and whose X-Request-Start is believed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http/forwarded.h"
#include "http/log.h"
#include "support/memory_transport.h"
#include "worker/queue_wait.h"

/* Now, for every case: 2023-11-14T22:13:20.5Z in microseconds. */
#define NOW 1700000000500000LL

static void allow(const char *list)
{
	const char *why = NULL;
	cr_assert_eq(forwarded_allow(list, &why), APP_OK, "%s", why ? why : "");
}

static void untrust(void)
{
	allow(NULL);
}

TestSuite(queue_wait, .fini = untrust);

Test(queue_wait, every_format_gives_the_same_instant)
{
	const char *same[] = { "1700000000.250", "t=1700000000.250", "t=1700000000.25", "t=1700000000250",
			       "t=1700000000250000", "1700000000250000000", "t=1700000000.250000999" };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		cr_assert_eq(queue_wait_parse(same[i]), 1700000000250000LL, "%s", same[i]);
	cr_assert_eq(queue_wait_parse("t=1700000000"), 1700000000000000LL);
}

Test(queue_wait, nonsense_is_no_stamp)
{
	const char *bad[] = { "", "t=", "t", "-5", "t=-5", "+5", " 1700000000", "1700000000 ", "1e9", "0x10",
			      "1.", ".5", "1.2.3", "t=t=1", "12345678901234567890", "9999999999999999999", "9223372036854775808", "1.12345678901234567890",
			      "12345678901.5", "1700000000,250" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(queue_wait_parse(bad[i]), -1, "'%s'", bad[i]);
	cr_assert_eq(queue_wait_parse(NULL), -1);
}

Test(queue_wait, the_front_servers_stamp_is_believed)
{
	cr_assert_eq(queue_wait_ms(NULL, NULL, "1700000000.000", NOW), 500);
	/* Within the skew in the future: no wait; beyond it, or an hour old: ignored. */
	cr_assert_eq(queue_wait_ms(NULL, NULL, "1700000001.000", NOW), 0);
	cr_assert_eq(queue_wait_ms(NULL, NULL, "1700000002.000", NOW), -1);
	cr_assert_eq(queue_wait_ms(NULL, NULL, "1699996400.400", NOW), -1);
	cr_assert_eq(queue_wait_ms(NULL, NULL, "1699996400.600", NOW), 3599900);
	cr_assert_eq(queue_wait_ms(NULL, NULL, NULL, NOW), -1);
}

Test(queue_wait, x_request_start_only_from_a_trusted_peer)
{
	const char *old = "t=1699999990500000"; /* 10 s before NOW */
	cr_assert_eq(queue_wait_ms(old, "10.0.0.1", NULL, NOW), -1);
	cr_assert_eq(queue_wait_ms(old, "10.0.0.1", "1700000000.400", NOW), 100);
	allow("10.0.0.0/8");
	cr_assert_eq(queue_wait_ms(old, "10.0.0.1", "1700000000.400", NOW), 10000);
	cr_assert_eq(queue_wait_ms(old, "192.0.2.1", "1700000000.400", NOW), 100);
	cr_assert_eq(queue_wait_ms(old, NULL, NULL, NOW), -1);
	/* A trusted peer's garbage falls back to the front server's stamp. */
	cr_assert_eq(queue_wait_ms("t=garbage", "10.0.0.1", "1700000000.400", NOW), 100);
	cr_assert_eq(queue_wait_ms("t=1", "10.0.0.1", NULL, NOW), -1);
}

/* A balancer that passes the client's X-Request-Start on (an ALB sets none and
 * keeps the client's) must not let a client shorten its own wait: a stamp later
 * than the front server's is no earlier arrival, the front server's counts. */
Test(queue_wait, a_later_trusted_stamp_does_not_shorten_the_wait)
{
	allow("10.0.0.0/8");
	const char *ahead = "t=1700000001400000"; /* within the skew ahead of NOW */
	cr_assert_eq(queue_wait_ms(ahead, "10.0.0.1", "1700000000.000", NOW), 500);
	cr_assert_eq(queue_wait_ms("t=1700000000400000", "10.0.0.1", "1700000000.000", NOW), 500);
	cr_assert_eq(queue_wait_ms(ahead, "10.0.0.1", NULL, NOW), 0, "alone, it is all there is");
}

Test(queue_wait, the_variables_are_found_among_the_others)
{
	char *envp[] = { "H", "R", "HTTP_X_REQUEST_STARTX=t=1", "REQUEST_STAR=1", "REMOTE_ADDR=10.0.0.1",
			 "HTTP_X_REQUEST_START=t=1699999990500000", "REQUEST_START=1700000000.400", "REQUEST_URI=/", NULL };
	cr_assert_eq(queue_wait_envp_ms(envp, NOW), 100);
	allow("10.0.0.1");
	cr_assert_eq(queue_wait_envp_ms(envp, NOW), 10000);
	cr_assert_eq(queue_wait_envp_ms((char *[]){ "REQUEST_URI=/", NULL }, NOW), -1);
	cr_assert_eq(queue_wait_envp_ms(NULL, NOW), -1);
}

/* The shed answer goes out through app/ (cgi_env_serve_unavailable) and is
 * counted twice: in the scoreboard's counter and in the process's total. */
Test(queue_wait, a_shed_request_is_answered_by_app_and_counted)
{
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
	struct memory_transport io = { 0 };
	const struct transport t = memory_transport(&io);
	unsigned long shed = 41, before = queue_wait_shed_total();
	cr_assert_eq(queue_wait_shed((char *[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", NULL }, &t, &shed), 0);
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
	cr_assert_eq(shed, 42);
	cr_assert_eq(queue_wait_shed_total(), before + 1);
	cr_assert(strstr(io.out, "Status: 503 ") == io.out, "%s", io.out);
	cr_assert(strstr(io.out, "\r\nX-Request-Id: ") != NULL, "%s", io.out);
	cr_assert(strstr(io.out, "\r\nRetry-After: 1\r\n") != NULL, "%s", io.out);
	cr_assert(strstr(io.out, "\r\n\r\n{\"detail\":\"Server overloaded: the request waited too long for a worker\"}") !=
		  NULL, "%s", io.out);
	free(io.out);
}
