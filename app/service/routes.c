/* The route table: one row per endpoint of docs/spec.md. Dispatch, validation and
 * /openapi.json are all driven from here; app_handle() answers a request with it. */
#include "service/service.h"

/* The parameters, named by what they are; each handler gets them in this order. */
static const struct param_spec summands[] = {
	{ "i", PARAM_QUERY, PARAM_INT_LIST },
};
static const struct param_spec user_id[] = {
	{ "id", PARAM_PATH, PARAM_STR },
};
static const struct param_spec item_id_and_query[] = {
	{ "item_id", PARAM_PATH, PARAM_INT },
	{ "q", PARAM_QUERY, PARAM_OPTIONAL_STR },
};
static const struct param_spec docs_asset_name[] = {
	{ "asset", PARAM_PATH, PARAM_STR },
};

/* The reference app's api_route() methods; HEAD comes with GET. */
#define USER_METHODS (M_GET | M_POST | M_PUT | M_PATCH | M_DELETE | M_OPTIONS)

/* Matching order. Left out: no parameters, a JSON 200 (DOC_JSON), listed in /openapi.json. */
const struct route app_routes[] = {
	{ .path = "/", .methods = M_GET, .handler = handle_health, .function = "health", .summary = "Health" },
	{ .path = "/math/add", .methods = M_GET, .handler = handle_math_add, .function = "addition",
	  .summary = "Addition", PARAMS(summands), .doc = DOC_TEXT },
	{ .path = "/ping", .methods = M_GET, .handler = handle_ping, .function = "ping", .summary = "Ping" },
	{ .path = "/api/v1/users/", .methods = USER_METHODS, .handler = handle_all_users, .function = "get_users",
	  .summary = "Get Users" },
	{ .path = "/api/v1/users/{id}", .methods = USER_METHODS, .handler = handle_one_user, .function = "get_user",
	  .summary = "Get User", PARAMS(user_id) },
	{ .path = "/items/{item_id}", .methods = M_GET, .handler = handle_read_item, .function = "read_item",
	  .summary = "Read Item", PARAMS(item_id_and_query) },
	{ .path = "/hello", .methods = M_GET, .handler = handle_hello, .function = "hello", .summary = "Hello",
	  .doc = DOC_JSON_STRING },
	/* The documentation itself, not in the schema (as FastAPI's). */
	{ .path = "/openapi.json", .methods = M_GET, .handler = handle_openapi, .function = "openapi",
	  .summary = "OpenAPI", .hidden = true },
	{ .path = "/docs", .methods = M_GET, .handler = handle_docs, .function = "swagger_ui_html", .summary = "Docs",
	  .doc = DOC_HTML, .hidden = true },
	{ .path = "/redoc", .methods = M_GET, .handler = handle_redoc, .function = "redoc_html", .summary = "ReDoc",
	  .doc = DOC_HTML, .hidden = true },
	{ .path = "/docs/{asset}", .methods = M_GET, .handler = handle_docs_asset, .function = "docs_asset",
	  .summary = "Docs Asset", PARAMS(docs_asset_name), .doc = DOC_HTML, .hidden = true },
};

const size_t app_route_count = sizeof(app_routes) / sizeof(app_routes[0]);

/* Test-only routes (app_set_test_routes), NULL in a release build. */
static const struct route *test_routes;
static size_t test_route_count;

void app_set_test_routes(const struct route *routes, size_t count)
{
	test_routes = routes;
	test_route_count = count;
}

/* The route table's answer; a path under TEST_ROUTE_PREFIX goes to the test
 * routes when some are registered (else it is an ordinary path: a 404). */
static void dispatch(const struct request *req, struct response *resp)
{
	if (test_route_count > 0 && str_starts_with(req->path, STR_LIT(TEST_ROUTE_PREFIX)))
		router_dispatch(test_routes, test_route_count, req, resp);
	else
		router_dispatch(app_routes, app_route_count, req, resp);
}

/* Answers req from the table; a request the parser refused gets its recorded error. */
void app_handle(const struct request *req, struct response *resp)
{
	bool preflight = req->error_status == 0 && cors_preflight(req, resp); /* http/cors.h */
	if (req->error_status != 0)
		response_error(resp, req->error_status, req->error_detail);
	else if (!preflight)
		dispatch(req, resp);
	/* A body in pieces the target cannot send as they come, or that a HEAD
	 * answer only measures: one body, before anything below looks at it. */
	if (resp->produce != NULL && (!req->streams || str_eq(req->method, STR_LIT("HEAD"))))
		stream_collect(resp); /* http/stream.h */
	/* The request's id goes back to the client (http/request_id.h), and into a
	 * 5xx body, but for a front server's own error: its bytes are those of the
	 * server's static page (app/cgi_env/front_errors.def). */
	if (req->request_id.n > 0) {
		response_add_header(resp, "X-Request-Id", req->request_id);
		if (resp->status >= 500 && !req->front_error)
			response_error_id(resp, resp->status, http_reason(resp->status), req->request_id);
	}
	if (str_eq(req->method, STR_LIT("HEAD")))
		resp->omit_body = true; /* (a 304 has set it already) */
	encoding_finish(req, resp); /* http/encoding.h: leaves it alone without Accept-Encoding */
	if (!preflight)
		cors_finish(req, resp); /* leaves it alone without CORS_ALLOW_ORIGINS or Origin */
}
