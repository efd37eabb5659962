/* core/utf8.c: the one UTF-8 decoder (the log's escaping and percent-decoding use it). */
#include <criterion/criterion.h>

#include "core/utf8.h"

static size_t seq(const char *s, size_t n, size_t *bad)
{
	*bad = 0;
	return utf8_sequence((const unsigned char *)s, n, bad);
}

Test(utf8, accepts_each_length_at_its_bounds)
{
	static const struct { const char *s; size_t n; } ok[] = {
		{ "A", 1 }, { "\x7f", 1 }, { "\xc2\x80", 2 }, { "\xdf\xbf", 2 },
		{ "\xe0\xa0\x80", 3 }, { "\xed\x9f\xbf", 3 }, { "\xee\x80\x80", 3 }, { "\xef\xbf\xbf", 3 },
		{ "\xf0\x90\x80\x80", 4 }, { "\xf4\x8f\xbf\xbf", 4 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		size_t bad;
		cr_assert_eq(seq(ok[i].s, ok[i].n, &bad), ok[i].n, "case %zu", i);
	}
}

Test(utf8, refuses_overlong_surrogate_too_large_and_cut_short)
{
	static const struct { const char *s; size_t n, bad; } no[] = {
		{ "\xc0\x80", 2, 1 },          /* overlong NUL */
		{ "\xc1\xbf", 2, 1 },          /* overlong */
		{ "\xe0\x9f\xbf", 3, 1 },      /* overlong 3-byte */
		{ "\xed\xa0\x80", 3, 1 },      /* surrogate U+D800 */
		{ "\xf0\x8f\xbf\xbf", 4, 1 },  /* overlong 4-byte */
		{ "\xf4\x90\x80\x80", 4, 1 },  /* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 1 },  /* no such lead byte */
		{ "\x80", 1, 1 },              /* a lone continuation byte */
		{ "\xe2\x82", 2, 2 },          /* cut short: the maximal subpart is both bytes */
		{ "\xf0\x9f\x98", 3, 3 },
		{ "\xe2\x28\xa1", 3, 1 },      /* a bad second byte */
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		size_t bad;
		cr_assert_eq(seq(no[i].s, no[i].n, &bad), 0, "case %zu", i);
		cr_assert_eq(bad, no[i].bad, "case %zu: maximal subpart %zu", i, bad);
	}
}

Test(utf8, sanitize_replaces_each_maximal_invalid_subpart)
{
	struct arena a;
	arena_init(&a);
	struct str valid = str_c("caf\xc3\xa9");
	cr_assert_eq(utf8_sanitize(&a, valid).p, valid.p, "valid text is returned as it is");
	struct str out = utf8_sanitize(&a, str_c("a\xe2\x82" "b\xff"));
	cr_assert(str_eq(out, str_c("a\xef\xbf\xbd" "b\xef\xbf\xbd")));
	arena_release(&a);
}
