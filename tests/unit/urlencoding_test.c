/* Percent-decoding, query parsing, UTF-8 repair and re-encoding. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "core/urlencoding.h"

static struct arena a;

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(urlencoding, .fini = teardown);

static struct str decode(const char *in, bool plus, enum app_err want)
{
	struct str out = STR_NULL;
	enum app_err err = percent_decode(&a, str_c(in), plus, &out);
	cr_assert_eq(err, want, "percent_decode(\"%s\") = %s, want %s", in, app_err_name(err), app_err_name(want));
	return out;
}

Test(urlencoding, decodes_escapes_in_either_case)
{
	cr_assert(str_eq(decode("a%2Fb%2fc%41", false, APP_OK), STR_LIT("a/b/cA")));
}

Test(urlencoding, plus_is_space_only_in_queries)
{
	cr_assert(str_eq(decode("a+b", true, APP_OK), STR_LIT("a b")));
	cr_assert(str_eq(decode("a+b", false, APP_OK), STR_LIT("a+b")));
}

Test(urlencoding, percent_without_two_hex_digits_is_malformed)
{
	decode("%", false, APP_ERR_INVALID);
	decode("%4", false, APP_ERR_INVALID);
	decode("%G0", false, APP_ERR_INVALID);
	decode("abc%0", false, APP_ERR_INVALID);
	decode("%%41", false, APP_ERR_INVALID);
}

Test(urlencoding, decoded_nul_is_kept_with_its_length)
{
	struct str s = decode("a%00b", false, APP_OK);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.p[1], '\0');
}

Test(urlencoding, valid_utf8_is_unchanged)
{
	struct str in = STR_LIT("caf\xC3\xA9 \xF0\x9F\x98\x80");
	struct str out = utf8_sanitize(&a, in);
	cr_assert_eq(out.p, in.p, "no copy when already valid");
}

Test(urlencoding, invalid_utf8_is_replaced_like_python)
{
	/* b"\xff\xe2\x82A\xed\xa0\x80".decode("utf-8", "replace") */
	struct str out = utf8_sanitize(&a, STR_LIT("\xFF\xE2\x82" "A\xED\xA0\x80"));
	cr_assert(str_eq(out, STR_LIT("\xEF\xBF\xBD\xEF\xBF\xBD" "A\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")));
}

Test(urlencoding, overlong_and_out_of_range_sequences_are_replaced)
{
	cr_assert(str_eq(utf8_sanitize(&a, STR_LIT("\xC0\xAF")), STR_LIT("\xEF\xBF\xBD\xEF\xBF\xBD")));
	cr_assert(str_eq(utf8_sanitize(&a, STR_LIT("\xF4\x90\x80\x80")),
			 STR_LIT("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")));
}

static struct kvlist parse(const char *qs, enum app_err want)
{
	struct kvlist l = { 0 };
	enum app_err err = query_parse(&a, str_c(qs), &l);
	cr_assert_eq(err, want, "query_parse(\"%s\") = %s", qs, app_err_name(err));
	return l;
}

Test(urlencoding, query_repeated_keys_keep_order)
{
	struct kvlist l = parse("i=1&j=2&i=3", APP_OK);
	cr_assert_eq(l.n, 3);
	cr_assert(str_eq(l.items[0].value, STR_LIT("1")));
	cr_assert(str_eq(l.items[1].name, STR_LIT("j")));
	cr_assert(str_eq(l.items[2].value, STR_LIT("3")));
}

Test(urlencoding, query_blank_values_kept_and_empty_pairs_skipped)
{
	struct kvlist l = parse("&a&&b=&", APP_OK);
	cr_assert_eq(l.n, 2);
	cr_assert(str_eq(l.items[0].name, STR_LIT("a")));
	cr_assert(str_eq(l.items[0].value, STR_LIT("")));
	cr_assert(str_eq(l.items[1].name, STR_LIT("b")));
}

Test(urlencoding, query_value_may_contain_equals)
{
	struct kvlist l = parse("q=a=b", APP_OK);
	cr_assert(str_eq(l.items[0].value, STR_LIT("a=b")));
}

