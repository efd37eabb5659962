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
