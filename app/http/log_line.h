/* A log line under construction (http/log.c): bytes written straight into a
 * buffer of its own on the stack (LINE_SMALL bytes: every line the logger
 * builds fits, its fields being capped; heap past that), strings escaped into
 * JSON strings and cut to a cap, so that a whole line stays under PIPE_BUF and
 * goes out in one atomic write(2). A failed allocation marks the line failed;
 * nothing crashes. */
#ifndef APP_HTTP_LOG_LINE_H
#define APP_HTTP_LOG_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/str.h"

/* Bytes a line holds without the heap: PIPE_BUF on Linux, over LOG_LINE_MAX. */
#define LINE_SMALL 4096

struct line {
	char *p;
	size_t n, cap;
	bool failed;
	char small[LINE_SMALL];
};

/* Most bytes "...(+N bytes)" takes, N up to 20 digits. */
#define LINE_CUT_MARK_MAX 32

void line_init(struct line *l);
void line_free(struct line *l);

/* Room for n more bytes past l->n, on the heap when the buffer is full:
 * where they go, or NULL (out of memory: the line is marked failed). */
char *line_grow(struct line *l, size_t n);

static inline char *line_room(struct line *l, size_t n)
{
	return l->cap - l->n >= n ? l->p + l->n : line_grow(l, n);
}

static inline void line_put(struct line *l, const char *p, size_t n)
{
	char *o = line_room(l, n);
	if (o != NULL) {
		memcpy(o, p, n);
		l->n += n;
	}
}

static inline void line_putc(struct line *l, char c)
{
	line_put(l, &c, 1);
}

static inline void line_puts(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/* A decimal number (the log's numbers are never negative; a negative one is 0). */
void line_put_number(struct line *l, long long v);

/* The same between the quotes, into out (room for max bytes; max >
 * LINE_CUT_MARK_MAX): the bytes written. Any p[0..n). */
size_t line_escape(char *out, const unsigned char *p, size_t n, size_t max);

#define LINE_ONES 0x0101010101010101ULL
#define LINE_HIGHS 0x8080808080808080ULL

/* The high bit of each byte of x that does not go into a JSON string as it is
 * (below 0x20, '"', '\\', DEL, non-ASCII), exactly: no sum carries into the
 * next byte. */
static inline uint64_t line_not_plain(uint64_t x)
{
	uint64_t low = x & ~LINE_HIGHS;                              /* the low 7 bits of each byte */
	uint64_t ge20 = low + 0x60 * LINE_ONES;                      /* high bit: low >= 0x20 */
	uint64_t is7f = low + LINE_ONES;                             /* high bit: low == 0x7f */
	uint64_t ne22 = (low ^ 0x22 * LINE_ONES) + 0x7f * LINE_ONES; /* high bit: low != '"' */
	uint64_t ne5c = (low ^ 0x5c * LINE_ONES) + 0x7f * LINE_ONES; /* high bit: low != '\\' */
	return (x | is7f | ~(ge20 & ne22 & ne5c)) & LINE_HIGHS;
}

/* Copies p[0..n) to out (room for n bytes) and says whether every byte of it
 * goes into a JSON string as it is; when not, out holds junk. Eight bytes at a
 * time, the last eight (or four) overlapping the ones before. */
static inline bool line_copy_if_plain(char *out, const unsigned char *p, size_t n)
{
	uint64_t x, stop = 0;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, p + i, 8);
			memcpy(out + i, &x, 8);
			stop |= line_not_plain(x);
		}
		memcpy(&x, p + n - 8, 8);
		memcpy(out + n - 8, &x, 8);
		return (stop | line_not_plain(x)) == 0;
	}
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		memcpy(out, &a, 4);
		memcpy(out + n - 4, &b, 4);
		return line_not_plain(a | (uint64_t)b << 32) == 0;
	}
	x = 0x2020202020202020ULL; /* spaces around what is read: plain */
	for (size_t i = 0; i < n; i++) {
		out[i] = (char)p[i];
		x = x << 8 | p[i];
	}
	return line_not_plain(x) == 0;
}

/* s as a quoted JSON string of at most max bytes between the quotes (max >
 * LINE_CUT_MARK_MAX): '"', '\\' and control bytes escaped, invalid UTF-8 as
 * one \ufffd per byte. When the escaped whole does not fit, it is cut at a
 * character boundary and ends with "...(+N bytes)", N the bytes of s left out. */
static inline void line_put_quoted(struct line *l, struct str s, size_t max)
{
	char *o = line_room(l, max + 2);
	if (o == NULL)
		return;
	const unsigned char *p = (const unsigned char *)s.p;
	size_t used = s.n;
	o[0] = '"';
	if (s.n > max - LINE_CUT_MARK_MAX || !line_copy_if_plain(o + 1, p, s.n))
		used = line_escape(o + 1, p, s.n, max);
	o[used + 1] = '"';
	l->n += used + 2;
}

#endif
