/* Strings with an explicit length, and buffers that build them in an arena.
 * Network input may contain any byte, NUL included: nothing here relies on a
 * terminator, except str_c() which wraps a C string. */
#ifndef APP_CORE_STR_H
#define APP_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/arena.h"

struct str {
	const char *p;
	size_t n;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })

/* Wraps a NUL-terminated C string (NULL gives the null string). */
static inline struct str str_c(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

static inline bool str_is_null(struct str s)
{
	return s.p == NULL;
}

/* Exact byte comparison (inline: the lengths differ in most calls). */
static inline bool str_eq(struct str a, struct str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* ASCII case-insensitive comparison, for header and method names. */
bool str_eq_nocase(struct str a, struct str b);

/* True if s starts with prefix (bytes compared exactly). */
bool str_starts_with(struct str s, struct str prefix);

/* True if s contains byte c. */
bool str_has_byte(struct str s, char c);

/* True if s contains an ASCII control byte (below 0x20, or DEL): what no URL
 * and no echoed header may carry. */
bool str_has_control(struct str s);

/* The value of a hex digit (either case), -1 for any other byte. */
int hex_digit_value(char c);

/* ASCII whitespace as C's isspace() in the C locale: space, \t \n \v \f \r. */
bool is_ascii_space(char c);

/* s without leading and trailing ASCII whitespace (a slice of s). */
struct str str_trim(struct str s);

/* The bytes of *rest up to the first sep (a slice; all of *rest when there is
 * none). *rest moves past the separator; after the last token it is STR_NULL.
 * Splitting "" gives one empty token; "a," gives "a" then "". */
struct str str_split(struct str *rest, char sep);

/* A NUL-terminated arena copy of s (the copy may hold NULs; STR_NULL gives ""). */
char *str_dup(struct arena *a, struct str s);

/* A growable byte buffer in an arena. Appending never fails: running out of
 * memory ends the request (core/arena.h). */
struct buf {
	struct arena *arena;
	char *p;
	size_t n, cap;
};

void buf_init(struct buf *b, struct arena *a);
/* v in decimal (no printf). */
void buf_append_size(struct buf *b, size_t v);
/* buf_reserve's growing part (an absurd size is out of memory, core/arena.h). */
void buf_grow(struct buf *b, size_t extra);

/* Makes room for extra more bytes at once (fewer copies while growing), and
 * for the terminating NUL of buf_str(). Inline: the room is there nearly always. */
static inline void buf_reserve(struct buf *b, size_t extra)
{
	if (extra >= b->cap - b->n)
		buf_grow(b, extra);
}

static inline void buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static inline void buf_append_str(struct buf *b, struct str s)
{
	buf_append(b, s.p, s.n);
}

static inline void buf_append_cstr(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static inline void buf_append_byte(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->n++] = c;
}

/* The contents so far, NUL-terminated (the buffer may go on growing). */
struct str buf_str(struct buf *b);

#endif
