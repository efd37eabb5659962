/* Exact integers of any size, as Python's int: what /math/add sums and
 * /items/{item_id} echoes. Base 10^9 limbs in the request arena. */
#ifndef APP_BIGINT_H
#define APP_BIGINT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

struct bigint {
	int sign;          /* -1, 0 or +1; zero has n == 0 */
	size_t n;          /* number of limbs in use */
	size_t cap;        /* limbs allocated (bigint_add grows a sum in place) */
	uint32_t *limb;    /* little-endian, each < 10^9 */
};

/* Parses optional ASCII whitespace, an optional sign, one or more decimal
 * digits, optional ASCII whitespace. APP_ERR_INVALID if s is not such an integer. */
enum app_err bigint_parse(struct arena *a, struct str s, struct bigint *out) MUST_CHECK;

/* v as a bigint (limbs in a; none for 0), for a constant a handler starts
 * from: no literal to parse, no error to check. Every long, LONG_MIN too. */
struct bigint bigint_from_long(struct arena *a, long v);

/* out = x + y. out may alias x or y: a running sum (bigint_add(a, &s, &x, &s))
 * grows in place, so summing k numbers takes memory proportional to their size,
 * not k times the sum's. out must not share its limbs with another value. */
void bigint_add(struct arena *a, const struct bigint *x, const struct bigint *y, struct bigint *out);

/* Canonical decimal text ("0", "-12", no leading zeros). */
struct str bigint_format(struct arena *a, const struct bigint *x);

/* The sum of xs[0..k) as canonical decimal text ("0" when k == 0): what
 * /math/add answers. When every term is below 10^9 in magnitude (one limb)
 * the sum is taken in an int64_t, else with bigint_add; the text is the same. */
struct str bigint_sum_format(struct arena *a, const struct bigint *xs, size_t k);

/* The same decimal digits appended to b. */
void bigint_append(struct buf *b, const struct bigint *x);

#endif
