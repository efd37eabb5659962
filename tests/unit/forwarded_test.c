/* Trusted proxies (http/forwarded.h): FORWARDED_ALLOW_IPS, X-Forwarded-*, Forwarded. */
#include <criterion/criterion.h>

#include "harness.h"
#include "http/forwarded.h"
#include "http/trust.h"

static struct exchange x;

static void allow(const char *list)
{
	const char *why = NULL;
	cr_assert_eq(forwarded_allow(list, &why), APP_OK, "%s", why ? why : "");
}

static void teardown(void)
{
	exchange_free(&x);
	allow(NULL);
	trust_configure((struct trust){ 0 });
}

/* The settings as http/trust.h reads them: family, and whether the host is believed. */
static void rfc7239(bool host)
{
	trust_configure((struct trust){ .family = FORWARDED_FAMILY_RFC7239, .host = host });
}

static void x_forwarded_with_host(void)
{
	trust_configure((struct trust){ .family = FORWARDED_FAMILY_X, .host = true });
}

TestSuite(forwarded, .fini = teardown);

/* A redirecting GET (/api/v1/users -> /api/v1/users/) from REMOTE_ADDR, with more variables. */
#define FROM(peer, ...)                                                                                       \
	exchange_run(&x,                                                                                      \
		     (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/users", "HTTP_HOST=svc.internal", \
				      "REMOTE_ADDR=" peer, __VA_ARGS__, NULL },                               \
		     NULL, 0)

static bool client_is(const char *addr)
{
	return str_eq(x.req.remote_addr, str_c(addr));
}

static bool location_is(const char *url)
{
	const char *got = exchange_header(&x, "Location");
	return got != NULL && strcmp(got, url) == 0;
}

Test(forwarded, list_accepts_addresses_blocks_and_spaces)
{
	allow(" 127.0.0.1 , 10.0.0.0/8,::1, 2001:db8::/32 ,");
	cr_assert(forwarded_trusts(STR_LIT("127.0.0.1")));
	cr_assert(forwarded_trusts(STR_LIT("10.255.1.2")));
	cr_assert(!forwarded_trusts(STR_LIT("11.0.0.1")));
	cr_assert(forwarded_trusts(STR_LIT("::1")));
	cr_assert(forwarded_trusts(STR_LIT("2001:db8:ffff::7")));
	cr_assert(!forwarded_trusts(STR_LIT("2001:db9::7")));
	cr_assert(!forwarded_trusts(STR_LIT("127.0.0.2")));
}

Test(forwarded, odd_prefix_lengths_match_bit_by_bit)
{
	allow("192.168.4.0/22");
	cr_assert(forwarded_trusts(STR_LIT("192.168.7.255")));
	cr_assert(!forwarded_trusts(STR_LIT("192.168.8.0")));
	cr_assert(!forwarded_trusts(STR_LIT("192.168.3.255")));
}

Test(forwarded, malformed_entries_are_refused_with_their_text)
{
	const char *bad[] = { "127.0.0.1/33", "10.0.0.0/", "localhost", "1.2.3.4/8x", "::1/129", "1.2.3.4.5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;
		cr_assert_eq(forwarded_allow(bad[i], &why), APP_ERR_INVALID, "%s", bad[i]);
		cr_assert(why != NULL && strstr(why, bad[i]) != NULL, "%s", why);
		cr_assert(!forwarded_trusts(STR_LIT("127.0.0.1")));
	}
}

Test(forwarded, star_trusts_every_address_but_not_garbage)
{
	allow("*");
	cr_assert(forwarded_trusts(STR_LIT("203.0.113.9")));
	cr_assert(!forwarded_trusts(STR_LIT("not-an-ip")));
}

Test(forwarded, nothing_is_trusted_by_default)
{
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_FOR=203.0.113.7");
	cr_assert(client_is("127.0.0.1"));
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
}

Test(forwarded, trusted_balancer_gives_scheme_and_client)
{
	allow("10.0.0.0/8");
	FROM("10.1.2.3", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_FOR=203.0.113.7", "HTTP_X_FORWARDED_PORT=443");
	cr_assert(client_is("203.0.113.7"));
	cr_assert(str_eq(x.req.peer_addr, STR_LIT("10.1.2.3")));
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
}

Test(forwarded, spoofed_headers_from_an_untrusted_peer_change_nothing)
{
	allow("10.0.0.0/8");
	FROM("198.51.100.66", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_FOR=1.1.1.1",
	     "HTTP_X_FORWARDED_HOST=evil.example", "HTTP_FORWARDED=for=2.2.2.2;proto=https;host=evil.example");
	cr_assert(client_is("198.51.100.66"));
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
}

Test(forwarded, client_is_the_rightmost_untrusted_hop)
{
	allow("10.0.0.0/8, 127.0.0.1");
	/* The client wrote 1.1.1.1 itself; 203.0.113.7 is who reached the first trusted proxy. */
	FROM("127.0.0.1", "HTTP_X_FORWARDED_FOR=1.1.1.1, 203.0.113.7, 10.0.0.5");
	cr_assert(client_is("203.0.113.7"));
}

Test(forwarded, every_hop_trusted_gives_the_leftmost)
{
	allow("10.0.0.0/8");
	FROM("10.0.0.1", "HTTP_X_FORWARDED_FOR=10.9.9.9, 10.0.0.5");
	cr_assert(client_is("10.9.9.9"));
}

Test(forwarded, garbage_client_keeps_the_peer)
{
	allow("10.0.0.0/8");
	FROM("10.0.0.1", "HTTP_X_FORWARDED_FOR=<script>");
	cr_assert(client_is("10.0.0.1"));
}

Test(forwarded, forwarded_host_and_port_build_the_location)
{
	allow("127.0.0.1");
	x_forwarded_with_host();
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_HOST=api.example.com",
	     "HTTP_X_FORWARDED_PORT=8443");
	cr_assert(location_is("https://api.example.com:8443/api/v1/users/"));
}

Test(forwarded, default_port_is_left_out_and_host_port_replaced)
{
	allow("127.0.0.1");
	x_forwarded_with_host();
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/users", "HTTP_HOST=svc:8080",
				      "REMOTE_ADDR=127.0.0.1", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_PORT=443",
				      NULL },
		     NULL, 0);
	cr_assert(location_is("https://svc/api/v1/users/"));
}

