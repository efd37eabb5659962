/* A log line under construction (http/log.c): bytes appended to a small
 * buffer of its own (heap past that), strings escaped into JSON strings and cut
 * to a cap, so that a whole line stays under PIPE_BUF and goes out in one
 * atomic write(2). A failed allocation marks the line failed; nothing crashes. */
#ifndef APP_HTTP_LOG_LINE_H
#define APP_HTTP_LOG_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct line {
	char *p;
	size_t n, cap;
	bool failed;
	char small[768];
};

/* Most bytes "...(+N bytes)" takes, N up to 20 digits. */
#define LINE_CUT_MARK_MAX 32

void line_init(struct line *l);
void line_free(struct line *l);
void line_put(struct line *l, const char *p, size_t n);
void line_putc(struct line *l, char c);
void line_puts(struct line *l, const char *s);

/* A decimal number (the log's numbers are never negative; a negative one is 0). */
void line_put_number(struct line *l, long long v);

/* s as a quoted JSON string of at most max bytes between the quotes (max >
 * LINE_CUT_MARK_MAX): '"', '\\' and control bytes escaped, invalid UTF-8 as
 * one \ufffd per byte. When the escaped whole does not fit, it is cut at a
 * character boundary and ends with "...(+N bytes)", N the bytes of s left out. */
void line_put_quoted(struct line *l, struct str s, size_t max);

#endif
