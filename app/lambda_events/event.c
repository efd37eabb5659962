/* Which adapter an event needs, and one invocation from event to response document. */
#include "lambda_events/lambda_event.h"

#include <cjson/cJSON.h>
#include <time.h>

#include "http/request_id.h"
#include "lambda_events/adapter.h"
#include "service/service.h"

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

static void fail(struct lambda_result *out, const char *type, const char *message)
{
	out->response = STR_NULL;
	out->error_type = type;
	out->error_message = message;
}

/* One invocation, run under arena_run(): everything it allocates outside the
 * arena is reachable from here, so that even an abandoned run frees it. */
struct invocation {
	struct arena *arena;
	struct str event;
	const char *target;
	struct str invocation_id;
	cJSON *doc;
	struct lambda_result *out;
};

static void invoke(void *ctx)
{
	struct invocation *inv = ctx;
	struct lambda_result *out = inv->out;
	inv->doc = cJSON_ParseWithLength(inv->event.p, inv->event.n);
	if (inv->doc == NULL) {
		fail(out, "Runtime.MalformedEvent", "The event is not a JSON document");
		return;
	}
	lambda_adapter_fn *adapter = cJSON_IsObject(inv->doc) ? sniff(inv->doc) : NULL;
	if (adapter == NULL) {
		fail(out, "Runtime.UnsupportedEvent",
		     "Not an HTTP event: expected API Gateway (REST or HTTP API), Function URL or ALB");
		return;
	}
	struct request req;
	request_init(&req, inv->arena, inv->target);
	struct lambda_reply_style style = { 0 };
	const char *bad = adapter(inv->doc, &req, &style);
	if (bad != NULL) {
		fail(out, "Runtime.MalformedEvent", bad);
		return;
	}
	struct str context_id = STR_NULL;
	if (lambda_field_string(lambda_field(inv->doc, "requestContext"), "requestId", &context_id) != 1)
		context_id = STR_NULL;
	request_assign_id(&req, request_id_is_sane(context_id) ? context_id : inv->invocation_id);
	struct response resp;
	response_init(&resp, inv->arena);
	app_handle(&req, &resp);
	/* The request points into the document, freed on return: the line keeps arena copies. */
	log_access_from(&out->access, &req, &resp);
	struct log_access *l = &out->access;
	struct str *strings[] = { &l->method, &l->path, &l->query, &l->request_id, &l->trace_id, &l->client,
				  &l->user_agent };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (!str_is_null(*strings[i]))
			strings[i]->p = arena_strndup(inv->arena, strings[i]->p, strings[i]->n);
	out->has_access = true;
	out->response = lambda_reply_json(inv->arena, &resp, style);
	if (str_is_null(out->response))
		fail(out, "Runtime.OutOfMemory", "Out of memory while building the response");
}

void lambda_handle_invocation(struct arena *a, struct str event, const char *target, struct str invocation_id,
			      struct lambda_result *out)
{
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	*out = (struct lambda_result){ 0 };
	struct invocation inv = { a, event, target, invocation_id, NULL, out };
	if (arena_run(a, invoke, &inv) != APP_OK) {
		fail(out, "Runtime.OutOfMemory", "Out of memory while answering the event");
		out->has_access = false;
	}
	cJSON_Delete(inv.doc);
	clock_gettime(CLOCK_MONOTONIC, &end);
	out->access.duration_us =
		(long long)(end.tv_sec - start.tv_sec) * 1000000 + (end.tv_nsec - start.tv_nsec) / 1000;
}

void lambda_handle_event(struct arena *a, struct str event, const char *target, struct lambda_result *out)
{
	lambda_handle_invocation(a, event, target, STR_NULL, out);
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
	return out;
}
