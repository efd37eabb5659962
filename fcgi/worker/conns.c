#define _GNU_SOURCE /* MSG_DONTWAIT */
#include "conns.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

/* How much of a connection's input is looked at for a whole head: a bigger
 * head goes to libfcgi as it is (its read deadline holds). */
#define PEEK_BYTES 16384
/* A unix socket with a partial head is looked at again after this long. */
#define PEEK_AGAIN_MS 10

enum { REC_BEGIN_REQUEST = 1, REC_PARAMS = 4 };

void conns_drop(struct conn_set *s, int i, bool close_fd)
{
	if (close_fd)
		close(s->c[i].fd);
	s->c[i] = s->c[--s->n];
}

void conns_add(struct conn_set *s, int fd, bool tcp, long long now)
{
	if (s->n == MAX_CONNS) {
		int victim = 0;
		for (int i = 1; i < s->n; i++) {
			const struct conn *c = &s->c[i], *v = &s->c[victim];
			if ((c->served < v->served) || (c->served == v->served && c->idle_since < v->idle_since))
				victim = i;
		}
		conns_drop(s, victim, true);
	}
	s->c[s->n++] = (struct conn){ .fd = fd, .tcp = tcp, .idle_since = now };
}

/* Bytes that must be buffered for the head starting at p (n bytes there) to
 * be whole; 0: it is, or it is not ours to judge (not a FastCGI head, or
 * longer than PEEK_BYTES): libfcgi takes it from here. */
static size_t head_needs(const unsigned char *p, size_t n)
{
	size_t at = 0;
	for (;;) {
		if (at + 8 > n)
			return at + 8 > PEEK_BYTES ? 0 : at + 8;
		const unsigned char *h = p + at;
		size_t content = (size_t)h[4] << 8 | h[5];
		if (h[0] != 1 || (h[1] != REC_BEGIN_REQUEST && h[1] != REC_PARAMS))
			return 0;
		if (h[1] == REC_PARAMS && content == 0)
			return 0;
		at += 8 + content + h[6];
	}
}

static void set_lowat(struct conn *c, int bytes)
{
	if (c->lowat != bytes && setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0)
		c->lowat = bytes;
}

bool conns_head_ready(struct conn_set *s, int i, bool hung_up, long long now)
{
	struct conn *c = &s->c[i];
	static unsigned char buf[PEEK_BYTES];
	ssize_t got = 0;
	if (!hung_up) {
		got = recv(c->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return false; /* nothing after all: poll again */
	}
	size_t need = got > 0 ? head_needs(buf, (size_t)got) : 0;
	c->peek_at = 0;
	if (need == 0) {
		if (c->lowat > 1)
			set_lowat(c, 1); /* libfcgi's reads must not wait for more than there is */
		c->head_since = 0;
		return true;
	}
	if (c->head_since == 0)
		c->head_since = now;
	if (c->tcp)
		set_lowat(c, (int)need);
	else
		c->peek_at = now + PEEK_AGAIN_MS;
	return false;
}

int conns_peek_wait(const struct conn_set *s, long long now)
{
	long long soonest = -1;
	for (int i = 0; i < s->n; i++) {
		long long at = s->c[i].peek_at;
		if (at != 0 && (soonest < 0 || at - now < soonest))
			soonest = at - now < 0 ? 0 : at - now;
	}
	return (int)soonest;
}

int conns_fresh_wait(const struct conn_set *s, long long now)
{
	long long longest = 0;
	for (int i = 0; i < s->n; i++) {
		if (s->c[i].served)
			continue;
		long long left = s->c[i].idle_since + FIRST_HEAD_MS - now;
		if (left <= 0)
			return 0; /* a client is slow already: do not let it slow the taking of others */
		if (left > longest)
			longest = left;
	}
	return (int)longest;
}

/* Since when connection c has been waited for (accepted and never heard in
 * full, or a kept one part of whose next head came); -1: it is not. */
static long long waited_since(const struct conn *c)
{
	return !c->served ? c->idle_since : c->head_since != 0 ? c->head_since : -1;
}

void conns_close_silent(struct conn_set *s, int read_s, long long now)
{
	if (read_s <= 0)
		return;
	for (int i = s->n - 1; i >= 0; i--) {
		long long since = waited_since(&s->c[i]);
		if (since >= 0 && now - since >= read_s * 1000LL)
			conns_drop(s, i, true);
	}
}

int conns_next_expiry(const struct conn_set *s, int read_s, long long now)
{
	if (read_s <= 0)
		return -1;
	long long soonest = -1;
	for (int i = 0; i < s->n; i++) {
		long long since = waited_since(&s->c[i]);
		if (since < 0)
			continue;
		long long left = since + read_s * 1000LL - now;
		left = left < 0 ? 0 : left;
		if (soonest < 0 || left < soonest)
			soonest = left;
	}
	return soonest > INT_MAX ? INT_MAX : (int)soonest;
}

int conns_drain_wait(struct conn_set *s, long long limit_ms, long long now)
{
	long long soonest = 0;
	for (int i = s->n - 1; i >= 0; i--) {
		long long since = waited_since(&s->c[i]);
		if (since < 0)
			continue;
		long long left = since + limit_ms - now;
		if (left <= 0)
			conns_drop(s, i, true);
		else if (soonest == 0 || left < soonest)
			soonest = left;
	}
	return (int)soonest;
}
