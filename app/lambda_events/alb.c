/* Application Load Balancer target group events, with multi-value headers on or off.
 *
 * ALB passes the path and the query as the client sent them: nothing is decoded
 * (AWS documents this), so the raw query is rebuilt from the names and values as
 * they are and decoded here, and a bad escape is a 400. With multi-value headers on
 * the event has "multiValueHeaders" and "multiValueQueryStringParameters" (every
 * value) and the response must use multiValueHeaders; off, one value per name.
 * ALB has no source IP field: the client is the last X-Forwarded-For entry, which
 * ALB appends, when it is an IP address (else unknown: logged as null, never
 * whatever an event says there). The response carries a "statusDescription"
 * such as "200 OK". */
#include "lambda_events/adapter.h"

#include <arpa/inet.h>
#include <sys/socket.h>

/* The last comma-separated entry, trimmed of whitespace. */
static struct str last_forwarded(struct str xff)
{
	size_t start = xff.n;
	while (start > 0 && xff.p[start - 1] != ',')
		start--;
	return str_trim((struct str){ xff.p + start, xff.n - start });
}

/* Whether s is an IPv4 or IPv6 address literal; false for anything else. */
static bool is_ip_address(struct str s)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	if (s.n == 0 || s.n >= sizeof text)
		return false;
	memcpy(text, s.p, s.n);
	text[s.n] = '\0';
	return inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1;
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
	struct str client = str_is_null(xff) ? STR_NULL : last_forwarded(xff);
	lambda_field_origin(req, is_ip_address(client) ? client : STR_NULL, STR_NULL);
	*style = (struct lambda_reply_style){ .multi_value_headers = multi, .status_description = true };
	return APP_OK;
}
