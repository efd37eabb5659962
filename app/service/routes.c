/* The route table: one line per endpoint of docs/spec.md. Dispatch, validation and
 * /openapi.json are all driven from here; app_handle() answers a request with it. */
#include "service/service.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct param_spec add_params[] = {
	{ "i", PARAM_QUERY, PARAM_INT_LIST },
};
static const struct param_spec user_params[] = {
	{ "id", PARAM_PATH, PARAM_STR },
};
static const struct param_spec item_params[] = {
	{ "item_id", PARAM_PATH, PARAM_INT },
	{ "q", PARAM_QUERY, PARAM_OPTIONAL_STR },
};
static const struct param_spec asset_params[] = {
	{ "asset", PARAM_PATH, PARAM_STR },
};

/* The reference app's api_route() methods; HEAD comes with GET. */
#define USER_METHODS (M_GET | M_POST | M_PUT | M_PATCH | M_DELETE | M_OPTIONS)

const struct route app_routes[] = {
	{ "/", M_GET, handle_health, "health", "Health", NULL, 0, DOC_JSON, true },
	{ "/math/add", M_GET, handle_math_add, "addition", "Addition", add_params, COUNT(add_params), DOC_TEXT, true },
	{ "/ping", M_GET, handle_ping, "ping", "Ping", NULL, 0, DOC_JSON, true },
	{ "/api/v1/users/", USER_METHODS, handle_all_users, "get_users", "Get Users", NULL, 0, DOC_JSON, true },
	{ "/api/v1/users/{id}", USER_METHODS, handle_one_user, "get_user", "Get User", user_params, COUNT(user_params),
	  DOC_JSON, true },
	{ "/items/{item_id}", M_GET, handle_read_item, "read_item", "Read Item", item_params, COUNT(item_params),
	  DOC_JSON, true },
	{ "/hello", M_GET, handle_hello, "hello", "Hello", NULL, 0, DOC_JSON_STRING, true },
	{ "/openapi.json", M_GET, handle_openapi, "openapi", "OpenAPI", NULL, 0, DOC_JSON, false },
	{ "/docs", M_GET, handle_docs, "swagger_ui_html", "Docs", NULL, 0, DOC_HTML, false },
	{ "/redoc", M_GET, handle_redoc, "redoc_html", "ReDoc", NULL, 0, DOC_HTML, false },
	{ "/docs/{asset}", M_GET, handle_docs_asset, "docs_asset", "Docs Asset", asset_params, COUNT(asset_params),
	  DOC_HTML, false },
};

const size_t app_route_count = COUNT(app_routes);

void app_handle(const struct request *req, struct response *resp)
{
	if (req->error_status != 0)
		response_error(resp, req->error_status, req->error_detail);
	else
		router_dispatch(app_routes, app_route_count, req, resp);
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
}
