#include "http/forwarded.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/trust.h"

/* An address or block, IPv4 kept as IPv4-mapped IPv6 (::ffff:a.b.c.d) so one
 * comparison serves both families. */
struct block {
	unsigned char addr[16];
	unsigned prefix; /* bits of addr that must match, 0..128 */
};

static struct block blocks[FORWARDED_MAX_ENTRIES];
static unsigned list_generation = 1; /* one more at every forwarded_allow() */
static size_t block_count;
static bool trust_all;

/* An IP address literal into 16 bytes; false for anything else. */
static bool parse_ip(struct str s, unsigned char out[16], bool *v4)
{
	char text[INET6_ADDRSTRLEN + 1];
	if (s.n == 0 || s.n >= sizeof text)
		return false;
	memcpy(text, s.p, s.n);
	text[s.n] = '\0';
	unsigned char a4[4];
	if (inet_pton(AF_INET, text, a4) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		memcpy(out, mapped, 12);
		memcpy(out + 12, a4, 4);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, text, out) == 1;
}

static bool parse_block(struct str s, struct block *b)
{
	struct str prefix = s;
	struct str addr = str_split(&prefix, '/');
	bool v4;
	if (!parse_ip(addr, b->addr, &v4))
		return false;
	unsigned max = v4 ? 32 : 128, bits = max;
	if (!str_is_null(prefix)) {
		if (prefix.n == 0 || prefix.n > 3)
			return false;
		bits = 0;
		for (size_t i = 0; i < prefix.n; i++) {
			if (prefix.p[i] < '0' || prefix.p[i] > '9')
				return false;
			bits = bits * 10 + (unsigned)(prefix.p[i] - '0');
		}
		if (bits > max)
			return false;
	}
	b->prefix = v4 ? bits + 96 : bits;
	return true;
}

enum app_err forwarded_allow(const char *list, const char **why)
{
	block_count = 0;
	trust_all = false;
	list_generation++;
	if (list_generation == 0) /* (0 marks an empty cache) */
		list_generation = 1;
	if (list == NULL)
		return APP_OK;
	for (struct str rest = str_c(list); !str_is_null(rest);) {
		struct str entry = str_trim(str_split(&rest, ','));
		if (entry.n == 0)
			continue;
		if (str_eq(entry, STR_LIT("*"))) {
			trust_all = true;
			continue;
		}
		if (block_count == FORWARDED_MAX_ENTRIES || !parse_block(entry, &blocks[block_count])) {
			static char sentence[200];
			snprintf(sentence, sizeof sentence,
				 "FORWARDED_ALLOW_IPS: \"%.*s\" is not an IP address or CIDR block "
				 "(a comma-separated list of at most %d, or *)",
				 (int)(entry.n > 60 ? 60 : entry.n), entry.p, FORWARDED_MAX_ENTRIES);
			*why = sentence;
			block_count = 0;
			trust_all = false;
			return APP_ERR_INVALID;
		}
		block_count++;
	}
	return APP_OK;
}

static const char *given_list; /* forwarded_set_list(); NULL: the environment's */

void forwarded_set_list(const char *list)
{
	given_list = list;
}

enum app_err forwarded_load(const char **why)
{
	return forwarded_allow(given_list != NULL ? given_list : getenv("FORWARDED_ALLOW_IPS"), why);
}

