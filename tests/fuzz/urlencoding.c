/* libFuzzer harness: percent-decoding, UTF-8 repair and query parsing (app/urlencoding).
 * The input is one query string / path component as it arrives on the wire.
 * Checked: decode(encode(x)) == x for both encoders, the decoder fails exactly
 * on malformed escapes, decoded text is valid UTF-8, query_parse keeps every
 * non-empty pair in order, and memory stays linear in the input. */
#include <stdint.h>

#include "check.h"
#include "core/urlencoding.h"

static int hex_digit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True when every '%' starts a %XX escape: what percent_decode must accept. */
static bool escapes_well_formed(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%')
			continue;
		if (n - i < 3 || !hex_digit((unsigned char)p[i + 1]) || !hex_digit((unsigned char)p[i + 2]))
			return false;
		i += 2;
	}
	return true;
}

static size_t count_escapes(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '%')
			k++, i += 2;
	return k;
}

static void check_decode(struct arena *a, struct str in)
{
	bool well_formed = escapes_well_formed(in.p, in.n);
	for (int plus = 0; plus <= 1; plus++) {
		struct str out;
		int rc = percent_decode(a, in, plus, &out);
		CHECK(rc == APP_OK || rc == APP_ERR_INVALID, "rc %d", rc);
		CHECK((rc == 0) == well_formed, "rc %d but escapes well formed: %d", rc, well_formed);
		if (rc != 0)
			continue;
		CHECK(out.n == in.n - 2 * count_escapes(in.p, in.n), "decoded length %zu from %zu", out.n, in.n);
		CHECK(out.p[out.n] == '\0', "decoded string not NUL-terminated");
		if (!plus && memchr(in.p, '%', in.n) == NULL)
			CHECK(out.n == in.n && memcmp(out.p, in.p, in.n) == 0, "text without escapes changed");
	}
}

static void check_round_trips(struct arena *a, struct str in)
{
	struct str q = percent_encode_query(a, in);
	CHECK(q.p != NULL, "percent_encode_query failed");
	for (size_t i = 0; i < q.n; i++)
		CHECK(q.p[i] != '&' && q.p[i] != '=' && q.p[i] != ' ' && (unsigned char)q.p[i] > 0x20 &&
			      (unsigned char)q.p[i] < 0x7F,
		      "byte 0x%02x left unescaped in a query component", (unsigned char)q.p[i]);
	struct str back;
	CHECK(percent_decode(a, q, true, &back) == 0, "encoded query component does not decode");
	CHECK(back.n == in.n && memcmp(back.p, in.p, in.n) == 0, "query component changed by a round trip");

	struct str path = percent_encode_path(a, in);
	CHECK(path.p != NULL, "percent_encode_path failed");
	for (size_t i = 0; i < path.n; i++)
		CHECK((unsigned char)path.p[i] > 0x20 && (unsigned char)path.p[i] < 0x7F && path.p[i] != '?' &&
			      path.p[i] != '#',
		      "byte 0x%02x left unescaped in a path", (unsigned char)path.p[i]);
	CHECK(escapes_well_formed(path.p, path.n), "a literal '%%' left in an encoded path");
	CHECK(percent_decode(a, path, false, &back) == 0, "encoded path does not decode");
	CHECK(back.n == in.n && memcmp(back.p, in.p, in.n) == 0, "path changed by a round trip");
}

static void check_sanitize(struct arena *a, struct str in)
{
	struct str s = utf8_sanitize(a, in);
	CHECK(s.p != NULL, "utf8_sanitize failed");
	CHECK(fuzz_utf8_valid(s.p, s.n), "utf8_sanitize returned invalid UTF-8");
	if (fuzz_utf8_valid(in.p, in.n))
		CHECK(s.p == in.p && s.n == in.n, "valid UTF-8 was rewritten");
	else
		CHECK(s.n <= 3 * in.n && fuzz_find(s.p, s.n, "\xEF\xBF\xBD", 3) != NULL,
		      "invalid UTF-8 repaired without U+FFFD (or grew past 3x)");
	struct str again = utf8_sanitize(a, s);
	CHECK(again.p == s.p, "utf8_sanitize is not idempotent");
}

static void check_query(struct arena *a, struct str in)
{
	struct kvlist l = { 0 };
	int rc = query_parse(a, in, &l);
	CHECK(rc == APP_OK || rc == APP_ERR_INVALID, "rc %d", rc);
	CHECK((rc == 0) == escapes_well_formed(in.p, in.n), "query_parse rc %d disagrees with the escapes", rc);
	if (rc != 0)
		return;
	size_t pairs = 0;
	for (size_t start = 0; start <= in.n;) {
		const char *amp = start < in.n ? memchr(in.p + start, '&', in.n - start) : NULL;
		size_t end = amp ? (size_t)(amp - in.p) : in.n;
		if (end > start)
			pairs++;
		start = end + 1;
	}
	CHECK(l.n == pairs, "%zu pairs parsed, %zu non-empty segments", l.n, pairs);
	for (size_t i = 0; i < l.n; i++) {
		CHECK(fuzz_utf8_valid(l.items[i].name.p, l.items[i].name.n), "query name %zu not UTF-8", i);
		CHECK(fuzz_utf8_valid(l.items[i].value.p, l.items[i].value.n), "query value %zu not UTF-8", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct str in = { (const char *)data, size };
	check_decode(&a, in);
	check_round_trips(&a, in);
	check_sanitize(&a, in);
	check_query(&a, in);
	/* Every step above is linear; buffers grow by doubling, so a generous constant factor. */
	CHECK(a.total <= 64 * size + 256 * 1024, "arena grew to %zu bytes for %zu bytes of input", a.total, size);
	arena_release(&a);
	return 0;
}
