/* Which adapter an event needs, and one invocation from event to response document. */
#include "lambda_event.h"

#include <cjson/cJSON.h>

#include "app.h"
#include "lambda_adapter.h"

struct lambda_invocation {
	cJSON *doc;  /* the request points into it; deleted by finish */
	struct request req;
	struct response resp;
	struct lambda_reply_style style;
};

/* Picks the adapter by the event's shape, or NULL for an event that is not HTTP. */
static lambda_adapter_fn *sniff(const cJSON *event)
{
	const cJSON *context = lambda_field(event, "requestContext");
	if (cJSON_IsObject(context) && lambda_field(context, "elb") != NULL)
		return lambda_alb_request;
	struct str version;
	if (lambda_field_string(event, "version", &version) == 1 && str_eq(version, STR_LIT("2.0")))
		return lambda_apigw_v2_request;
	if (lambda_field(event, "httpMethod") != NULL && context != NULL)
		return lambda_apigw_v1_request;
	return NULL;
}

/* A scheduled keep-warm ping: EventBridge's {"source":"aws.events","detail-type":
 * "Scheduled Event"}, or serverless-plugin-warmup's {"source":"serverless-plugin-warmup"}. */
static bool is_warmup(const cJSON *event)
{
	struct str source, kind;
	if (lambda_field_string(event, "source", &source) != 1)
		return false;
	if (str_eq(source, STR_LIT("serverless-plugin-warmup")))
		return true;
	return str_eq(source, STR_LIT("aws.events")) && lambda_field_string(event, "detail-type", &kind) == 1 &&
	       str_eq(kind, STR_LIT("Scheduled Event"));
}

static void fail(struct lambda_result *out, const char *type, const char *message)
{
	out->response = STR_NULL;
	out->error_type = type;
	out->error_message = message;
}

/* A body that held a NUL byte, which cJSON cut short: set again from its exact bytes. */
static void set_exact_body(struct request *req, const cJSON *doc, struct str written)
{
	struct str exact;
	int rc = lambda_json_unescape(req->arena, written, &exact);
	if (rc == -2)
		request_fail(req, 500, "Out of memory");
	else if (rc != 0)
		request_fail(req, 400, "Invalid request body: bad JSON escape");
	else
		(void)lambda_field_body_bytes(req, doc, exact);
}

struct lambda_invocation *lambda_invocation_start(struct arena *a, struct str event, const char *target,
						  struct lambda_result *out)
{
	*out = (struct lambda_result){ 0 };
	cJSON *doc = cJSON_ParseWithLength(event.p, event.n);
	if (doc == NULL) {
		fail(out, "Runtime.MalformedEvent", "The event is not a JSON document");
		return NULL;
	}
	lambda_adapter_fn *adapter = cJSON_IsObject(doc) ? sniff(doc) : NULL;
	if (adapter == NULL) {
		if (cJSON_IsObject(doc) && is_warmup(doc))
			out->response = STR_LIT("{\"warmup\":true}");
		else
			fail(out, "Runtime.UnsupportedEvent",
			     "Not an HTTP event: expected API Gateway (REST or HTTP API), Function URL or ALB");
		cJSON_Delete(doc);
		return NULL;
	}
	struct lambda_invocation *inv = arena_calloc(a, 1, sizeof *inv);
	if (inv == NULL) {
		fail(out, "Runtime.OutOfMemory", "Out of memory while reading the event");
		cJSON_Delete(doc);
		return NULL;
	}
	inv->doc = doc;
	request_init(&inv->req, a, target);
	struct lambda_json_nul nul;
	lambda_json_find_nul(event, &nul);
	/* cJSON would hand every such string over cut at the NUL: refuse, as CGI does. */
	if (nul.elsewhere)
		request_fail(&inv->req, 400, "Invalid request: contains a NUL byte");
	const char *bad = adapter(doc, &inv->req, &inv->style);
	if (bad != NULL) {
		fail(out, "Runtime.MalformedEvent", bad);
		cJSON_Delete(doc);
		return NULL;
	}
	if (!str_is_null(nul.body))
		set_exact_body(&inv->req, doc, nul.body);
	lambda_base_path_apply(&inv->req);
	response_init(&inv->resp, a);
	return inv;
}

void lambda_invocation_finish(struct lambda_invocation *inv, struct lambda_result *out)
{
	*out = (struct lambda_result){ 0 };
	app_handle(&inv->req, &inv->resp);
	out->response = lambda_reply_json(inv->req.arena, &inv->resp, inv->style);
	if (str_is_null(out->response))
		fail(out, "Runtime.OutOfMemory", "Out of memory while building the response");
	/* The request pointed into the document; the response lives in the arena. */
	cJSON_Delete(inv->doc);
	inv->doc = NULL;
}

struct str lambda_invocation_timeout_reply(struct arena *b, const struct lambda_invocation *inv)
{
	struct response resp;
	response_init(&resp, b);
	response_error(&resp, 504, "Request timed out");
	resp.omit_body = str_eq(inv->req.method, STR_LIT("HEAD"));
	return lambda_reply_json(b, &resp, inv->style);
}

void lambda_invocation_set_runtime(struct lambda_invocation *inv, struct str request_id, struct str trace_id,
				   struct str function_arn, struct str deadline_ms)
{
	struct request_context *c = &inv->req.context;
	c->request_id = request_id;
	c->trace_id = trace_id;
	c->function_arn = function_arn;
	long long ms = 0;
	for (size_t i = 0; i < deadline_ms.n; i++) {
		if (deadline_ms.p[i] < '0' || deadline_ms.p[i] > '9' || ms > 999999999999999LL) {
			ms = 0;
			break;
		}
		ms = ms * 10 + (deadline_ms.p[i] - '0');
	}
	c->deadline_ms = ms;
}

const struct request_context *lambda_invocation_context(const struct lambda_invocation *inv)
{
	return &inv->req.context;
}

struct str lambda_invocation_path(const struct lambda_invocation *inv)
{
	return inv->req.path;
}

void lambda_handle_event(struct arena *a, struct str event, const char *target, struct lambda_result *out)
{
	struct lambda_invocation *inv = lambda_invocation_start(a, event, target, out);
	if (inv != NULL)
		lambda_invocation_finish(inv, out);
}

struct str lambda_error_json(struct arena *a, const char *type, const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	bool ok = doc != NULL && cJSON_AddStringToObject(doc, "errorMessage", message) != NULL &&
		  cJSON_AddStringToObject(doc, "errorType", type) != NULL &&
		  cJSON_AddArrayToObject(doc, "stackTrace") != NULL;
	char *text = ok ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	if (text == NULL)
		return STR_NULL;
	struct str out = { arena_strndup(a, text, strlen(text)), strlen(text) };
	cJSON_free(text);
	return out.p ? out : STR_NULL;
}
