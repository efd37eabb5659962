/* Reading one response for lambda/http1.c: the head (1xx heads skipped) within
 * HTTP1_MAX_HEAD_BYTES, HTTP1_MAX_HEADER_LINES and HTTP1_MAX_INTERIM, then the body
 * framed by Content-Length, chunked encoding or the connection's end. */
#include "http1_read.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "core/str.h"
#include "http/request.h"

#define STRINGIFY(x) #x
#define TEXT(x) STRINGIFY(x)
#define HEAD_TOO_BIG "a response head over " TEXT(HTTP1_MAX_HEAD_BYTES) " bytes (1xx heads included)"
#define TRAILERS_TOO_BIG "response trailers over " TEXT(HTTP1_MAX_HEAD_BYTES) " bytes"
#define LINE_TOO_LONG "a response line over " TEXT(HTTP1_READ_BUFFER) " bytes"
#define TOO_MANY_LINES "more than " TEXT(HTTP1_MAX_HEADER_LINES) " header lines in a response head"
#define TOO_MANY_INTERIM "more than " TEXT(HTTP1_MAX_INTERIM) " interim (1xx) responses before the answer"

/* Reads more into the buffer (moving unread bytes to the front). 1 when bytes came,
 * 0 at the end of the stream, or a negative http1_status. */
static int fill(struct http1_reader *r)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == HTTP1_READ_BUFFER)
		return http1_fail(r->c, HTTP1_FAILED, LINE_TOO_LONG, 0);  /* get_line stops before */
	for (;;) {
		ssize_t n = recv(r->c->fd, r->buf + r->len, HTTP1_READ_BUFFER - r->len, 0);
		if (n > 0) {
			if (r->received == 0 && r->c->on_answer != NULL)
				r->c->on_answer();
			r->len += (size_t)n;
			r->received += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			enum http1_status st = http1_wait(r->c, POLLIN, r->deadline, r->timeout_ms);
			if (st != HTTP1_OK)
				return st;
		} else if (errno != EINTR) {
			return http1_fail(r->c, HTTP1_FAILED, "Recv failure", errno);
		}
	}
}

/* The next line without its CRLF (pointing into the buffer, valid until the next
 * fill), of at most max bytes with its LF (max <= HTTP1_READ_BUFFER): a longer one
 * fails with the sentence too_long, before more of it is read. */
static int get_line(struct http1_reader *r, size_t max, const char *too_long, struct str *line)
{
	for (;;) {
		const char *start = r->buf + r->pos;
		size_t avail = r->len - r->pos;
		const char *nl = memchr(start, '\n', avail < max ? avail : max);
		if (nl != NULL) {
			size_t n = (size_t)(nl - start);
			*line = (struct str){ start, n > 0 && start[n - 1] == '\r' ? n - 1 : n };
			r->pos += n + 1;
			return 1;
		}
		if (avail >= max)
			return http1_fail(r->c, HTTP1_FAILED, too_long, 0);
		int got = fill(r);
		if (got <= 0)
			return got == 0 ? http1_fail(r->c, HTTP1_FAILED, r->received == 0 ? "Empty reply from server"
										     : "connection closed in a response",
						     0)
					: got;
	}
}

/* The next line of a head or of the trailers, charged to r->head_left. */
static int head_line(struct http1_reader *r, const char *too_big, struct str *line)
{
	int got = get_line(r, r->head_left, too_big, line);
	if (got > 0)  /* the line with its CRLF ends where reading goes on (a fill may have moved it) */
		r->head_left -= (size_t)(r->buf + r->pos - line->p);
	return got;
}

/* A body line (a chunk size or the CRLF after a chunk). */
static int body_line(struct http1_reader *r, struct str *line)
{
	return get_line(r, HTTP1_READ_BUFFER, LINE_TOO_LONG, line);
}

