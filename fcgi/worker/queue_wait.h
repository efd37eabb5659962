/* Load shedding (--max-queue-wait): a request that waited longer than the
 * limit for a worker is answered 503 with Retry-After and {"detail": ...},
 * without running the handler, and counted (scoreboard "shed").
 *
 * The wait is measured from when the front server received the request:
 *   1. X-Request-Start (HTTP_X_REQUEST_START) when REMOTE_ADDR is a trusted
 *      proxy (FORWARDED_ALLOW_IPS, forwarded_trusts()): a balancer in front
 *      stamped it, so its queue counts too. From anyone else it is ignored,
 *      so a client cannot get its own requests (or others') shed. A balancer
 *      may pass a client's header on (an ALB sets none): when REQUEST_START
 *      is given too, the earlier of the two counts, so such a client can
 *      shed its own requests, never make its wait look shorter.
 *   2. REQUEST_START, a FastCGI parameter the front server sets itself
 *      (deploy/nginx.conf: fastcgi_param REQUEST_START $msec).
 * Without either no wait is known and nothing is shed.
 * Stamps: "t=1700000000.123" or "1700000000.123" (seconds, nginx $msec), or
 * whole numbers of seconds, milliseconds, microseconds (Heroku, New Relic)
 * or nanoseconds, told apart by size. A stamp that is not one of those, more
 * than QUEUE_WAIT_SKEW_MS in the future or more than an hour old is ignored. */
#ifndef FCGI_QUEUE_WAIT_H
#define FCGI_QUEUE_WAIT_H

#include <stdbool.h>

#include "cgi_env/cgi_env.h"

/* How far in the future a stamp may be (clocks of two hosts) and count as now. */
#define QUEUE_WAIT_SKEW_MS 1000

/* A stamp (see above) as microseconds since the epoch; -1 when it is not a
 * well-formed stamp (empty, signs, letters, too many digits, a fraction on a
 * whole number that is not seconds). NULL: -1. */
long long queue_wait_parse(const char *stamp);

/* Milliseconds the request waited by now_us (wall clock, µs since the epoch):
 * the longer of the waits by the trusted X-Request-Start (x_request_start,
 * sent by remote_addr) and by request_start; -1 when neither gives a sane stamp. Any argument
 * may be NULL. */
long long queue_wait_ms(const char *x_request_start, const char *remote_addr, const char *request_start,
			long long now_us);

/* queue_wait_ms() of the three variables found in envp ("NAME=value"
 * strings, NULL-terminated; NULL: none) in one pass. */
long long queue_wait_envp_ms(char *const *envp, long long now_us);

/* Wall-clock microseconds since the epoch. */
long long queue_wait_now_us(void);

/* Answers the request of envp 503 (Retry-After: 1, {"detail": ...}) on t
 * through cgi_env_serve_unavailable() (its request id, access log line and
 * metrics are those of any answer) and counts it in *shed (the scoreboard's;
 * NULL: none) and in this process's total.
 * 0, or -1 when writing failed (the front server is gone). */
int queue_wait_shed(char *const *envp, const struct transport *t, unsigned long *shed);

/* Requests this process shed (for metrics without a scoreboard: spawned). */
unsigned long queue_wait_shed_total(void);

#endif
