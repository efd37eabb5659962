/* The service's settings, loaded once, at start, by each main(): apart from
 * settings.c, docs.c and openapi.c so that none of them calls back into
 * another (tests/check_cycles.sh): this file calls them, nothing calls it. */
#include "service/service.h"

enum app_err service_settings_load(const char **why)
{
	(void)why; /* nothing here can be malformed */
	service_env_load();
	openapi_describe(app_routes, app_route_count);
	return APP_OK;
}

void service_settings_reload(void)
{
	service_env_load();
	docs_forget();
}
