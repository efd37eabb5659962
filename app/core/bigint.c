#include "core/bigint.h"

#include "core/str.h"

#define LIMB_BASE 1000000000u
#define LIMB_DIGITS 9

static void trim_zero_limbs(struct bigint *x)
{
	while (x->n > 0 && x->limb[x->n - 1] == 0)
		x->n--;
	if (x->n == 0)
		x->sign = 0;
}

/* 1 to 9 digits and nothing else (nearly every number a client sends): the
 * one limb bigint_parse would make, without trimming and without zeroing.
 * false for anything else, which bigint_parse then reads the long way. */
static bool parse_one_limb(struct arena *a, struct str s, struct bigint *out)
{
	if (s.n == 0 || s.n > LIMB_DIGITS)
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s.p[i] - '0');
	}
	uint32_t *limb = arena_alloc(a, sizeof *limb);
	*limb = v;
	*out = (struct bigint){ .sign = v != 0, .n = v != 0, .cap = 1, .limb = limb };
	return true;
}

enum app_err bigint_parse(struct arena *a, struct str s, struct bigint *out)
{
	if (parse_one_limb(a, s, out))
		return APP_OK;
	s = str_trim(s);
	size_t i = 0, end = s.n;
	int sign = 1;
	if (i < end && (s.p[i] == '+' || s.p[i] == '-')) {
		sign = s.p[i] == '-' ? -1 : 1;
		i++;
	}
	if (i == end)
		return APP_ERR_INVALID;
	for (size_t j = i; j < end; j++)
		if (s.p[j] < '0' || s.p[j] > '9')
			return APP_ERR_INVALID;

	size_t digits = end - i;
	size_t limbs = digits / LIMB_DIGITS + 1;
	uint32_t *limb = arena_calloc(a, limbs, sizeof(uint32_t));
	/* Fill limbs from the least significant end, nine digits at a time. */
	size_t n = 0, pos = end;
	while (pos > i) {
		size_t from = pos - i > LIMB_DIGITS ? pos - LIMB_DIGITS : i;
		uint32_t v = 0;
		for (size_t j = from; j < pos; j++)
			v = v * 10 + (uint32_t)(s.p[j] - '0');
		limb[n++] = v;
		pos = from;
	}
	*out = (struct bigint){ .sign = sign, .n = n, .cap = limbs, .limb = limb };
	trim_zero_limbs(out);
	return APP_OK;
}

struct bigint bigint_from_long(struct arena *a, long v)
{
	if (v == 0)
		return (struct bigint){ 0 };
	/* The magnitude as unsigned: -LONG_MIN does not fit in a long. */
	unsigned long m = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	size_t cap = 3; /* 2^64 - 1 has 20 digits: three limbs */
	uint32_t *limb = arena_calloc(a, cap, sizeof(uint32_t));
	size_t n = 0;
	for (; m > 0; m /= LIMB_BASE)
		limb[n++] = (uint32_t)(m % LIMB_BASE);
	return (struct bigint){ .sign = v < 0 ? -1 : 1, .n = n, .cap = cap, .limb = limb };
}

/* -1, 0, 1 as |x| is less than, equal to, greater than |y|. */
static int compare_magnitude(const struct bigint *x, const struct bigint *y)
{
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	for (size_t i = x->n; i > 0; i--)
		if (x->limb[i - 1] != y->limb[i - 1])
			return x->limb[i - 1] < y->limb[i - 1] ? -1 : 1;
	return 0;
}

/* Room for n limbs in out, keeping its value: its own array when that is big
 * enough, else a new one twice the size (so a running sum is copied O(log n) times). */
static void reserve(struct arena *a, struct bigint *out, size_t n)
{
	if (out->cap >= n)
		return;
	size_t cap = n * 2;
	uint32_t *limb = arena_calloc(a, cap, sizeof(uint32_t));
	if (out->n > 0)
		memcpy(limb, out->limb, out->n * sizeof(uint32_t));
	out->limb = limb;
	out->cap = cap;
}