Test(forwarded, rightmost_proto_is_the_nearest_proxys)
{
	allow("127.0.0.1");
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=http, https");
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
}

Test(forwarded, malformed_values_are_ignored)
{
	allow("127.0.0.1");
	x_forwarded_with_host();
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=gopher", "HTTP_X_FORWARDED_HOST=evil.example/x",
	     "HTTP_X_FORWARDED_PORT=99999");
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
}

Test(forwarded, rfc7239_forwarded_when_configured)
{
	allow("127.0.0.1");
	rfc7239(true);
	FROM("127.0.0.1", "HTTP_FORWARDED=for=\"[2001:db8:cafe::17]:4711\";proto=https;host=api.example.com");
	cr_assert(client_is("2001:db8:cafe::17"));
	cr_assert(location_is("https://api.example.com/api/v1/users/"));
}

Test(forwarded, rfc7239_rightmost_untrusted_element_decides)
{
	allow("127.0.0.1, 10.0.0.0/8");
	rfc7239(false);
	FROM("127.0.0.1", "HTTP_FORWARDED=for=1.1.1.1;proto=http, For=198.51.100.2:5000;Proto=HTTPS, for=10.0.0.3");
	cr_assert(client_is("198.51.100.2"));
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
}

Test(forwarded, rfc7239_unknown_node_keeps_the_peer)
{
	allow("127.0.0.1");
	rfc7239(false);
	FROM("127.0.0.1", "HTTP_FORWARDED=for=unknown;proto=https");
	cr_assert(client_is("127.0.0.1"));
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
}

/* A balancer that sets X-Forwarded-* passes a client's own Forwarded header on. */
Test(forwarded, x_headers_win_over_a_clients_forwarded)
{
	allow("127.0.0.1");
	FROM("127.0.0.1", "HTTP_FORWARDED=for=6.6.6.6;proto=https;host=evil.example", "HTTP_X_FORWARDED_FOR=203.0.113.7",
	     "HTTP_X_FORWARDED_PROTO=http");
	cr_assert(client_is("203.0.113.7"));
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
}

