#include "bigint.h"

#include "buf.h"

#define LIMB_BASE 1000000000u
#define LIMB_DIGITS 9

static bool is_ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim_zero_limbs(struct bigint *x)
{
	while (x->n > 0 && x->limb[x->n - 1] == 0)
		x->n--;
	if (x->n == 0)
		x->sign = 0;
}

int bigint_parse(struct arena *a, struct str s, struct bigint *out)
{
	size_t i = 0, end = s.n;
	while (i < end && is_ascii_space(s.p[i]))
		i++;
	while (end > i && is_ascii_space(s.p[end - 1]))
		end--;
	int sign = 1;
	if (i < end && (s.p[i] == '+' || s.p[i] == '-')) {
		sign = s.p[i] == '-' ? -1 : 1;
		i++;
	}
	if (i == end)
		return -1;
	for (size_t j = i; j < end; j++)
		if (s.p[j] < '0' || s.p[j] > '9')
			return -1;

	size_t digits = end - i;
	size_t limbs = digits / LIMB_DIGITS + 1;
	uint32_t *limb = arena_alloc(a, limbs * sizeof(uint32_t));
	if (limb == NULL)
		return -2;
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
	*out = (struct bigint){ sign, n, limb };
	trim_zero_limbs(out);
	return 0;
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

int bigint_add(struct arena *a, const struct bigint *x, const struct bigint *y, struct bigint *out)
{
	if (y->sign == 0) {
		*out = *x;
		return 0;
	}
	if (x->sign == 0) {
		*out = *y;
		return 0;
	}
	size_t n = (x->n > y->n ? x->n : y->n) + 1;
	uint32_t *limb = arena_alloc(a, n * sizeof(uint32_t));
	if (limb == NULL)
		return -2;
	struct bigint r = { x->sign, 0, limb };

	if (x->sign == y->sign) {
		uint32_t carry = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t v = carry;
			if (i < x->n)
				v += x->limb[i];
			if (i < y->n)
				v += y->limb[i];
			carry = v >= LIMB_BASE;
			limb[i] = carry ? v - LIMB_BASE : v;
		}
	} else {
		/* Subtract the smaller magnitude from the larger; the larger gives the sign. */
		int cmp = compare_magnitude(x, y);
		if (cmp == 0) {
			*out = (struct bigint){ 0, 0, limb };
			return 0;
		}
		const struct bigint *big = cmp > 0 ? x : y, *small = cmp > 0 ? y : x;
		r.sign = big->sign;
		uint32_t borrow = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t v = (int64_t)(i < big->n ? big->limb[i] : 0) - borrow - (i < small->n ? small->limb[i] : 0);
			borrow = v < 0;
			limb[i] = (uint32_t)(v < 0 ? v + LIMB_BASE : v);
		}
	}
	r.n = n;
	trim_zero_limbs(&r);
	*out = r;
	return 0;
}

struct str bigint_format(struct arena *a, const struct bigint *x)
{
	if (x->sign == 0)
		return STR_LIT("0");
	struct buf b;
	buf_init(&b, a);
	if (x->sign < 0)
		buf_append_byte(&b, '-');
	char digits[LIMB_DIGITS];
	for (size_t i = x->n; i > 0; i--) {
		uint32_t v = x->limb[i - 1];
		for (int d = LIMB_DIGITS - 1; d >= 0; d--) {
			digits[d] = (char)('0' + v % 10);
			v /= 10;
		}
		if (i == x->n) {
			/* The most significant limb is printed without leading zeros. */
			int skip = 0;
			while (skip < LIMB_DIGITS - 1 && digits[skip] == '0')
				skip++;
			buf_append(&b, digits + skip, (size_t)(LIMB_DIGITS - skip));
		} else {
			buf_append(&b, digits, LIMB_DIGITS);
		}
	}
	return buf_str(&b);
}
