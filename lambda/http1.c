#include "http1.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "core/sysio.h"
#include "http1_read.h"

/* A malloc'd NUL-terminated copy, or NULL. */
static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

int http1_init(struct http1 *c, const char *host_port)
{
	*c = (struct http1){ .fd = -1, .connect_timeout_ms = 2000 };
	const char *host = host_port, *end, *colon;
	if (host_port[0] == '[') {
		host++;
		end = strchr(host, ']');
		colon = end != NULL && end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(host_port, ':');
		end = colon;
	}
	bool ok = colon != NULL && end > host && colon[1] != '\0' && strlen(colon + 1) <= 5;
	for (const char *p = ok ? colon + 1 : ""; *p != '\0'; p++)
		ok = ok && *p >= '0' && *p <= '9';
	if (!ok || atoi(colon + 1) < 1 || atoi(colon + 1) > 65535) {
		snprintf(c->error, sizeof c->error, "'%.200s' is not host:port", host_port);
		return -1;
	}
	c->host = dup_n(host, (size_t)(end - host));
	c->port = dup_n(colon + 1, strlen(colon + 1));
	c->authority = dup_n(host_port, strlen(host_port));
	if (c->host == NULL || c->port == NULL || c->authority == NULL) {
		http1_close(c);
		snprintf(c->error, sizeof c->error, "out of memory");
		return -1;
	}
	return 0;
}

/* Closes the connection (if any); the next exchange opens a new one. */
static void drop(struct http1 *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void http1_close(struct http1 *c)
{
	drop(c);
	free(c->host);
	free(c->port);
	free(c->authority);
	c->host = c->port = c->authority = NULL;
}

/* poll()'s timeout for a deadline (0: none, wait forever). */
static int poll_ms(long long deadline)
{
	if (deadline == 0)
		return -1;
	long long left = deadline - now_ms();
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

enum http1_status http1_fail(struct http1 *c, enum http1_status st, const char *what, int err)
{
	if (err != 0)
		snprintf(c->error, sizeof c->error, "%s: %s", what, strerror(err));
	else
		snprintf(c->error, sizeof c->error, "%s", what);
	drop(c);
	return st;
}

enum http1_status http1_wait(struct http1 *c, short events, long long deadline, long timeout_ms)
{
	for (;;) {
		struct pollfd p = { c->fd, events, 0 };
		int r = poll(&p, 1, poll_ms(deadline));
		if (r > 0)
			return HTTP1_OK;
		if (r == 0) {
			snprintf(c->error, sizeof c->error, "Operation timed out after %ld milliseconds", timeout_ms);
			drop(c);
			return HTTP1_TIMED_OUT;
		}
		if (errno != EINTR)
			return http1_fail(c, HTTP1_FAILED, "poll failed", errno);
	}
}

/* One non-blocking connect, bounded by the connect timeout and the deadline. */
static int connect_one(const struct addrinfo *ai, long long deadline, int connect_timeout_ms, int *err)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	long long until = now_ms() + connect_timeout_ms;
	if (deadline != 0 && deadline < until)
		until = deadline;
	struct pollfd p = { fd, POLLOUT, 0 };
	int r;
	while ((r = poll(&p, 1, poll_ms(until))) < 0 && errno == EINTR)
		;
	socklen_t len = sizeof *err;
	if (r <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) != 0 || *err != 0) {
		*err = r == 0 ? ETIMEDOUT : r < 0 ? errno : *err;
		close(fd);
		return -1;
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Resolves host and port and connects to the first address that answers. */
static enum http1_status connect_to(struct http1 *c, long long deadline)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *list;
	int rc = getaddrinfo(c->host, c->port, &hints, &list);
	if (rc != 0) {
		snprintf(c->error, sizeof c->error, "Could not resolve host %s: %s", c->host, gai_strerror(rc));
		return HTTP1_FAILED;
	}
	int err = 0;
	for (const struct addrinfo *ai = list; ai != NULL && c->fd < 0; ai = ai->ai_next)
		c->fd = connect_one(ai, deadline, c->connect_timeout_ms, &err);
	freeaddrinfo(list);
	if (c->fd < 0) {
		snprintf(c->error, sizeof c->error, "Failed to connect to %s port %s: %s", c->host, c->port,
			 strerror(err));
		return HTTP1_FAILED;
	}
	return HTTP1_OK;
}

/* Writes all n bytes, waiting while the socket is full, until the deadline. */
static enum http1_status send_all(struct http1 *c, const char *p, size_t n, long long deadline, long timeout_ms)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			enum http1_status st = http1_wait(c, POLLOUT, deadline, timeout_ms);
			if (st != HTTP1_OK)
				return st;
		} else if (w < 0 && errno != EINTR) {
			return http1_fail(c, HTTP1_FAILED, "Send failure", errno);
		}
	}
	return HTTP1_OK;
}

