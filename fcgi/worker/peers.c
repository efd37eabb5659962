#include "peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* At most one "refused" line per this many ms; the rest are counted. */
#define REFUSED_LOG_MS 1000

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The peer as IPv4 (AF_INET), IPv4-mapped IPv6 taken as IPv4, or IPv6. */
static int peer_family(const struct sockaddr_storage *peer, struct in_addr *a4, struct in6_addr *a6)
{
	if (peer->ss_family == AF_INET) {
		*a4 = ((const struct sockaddr_in *)peer)->sin_addr;
		return AF_INET;
	}
	*a6 = ((const struct sockaddr_in6 *)peer)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(&a4->s_addr, &a6->s6_addr[12], 4);
		return AF_INET;
	}
	return AF_INET6;
}

/* Whether one list entry (not NUL-terminated, n bytes) is the peer's address. */
static bool entry_matches(const char *at, size_t n, int family, const struct in_addr *a4, const struct in6_addr *a6)
{
	char entry[INET6_ADDRSTRLEN];
	if (n >= sizeof entry)
		return false;
	memcpy(entry, at, n);
	entry[n] = '\0';
	struct in_addr e4;
	struct in6_addr e6;
	if (inet_pton(AF_INET, entry, &e4) == 1)
		return family == AF_INET && e4.s_addr == a4->s_addr;
	if (inet_pton(AF_INET6, entry, &e6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&e6)) /* "::ffff:127.0.0.1" is 127.0.0.1 */
		return family == AF_INET && memcmp(&e6.s6_addr[12], &a4->s_addr, 4) == 0;
	return family == AF_INET6 && memcmp(&e6, a6, sizeof e6) == 0;
}

/* Says that a peer was refused, at most once per REFUSED_LOG_MS. */
static void log_refused(int family, const struct in_addr *a4, const struct in6_addr *a6)
{
	static long long logged_at = -REFUSED_LOG_MS;
	static unsigned long unlogged;
	long long now = now_ms();
	if (now - logged_at < REFUSED_LOG_MS) {
		unlogged++;
		return;
	}
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(family, family == AF_INET ? (const void *)a4 : (const void *)a6, text, sizeof text) == NULL)
		strcpy(text, "?");
	fprintf(stderr, "app.fcgi: worker %ld: connection from %s refused: not in FCGI_WEB_SERVER_ADDRS (%lu more refused since the last such line)\n",
		(long)getpid(), text, unlogged);
	logged_at = now;
	unlogged = 0;
}

bool peer_allowed(const struct sockaddr_storage *peer)
{
	if (peer->ss_family != AF_INET && peer->ss_family != AF_INET6)
		return true;
	static const char *list;
	static bool read_once;
	if (!read_once) { /* the environment does not change: read at the first TCP peer */
		list = getenv("FCGI_WEB_SERVER_ADDRS");
		read_once = true;
	}
	if (list == NULL || *list == '\0')
		return true;
	struct in_addr a4 = { 0 };
	struct in6_addr a6 = IN6ADDR_ANY_INIT;
	int family = peer_family(peer, &a4, &a6);
	for (const char *at = list; *at != '\0';) {
		size_t n = strcspn(at, ",");
		if (entry_matches(at, n, family, &a4, &a6))
			return true;
		at += n;
		if (*at == ',')
			at++;
	}
	log_refused(family, &a4, &a6);
	return false;
}