static bool in_block(const unsigned char addr[16], const struct block *b)
{
	unsigned full = b->prefix / 8, rest = b->prefix % 8;
	if (memcmp(addr, b->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (addr[full] & mask) == (b->addr[full] & mask);
}

static bool trusts(struct str addr)
{
	unsigned char a[16];
	bool v4;
	if (!parse_ip(addr, a, &v4))
		return false;
	if (trust_all)
		return true;
	for (size_t i = 0; i < block_count; i++)
		if (in_block(a, &blocks[i]))
			return true;
	return false;
}

/* The last address a thread asked about and the answer: a worker behind one
 * front server asks about the same peer on every request, and inet_pton costs
 * more than the comparison. forwarded_allow() changing the list makes every
 * thread's answer stale (list_generation). */
static _Thread_local struct {
	char addr[INET6_ADDRSTRLEN + 1];
	size_t n;
	bool trusted;
	unsigned generation; /* 0: nothing kept */
} last;

bool forwarded_trusts(struct str addr)
{
	if (last.generation == list_generation && addr.n == last.n && memcmp(addr.p, last.addr, addr.n) == 0)
		return last.trusted;
	bool trusted = trusts(addr);
	if (addr.n > 0 && addr.n < sizeof last.addr) { /* longer is no address: not kept */
		memcpy(last.addr, addr.p, addr.n);
		last.n = addr.n;
		last.trusted = trusted;
		last.generation = list_generation;
	}
	return trusted;
}

/* The address of a node: "192.0.2.1", "192.0.2.1:4711", "[2001:db8::1]",
 * "[2001:db8::1]:4711" or a bare IPv6 address; STR_NULL when it is none of these
 * ("unknown", an obfuscated "_hidden", garbage) or missing (STR_NULL, ""). */
static struct str node_address(struct str node)
{
	unsigned char a[16];
	bool v4;
	node = str_trim(node);
	if (node.n == 0) /* no for= at all (STR_NULL) or an empty one */
		return STR_NULL;
	if (node.p[0] == '[') {
		const char *close = memchr(node.p, ']', node.n);
		if (close == NULL)
			return STR_NULL;
		size_t after = (size_t)(close - node.p) + 1;
		if (after != node.n && node.p[after] != ':')
			return STR_NULL;
		node = (struct str){ node.p + 1, (size_t)(close - node.p) - 1 };
		return parse_ip(node, a, &v4) && !v4 ? node : STR_NULL;
	}
	const char *colon = memchr(node.p, ':', node.n);
	if (colon != NULL && memchr(colon + 1, ':', node.n - (size_t)(colon - node.p) - 1) == NULL)
		node.n = (size_t)(colon - node.p); /* IPv4:port */
	return parse_ip(node, a, &v4) ? node : STR_NULL;
}

/* The client among hops (leftmost first): the rightmost that is not a trusted
 * proxy, else the leftmost. Its index, or -1 when there are no hops. */
static long pick_client(const struct str *hops, size_t n)
{
	if (n == 0)
		return -1;
	for (size_t i = n; i-- > 0;)
		if (!forwarded_trusts(node_address(hops[i])))
			return (long)i;
	return 0;
}

/* The comma-separated items of every header called name, in order, trimmed
 * (arena array); NULL when there are none (*count 0). */
static struct str *list_items(const struct request *r, const char *name, size_t *count)
{
	struct str key = str_c(name);
	size_t n = 0;
	for (size_t i = 0; i < r->headers.n; i++)
		if (r->headers.items[i].name.n == key.n && str_eq(r->headers.items[i].name, key)) /* length first */
			for (struct str rest = r->headers.items[i].value; !str_is_null(rest); str_split(&rest, ','))
				n++;
	*count = n;
	if (n == 0) /* the usual case: no such header, nothing to allocate */
		return NULL;
	struct str *items = arena_calloc(r->arena, n, sizeof *items);
	n = 0;
	for (size_t i = 0; i < r->headers.n; i++)
		if (str_eq(r->headers.items[i].name, key))
			for (struct str rest = r->headers.items[i].value; !str_is_null(rest);)
				items[n++] = str_trim(str_split(&rest, ','));
	return items;
}

/* The rightmost item of a list header (what the nearest proxy wrote), or STR_NULL. */
static struct str last_item(const struct request *r, const char *name)
{
	size_t n;
	struct str *items = list_items(r, name, &n);
	return n > 0 ? items[n - 1] : STR_NULL;
}

/* "http" or "https" (any case), as a static string; STR_NULL for anything else. */
static struct str proto_of(struct str s)
{
	if (str_eq_nocase(s, STR_LIT("https")))
		return STR_LIT("https");
	if (str_eq_nocase(s, STR_LIT("http")))
		return STR_LIT("http");
	return STR_NULL;
}

/* Sets r->scheme from a forwarded proto, when it is http or https. */
static void set_scheme(struct request *r, struct str proto)
{
	proto = proto_of(proto);
	if (!str_is_null(proto)) {
		r->scheme = proto;
		r->origin_forwarded = true;
	}
}

static bool port_is_valid(struct str port)
{
	if (port.n == 0 || port.n > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < port.n; i++) {
		if (port.p[i] < '0' || port.p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(port.p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host without its ":port" ("[::1]:8080" -> "[::1]", "a:80" -> "a"). */
static struct str host_name(struct str host)
{
	const char *end = host.p + host.n;
	if (host.n > 0 && host.p[0] == '[') {
		const char *close = memchr(host.p, ']', host.n);
		return close ? (struct str){ host.p, (size_t)(close - host.p) + 1 } : host;
	}
	const char *colon = memchr(host.p, ':', host.n);
	return colon ? (struct str){ host.p, (size_t)(colon - host.p) } : (struct str){ host.p, (size_t)(end - host.p) };
}

/* Sets r->host from a forwarded host (may be STR_NULL: keep r->host) and port
 * (may be STR_NULL: keep the host's own), leaving out the scheme's default port. */
static void set_host(struct request *r, struct str host, struct str port)
{
	if (!str_is_null(host) && host_is_valid(host)) {
		r->host = host;
		r->origin_forwarded = true;
	}
	if (str_is_null(port) || !port_is_valid(port) || r->host.n == 0)
		return;
	r->origin_forwarded = true;
	struct str name = host_name(r->host);
	if ((str_eq(r->scheme, STR_LIT("https")) && str_eq(port, STR_LIT("443"))) ||
	    (str_eq(r->scheme, STR_LIT("http")) && str_eq(port, STR_LIT("80")))) {
		r->host = name;
		return;
	}
	r->host = str_c(arena_printf(r->arena, "%.*s:%.*s", (int)name.n, name.p, (int)port.n, port.p));
}

/* X-Forwarded-For and -Proto; -Host and -Port when trust.host. */
static void apply_x_forwarded(struct request *r, struct trust trust)
{
	size_t n;
	struct str *hops = list_items(r, "x-forwarded-for", &n);
	long client = pick_client(hops, n);
	if (client >= 0) {
		struct str addr = node_address(hops[client]);
		if (!str_is_null(addr))
			r->remote_addr = addr;
	}
	set_scheme(r, last_item(r, "x-forwarded-proto"));
	if (trust.host)
		set_host(r, last_item(r, "x-forwarded-host"), last_item(r, "x-forwarded-port"));
}

/* One forwarded-pair's value: a token, or a quoted-string without escapes. */
static struct str pair_value(struct str v)
{
	v = str_trim(v);
	if (v.n > 0 && v.p[0] == '"') {
		if (v.n < 2 || v.p[v.n - 1] != '"' || str_has_byte(v, '\\'))
			return STR_NULL;
		return (struct str){ v.p + 1, v.n - 2 };
	}
	return v;
}

/* The value of parameter name in one Forwarded element ("for=a;proto=https"), or STR_NULL. */
static struct str element_param(struct str element, const char *name)
{
	for (struct str rest = element; !str_is_null(rest);) {
		struct str value = str_split(&rest, ';');
		struct str key = str_trim(str_split(&value, '='));
		if (!str_is_null(value) && str_eq_nocase(key, str_c(name)))
			return pair_value(value);
	}
	return STR_NULL;
}

/* RFC 7239 for= and proto=; host= when trust.host. Elements are split on ','
 * (a quoted value holding ',' or ';' spoils only its own element, which then
 * yields no address). */
static void apply_forwarded(struct request *r, struct trust trust)
{
	size_t n;
	struct str *elements = list_items(r, "forwarded", &n);
	if (n == 0)
		return;
	struct str *fors = arena_calloc(r->arena, n, sizeof *fors);
	for (size_t i = 0; i < n; i++)
		fors[i] = element_param(elements[i], "for");
	long client = pick_client(fors, n);
	struct str addr = node_address(fors[client]);
	if (!str_is_null(addr))
		r->remote_addr = addr;
	set_scheme(r, element_param(elements[client], "proto"));
	if (trust.host)
		set_host(r, element_param(elements[client], "host"), STR_NULL);
}

void request_apply_forwarded(struct request *r)
{
	if (!forwarded_trusts(r->peer_addr))
		return;
	struct trust trust = trust_get();
	if (trust.family == FORWARDED_FAMILY_RFC7239)
		apply_forwarded(r, trust);
	else
		apply_x_forwarded(r, trust);
}