Test(urlencoding, query_semicolon_is_not_a_separator)
{
	struct kvlist l = parse("q=a;b", APP_OK);
	cr_assert_eq(l.n, 1);
	cr_assert(str_eq(l.items[0].value, STR_LIT("a;b")));
}

Test(urlencoding, query_names_and_values_are_decoded)
{
	struct kvlist l = parse("%71+x=%26%3D+", APP_OK);
	cr_assert(str_eq(l.items[0].name, STR_LIT("q x")));
	cr_assert(str_eq(l.items[0].value, STR_LIT("&= ")));
}

Test(urlencoding, query_malformed_escape_fails)
{
	parse("a=1&b=%zz", APP_ERR_INVALID);
	parse("%=1", APP_ERR_INVALID);
}

Test(urlencoding, path_encoding_round_trips)
{
	struct str raw = percent_encode_path(&a, STR_LIT("/a b/\xC3\xA9?#%/x:y@z"));
	cr_assert(str_eq(raw, STR_LIT("/a%20b/%C3%A9%3F%23%25/x:y@z")));
	struct str back;
	cr_assert_eq(percent_decode(&a, raw, false, &back), APP_OK);
	cr_assert(str_eq(back, STR_LIT("/a b/\xC3\xA9?#%/x:y@z")));
}

Test(urlencoding, query_encoding_is_quote_plus)
{
	cr_assert(str_eq(percent_encode_query(&a, STR_LIT("a b&c=d/~")), STR_LIT("a+b%26c%3Dd%2F~")));
}

/* The old percent_encode (strchr over the kept list, a buffer grown per byte)
 * as the oracle of the two-pass one: every byte 0..255, alone and inside. */
static struct str old_encode(struct arena *ar, struct str s, const char *keep, bool space_as_plus)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b, ar);
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		bool unres = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			     c == '.' || c == '_' || c == '~';
		if (unres || (c != '\0' && strchr(keep, c) != NULL)) {
			buf_append_byte(&b, (char)c);
		} else if (c == ' ' && space_as_plus) {
			buf_append_byte(&b, '+');
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(&b, esc, 3);
		}
	}
	return buf_str(&b);
}

static void same_encoding(struct arena *ar, struct str s)
{
	struct str want[3] = { old_encode(ar, s, "/!$&'()*+,;=:@", false),
			       old_encode(ar, s, ":/%#?=@[]!$&'()*+,;", false), old_encode(ar, s, "", true) };
	struct str got[3] = { percent_encode_path(ar, s), percent_encode_url_query(ar, s), percent_encode_query(ar, s) };
	for (int k = 0; k < 3; k++) {
		cr_assert_eq(got[k].n, want[k].n, "encoder %d, %zu input bytes", k, s.n);
		cr_assert(memcmp(got[k].p, want[k].p, got[k].n) == 0, "encoder %d: %s != %s", k, got[k].p, want[k].p);
		cr_assert_eq(got[k].p[got[k].n], '\0');
	}
}

Test(urlencoding, encoders_as_before_for_every_byte_empty_and_huge)
{
	struct arena ar;
	arena_init(&ar);
	for (int c = 0; c < 256; c++) {
		char s[3] = { 'a', (char)c, '/' };
		same_encoding(&ar, (struct str){ s + 1, 1 });
		same_encoding(&ar, (struct str){ s, 3 });
	}
	same_encoding(&ar, STR_LIT(""));
	size_t n = 70000; /* past the 65 536-byte target limit; every third byte escaped */
	char *big = arena_alloc(&ar, n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i % 3 == 0 ? 0xff - i % 40 : 'a' + i % 26);
	same_encoding(&ar, (struct str){ big, n });
	/* The plain copy: nothing escaped, 70 000 bytes; then one space at the
	 * end (a '+' for the query encoder, %20 for the others). */
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	same_encoding(&ar, (struct str){ big, n });
	big[n - 1] = ' ';
	same_encoding(&ar, (struct str){ big, n });
	same_encoding(&ar, STR_LIT(" "));
	arena_release(&ar);
}