void bigint_add(struct arena *a, const struct bigint *x, const struct bigint *y, struct bigint *out)
{
	if (y->sign == 0 && out == x)
		return;
	if (x->sign == 0 && out == y)
		return;
	size_t n = (x->n > y->n ? x->n : y->n) + 1;
	/* Read everything about x and y before out (which may be either) changes. */
	struct bigint xv = *x, yv = *y;
	if (out != x && out != y)
		*out = (struct bigint){ 0 };
	reserve(a, out, n);
	if (out == x)
		xv.limb = out->limb;
	if (out == y)
		yv.limb = out->limb;
	uint32_t *limb = out->limb;
	int sign = xv.sign != 0 ? xv.sign : yv.sign;

	/* Limb i of the result is written after limb i of both inputs is read, so
	 * out may share its array with x or y. */
	if (xv.sign == 0 || yv.sign == 0 || xv.sign == yv.sign) {
		uint32_t carry = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t v = carry;
			if (i < xv.n)
				v += xv.limb[i];
			if (i < yv.n)
				v += yv.limb[i];
			carry = v >= LIMB_BASE;
			limb[i] = carry ? v - LIMB_BASE : v;
		}
	} else {
		/* Subtract the smaller magnitude from the larger; the larger gives the sign. */
		int cmp = compare_magnitude(&xv, &yv);
		const struct bigint *big = cmp > 0 ? &xv : &yv, *small = cmp > 0 ? &yv : &xv;
		sign = big->sign;
		uint32_t borrow = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t v = (int64_t)(i < big->n ? big->limb[i] : 0) - borrow - (i < small->n ? small->limb[i] : 0);
			borrow = v < 0;
			limb[i] = (uint32_t)(v < 0 ? v + LIMB_BASE : v);
		}
	}
	out->sign = sign;
	out->n = n;
	trim_zero_limbs(out);
}

void bigint_append(struct buf *b, const struct bigint *x)
{
	if (x->sign == 0) {
		buf_append_byte(b, '0');
		return;
	}
	if (x->sign < 0)
		buf_append_byte(b, '-');
	char digits[LIMB_DIGITS];
	/* The most significant limb without leading zeros: its digits only. */
	uint32_t top = x->limb[x->n - 1];
	int k = LIMB_DIGITS;
	do {
		digits[--k] = (char)('0' + top % 10);
		top /= 10;
	} while (top != 0 && k > 0);
	buf_append(b, digits + k, (size_t)(LIMB_DIGITS - k));
	for (size_t i = x->n - 1; i > 0; i--) {
		uint32_t v = x->limb[i - 1];
		for (int d = LIMB_DIGITS - 1; d >= 0; d--) {
			digits[d] = (char)('0' + v % 10);
			v /= 10;
		}
		buf_append(b, digits, LIMB_DIGITS);
	}
}

struct str bigint_format(struct arena *a, const struct bigint *x)
{
	if (x->sign == 0)
		return STR_LIT("0");
	struct buf b;
	buf_init(&b, a);
	bigint_append(&b, x);
	return buf_str(&b);
}

/* |v| for every v below 10^9 in magnitude, as sums of such terms: up to
 * this many terms their sum cannot leave an int64_t. */
#define SMALL_SUM_TERMS ((size_t)(INT64_MAX / LIMB_BASE))

/* v in decimal, NUL-terminated in the arena (v > INT64_MIN: a sum of fewer than
 * SMALL_SUM_TERMS one-limb terms). */
static struct str format_small(struct arena *a, int64_t v)
{
	char digits[24];
	size_t k = sizeof digits;
	uint64_t m = v < 0 ? (uint64_t)-v : (uint64_t)v;
	do {
		digits[--k] = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	if (v < 0)
		digits[--k] = '-';
	size_t n = sizeof digits - k;
	return (struct str){ arena_strndup(a, digits + k, n), n };
}

struct str bigint_sum_format(struct arena *a, const struct bigint *xs, size_t k)
{
	int64_t small = 0;
	size_t i = 0;
	for (; i < k && i < SMALL_SUM_TERMS && xs[i].n <= 1; i++)
		if (xs[i].n == 1)
			small += xs[i].sign < 0 ? -(int64_t)xs[i].limb[0] : (int64_t)xs[i].limb[0];
	if (i == k)
		return format_small(a, small);
	struct bigint sum = bigint_from_long(a, 0); /* a term too big: all of them exactly */
	for (i = 0; i < k; i++)
		bigint_add(a, &sum, &xs[i], &sum);
	return bigint_format(a, &sum);
}