/* The request's head: request line, Host, Content-Length when there is a body (or
 * Transfer-Encoding: chunked for one already chunk-encoded), extras. */
static const char *request_head(struct http1 *c, struct arena *a, const char *method, const char *target,
			  const char *extra_headers, struct str body, bool with_body, bool chunked)
{
	struct buf b;
	buf_init(&b, a);
	char len[32];
	snprintf(len, sizeof len, "%zu", body.n);
	if (chunked)
		snprintf(len, sizeof len, "chunked");
	const char *parts[] = { method, " ", target, " HTTP/1.1\r\nHost: ", c->authority, "\r\n",
				!with_body ? "" : chunked ? "Transfer-Encoding: " : "Content-Length: ",
				with_body ? len : "", with_body ? "\r\n" : "",
				extra_headers ? extra_headers : "", "\r\n" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		buf_append_cstr(&b, parts[i]);
	return buf_str(&b).p;
}

/* A body as chunks: each piece its own chunk (empty pieces left out, an empty chunk
 * would end the body), then the last chunk; arena, NULL when out of memory. */
static struct str chunk_encode(struct arena *a, const struct str *pieces, size_t n)
{
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < n; i++) {
		if (pieces[i].n == 0)
			continue;
		char size[32];
		snprintf(size, sizeof size, "%zx\r\n", pieces[i].n);
		buf_append_cstr(&b, size);
		buf_append_str(&b, pieces[i]);
		buf_append_cstr(&b, "\r\n");
	}
	buf_append_cstr(&b, "0\r\n\r\n");
	return buf_str(&b);
}

/* The answer's body after its head (http1_read_body); the connection is kept
 * only when the server keeps it and sent nothing past the answer. */
static enum http1_status read_body(struct http1_reader *r, struct arena *a, size_t max_body,
				   struct http1_response *out)
{
	bool keep;
	int got = http1_read_body(r, a, max_body, out, &keep);
	if (got < 0)
		return (enum http1_status)got;
	if (!keep || r->pos != r->len)
		drop(r->c);
	return HTTP1_OK;
}

static enum http1_status exchange(struct http1 *c, struct arena *a, const char *method, const char *target,
				  const char *extra_headers, struct str body, bool chunked, long timeout_ms,
				  size_t max_body, struct http1_response *out);

enum http1_status http1_exchange(struct http1 *c, struct arena *a, const char *method, const char *target,
				 const char *extra_headers, struct str body, long timeout_ms, size_t max_body,
				 struct http1_response *out)
{
	return exchange(c, a, method, target, extra_headers, body, false, timeout_ms, max_body, out);
}

enum http1_status http1_exchange_chunked(struct http1 *c, struct arena *a, const char *method, const char *target,
					 const char *extra_headers, const struct str *pieces, size_t n,
					 long timeout_ms, size_t max_body, struct http1_response *out)
{
	struct str body = chunk_encode(a, pieces, n);
	if (body.p == NULL)
		return http1_fail(c, HTTP1_NO_MEMORY, "out of memory", 0);
	return exchange(c, a, method, target, extra_headers, body, true, timeout_ms, max_body, out);
}

