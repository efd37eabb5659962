/* Application Load Balancer target group events, with multi-value headers on or off.
 *
 * ALB passes the path and the query as the client sent them: nothing is decoded
 * (AWS documents this), so the raw query is rebuilt from the names and values as
 * they are and decoded here, and a bad escape is a 400. With multi-value headers on
 * the event has "multiValueHeaders" and "multiValueQueryStringParameters" (every
 * value) and the response must use multiValueHeaders; off, one value per name.
 * ALB has no source IP field: the client is the last X-Forwarded-For entry, which
 * ALB appends. The response carries a "statusDescription" such as "200 OK". */
#include "lambda_events/adapter.h"

/* The last comma-separated entry, trimmed of whitespace. */
static struct str last_forwarded(struct str xff)
{
	size_t start = xff.n;
	while (start > 0 && xff.p[start - 1] != ',')
		start--;
	return str_trim((struct str){ xff.p + start, xff.n - start });
}

enum app_err lambda_alb_request(const cJSON *event, struct request *req, struct lambda_reply_style *style,
				const char **why)
{
	struct str path;
	bool multi;
	if (lambda_field_v1_members(req, event, false, &path, &multi, why) != APP_OK)
		return APP_ERR_INVALID;
	keep_reading(request_set_raw_path(req, path));
	struct str xff = request_header(req, "x-forwarded-for");
	lambda_field_origin(req, str_is_null(xff) ? STR_NULL : last_forwarded(xff), STR_NULL);
	*style = (struct lambda_reply_style){ .multi_value_headers = multi, .status_description = true };
	return APP_OK;
}
