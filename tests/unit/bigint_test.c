/* Exact integers with Python's int() grammar for ASCII input. */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/bigint.h"

static struct arena a;

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(bigint, .fini = teardown);

static const char *canon(const char *s)
{
	struct bigint v;
	if (bigint_parse(&a, str_c(s), &v) != APP_OK)
		return NULL;
	struct str t = bigint_format(&a, &v);
	return t.p;
}

Test(bigint, canonical_forms)
{
	cr_assert_str_eq(canon("0"), "0");
	cr_assert_str_eq(canon("-0"), "0");
	cr_assert_str_eq(canon("+000123"), "123");
	cr_assert_str_eq(canon(" \t\n42\r\f\v "), "42");
	cr_assert_str_eq(canon("-1000000000"), "-1000000000");
	cr_assert_str_eq(canon("123456789012345678901234567890123456789"), "123456789012345678901234567890123456789");
}

Test(bigint, rejects_what_python_int_rejects)
{
	const char *bad[] = { "", " ", "+", "-", "1.0", "1e3", "0x10", "1 2", "--1", "+-1", "12a", "١٢" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_null(canon(bad[i]), "\"%s\" should be rejected", bad[i]);
}

static const char *from_long(long v)
{
	struct bigint x = bigint_from_long(&a, v);
	return bigint_format(&a, &x).p;
}

Test(bigint, from_long_is_the_number_printf_prints)
{
	const long values[] = { 0, 1, -1, 999999999, 1000000000, -1000000000, 1000000000000000000, LONG_MAX, LONG_MIN };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char expected[32];
		snprintf(expected, sizeof expected, "%ld", values[i]);
		cr_assert_str_eq(from_long(values[i]), expected);
	}
}

Test(bigint, from_long_is_what_parsing_its_text_gives)
{
	/* Same sign, limbs and zero form as bigint_parse, so sums agree. */
	const long values[] = { 0, 7, -42, 123456789012345678, LONG_MIN };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char text[32];
		snprintf(text, sizeof text, "%ld", values[i]);
		struct bigint parsed, made = bigint_from_long(&a, values[i]);
		cr_assert_eq(bigint_parse(&a, str_c(text), &parsed), APP_OK);
		cr_assert_eq(made.sign, parsed.sign, "%s", text);
		cr_assert_eq(made.n, parsed.n, "%s", text);
		cr_assert(made.n == 0 || memcmp(made.limb, parsed.limb, made.n * sizeof(uint32_t)) == 0, "%s", text);
	}
}

Test(bigint, a_sum_may_start_from_a_long)
{
	struct bigint acc = bigint_from_long(&a, LONG_MAX), one = bigint_from_long(&a, 1);
	bigint_add(&a, &acc, &one, &acc);
	bigint_add(&a, &acc, &one, &acc);
	cr_assert_str_eq(bigint_format(&a, &acc).p, "9223372036854775809");
	struct bigint low = bigint_from_long(&a, LONG_MIN), minus_one = bigint_from_long(&a, -1);
	bigint_add(&a, &low, &minus_one, &low);
	cr_assert_str_eq(bigint_format(&a, &low).p, "-9223372036854775809");
}

static const char *sum(const char *x, const char *y)
{
	struct bigint bx, by, out;
	cr_assert_eq(bigint_parse(&a, str_c(x), &bx), APP_OK);
	cr_assert_eq(bigint_parse(&a, str_c(y), &by), APP_OK);
	bigint_add(&a, &bx, &by, &out);
	return bigint_format(&a, &out).p;
}

Test(bigint, addition_carries_and_borrows)
{
	cr_assert_str_eq(sum("999999999", "1"), "1000000000");
	cr_assert_str_eq(sum("99999999999999999999", "1"), "100000000000000000000");
	cr_assert_str_eq(sum("1000000000000000000", "-1"), "999999999999999999");
	cr_assert_str_eq(sum("-5", "3"), "-2");
	cr_assert_str_eq(sum("5", "-5"), "0");
	cr_assert_str_eq(sum("-999999999999", "-1"), "-1000000000000");
	cr_assert_str_eq(sum("1", "-1000000000000000000000"), "-999999999999999999999");
}

