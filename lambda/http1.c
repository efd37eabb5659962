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
#include "http/request.h"
#include "core/sysio.h"

/* The status line and headers of one response, at most. */
#define MAX_HEAD_BYTES 65536

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

/* Records why (with strerror(err) when err is set), drops the connection, returns st. */
static enum http1_status fail(struct http1 *c, enum http1_status st, const char *what, int err)
{
	if (err != 0)
		snprintf(c->error, sizeof c->error, "%s: %s", what, strerror(err));
	else
		snprintf(c->error, sizeof c->error, "%s", what);
	drop(c);
	return st;
}

/* Waits until fd is ready for events, or the deadline. */
static enum http1_status wait_fd(struct http1 *c, short events, long long deadline, long timeout_ms)
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
			return fail(c, HTTP1_FAILED, "poll failed", errno);
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
			enum http1_status st = wait_fd(c, POLLOUT, deadline, timeout_ms);
			if (st != HTTP1_OK)
				return st;
		} else if (w < 0 && errno != EINTR) {
			return fail(c, HTTP1_FAILED, "Send failure", errno);
		}
	}
	return HTTP1_OK;
}

/* Buffered reading of one response. */
struct reader {
	struct http1 *c;
	char *buf;        /* MAX_HEAD_BYTES, in the arena */
	size_t pos, len;  /* unread bytes are buf[pos..len) */
	long long deadline;
	long timeout_ms;
	size_t received;  /* bytes of this response so far */
};

/* Reads more into the buffer (moving unread bytes to the front). 1 when bytes came,
 * 0 at the end of the stream, or a negative http1_status. */
static int fill(struct reader *r)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == MAX_HEAD_BYTES)
		return fail(r->c, HTTP1_FAILED, "a response line or header block too long", 0);
	for (;;) {
		ssize_t n = recv(r->c->fd, r->buf + r->len, MAX_HEAD_BYTES - r->len, 0);
		if (n > 0) {
			r->len += (size_t)n;
			r->received += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			enum http1_status st = wait_fd(r->c, POLLIN, r->deadline, r->timeout_ms);
			if (st != HTTP1_OK)
				return st;
		} else if (errno != EINTR) {
			return fail(r->c, HTTP1_FAILED, "Recv failure", errno);
		}
	}
}

/* The next line without its CRLF (pointing into the buffer, valid until the next fill). */
static int get_line(struct reader *r, struct str *line)
{
	for (;;) {
		const char *start = r->buf + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		if (nl != NULL) {
			size_t n = (size_t)(nl - start);
			*line = (struct str){ start, n > 0 && start[n - 1] == '\r' ? n - 1 : n };
			r->pos += n + 1;
			return 1;
		}
		int got = fill(r);
		if (got <= 0)
			return got == 0 ? fail(r->c, HTTP1_FAILED, r->received == 0 ? "Empty reply from server"
									      : "connection closed in a response",
					       0)
					: got;
	}
}

/* Appends n body bytes to out. */
static int take(struct reader *r, size_t n, struct buf *out)
{
	while (n > 0) {
		if (r->pos == r->len) {
			int got = fill(r);
			if (got <= 0)
				return got == 0 ? fail(r->c, HTTP1_FAILED, "connection closed in a response body", 0) : got;
		}
		size_t k = r->len - r->pos < n ? r->len - r->pos : n;
		buf_append(out, r->buf + r->pos, k);
		r->pos += k;
		n -= k;
	}
	return 1;
}


/* A decimal or (hex) number of at most max; false for anything else. */
static bool parse_size(struct str s, int base, size_t max, size_t *out)
{
	size_t v = 0;
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		int d = s.p[i] >= '0' && s.p[i] <= '9'		     ? s.p[i] - '0'
			: base == 16 && s.p[i] >= 'a' && s.p[i] <= 'f' ? s.p[i] - 'a' + 10
			: base == 16 && s.p[i] >= 'A' && s.p[i] <= 'F' ? s.p[i] - 'A' + 10
								       : -1;
		if (d < 0 || v > (max - (size_t)d) / (size_t)base)
			return false;
		v = v * (size_t)base + (size_t)d;
	}
	*out = v;
	return true;
}

/* Status line and headers (1xx answers skipped). */
static int read_head(struct reader *r, struct arena *a, struct http1_response *out)
{
	struct str line;
	int got;
	do {
		*out = (struct http1_response){ .status = 0 };
		if ((got = get_line(r, &line)) <= 0)
			return got;
		size_t code;
		if (line.n < 12 || memcmp(line.p, "HTTP/1.", 7) != 0 || line.p[8] != ' ' ||
		    !parse_size((struct str){ line.p + 9, 3 }, 10, 999, &code) || code < 100 || code > 599 ||
		    (line.n > 12 && line.p[12] != ' '))
			return fail(r->c, HTTP1_FAILED, "not an HTTP/1.x response", 0);
		out->status = (int)code;
		for (;;) {
			if ((got = get_line(r, &line)) <= 0)
				return got;
			if (line.n == 0)
				break;
			const char *colon = memchr(line.p, ':', line.n);
			struct str name = { line.p, colon ? (size_t)(colon - line.p) : 0 };
			if (!is_http_token(name))
				return fail(r->c, HTTP1_FAILED, "a malformed response header", 0);
			struct str value = str_trim((struct str){ colon + 1, line.n - name.n - 1 });
			/* Arena memory: running out of it aborts the runtime (core/arena.h). */
			kvlist_add(a, &out->headers, (struct str){ str_dup(a, name), name.n },
				   (struct str){ str_dup(a, value), value.n });
		}
	} while (out->status >= 100 && out->status < 200);
	return 1;
}

