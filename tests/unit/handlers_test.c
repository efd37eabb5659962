/* Every endpoint of docs/spec.md through the shared layer (app/service/handlers.c and
 * routes.c), byte for byte: the rows of tests/spec_cases.tsv, then what only this
 * layer's tests can set up (the environment /hello reads, the docs page's contents). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "spec_cases.h"

static struct exchange x;

static void setup(void)
{
	set_body_limit("200000"); /* the table's limit, as every target runs it */
	unsetenv("EXECUTION_ENVIRONMENT");
	service_settings_reload(); /* the service reads its settings once */
}

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(handlers, .init = setup);

/* SPEC_CASES names another table (e.g. a copy with a row added); the tests run from
 * the top of the repository (make test-unit). */
Test(handlers, every_row_of_spec_cases_tsv)
{
	const char *path = getenv("SPEC_CASES") ? getenv("SPEC_CASES") : "tests/spec_cases.tsv";
	int failed;
	int rows = spec_cases_run_file(path, &failed);
	cr_assert_gt(rows, 0, "no row of %s is for the unit tests", path);
	cr_assert_eq(failed, 0, "%d of %d rows of %s failed (see above)", failed, rows, path);
}

static void expect(int status, const char *type, const char *body)
{
	cr_assert_eq(x.resp.status, status, "status %d, want %d (body %s)", x.resp.status, status, exchange_body(&x));
	if (type != NULL)
		cr_assert_str_eq(exchange_header(&x, "Content-Type"), type);
	cr_assert_str_eq(exchange_body(&x), body);
}

Test(handlers, hello_names_execution_environment, .fini = teardown)
{
	setenv("EXECUTION_ENVIRONMENT", "ecs", 1);
	service_settings_reload();
	GET(&x, "/hello");
	unsetenv("EXECUTION_ENVIRONMENT");
	expect(200, NULL, "\"Hello from ecs\"");
}

Test(handlers, docs_page_uses_local_assets, .fini = teardown)
{
	GET(&x, "/docs");
	cr_assert_eq(x.resp.status, 200);
	cr_assert_str_eq(exchange_header(&x, "Content-Type"), "text/html; charset=utf-8");
	const char *body = exchange_body(&x);
	cr_assert_not_null(strstr(body, "docs/swagger-ui-bundle.js"));
	cr_assert_not_null(strstr(body, "url: 'openapi.json'"));
	cr_assert_null(strstr(body, "http"), "no absolute (CDN) URLs");
}

/* /items/{item_id}'s body is written without cJSON: the oracle here is what
 * cJSON printed for the same values (the handler before), for every byte in
 * q, an empty q, a huge q, no q, and integers of any size and sign. */
static const char *cjson_item(struct arena *a, const char *item_id, const char *q)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddRawToObject(doc, "item_id", item_id);
	if (q != NULL)
		cJSON_AddStringToObject(doc, "q", q);
	else
		cJSON_AddNullToObject(doc, "q");
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	const char *copy = arena_strndup(a, text, strlen(text));
	cJSON_free(text);
	return copy;
}

static void check_item(struct arena *a, const char *item_id, const char *q, size_t q_n)
{
	struct request req;
	request_init(&req, a, "unit");
	struct response resp;
	response_init(&resp, a);
	struct arg args[2] = { 0 };
	struct bigint id;
	cr_assert_eq(bigint_parse(a, str_c(item_id), &id), APP_OK);
	struct str text = { q, q_n };
	args[0] = (struct arg){ .ints = &id, .n = 1, .present = true };
	args[1] = (struct arg){ .text = &text, .n = q != NULL, .present = q != NULL };
	handle_read_item(&req, args, &resp);
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(response_header(&resp, "Content-Type").p, "application/json");
	const char *want = cjson_item(a, bigint_format(a, &id).p, q);
	cr_assert_eq(resp.body.n, strlen(want), "item %s, %zu bytes of q", item_id, q_n);
	cr_assert(memcmp(resp.body.p, want, resp.body.n) == 0, "%s != %s", resp.body.p, want);
}

Test(handlers, read_item_body_as_cjson_printed_it)
{
	struct arena a;
	arena_init(&a);
	for (int c = 1; c < 256; c++) {
		char q[4] = { 'x', (char)c, 'y', '\0' };
		check_item(&a, "42", q, 3);
		arena_reset(&a);
	}
	check_item(&a, "0", "", 0);
	check_item(&a, "-0", NULL, 0);
	check_item(&a, "-123456789012345678901234567890", "\"\\\b\f\n\r\t\x7f\xc3\xa9\xff", 11);
	char *huge = arena_alloc(&a, 100001), *digits = arena_alloc(&a, 4001);
	for (size_t i = 0; i < 100000; i++)
		huge[i] = (char)(1 + i % 255);
	huge[100000] = '\0';
	memset(digits, '9', 4000);
	digits[4000] = '\0';
	check_item(&a, digits, huge, 100000);
	arena_release(&a);
}