Test(bigint, addition_may_alias_its_output)
{
	struct bigint acc = bigint_from_long(&a, 0), one = bigint_from_long(&a, 999999999);
	for (int i = 0; i < 3; i++)
		bigint_add(&a, &acc, &one, &acc);
	cr_assert_str_eq(bigint_format(&a, &acc).p, "2999999997");
	cr_assert_str_eq(bigint_format(&a, &one).p, "999999999", "an input summed into acc is left alone");
}

Test(bigint, a_running_sum_of_mixed_signs_is_exact)
{
	struct bigint acc = { 0 }, x;
	const char *terms[] = { "-5", "5", "123456789012345678901234567890", "-1", "-123456789012345678901234567889", "7" };
	for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
		cr_assert_eq(bigint_parse(&a, str_c(terms[i]), &x), APP_OK);
		bigint_add(&a, &acc, &x, &acc);
	}
	cr_assert_str_eq(bigint_format(&a, &acc).p, "7");
}

Test(bigint, a_running_sum_grows_in_place)
{
	/* One 32 768-digit term, then 8 190 ones: the sum must not take a new copy of
	 * itself per term (that was 135 MB for a 64 KiB query). */
	char *big = malloc(32769);
	memset(big, '9', 32768);
	big[32768] = '\0';
	struct bigint acc = bigint_from_long(&a, 0), x, one = bigint_from_long(&a, 1);
	cr_assert_eq(bigint_parse(&a, str_c(big), &x), APP_OK);
	bigint_add(&a, &acc, &x, &acc);
	size_t before = a.total;
	for (int i = 0; i < 8190; i++)
		bigint_add(&a, &acc, &one, &acc);
	cr_assert_leq(a.total - before, 64 * 1024, "the sum took %zu more bytes", a.total - before);
	struct str text = bigint_format(&a, &acc);
	cr_assert_eq(text.n, 32769);
	cr_assert_eq(memcmp(text.p, "10000", 5), 0);
	cr_assert_eq(memcmp(text.p + text.n - 4, "8189", 4), 0);
	free(big);
}

Test(bigint, thousands_of_digits)
{
	char digits[5001];
	memset(digits, '9', 5000);
	digits[5000] = '\0';
	const char *s = sum(digits, "1");
	cr_assert_eq(strlen(s), 5001);
	cr_assert_eq(s[0], '1');
	cr_assert_eq(strspn(s + 1, "0"), 5000);
}

/* The top limb written without leading zeros, the others with all nine digits:
 * every power of ten and every run of nines up to 40 digits, both signs, and
 * zeros inside a limb ("1000000001", "1000000000000000000"). */
Test(bigint, digits_at_every_limb_boundary)
{
	char s[64], neg[66];
	for (int k = 1; k <= 40; k++) {
		memset(s, '9', (size_t)k);
		s[k] = '\0';
		cr_assert_str_eq(canon(s), s);
		snprintf(neg, sizeof neg, "-%s", s);
		cr_assert_str_eq(canon(neg), neg);
		s[0] = '1';
		memset(s + 1, '0', (size_t)k);
		s[k + 1] = '\0';
		cr_assert_str_eq(canon(s), s);
		s[k] = '1';
		cr_assert_str_eq(canon(s), s);
	}
	cr_assert_str_eq(canon("000000001000000000"), "1000000000");
	cr_assert_str_eq(canon("-0000"), "0");
}

