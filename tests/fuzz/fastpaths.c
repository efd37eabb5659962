/* libFuzzer harness: issue 25's fast paths against the long ways they stand in
 * for, on the same input (the answer must be byte for byte the same):
 * - bigint_parse's one-limb path (1-9 digits) against the trimming parse
 *   (the term with a trailing space, which the fast path never takes);
 * - bigint_sum_format's int64 sum against bigint_add + bigint_format;
 * - query_parse's plain copy (no '%', '+' or byte >= 0x80) against
 *   percent_decode + utf8_sanitize of every name and value;
 * - json_append_string against cJSON printing the same C string (up to a NUL).
 * The input is split on '&' into terms (numbers) and read whole as a query. */
#include <stdint.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "core/bigint.h"
#include "core/json.h"
#include "core/urlencoding.h"

/* t parsed by the fast path and by the long one agree: both refuse it, or
 * both read the same number. Returns the fast path's result (sign 2: refused). */
static struct bigint check_parse(struct arena *a, struct str t)
{
	char *spaced = arena_alloc(a, t.n + 1);
	memcpy(spaced, t.p, t.n);
	spaced[t.n] = ' ';
	struct bigint fast, slow;
	enum app_err e1 = bigint_parse(a, t, &fast), e2 = bigint_parse(a, (struct str){ spaced, t.n + 1 }, &slow);
	CHECK(e1 == e2, "'%.*s': %s, with a space %s", (int)t.n, t.p, app_err_name(e1), app_err_name(e2));
	if (e1 != APP_OK)
		return (struct bigint){ .sign = 2 };
	struct str f1 = bigint_format(a, &fast), f2 = bigint_format(a, &slow);
	CHECK(str_eq(f1, f2) && fast.sign == slow.sign && fast.n == slow.n, "'%.*s' read as %s, with a space %s",
	      (int)t.n, t.p, f1.p, f2.p);
	return fast;
}

/* Every '&'-separated term a number: their sum both ways is the same text. */
static void check_sum(struct arena *a, struct str in)
{
	size_t k = 0;
	struct bigint *xs = arena_alloc(a, (in.n + 1) * sizeof *xs);
	struct bigint sum = { 0 };
	for (struct str rest = in; !str_is_null(rest);) {
		struct bigint x = check_parse(a, str_split(&rest, '&'));
		if (x.sign == 2)
			return;
		xs[k++] = x;
		bigint_add(a, &sum, &x, &sum);
	}
	struct str fast = bigint_sum_format(a, xs, k), slow = bigint_format(a, &sum);
	CHECK(str_eq(fast, slow) && fast.p[fast.n] == '\0', "sum of %zu terms: %s, the long way %s", k, fast.p, slow.p);
}

/* query_parse against each pair split and decoded the long way. */
static void check_query(struct arena *a, struct str in)
{
	struct kvlist l = { 0 };
	enum app_err rc = query_parse(a, in, &l);
	size_t i = 0;
	enum app_err want = APP_OK;
	for (struct str rest = in; !str_is_null(rest) && want == APP_OK;) {
		struct str value = str_split(&rest, '&');
		if (value.n == 0)
			continue;
		struct str name = str_split(&value, '=');
		struct str dn, dv;
		want = percent_decode(a, name, true, &dn);
		if (want == APP_OK)
			want = percent_decode(a, str_is_null(value) ? STR_LIT("") : value, true, &dv);
		if (want != APP_OK || rc != APP_OK)
			continue;
		dn = utf8_sanitize(a, dn);
		dv = utf8_sanitize(a, dv);
		CHECK(i < l.n, "pair %zu missing", i);
		CHECK(str_eq(l.items[i].name, dn) && l.items[i].name.p[dn.n] == '\0', "name %zu differs", i);
		CHECK(str_eq(l.items[i].value, dv) && l.items[i].value.p[dv.n] == '\0', "value %zu differs", i);
		i++;
	}
	CHECK(rc == want, "query_parse %s, the long way %s", app_err_name(rc), app_err_name(want));
	CHECK(rc != APP_OK || i == l.n, "%zu pairs, the long way %zu", l.n, i);
}

/* json_append_string writes what cJSON prints for the same C string. */
static void check_json(struct arena *a, struct str in)
{
	char *c = arena_strndup(a, in.p, in.n);
	cJSON *doc = cJSON_CreateString(c);
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	CHECK(text != NULL, "cJSON could not print a string of %zu bytes", in.n);
	struct buf b;
	buf_init(&b, a);
	json_append_string(&b, in);
	struct str mine = buf_str(&b);
	CHECK(strlen(text) == mine.n && memcmp(text, mine.p, mine.n) == 0, "json %s, cJSON %s", mine.p, text);
	cJSON_free(text);
	cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct str in = { (const char *)data, size };
	check_sum(&a, in);
	check_query(&a, in);
	check_json(&a, in);
	arena_release(&a);
	return 0;
}