/* utf8_sanitize's ASCII shortcut: ASCII comes back as it is (the same bytes, no
 * copy), a bad byte after ASCII is still replaced. */
Test(urlencoding, utf8_sanitize_ascii_then_bad_bytes)
{
	struct arena ar;
	arena_init(&ar);
	struct str ascii = STR_LIT("/items/42?\x01\x7f");
	cr_assert_eq(utf8_sanitize(&ar, ascii).p, ascii.p);
	struct str bad = utf8_sanitize(&ar, STR_LIT("abc\xff" "d\xc3\xa9" "\xc3"));
	cr_assert_str_eq(bad.p, "abc\xEF\xBF\xBD" "d\xc3\xa9" "\xEF\xBF\xBD");
	arena_release(&ar);
}

/* The old query_parse (str_split on '&' and '=', every component decoded and
 * sanitized) as the oracle of the one-pass one with its plain fast path. */
static enum app_err old_query_parse(struct str qs, struct kvlist *out)
{
	for (struct str rest = qs; !str_is_null(rest);) {
		struct str pair = str_split(&rest, '&');
		if (pair.n == 0)
			continue;
		struct str raw_value = pair;
		struct str raw_name = str_split(&raw_value, '=');
		if (str_is_null(raw_value))
			raw_value = STR_LIT("");
		struct str parts[2] = { raw_name, raw_value };
		for (int k = 0; k < 2; k++) {
			struct str bytes;
			if (percent_decode(&a, parts[k], true, &bytes) != APP_OK)
				return APP_ERR_INVALID;
			parts[k] = utf8_sanitize(&a, bytes);
		}
		kvlist_add(&a, out, parts[0], parts[1]);
	}
	return APP_OK;
}

static void same_as_old_query_parse(struct str qs)
{
	struct kvlist got = { 0 }, want = { 0 };
	enum app_err err = query_parse(&a, qs, &got);
	cr_assert_eq(err, old_query_parse(qs, &want), "error for a %zu-byte query", qs.n);
	if (err != APP_OK)
		return;
	cr_assert_eq(got.n, want.n, "pairs of a %zu-byte query", qs.n);
	for (size_t i = 0; i < got.n; i++) {
		cr_assert(str_eq(got.items[i].name, want.items[i].name), "name %zu of a %zu-byte query", i, qs.n);
		cr_assert(str_eq(got.items[i].value, want.items[i].value), "value %zu of a %zu-byte query", i, qs.n);
		cr_assert_eq(got.items[i].name.p[got.items[i].name.n], '\0', "a name is NUL-terminated");
		cr_assert_eq(got.items[i].value.p[got.items[i].value.n], '\0', "a value is NUL-terminated");
	}
}

/* Every byte 0..255 in a name, in a value, after a second '=', with and
 * without an escape or a '+' beside it; empty pairs, a lone '=', a bad escape
 * on the plain side, and a long query of many pairs. */
Test(urlencoding, query_parse_fast_path_is_the_old_parse)
{
	static const char *shapes[] = { "%c", "%c=", "=%c", "a%c=b", "a=b%c", "a=b=%c", "%c%%41=x", "x=%c+",
					"+%c=%%zz", "%c&&=&", "a=%c%%", "%c=%%C3%%A9", "%%41%c=1&i=%c" };
	for (int c = 0; c < 256; c++)
		for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
			char q[32];
			int n = snprintf(q, sizeof q, shapes[s], c, c);
			/* n counts a NUL written by %c too: the query holds it */
			same_as_old_query_parse((struct str){ q, (size_t)n });
		}
	const char *fixed[] = { "", "&", "=", "==", "&&&", "a", "a&", "&a", "i=5&i=10", "q=x", "é=é", "\xFF=\xC0" };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		same_as_old_query_parse(str_c(fixed[i]));
	same_as_old_query_parse(STR_NULL);
	struct buf b;
	buf_init(&b, &a);
	for (int i = 0; i < 5000; i++)
		buf_append(&b, i % 7 == 0 ? "n%20=v+w&" : "i=123456789&", i % 7 == 0 ? 9 : 12);
	same_as_old_query_parse(buf_str(&b));
}