/* bigint_sum_format of the terms' texts, and the same sum the exact way. */
static void check_sum_format(const char *const *terms, size_t k, const char *expected)
{
	struct bigint *xs = arena_calloc(&a, k ? k : 1, sizeof *xs), acc = { 0 };
	for (size_t i = 0; i < k; i++) {
		cr_assert_eq(bigint_parse(&a, str_c(terms[i]), &xs[i]), APP_OK, "%s", terms[i]);
		bigint_add(&a, &acc, &xs[i], &acc);
	}
	struct str got = bigint_sum_format(&a, xs, k);
	cr_assert_str_eq(got.p, expected);
	cr_assert_eq(got.n, strlen(expected));
	cr_assert_str_eq(got.p, bigint_format(&a, &acc).p);
}

Test(bigint, sum_format_at_and_one_past_the_one_limb_limit)
{
	check_sum_format(NULL, 0, "0");
	check_sum_format((const char *[]){ "-0" }, 1, "0");
	check_sum_format((const char *[]){ "5", "10" }, 2, "15");
	check_sum_format((const char *[]){ "5", "-10" }, 2, "-5");
	check_sum_format((const char *[]){ "999999999", "999999999" }, 2, "1999999998");
	check_sum_format((const char *[]){ "-999999999", "-999999999" }, 2, "-1999999998");
	check_sum_format((const char *[]){ "999999999", "1" }, 2, "1000000000");
	check_sum_format((const char *[]){ "1000000000", "-1" }, 2, "999999999");
	check_sum_format((const char *[]){ "-1000000000" }, 1, "-1000000000");
	check_sum_format((const char *[]){ "3", "-3", "0" }, 3, "0");
	/* A term too big for the int64 path after small ones, and before them. */
	check_sum_format((const char *[]){ "1", "2", "99999999999999999999999" }, 3, "100000000000000000000002");
	check_sum_format((const char *[]){ "-99999999999999999999999", "-1" }, 2, "-100000000000000000000000");
	check_sum_format((const char *[]){ "9223372036854775807", "1" }, 2, "9223372036854775808");
}

Test(bigint, sum_format_of_many_terms_at_the_limit)
{
	enum { K = 20000 };
	static const char *terms[K];
	for (size_t i = 0; i < K; i++)
		terms[i] = "999999999";
	check_sum_format(terms, K, "19999999980000");
	for (size_t i = 0; i < K; i++)
		terms[i] = i % 3 == 0 ? "999999999" : "-999999999";
	check_sum_format(terms, K, "-6665999993334");
}

/* bigint_parse's one-limb fast path (1 to 9 bare digits) against its long way,
 * which a leading space forces: the same answer, sign and limbs, at 9 digits,
 * one past (10), zeros, signs, whitespace, junk, empty and a huge number. */
Test(bigint, one_limb_fast_path_is_the_long_way)
{
	const char *texts[] = { "0", "7", "000000000", "999999999", "099999999", "1000000000", "0000000001",
				"9999999999", "", "-5", "+5", "5 ", "\t5", "12a", "a12", "1-", "١", "+", "-",
				"123456789012345678901234567890123456789012345678901234567890" };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char spaced[128];
		snprintf(spaced, sizeof spaced, " %s", texts[i]);
		struct bigint fast, slow;
		enum app_err ef = bigint_parse(&a, str_c(texts[i]), &fast);
		enum app_err es = bigint_parse(&a, str_c(spaced), &slow);
		cr_assert_eq(ef, es, "\"%s\"", texts[i]);
		if (ef != APP_OK)
			continue;
		cr_assert_eq(fast.sign, slow.sign, "\"%s\"", texts[i]);
		cr_assert_eq(fast.n, slow.n, "\"%s\"", texts[i]);
		cr_assert(fast.n == 0 || memcmp(fast.limb, slow.limb, fast.n * sizeof(uint32_t)) == 0, "\"%s\"", texts[i]);
		cr_assert_str_eq(bigint_format(&a, &fast).p, bigint_format(&a, &slow).p);
	}
	/* "\0" inside: a NUL is no digit on either way */
	struct bigint x;
	cr_assert_eq(bigint_parse(&a, (struct str){ "1\0002", 3 }, &x), APP_ERR_INVALID);
}