static enum http1_status exchange(struct http1 *c, struct arena *a, const char *method, const char *target,
				  const char *extra_headers, struct str body, bool chunked, long timeout_ms,
				  size_t max_body, struct http1_response *out)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	bool with_body = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	const char *head = request_head(c, a, method, target, extra_headers, body, with_body, chunked);
	struct http1_reader r = { .c = c, .buf = arena_alloc(a, HTTP1_READ_BUFFER), .deadline = deadline, .timeout_ms = timeout_ms };
	if (head == NULL || r.buf == NULL)
		return http1_fail(c, HTTP1_NO_MEMORY, "out of memory", 0);
	for (int attempt = 0;; attempt++) {
		bool reused = c->fd >= 0;
		enum http1_status st = reused ? HTTP1_OK : connect_to(c, deadline);
		if (st == HTTP1_OK)
			st = send_all(c, head, strlen(head), deadline, timeout_ms);
		if (st == HTTP1_OK && with_body)
			st = send_all(c, body.p, body.n, deadline, timeout_ms);
		int got = st == HTTP1_OK ? http1_read_head(&r, a, out) : st;
		/* A kept-alive connection the server closed while idle: once more, on a new one. */
		if (got < 0 && got != HTTP1_TIMED_OUT && reused && r.received == 0 && attempt == 0) {
			drop(c);
			r.pos = r.len = 0;
			continue;
		}
		return got < 0 ? (enum http1_status)got : read_body(&r, a, max_body, out);
	}
}

/* Whether an idle kept-alive connection is still open: nothing to read on it
 * (a server that closed it, or sent something unasked, makes it readable). */
static bool idle_alive(struct http1 *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	return poll(&p, 1, 0) == 0;
}

enum http1_status http1_begin_chunked(struct http1 *c, struct arena *a, const char *method, const char *target,
				      const char *extra_headers, long timeout_ms)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	const char *head = request_head(c, a, method, target, extra_headers, STR_LIT(""), true, true);
	if (head == NULL)
		return http1_fail(c, HTTP1_NO_MEMORY, "out of memory", 0);
	/* No second try once the body has begun: a closed idle connection is seen now. */
	if (c->fd >= 0 && !idle_alive(c))
		drop(c);
	enum http1_status st = c->fd >= 0 ? HTTP1_OK : connect_to(c, deadline);
	return st == HTTP1_OK ? send_all(c, head, strlen(head), deadline, timeout_ms) : st;
}

enum http1_status http1_send_chunk(struct http1 *c, struct arena *a, struct str piece, long timeout_ms)
{
	if (piece.n == 0)
		return HTTP1_OK;
	if (c->fd < 0)
		return http1_fail(c, HTTP1_FAILED, "the connection is closed", 0);
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	char size[32];
	int n = snprintf(size, sizeof size, "%zx\r\n", piece.n);
	/* One write for a small chunk (the size line, the bytes, the CRLF). */
	if (piece.n <= 65536) {
		struct buf b;
		buf_init(&b, a);
		buf_append(&b, size, (size_t)n);
		buf_append_str(&b, piece);
		buf_append(&b, "\r\n", 2);
		struct str s = buf_str(&b);
		return send_all(c, s.p, s.n, deadline, timeout_ms);
	}
	enum http1_status st = send_all(c, size, (size_t)n, deadline, timeout_ms);
	if (st == HTTP1_OK)
		st = send_all(c, piece.p, piece.n, deadline, timeout_ms);
	return st == HTTP1_OK ? send_all(c, "\r\n", 2, deadline, timeout_ms) : st;
}

enum http1_status http1_finish_chunked(struct http1 *c, struct arena *a, const char *trailers, long timeout_ms,
				       size_t max_body, struct http1_response *out)
{
	if (c->fd < 0)
		return http1_fail(c, HTTP1_FAILED, "the connection is closed", 0);
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	struct buf b;
	buf_init(&b, a);
	buf_append_cstr(&b, "0\r\n");
	buf_append_cstr(&b, trailers != NULL ? trailers : "");
	buf_append_cstr(&b, "\r\n");
	struct str last = buf_str(&b);
	struct http1_reader r = { .c = c, .buf = arena_alloc(a, HTTP1_READ_BUFFER), .deadline = deadline,
				  .timeout_ms = timeout_ms };
	enum http1_status st = send_all(c, last.p, last.n, deadline, timeout_ms);
	int got = st == HTTP1_OK ? http1_read_head(&r, a, out) : st;
	return got < 0 ? (enum http1_status)got : read_body(&r, a, max_body, out);
}