/* fcgi/options.c's --forwarded-allow-ips: the list given wins over the environment's. */
Test(forwarded, a_list_given_is_loaded_instead_of_the_environment)
{
	const char *why = NULL;
	setenv("FORWARDED_ALLOW_IPS", "192.0.2.1", 1);
	forwarded_set_list("10.0.0.0/8");
	cr_assert_eq(forwarded_load(&why), APP_OK);
	cr_assert(forwarded_trusts(STR_LIT("10.1.2.3")));
	cr_assert_not(forwarded_trusts(STR_LIT("192.0.2.1")));
	forwarded_set_list("10.0.0.0/33");
	cr_assert_eq(forwarded_load(&why), APP_ERR_INVALID);
	cr_assert_not_null(strstr(why, "10.0.0.0/33"), "%s", why);
	forwarded_set_list(NULL);
	cr_assert_eq(forwarded_load(&why), APP_OK);
	cr_assert(forwarded_trusts(STR_LIT("192.0.2.1")), "NULL: the environment's again");
	cr_assert_not(forwarded_trusts(STR_LIT("10.1.2.3")));
	unsetenv("FORWARDED_ALLOW_IPS");
}

/* Issue 27 item 4: an element without for= ("proto=https") reached memchr(NULL, ':', 0),
 * undefined behaviour that UBSan aborts on (make SANITIZE=1 test-unit). */
Test(forwarded, rfc7239_element_without_for_is_defined)
{
	allow("127.0.0.1");
	rfc7239(false);
	FROM("127.0.0.1", "HTTP_FORWARDED=proto=https");
	cr_assert(client_is("127.0.0.1"));
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
	exchange_free(&x);
	FROM("127.0.0.1", "HTTP_FORWARDED=proto=https, for=198.51.100.2;proto=http");
	cr_assert(client_is("198.51.100.2"));
	exchange_free(&x);
	FROM("127.0.0.1", "HTTP_FORWARDED=for=198.51.100.2, host=a.example;proto=https, ;");
	cr_assert(client_is("127.0.0.1"));
}

/* Issue 27 item 1: the family is the configuration's, never the request's. The
 * issue's reproduction: a proxy that writes only Forwarded, a client adding
 * X-Forwarded-For/-Host of its own. */
Test(forwarded, rfc7239_family_ignores_a_clients_x_headers)
{
	allow("10.0.0.0/8");
	rfc7239(true);
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/api/v1/users", "REMOTE_ADDR=10.0.0.5",
				      "HTTP_FORWARDED=for=203.0.113.50;proto=https;host=api.example.com",
				      "HTTP_X_FORWARDED_FOR=10.1.2.3", "HTTP_X_FORWARDED_HOST=evil.example", NULL },
		     NULL, 0);
	cr_assert(client_is("203.0.113.50"));
	cr_assert(location_is("https://api.example.com/api/v1/users/"));
}

/* ... and the default family reads no Forwarded header, even when no X- header is there. */
Test(forwarded, x_family_ignores_a_clients_forwarded_alone)
{
	allow("127.0.0.1");
	FROM("127.0.0.1", "HTTP_FORWARDED=for=6.6.6.6;proto=https;host=evil.example");
	cr_assert(client_is("127.0.0.1"));
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
}

/* Item 2: X-Forwarded-Host/-Port (and Forwarded host=) only with FORWARDED_HOST on. */
Test(forwarded, host_and_port_are_not_believed_by_default)
{
	allow("127.0.0.1");
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_HOST=evil.example",
	     "HTTP_X_FORWARDED_PORT=8443");
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
	exchange_free(&x);
	rfc7239(false);
	FROM("127.0.0.1", "HTTP_FORWARDED=for=203.0.113.7;proto=https;host=evil.example");
	cr_assert(location_is("https://svc.internal/api/v1/users/"));
}

/* Item 2: a redirect whose Location took a proxy's scheme or host is not for shared
 * caches; one built from the request alone is Starlette's, without Cache-Control. */
Test(forwarded, redirect_from_forwarded_values_is_no_store)
{
	allow("127.0.0.1");
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=https");
	cr_assert_str_eq(exchange_header(&x, "Cache-Control"), "no-store");
	exchange_free(&x);
	FROM("198.51.100.1", "HTTP_X_FORWARDED_PROTO=https", "HTTP_X_FORWARDED_HOST=evil.example");
	cr_assert(location_is("http://svc.internal/api/v1/users/"));
	cr_assert_null(exchange_header(&x, "Cache-Control"));
	exchange_free(&x);
	FROM("127.0.0.1", "HTTP_X_FORWARDED_PROTO=gopher");
	cr_assert_null(exchange_header(&x, "Cache-Control"), "nothing was taken");
}

