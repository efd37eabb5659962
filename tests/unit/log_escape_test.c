/* The log's JSON string escaper (http/log_line.h: line_escape, line_put_quoted)
 * against a slow reference written from the rules alone: a character at a
 * time, its own UTF-8 decoder (code points: no overlong form, no surrogate,
 * nothing above U+10FFFF), the cap applied to the finished list of pieces.
 * Random and hostile inputs at and around every cap; every byte value at every
 * position of short strings (the eight-bytes-at-a-time path); a speed-up that
 * changes one byte of output fails here. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/log.h"
#include "http/log_line.h"

/* The length of the valid UTF-8 character at p[0..n) (lead byte >= 0x80), or 0. */
static size_t ref_utf8(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;
	if (p[0] >= 0xC0 && p[0] < 0xE0) {
		len = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] < 0xF0) {
		len = 3;
		cp = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] < 0xF8) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < least[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/* The escaped text of p[0..n) cut to max as log_line.h says, into out (room
 * for 6 n + 40): its length. */
static size_t ref_escape(char *out, const unsigned char *p, size_t n, size_t max)
{
	/* Every piece: where it starts in out and how many input bytes it took. */
	size_t *at = malloc((n + 1) * sizeof *at), *in = malloc((n + 1) * sizeof *in);
	size_t pieces = 0, used = 0;
	for (size_t i = 0; i < n;) {
		size_t took = 1, len;
		at[pieces] = used;
		if (p[i] == '"' || p[i] == '\\') {
			len = (size_t)sprintf(out + used, "\\%c", p[i]);
		} else if (p[i] < 0x20 || p[i] == 0x7F) {
			len = (size_t)sprintf(out + used, "\\u%04x", p[i]);
		} else if (p[i] < 0x80) {
			out[used] = (char)p[i];
			len = 1;
		} else if ((took = ref_utf8(p + i, n - i)) > 0) {
			memcpy(out + used, p + i, took);
			len = took;
		} else {
			took = 1;
			len = (size_t)sprintf(out + used, "\\ufffd");
		}
		in[pieces++] = i;
		used += len;
		i += took;
	}
	if (used > max) {
		/* The longest run of whole pieces that fits in max - 32, then the mark. */
		size_t k = 0, soft = max - LINE_CUT_MARK_MAX;
		while (k < pieces && (k + 1 < pieces ? at[k + 1] : used) <= soft)
			k++;
		size_t left = k < pieces ? n - in[k] : 0;
		used = (size_t)sprintf(out + (k < pieces ? at[k] : used), "...(+%zu bytes)", left) +
		       (k < pieces ? at[k] : used);
	}
	free(at);
	free(in);
	return used;
}

static char want[200000], got[200000];

/* line_escape and line_put_quoted give the reference's bytes for p[0..n) at max. */
static void same(const unsigned char *p, size_t n, size_t max)
{
	size_t wn = ref_escape(want, p, n, max);
	size_t gn = line_escape(got, p, n, max);
	cr_assert(wn <= max, "reference over the cap: %zu > %zu", wn, max);
	if (gn != wn || memcmp(got, want, wn) != 0) {
		size_t d = 0;
		while (d < gn && d < wn && got[d] == want[d])
			d++;
		cr_assert_fail("n %zu max %zu: %zu bytes, want %zu; first difference at %zu: got \"%.40s\" want \"%.40s\"",
			       n, max, gn, wn, d, got + d, want + d);
	}
	struct line l;
	line_init(&l);
	line_put(&l, "x", 1);
	line_put_quoted(&l, (struct str){ (const char *)p, n }, max);
	cr_assert(!l.failed);
	cr_assert_eq(l.n, wn + 3);
	cr_assert(l.p[0] == 'x' && l.p[1] == '"' && l.p[wn + 2] == '"' && memcmp(l.p + 2, want, wn) == 0);
	line_free(&l);
}

static uint64_t seed = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed >> 16);
}

/* Pieces hostile inputs are made of. */
static const char *const hostile[] = {
	"\"", "\\", "\x7f", "\x01", "\x1f", "\x00", "\n", "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	"\xed\xa0\x80",     /* a lone surrogate (U+D800) in UTF-8 form */
	"\xed\xbf\xbf",     /* U+DFFF */
	"\xc0\xaf",         /* overlong '/' */
	"\xc1\xbf",         /* overlong */
	"\xe0\x80\xaf",     /* overlong '/' in three bytes */
	"\xe0\x9f\xbf",     /* overlong */
	"\xf0\x80\x80\xaf", /* overlong '/' in four bytes */
	"\xf0\x8f\xbf\xbf", /* overlong */
	"\xf4\x90\x80\x80", /* above U+10FFFF */
	"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\x80", "\xbf", "\xfe", "\xff",
	"\xe2\x82",         /* cut short */
	"\xf0\x9f\x98",     /* cut short */
	"\xef\xbf\xbd",     /* U+FFFD itself */
	"\xf4\x8f\xbf\xbf", /* U+10FFFF */
	"\xdf\xbf", "\xee\x80\x80", "a", "abcdefgh", "/items/42?q=x", " ",
};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])

/* Up to n bytes of random pieces into p: how many. */
static size_t random_text(unsigned char *p, size_t n)
{
	size_t used = 0, style = rnd() % 4;
	while (used < n) {
		size_t k;
		if (style == 0 || (style == 1 && rnd() % 3 == 0)) { /* hostile pieces */
			size_t h = rnd() % NHOSTILE;
			k = h == 5 ? 1 : strlen(hostile[h]);
			if (used + k > n)
				break;
			memcpy(p + used, hostile[h], k);
		} else if (style == 2) { /* any byte */
			p[used] = (unsigned char)rnd();
			k = 1;
		} else { /* printable ASCII */
			p[used] = (unsigned char)(0x20 + rnd() % 95);
			k = 1;
		}
		used += k;
	}
	return used;
}

