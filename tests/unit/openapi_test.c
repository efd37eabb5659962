/* /openapi.json is generated from the route table. */
#include <criterion/criterion.h>

#include "harness.h"
#include "http/router.h"

static struct exchange x;
static cJSON *doc;

static void setup(void)
{
	GET(&x, "/openapi.json");
	cr_assert_eq(x.resp.status, 200);
	doc = cJSON_Parse(exchange_body(&x));
	cr_assert_not_null(doc, "valid JSON");
}

static void teardown(void)
{
	cJSON_Delete(doc);
	exchange_free(&x);
}

TestSuite(openapi, .init = setup, .fini = teardown);

Test(openapi, is_openapi_3_1_with_the_service_title)
{
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "openapi")->valuestring, "3.1.0");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "info"), "title")->valuestring, "math-service");
}

Test(openapi, lists_every_route_in_schema_with_its_methods)
{
	cJSON *paths = cJSON_GetObjectItem(doc, "paths");
	for (size_t i = 0; i < app_route_count; i++) {
		const struct route *r = &app_routes[i];
		cJSON *item = cJSON_GetObjectItem(paths, r->path);
		if (r->hidden) {
			cr_assert_null(item, "%s is not documented", r->path);
			continue;
		}
		cr_assert_not_null(item, "%s is documented", r->path);
		for (size_t m = 0; m < method_name_count; m++) {
			if (m == 1)
				continue; /* HEAD is implied, as FastAPI does */
			char lower[16];
			size_t k = 0;
			for (const char *c = method_names[m]; *c; c++)
				lower[k++] = (char)(*c - 'A' + 'a');
			lower[k] = '\0';
			bool want = r->methods & (1u << m);
			cr_assert_eq(cJSON_GetObjectItem(item, lower) != NULL, want, "%s %s", lower, r->path);
		}
	}
}

Test(openapi, item_parameters_are_typed)
{
	cJSON *get = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "paths"), "/items/{item_id}"), "get");
	cJSON *params = cJSON_GetObjectItem(get, "parameters");
	cr_assert_eq(cJSON_GetArraySize(params), 2);
	cJSON *id = cJSON_GetArrayItem(params, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(id, "name")->valuestring, "item_id");
	cr_assert_str_eq(cJSON_GetObjectItem(id, "in")->valuestring, "path");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(id, "required")));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(id, "schema"), "type")->valuestring, "integer");
	cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(get, "responses"), "422"));
}

Test(openapi, no_servers_at_the_root)
{
	cr_assert_null(cJSON_GetObjectItem(doc, "servers"));
}

/* FastAPI's root_path: the prefix the service is mounted under is the one server. */
Test(openapi, prefix_is_the_server)
{
	struct exchange y;
	exchange_run(&y, (char *const[]){ "SCRIPT_NAME=/cgi-bin/app.cgi", "PATH_INFO=/openapi.json", NULL }, NULL, 0);
	cJSON *d = cJSON_Parse(exchange_body(&y));
	cr_assert_not_null(d);
	const cJSON *servers = cJSON_GetObjectItem(d, "servers");
	cr_assert_eq(cJSON_GetArraySize(servers), 1);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(servers, 0), "url")->valuestring, "/cgi-bin/app.cgi");
	/* In FastAPI's order: after info, before paths. */
	cr_assert_str_eq(cJSON_GetObjectItem(d, "info")->next->string, "servers");
	cJSON_Delete(d);
	exchange_free(&y);
}
