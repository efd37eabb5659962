/* Header lookup (request_header in app/http/request.c): stored names are
 * lower-case whatever way they came in, so a lower-case name is compared
 * exactly; a name with capitals still finds its header ignoring case; names
 * of the same length that differ, or differ only in a byte >= 0x80, do not. */
#include <criterion/criterion.h>

#include "harness.h"
#include "http/request.h"

static struct arena a;
static struct request r;

static void setup(void)
{
	arena_init(&a);
	request_init(&r, &a, "test");
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(request_header, .init = setup, .fini = teardown);

static void add(const char *name, const char *value)
{
	cr_assert_eq(request_add_header(&r, str_c(name), str_c(value)), APP_OK, "%s", name);
}

static void expect(const char *name, const char *value)
{
	struct str v = request_header(&r, name);
	if (value == NULL) {
		cr_assert(str_is_null(v), "%s found", name);
		return;
	}
	cr_assert(!str_is_null(v), "%s not found", name);
	cr_assert(str_eq(v, str_c(value)), "%s: %.*s, want %s", name, (int)v.n, v.p, value);
}

Test(request_header, every_stored_name_is_lower_case)
{
	add("User-Agent", "ua");
	add("X-MIXED-case", "m");
	add("origin", "o");
	cr_assert_eq(request_add_lower_header(&r, STR_LIT("x-request-id"), STR_LIT("id")), APP_OK);
	for (size_t i = 0; i < r.headers.n; i++)
		for (size_t k = 0; k < r.headers.items[i].name.n; k++) {
			char c = r.headers.items[i].name.p[k];
			cr_assert(!(c >= 'A' && c <= 'Z'), "header %zu has a capital", i);
		}
}

Test(request_header, lower_case_names_find_what_came_in_any_case)
{
	add("User-Agent", "ua");
	add("X-MIXED-case", "m");
	add("cookie", "c=1");
	expect("user-agent", "ua");
	expect("x-mixed-case", "m");
	expect("cookie", "c=1");
}

Test(request_header, names_with_capitals_are_compared_ignoring_case)
{
	add("user-agent", "ua");
	add("Origin", "o");
	expect("User-Agent", "ua");
	expect("USER-AGENT", "ua");
	expect("ORIGIN", "o");
	expect("OrIgIn", "o");
}

Test(request_header, same_length_other_names_are_not_found)
{
	add("origin", "o");
	add("x-caf\xc3\xa9", "accent");
	expect("cookie", NULL);  /* six bytes, as "origin" */
	expect("Cookie", NULL);
	expect("origiN", "o");
	expect("origim", NULL);
	expect("x-caf\xc3\xa9", "accent");
	expect("X-CAF\xc3\xa9", "accent");
	expect("x-caf\xc3\x89", NULL); /* only ASCII letters have a case */
	expect("x-cafe", NULL);
	expect("originx", NULL);
	expect("origi", NULL);
	expect("", NULL);
}
