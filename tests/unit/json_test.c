/* The direct JSON writer (core/json.h) against cJSON's own printer: the hot
 * path's bodies must stay byte for byte what cJSON printed. */
#include <criterion/criterion.h>

#include <stdlib.h>

#include "core/json.h"

static struct arena a;

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(json, .fini = teardown);

/* What cJSON prints for the C string s as a JSON string. */
static char *cjson_string(const char *s)
{
	cJSON *item = cJSON_CreateString(s);
	cr_assert_not_null(item);
	char *text = cJSON_PrintUnformatted(item);
	cJSON_Delete(item);
	cr_assert_not_null(text);
	return text;
}

static struct str ours(struct str s)
{
	struct buf b;
	buf_init(&b, &a);
	json_append_string(&b, s);
	return buf_str(&b);
}

static void assert_same(struct str s)
{
	char *c = str_dup(&a, s);
	char *want = cjson_string(c);
	struct str got = ours(s);
	cr_assert_eq(got.n, strlen(want), "length for %zu input bytes", s.n);
	cr_assert(memcmp(got.p, want, got.n) == 0, "%s != %s", got.p, want);
	cJSON_free(want);
}

Test(json, every_byte_alone_as_cjson)
{
	for (int c = 1; c < 256; c++) {
		char s[1] = { (char)c };
		assert_same((struct str){ s, 1 });
	}
}

Test(json, every_byte_between_others_as_cjson)
{
	for (int c = 1; c < 256; c++) {
		char s[5] = { 'a', 'b', (char)c, 'c', 'd' };
		assert_same((struct str){ s, 5 });
	}
}

Test(json, empty_and_null)
{
	cr_assert_str_eq(ours(STR_LIT("")).p, "\"\"");
	cr_assert_str_eq(ours(STR_NULL).p, "\"\"");
	assert_same(STR_LIT(""));
}

/* cJSON reads a C string: it ends at the first NUL, and so does the writer. */
Test(json, stops_at_nul_like_cjson)
{
	struct str s = { "ab\0\ncd", 6 };
	cr_assert_str_eq(ours(s).p, "\"ab\"");
	struct str only = { "\0x", 2 };
	cr_assert_str_eq(ours(only).p, "\"\"");
}

/* Every byte 1..255 many times over (all escapes, invalid UTF-8, DEL), past
 * JSON_PRINT_GUESS and past the buffer's first growth. */
Test(json, huge_mixed_as_cjson)
{
	size_t n = 200000;
	char *s = malloc(n);
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(1 + (i * 7919) % 255);
	assert_same((struct str){ s, n });
	/* all escapes: six bytes each */
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(1 + i % 31);
	assert_same((struct str){ s, n });
	free(s);
}

/* A slice of a longer string: only its bytes are written. */
Test(json, slice_without_terminator)
{
	struct str s = { "value\"tail", 6 };
	cr_assert_str_eq(ours(s).p, "\"value\\\"\"");
}

Test(json, object1_as_cjson)
{
	const char *values[] = { "OK", "", "quote\" back\\ nl\n tab\t \x01 \x1f \x7f caf\xc3\xa9 \xff" };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "de\"tail", values[i]);
		char *want = cJSON_PrintUnformatted(doc);
		cJSON_Delete(doc);
		struct str got = json_object1(&a, "de\"tail", str_c(values[i]));
		cr_assert_str_eq(got.p, want);
		cr_assert_eq(got.n, strlen(want));
		cJSON_free(want);
	}
}