/* Appends n body bytes to out. */
static int take(struct http1_reader *r, size_t n, struct buf *out)
{
	while (n > 0) {
		if (r->pos == r->len) {
			int got = fill(r);
			if (got <= 0)
				return got == 0 ? http1_fail(r->c, HTTP1_FAILED, "connection closed in a response body", 0) : got;
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

/* One head: the status line, then at most HTTP1_MAX_HEADER_LINES header lines. */
static int read_one_head(struct http1_reader *r, struct arena *a, struct http1_response *out)
{
	struct str line;
	int got;
	*out = (struct http1_response){ .status = 0 };
	if ((got = head_line(r, HEAD_TOO_BIG, &line)) <= 0)
		return got;
	size_t code;
	if (line.n < 12 || memcmp(line.p, "HTTP/1.", 7) != 0 || line.p[8] != ' ' ||
	    !parse_size((struct str){ line.p + 9, 3 }, 10, 999, &code) || code < 100 || code > 599 ||
	    (line.n > 12 && line.p[12] != ' '))
		return http1_fail(r->c, HTTP1_FAILED, "not an HTTP/1.x response", 0);
	out->status = (int)code;
	for (size_t fields = 0;; fields++) {
		if ((got = head_line(r, HEAD_TOO_BIG, &line)) <= 0)
			return got;
		if (line.n == 0)
			return 1;
		if (fields == HTTP1_MAX_HEADER_LINES)
			return http1_fail(r->c, HTTP1_FAILED, TOO_MANY_LINES, 0);
		const char *colon = memchr(line.p, ':', line.n);
		struct str name = { line.p, colon ? (size_t)(colon - line.p) : 0 };
		if (!is_http_token(name))
			return http1_fail(r->c, HTTP1_FAILED, "a malformed response header", 0);
		struct str value = str_trim((struct str){ colon + 1, line.n - name.n - 1 });
		/* Arena memory, bounded by the head's limits. */
		kvlist_add(a, &out->headers, (struct str){ str_dup(a, name), name.n },
			   (struct str){ str_dup(a, value), value.n });
	}
}

int http1_read_head(struct http1_reader *r, struct arena *a, struct http1_response *out)
{
	r->head_left = HTTP1_MAX_HEAD_BYTES;
	for (int interim = 0;; interim++) {
		if (interim > HTTP1_MAX_INTERIM)
			return http1_fail(r->c, HTTP1_FAILED, TOO_MANY_INTERIM, 0);
		int got = read_one_head(r, a, out);
		if (got <= 0 || out->status >= 200)
			return got;
	}
}

/* A chunked body: sizes in hex (extensions ignored), trailers skipped; a bad size or
 * a body over max_body fails. */
static int read_chunked(struct http1_reader *r, size_t max_body, struct buf *body)
{
	struct str line;
	int got;
	for (;;) {
		if ((got = body_line(r, &line)) <= 0)
			return got;
		const char *semi = memchr(line.p, ';', line.n);
		size_t n;
		if (!parse_size(str_trim((struct str){ line.p, semi ? (size_t)(semi - line.p) : line.n }), 16, SIZE_MAX / 2, &n))
			return http1_fail(r->c, HTTP1_FAILED, "bad chunk size", 0);
		if (body->n + n > max_body)
			return http1_fail(r->c, HTTP1_FAILED, "response body too large", 0);
		if (n == 0)
			break;
		if ((got = take(r, n, body)) <= 0 || (got = body_line(r, &line)) <= 0)
			return got;
		if (line.n != 0)
			return http1_fail(r->c, HTTP1_FAILED, "bad chunk end", 0);
	}
	r->head_left = HTTP1_MAX_HEAD_BYTES;
	do {  /* trailers, up to the empty line */
		if ((got = head_line(r, TRAILERS_TOO_BIG, &line)) <= 0)
			return got;
	} while (line.n != 0);
	return 1;
}

int http1_read_body(struct http1_reader *r, struct arena *a, size_t max_body, struct http1_response *out, bool *keep)
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
			return http1_fail(r->c, HTTP1_FAILED, "unsupported Transfer-Encoding", 0);
		got = read_chunked(r, max_body, &body);
	} else if (!str_is_null(cl)) {
		if (!parse_size(cl, 10, SIZE_MAX / 2, &n))
			return http1_fail(r->c, HTTP1_FAILED, "bad Content-Length", 0);
		if (n > max_body)
			return http1_fail(r->c, HTTP1_FAILED, "response body too large", 0);
		got = take(r, n, &body);
	} else {
		*keep = false;  /* the body ends with the connection */
		for (;;) {
			if (body.n + (r->len - r->pos) > max_body)
				return http1_fail(r->c, HTTP1_FAILED, "response body too large", 0);
			buf_append(&body, r->buf + r->pos, r->len - r->pos);
			r->pos = r->len;
			if ((got = fill(r)) <= 0)
				break;
		}
	}
	if (got < 0)
		return got;
	out->body = body.n > 0 ? buf_str(&body) : STR_LIT("");
	return str_is_null(out->body) ? http1_fail(r->c, HTTP1_NO_MEMORY, "out of memory", 0) : 1;
}