static const size_t caps[] = { LOG_CAP_SPAN, LOG_CAP_SHORT, LOG_CAP_ID, LOG_CAP_USER_AGENT, LOG_CAP_URL,
			       LOG_CAP_MESSAGE, LOG_CAP_SHORT + 2 * LOG_CAP_URL, LINE_CUT_MARK_MAX + 1, 40 };
#define NCAPS (sizeof caps / sizeof caps[0])

Test(log_escape, random_and_hostile_inputs_give_the_references_bytes)
{
	static unsigned char p[20000];
	for (int round = 0; round < 20000; round++) {
		size_t max = caps[rnd() % NCAPS];
		size_t around[] = { rnd() % 16, max / 6 + rnd() % 8, max - LINE_CUT_MARK_MAX + rnd() % 80,
				    max + rnd() % 200, rnd() % (7 * max) };
		size_t n = random_text(p, around[rnd() % 5]); /* at most 7 * 2176 < sizeof p */
		same(p, n, max);
	}
}

/* Every byte value at every position of strings of 0 to 20 plain bytes (each
 * way the plain test reads them: a byte at a time, four, eight, overlapping). */
Test(log_escape, every_byte_at_every_position_of_short_strings)
{
	unsigned char p[24];
	for (size_t n = 0; n <= 20; n++)
		for (size_t at = 0; at < (n > 0 ? n : 1); at++)
			for (int c = 0; c < 256; c++) {
				for (size_t i = 0; i < n; i++)
					p[i] = (unsigned char)('A' + i);
				if (n > 0)
					p[at] = (unsigned char)c;
				same(p, n, LOG_CAP_SHORT);
			}
}

/* Two bytes at every pair of positions of a 17-byte string: what one chunk
 * finds does not hide what the next, or the overlapping last, finds. */
Test(log_escape, two_special_bytes_anywhere)
{
	static const unsigned char specials[] = { '"', '\\', 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff, ' ', '~', '!', 0x5b };
	unsigned char p[17];
	for (size_t a = 0; a < sizeof p; a++)
		for (size_t b = a; b < sizeof p; b++)
			for (size_t x = 0; x < sizeof specials; x++)
				for (size_t y = 0; y < sizeof specials; y++) {
					memset(p, 'z', sizeof p);
					p[a] = specials[x];
					p[b] = specials[y];
					same(p, sizeof p, LOG_CAP_SHORT);
				}
}

/* A field exactly at its cap, one past it, and with its escaping crossing the
 * cap (and the cut point) by one byte, for every cap of the log. */
Test(log_escape, a_field_at_and_one_past_its_cap)
{
	static unsigned char p[8000];
	for (size_t c = 0; c < NCAPS; c++) {
		size_t max = caps[c], soft = max - LINE_CUT_MARK_MAX;
		for (size_t n = soft >= 2 ? soft - 2 : 0; n <= max + 2; n++) {
			memset(p, 'a', n);
			same(p, n, max); /* plain: whole up to max, then cut at soft */
			size_t got_n = line_escape(got, p, n, max);
			cr_assert_eq(got_n, n <= max ? n : soft + strlen("...(+ bytes)") + (size_t)snprintf(NULL, 0, "%zu", n - soft));
			for (size_t at = n >= 3 ? n - 3 : 0; at < n; at++) { /* an escape or a character near the end */
				const char *put[] = { "\"", "\x01", "\xff", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
				for (size_t k = 0; k < sizeof put / sizeof put[0]; k++) {
					memset(p, 'a', n + 4);
					size_t len = strlen(put[k]);
					memcpy(p + at, put[k], len);
					same(p, at + len > n ? at + len : n, max);
				}
			}
		}
		for (size_t n = max / 2 - 1; n <= max / 2 + 1; n++) { /* '"' escaped: two bytes each */
			memset(p, '"', n);
			same(p, n, max);
			memset(p, 0x01, n); /* six each */
			same(p, n / 3, max);
			same(p, n / 3 + 1, max);
		}
	}
}

/* A character of every length straddling the cut point, at every offset. */
Test(log_escape, characters_straddling_the_cut)
{
	static unsigned char p[600];
	const char *chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\\", "\x02", "\xed\xa0\x80", "\xc0\xaf" };
	size_t max = LOG_CAP_SHORT, soft = max - LINE_CUT_MARK_MAX;
	for (size_t k = 0; k < sizeof chars / sizeof chars[0]; k++)
		for (size_t at = soft - 8; at <= soft + 2; at++) {
			size_t len = strlen(chars[k]);
			memset(p, 'b', sizeof p);
			memcpy(p + at, chars[k], len);
			same(p, 300, max);
			same(p, at + len, max);
		}
}

/* Empty, NUL bytes, and a string ending in a cut-short character. */
Test(log_escape, edge_inputs)
{
	same((const unsigned char *)"", 0, LOG_CAP_SHORT);
	same((const unsigned char *)"\0\0\0", 3, LOG_CAP_SHORT);
	same((const unsigned char *)"caf\xc3", 4, LOG_CAP_SHORT);
	same((const unsigned char *)"12345678\xf0\x9f\x98", 11, LOG_CAP_SHORT);
	line_escape(got, (const unsigned char *)"a\"b", 3, LOG_CAP_SHORT);
	cr_assert(memcmp(got, "a\\\"b", 4) == 0);
}
