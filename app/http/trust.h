/* What a trusted proxy (http/forwarded.h, FORWARDED_ALLOW_IPS) is believed
 * about, beyond the connection's own address. Read once, at start, from the
 * environment (http_settings_load() calls trust_load()), never per request:
 *
 *   FORWARDED_HEADERS     x-forwarded (default, as uvicorn): X-Forwarded-For and
 *                         -Proto; forwarded: RFC 7239 Forwarded for= and proto=.
 *                         The other family is never read, whatever a client sends.
 *   FORWARDED_HOST        on: also the host, X-Forwarded-Host and -Port (or the
 *                         Forwarded host=); default off, the request's Host.
 *   FORWARDED_REQUEST_ID  on: a proxy's X-Request-Id becomes the request id;
 *                         default off, a fresh one per request.
 *   FORWARDED_TRACE_ID    on: a proxy's X-Amzn-Trace-Id is logged as trace_id
 *                         (an ALB sets it); default off.
 *
 * A switch is on, off, 1, 0, true, false, yes or no (any case); unset or empty
 * is off. Each answers the question for a trusted peer only: an untrusted
 * peer's headers are never believed. */
#ifndef APP_HTTP_TRUST_H
#define APP_HTTP_TRUST_H

#include <stdbool.h>

#include "core/err.h"

enum forwarded_family { FORWARDED_FAMILY_X, FORWARDED_FAMILY_RFC7239 };

struct trust {
	enum forwarded_family family;
	bool host, request_id, trace_id;
};

/* Reads the four settings (FORWARDED_HEADERS from trust_set_headers() when it
 * was given). A malformed value is APP_ERR_INVALID with *why a sentence naming
 * it (static), and the defaults stay. */
enum app_err trust_load(const char **why) MUST_CHECK;

/* The value trust_load() takes instead of $FORWARDED_HEADERS (fcgi/options.c's
 * --forwarded-headers); checked there. NULL: the environment's. */
void trust_set_headers(const char *value);

/* Sets the settings directly (tests, fuzz harnesses). */
void trust_configure(struct trust t);

/* The settings in force. */
struct trust trust_get(void);

#endif
