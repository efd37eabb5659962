#include "http/log_line.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

void line_init(struct line *l)
{
	l->p = l->small;
	l->n = 0;
	l->cap = sizeof l->small;
	l->failed = false;
}

void line_free(struct line *l)
{
	if (l->p != l->small)
		free(l->p);
}

char *line_grow(struct line *l, size_t n)
{
	if (l->failed)
		return NULL;
	size_t cap = l->cap * 2;
	while (cap < l->n + n)
		cap *= 2;
	char *grown = l->p == l->small ? malloc(cap) : realloc(l->p, cap);
	if (grown == NULL) {
		l->failed = true;
		return NULL;
	}
	if (l->p == l->small)
		memcpy(grown, l->small, l->n);
	l->p = grown;
	l->cap = cap;
	return l->p + l->n;
}

/* The decimal digits of u, written backwards ending at end: where they start. */
static char *digits_before(char *end, unsigned long long u)
{
	do
		*--end = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

/* Decimal digits of u: 1 to 20. */
static size_t digit_count(unsigned long long u)
{
	size_t n = 1;
	for (unsigned long long ten = 10; n < 20 && u >= ten; ten *= 10)
		n++;
	return n;
}

void line_put_number(struct line *l, long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";
	unsigned long long u = v > 0 ? (unsigned long long)v : 0;
	size_t n = digit_count(u);
	char *o = line_room(l, n);
	if (o == NULL)
		return;
	char *end = o + n;
	for (; u >= 100; u /= 100) {
		end -= 2;
		memcpy(end, pairs + u % 100 * 2, 2);
	}
	if (u >= 10)
		memcpy(end - 2, pairs + u * 2, 2);
	else
		end[-1] = (char)('0' + u);
	l->n += n;
}

/* What a byte becomes in a JSON string: PLAIN goes in as it is (printable ASCII
 * other than '"' and '\\'); QUOTE ('"', '\\') after a backslash; CTRL (below
 * 0x20, and DEL) as \u00XX; HIGH starts a UTF-8 character, or is invalid. */
enum { PLAIN, QUOTE, CTRL, HIGH };
#define C4 CTRL, CTRL, CTRL, CTRL
#define P4 PLAIN, PLAIN, PLAIN, PLAIN
#define H16 HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH
static const unsigned char byte_class[256] = {
	C4, C4, C4, C4, C4, C4, C4, C4,                             /* 0x00-0x1f */
	PLAIN, PLAIN, QUOTE, PLAIN, P4, P4, P4,                     /* 0x20-0x2f: '"' */
	P4, P4, P4, P4, P4, P4, P4, P4, P4, P4, P4,                 /* 0x30-0x5b */
	QUOTE, PLAIN, PLAIN, PLAIN,                                 /* 0x5c-0x5f: '\\' */
	P4, P4, P4, P4, P4, P4, P4, PLAIN, PLAIN, PLAIN, CTRL,      /* 0x60-0x7f: DEL */
	H16, H16, H16, H16, H16, H16, H16, H16,                     /* 0x80-0xff */
};
#undef C4
#undef P4
#undef H16

/* The index in memory of the first byte whose high bit stop has (stop != 0),
 * stop having been read with memcpy: the lowest byte of it on a little-endian
 * machine, the highest on a big-endian one (s390x: tests/bigendian/). */
static inline size_t first_flagged(uint64_t stop)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(stop) / 8;
#else
	return (size_t)__builtin_ctzll(stop) / 8;
#endif
}

/* Copies the PLAIN bytes at p[0..n) to out (room for room bytes), up to the
 * first other byte or room: how many. Eight at a time while both allow. */
static size_t copy_plain(char *out, const unsigned char *p, size_t n, size_t room)
{
	size_t i = 0, most = n < room ? n : room;
	while (most - i >= 8) {
		uint64_t x, stop;
		memcpy(&x, p + i, 8);
		memcpy(out + i, &x, 8);
		stop = line_not_plain(x);
		if (stop != 0)
			return i + first_flagged(stop);
		i += 8;
	}
	while (i < most && byte_class[p[i]] == PLAIN) {
		out[i] = (char)p[i];
		i++;
	}
	return i;
}

/* Escapes the character at p[0] (of n > 0 bytes; not PLAIN) into out when its
 * escaped form fits in room: its length (0: it does not fit), and in *took
 * the input bytes it stands for. Each byte of invalid UTF-8 is one \ufffd. */
static size_t escape_one(char *out, const unsigned char *p, size_t n, size_t room, size_t *took)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = p[0];
	*took = 1;
	if (byte_class[c] == QUOTE) {
		if (room < 2)
			return 0;
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (byte_class[c] == CTRL) {
		if (room < 6)
			return 0;
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		return 6;
	}
	size_t bad, len = utf8_sequence(p, n, &bad);
	if (len == 0) {
		if (room < 6)
			return 0;
		memcpy(out, "\\ufffd", 6);
		return 6;
	}
	if (room < len)
		return 0;
	memcpy(out, p, len);
	*took = len;
	return len;
}

/* Escapes p[0..n) into out while it fits in room bytes: PLAIN bytes one by
 * one, an escape or a UTF-8 character whole. The bytes written; *took gets the
 * input bytes they stand for (n: all of it). */
static size_t escape_upto(char *out, const unsigned char *p, size_t n, size_t room, size_t *took)
{
	size_t used = 0, i = 0;
	for (;;) {
		size_t run = copy_plain(out + used, p + i, n - i, room - used);
		used += run;
		i += run;
		if (i == n || used == room)
			break; /* all of it, or no room left (maybe inside a run) */
		size_t step, len = escape_one(out + used, p + i, n - i, room - used, &step);
		if (len == 0)
			break;
		used += len;
		i += step;
	}
	*took = i;
	return used;
}

/* "...(+N bytes)" into out (room for LINE_CUT_MARK_MAX): its length. */
static size_t cut_mark(char *out, size_t left)
{
	char digits[20];
	char *d = digits_before(digits + sizeof digits, left);
	size_t nd = (size_t)(digits + sizeof digits - d);
	memcpy(out, "...(+", 5);
	memcpy(out + 5, d, nd);
	memcpy(out + 5 + nd, " bytes)", 7);
	return 5 + nd + 7;
}

size_t line_escape(char *out, const unsigned char *p, size_t n, size_t max)
{
	size_t soft = max - LINE_CUT_MARK_MAX, took, rest;
	size_t used = escape_upto(out, p, n, soft, &took);
	if (took == n)
		return used;
	/* Past soft: the whole when it fits in max, else cut at soft and marked. */
	size_t more = escape_upto(out + used, p + took, n - took, max - used, &rest);
	if (took + rest == n)
		return used + more;
	return used + cut_mark(out + used, n - took);
}