/* The settings from the environment: values, case, and a bad one named. */
Test(forwarded, trust_settings_are_read_and_checked)
{
	const char *why = NULL;
	setenv("FORWARDED_HEADERS", "Forwarded", 1);
	setenv("FORWARDED_HOST", "on", 1);
	setenv("FORWARDED_REQUEST_ID", "TRUE", 1);
	setenv("FORWARDED_TRACE_ID", "0", 1);
	cr_assert_eq(trust_load(&why), APP_OK, "%s", why ? why : "");
	struct trust t = trust_get();
	cr_assert(t.family == FORWARDED_FAMILY_RFC7239 && t.host && t.request_id && !t.trace_id);
	setenv("FORWARDED_TRACE_ID", "maybe", 1);
	cr_assert_eq(trust_load(&why), APP_ERR_INVALID);
	cr_assert_not_null(strstr(why, "FORWARDED_TRACE_ID=\"maybe\""), "%s", why);
	setenv("FORWARDED_TRACE_ID", "", 1);
	setenv("FORWARDED_HEADERS", "x-forwarded-for", 1);
	cr_assert_eq(trust_load(&why), APP_ERR_INVALID);
	cr_assert_not_null(strstr(why, "FORWARDED_HEADERS"), "%s", why);
	trust_set_headers("x-forwarded");
	cr_assert_eq(trust_load(&why), APP_OK, "the flag's value wins");
	cr_assert(trust_get().family == FORWARDED_FAMILY_X);
	trust_set_headers(NULL);
	unsetenv("FORWARDED_HEADERS");
	unsetenv("FORWARDED_HOST");
	unsetenv("FORWARDED_REQUEST_ID");
	unsetenv("FORWARDED_TRACE_ID");
	cr_assert_eq(trust_load(&why), APP_OK);
	t = trust_get();
	cr_assert(t.family == FORWARDED_FAMILY_X && !t.host && !t.request_id && !t.trace_id, "the defaults");
}

/* forwarded_trusts keeps its last answer: a changed list, a longer or shorter
 * address, another of the same length, an address past INET6_ADDRSTRLEN, an
 * empty one all get their own answer, never the kept one. */
Test(forwarded, kept_answer_never_outlives_its_list_or_address, .fini = teardown)
{
	allow("127.0.0.1");
	cr_assert(forwarded_trusts(STR_LIT("127.0.0.1")));
	cr_assert(forwarded_trusts(STR_LIT("127.0.0.1")));
	cr_assert_not(forwarded_trusts(STR_LIT("127.0.0.10")));
	cr_assert_not(forwarded_trusts(STR_LIT("127.0.0.2")));
	cr_assert(forwarded_trusts((struct str){ "127.0.0.1x", 9 })); /* a slice: only its bytes */
	cr_assert_not(forwarded_trusts(STR_LIT("127.0.0.")));
	cr_assert_not(forwarded_trusts(STR_LIT("")));
	cr_assert_not(forwarded_trusts(STR_NULL));
	cr_assert(forwarded_trusts(STR_LIT("127.0.0.1")));
	allow("10.0.0.0/8"); /* the same address, asked again after the list changed */
	cr_assert_not(forwarded_trusts(STR_LIT("127.0.0.1")));
	cr_assert(forwarded_trusts(STR_LIT("10.1.2.3")));
	allow(NULL);
	cr_assert_not(forwarded_trusts(STR_LIT("10.1.2.3")));
	allow("*");
	char long_addr[80];
	memset(long_addr, '1', sizeof long_addr);
	cr_assert_not(forwarded_trusts((struct str){ long_addr, sizeof long_addr }));
	cr_assert_not(forwarded_trusts((struct str){ long_addr, sizeof long_addr }));
	cr_assert(forwarded_trusts(STR_LIT("::ffff:192.0.2.1")));
	cr_assert(forwarded_trusts(STR_LIT("::ffff:192.0.2.1")));
	cr_assert_not(forwarded_trusts(STR_LIT("unknown")));
}