/* A chunked body: sizes in hex (extensions ignored), trailers skipped; a bad size or
 * a body over max_body fails. */
static int read_chunked(struct reader *r, size_t max_body, struct buf *body)
{
	struct str line;
	int got;
	for (;;) {
		if ((got = get_line(r, &line)) <= 0)
			return got;
		const char *semi = memchr(line.p, ';', line.n);
		size_t n;
		if (!parse_size(str_trim((struct str){ line.p, semi ? (size_t)(semi - line.p) : line.n }), 16, SIZE_MAX / 2, &n))
			return fail(r->c, HTTP1_FAILED, "bad chunk size", 0);
		if (body->n + n > max_body)
			return fail(r->c, HTTP1_FAILED, "response body too large", 0);
		if (n == 0)
			break;
		if ((got = take(r, n, body)) <= 0 || (got = get_line(r, &line)) <= 0)
			return got;
		if (line.n != 0)
			return fail(r->c, HTTP1_FAILED, "bad chunk end", 0);
	}
	do {  /* trailers, up to the empty line */
		if ((got = get_line(r, &line)) <= 0)
			return got;
	} while (line.n != 0);
	return 1;
}

/* The body, framed as the headers say; *keep is cleared when the connection cannot carry another exchange. */
static int read_body(struct reader *r, struct arena *a, size_t max_body, struct http1_response *out, bool *keep)
{
	struct buf body;
	buf_init(&body, a);
	struct str te = kvlist_get_nocase(&out->headers, STR_LIT("Transfer-Encoding"));
	struct str cl = kvlist_get_nocase(&out->headers, STR_LIT("Content-Length"));
	struct str conn = kvlist_get_nocase(&out->headers, STR_LIT("Connection"));
	*keep = !str_eq_nocase(conn, STR_LIT("close"));
	int got = 1;
	size_t n;
	if (out->status == 204 || out->status == 304) {
		/* no body */
	} else if (!str_is_null(te)) {
		if (!str_eq_nocase(te, STR_LIT("chunked")))
			return fail(r->c, HTTP1_FAILED, "unsupported Transfer-Encoding", 0);
		got = read_chunked(r, max_body, &body);
	} else if (!str_is_null(cl)) {
		if (!parse_size(cl, 10, SIZE_MAX / 2, &n))
			return fail(r->c, HTTP1_FAILED, "bad Content-Length", 0);
		if (n > max_body)
			return fail(r->c, HTTP1_FAILED, "response body too large", 0);
		got = take(r, n, &body);
	} else {
		*keep = false;  /* the body ends with the connection */
		for (;;) {
			if (body.n + (r->len - r->pos) > max_body)
				return fail(r->c, HTTP1_FAILED, "response body too large", 0);
			buf_append(&body, r->buf + r->pos, r->len - r->pos);
			r->pos = r->len;
			if ((got = fill(r)) <= 0)
				break;
		}
	}
	if (got < 0)
		return got;
	out->body = body.n > 0 ? buf_str(&body) : STR_LIT("");
	return str_is_null(out->body) ? fail(r->c, HTTP1_NO_MEMORY, "out of memory", 0) : 1;
}

/* The request's head: request line, Host, Content-Length when there is a body, extras. */
static const char *request_head(struct http1 *c, struct arena *a, const char *method, const char *target,
			  const char *extra_headers, struct str body, bool with_body)
{
	struct buf b;
	buf_init(&b, a);
	char len[32];
	snprintf(len, sizeof len, "%zu", body.n);
	const char *parts[] = { method, " ", target, " HTTP/1.1\r\nHost: ", c->authority, "\r\n",
				with_body ? "Content-Length: " : "", with_body ? len : "", with_body ? "\r\n" : "",
				extra_headers ? extra_headers : "", "\r\n" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		buf_append_cstr(&b, parts[i]);
	return buf_str(&b).p;
}

enum http1_status http1_exchange(struct http1 *c, struct arena *a, const char *method, const char *target,
				 const char *extra_headers, struct str body, long timeout_ms, size_t max_body,
				 struct http1_response *out)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	bool with_body = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	const char *head = request_head(c, a, method, target, extra_headers, body, with_body);
	struct reader r = { .c = c, .buf = arena_alloc(a, MAX_HEAD_BYTES), .deadline = deadline, .timeout_ms = timeout_ms };
	if (head == NULL || r.buf == NULL)
		return fail(c, HTTP1_NO_MEMORY, "out of memory", 0);
	for (int attempt = 0;; attempt++) {
		bool reused = c->fd >= 0;
		enum http1_status st = reused ? HTTP1_OK : connect_to(c, deadline);
		if (st == HTTP1_OK)
			st = send_all(c, head, strlen(head), deadline, timeout_ms);
		if (st == HTTP1_OK && with_body)
			st = send_all(c, body.p, body.n, deadline, timeout_ms);
		int got = st == HTTP1_OK ? read_head(&r, a, out) : st;
		/* A kept-alive connection the server closed while idle: once more, on a new one. */
		if (got < 0 && got != HTTP1_TIMED_OUT && reused && r.received == 0 && attempt == 0) {
			drop(c);
			r.pos = r.len = 0;
			continue;
		}
		if (got < 0)
			return (enum http1_status)got;
		bool keep;
		got = read_body(&r, a, max_body, out, &keep);
		if (got < 0)
			return (enum http1_status)got;
		if (!keep || r.pos != r.len)
			drop(c);
		return HTTP1_OK;
	}
}
