/* Exact integers of any size, as Python's int: what /math/add sums and
 * /items/{item_id} echoes. Base 10^9 limbs in the request arena. */
#ifndef APP_BIGINT_H
#define APP_BIGINT_H

#include <stdint.h>

#include "arena.h"
#include "str.h"

struct bigint {
	int sign;          /* -1, 0 or +1; zero has n == 0 */
	size_t n;          /* number of limbs */
	uint32_t *limb;    /* little-endian, each < 10^9 */
};

/* Parses optional ASCII whitespace, an optional sign, one or more decimal
 * digits, optional ASCII whitespace. Returns 0, -1 if s is not such an
 * integer, -2 when out of memory. */
int bigint_parse(struct arena *a, struct str s, struct bigint *out);

/* out = x + y. Returns 0, or -2 when out of memory. out may alias x or y. */
int bigint_add(struct arena *a, const struct bigint *x, const struct bigint *y, struct bigint *out);

/* Canonical decimal text ("0", "-12", no leading zeros); STR_NULL when out of memory. */
struct str bigint_format(struct arena *a, const struct bigint *x);

#endif
