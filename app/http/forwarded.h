/* Trusted proxies, as uvicorn's --forwarded-allow-ips: when the peer that sent
 * the request (REMOTE_ADDR) is in FORWARDED_ALLOW_IPS, the scheme and client
 * address the proxy saw (and its host, when FORWARDED_HOST is on) replace the
 * connection's own.
 *
 * Which headers: one family, chosen by FORWARDED_HEADERS at start
 * (http/trust.h), never by the request: X-Forwarded-For/-Proto (default; what
 * ALB, nginx and lighttpd set) or RFC 7239 Forwarded for=/proto=. The other
 * family is never read: a proxy passes a client's own headers of the family it
 * does not write through untouched, so reading them would let the client choose.
 * X-Forwarded-Host/-Port (or Forwarded host=) only when FORWARDED_HOST is on.
 * The client is the rightmost address of X-Forwarded-For (or the rightmost for=
 * of Forwarded) that is not itself a trusted proxy; when every hop is trusted,
 * the leftmost (uvicorn's rule). Proto, host and port are the values the
 * nearest proxy wrote: the rightmost of each X- header, or the element of
 * Forwarded the client was found in. A value that is not well formed (a proto
 * other than http/https, a host failing host_is_valid(), a port that is not
 * 1-65535, a client that is not an IP address) is ignored, never half used.
 * An untrusted peer's forwarded headers change nothing. A scheme or host taken
 * from a header sets r->origin_forwarded: a redirect built from it is not to be
 * kept by a shared cache (http/router.c). */
#ifndef APP_HTTP_FORWARDED_H
#define APP_HTTP_FORWARDED_H

#include <stdbool.h>

#include "core/err.h"
#include "core/str.h"
#include "http/request.h"

/* Most entries FORWARDED_ALLOW_IPS may list. */
#define FORWARDED_MAX_ENTRIES 64

/* Sets the trusted proxies from a comma-separated list of IPv4/IPv6 addresses
 * and CIDR blocks ("127.0.0.1, 10.0.0.0/8, ::1"), or "*" for every peer; spaces
 * around entries are ignored; NULL or "" trusts no one. A malformed entry is
 * APP_ERR_INVALID with *why a sentence naming it (static), and trusts no one. */
enum app_err forwarded_allow(const char *list, const char **why) MUST_CHECK;

/* forwarded_allow() of the list forwarded_set_list() gave, else of
 * $FORWARDED_ALLOW_IPS: once, at start (http_settings_load() calls it). */
enum app_err forwarded_load(const char **why) MUST_CHECK;

/* The list forwarded_load() takes instead of $FORWARDED_ALLOW_IPS (a command-line
 * flag: fcgi/options.c); checked there. list must stay valid; NULL: the environment's. */
void forwarded_set_list(const char *list);

/* True when addr (an IP address literal) is a trusted proxy; false for anything else. */
bool forwarded_trusts(struct str addr);

/* Applies the forwarded headers to r when r->peer_addr is trusted: r->remote_addr,
 * r->scheme, r->host (FORWARDED_HOST) and r->origin_forwarded. Call after the headers, remote address, scheme and host
 * are set. Never refuses a request. */
void request_apply_forwarded(struct request *r);

#endif
