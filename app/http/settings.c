#include "http/settings.h"

#include "http/cors.h"
#include "http/encoding.h"
#include "http/forwarded.h"
#include "http/limits.h"
#include "http/log.h"
#include "http/observe.h"
#include "http/trust.h"

enum app_err http_settings_load(const char **why)
{
	if (forwarded_load(why) != APP_OK || trust_load(why) != APP_OK || log_load(why) != APP_OK ||
	    limits_load(why) != APP_OK || encoding_load(why) != APP_OK || cors_load(why) != APP_OK ||
	    observe_load(why) != APP_OK)
		return APP_ERR_INVALID;
	return APP_OK;
}
