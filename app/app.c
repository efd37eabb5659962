#include "app.h"

#include "router.h"

void app_handle(const struct request *req, struct response *resp)
{
	if (req->error_status != 0)
		response_error(resp, req->error_status, req->error_detail);
	else
		router_dispatch(app_routes, app_route_count, req, resp);
	resp->omit_body = str_eq(req->method, STR_LIT("HEAD"));
}
