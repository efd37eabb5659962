/* Base64 as Lambda events carry bodies (RFC 4648 section 4). */
#include <criterion/criterion.h>

#include "core/base64.h"

static struct arena a;

static void setup(void)
{
	arena_init(&a);
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(base64, .init = setup, .fini = teardown);

static const char *const vectors[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

Test(base64, encodes_the_rfc4648_vectors)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		struct str out = base64_encode(&a, str_c(vectors[i][0]));
		cr_assert(str_eq(out, str_c(vectors[i][1])), "encode(%s)", vectors[i][0]);
	}
}

Test(base64, decodes_the_rfc4648_vectors)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		struct str out;
		cr_assert_eq(base64_decode(&a, str_c(vectors[i][1]), &out), APP_OK);
		cr_assert(str_eq(out, str_c(vectors[i][0])), "decode(%s)", vectors[i][1]);
	}
}

Test(base64, every_byte_value_round_trips)
{
	char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	for (size_t n = 0; n <= sizeof bytes; n += 37) {
		struct str in = { bytes, n }, back;
		cr_assert_eq(base64_decode(&a, base64_encode(&a, in), &back), APP_OK);
		cr_assert(str_eq(in, back), "length %zu", n);
	}
}

Test(base64, padding_is_optional_and_line_breaks_are_skipped)
{
	struct str out;
	cr_assert_eq(base64_decode(&a, STR_LIT("Zm9vYg"), &out), APP_OK);
	cr_assert(str_eq(out, STR_LIT("foob")));
	cr_assert_eq(base64_decode(&a, STR_LIT("Zm9v\r\nYmFy\n"), &out), APP_OK);
	cr_assert(str_eq(out, STR_LIT("foobar")));
}

Test(base64, malformed_input_is_refused)
{
	const char *bad[] = { "Zm9v!", "Z", "Zm9vY", "Zg=", "Zg===", "Z===", "=Zg", "Zg==Zg==", "Zm9v-_" };
	struct str out;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(base64_decode(&a, str_c(bad[i]), &out), APP_ERR_INVALID, "%s", bad[i]);
}
