/* Which adapter an event needs, and one invocation from event to response document. */
#include "lambda_events/lambda_event.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "core/json.h"
#include "core/sysio.h"
#include "http/request_id.h"
#include "lambda_events/adapter.h"
#include "service/service.h"

struct lambda_invocation {
	cJSON *doc;  /* the request points into it; deleted by finish */
	struct request req;
	struct response resp;
	struct lambda_reply_style style;
	bool head;  /* a HEAD request: copied at start, for a 504 sent after finish freed the document */
	bool stream; /* a streamed answer was asked for and the event's shape takes one */
	bool pieces; /* ... and the handler makes its body in pieces (http/stream.h), sent by lambda_invocation_stream */
	struct str reply;
	struct str body;  /* a streamed answer's body, an arena copy */
	long long started_us;  /* monotonic, for the access line's duration */
};

/* Picks the adapter by the event's shape, or NULL for an event that is not HTTP. */
static lambda_adapter_fn *sniff(const cJSON *event)
{
	const cJSON *context = lambda_field(event, "requestContext");
	if (cJSON_IsObject(context) && lambda_field(context, "elb") != NULL)
		return lambda_alb_request;
	struct str version;
	if (lambda_field_string(event, "version", &version) == APP_OK && str_eq(version, STR_LIT("2.0")))
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
	if (lambda_field_string(event, "source", &source) != APP_OK)
		return false;
	if (str_eq(source, STR_LIT("serverless-plugin-warmup")))
		return true;
	return str_eq(source, STR_LIT("aws.events")) && lambda_field_string(event, "detail-type", &kind) == APP_OK &&
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
	const char *why;
	if (lambda_json_unescape(req->arena, written, &exact) != APP_OK)
		keep_reading(request_refuse(req, 400, "Invalid request body: bad JSON escape"));
	else if (lambda_field_body_bytes(req, doc, exact, &why) != APP_OK)
		keep_reading(request_refuse(req, 400, why)); /* the adapter has read the same member already */
}

/* One start, run under arena_run(): what it allocates outside the arena (the
 * cJSON document) stays reachable from here, so an abandoned run frees it too. */
struct start {
	struct arena *arena;
	struct str event;
	const char *target;
	struct lambda_result *out;
	cJSON *doc;
	struct lambda_invocation *inv;  /* set once the event is an HTTP request to finish */
};

static void start(void *ctx)
{
	struct start *st = ctx;
	struct lambda_result *out = st->out;
	if (lambda_json_count_values(st->event) > LAMBDA_EVENT_VALUES_MAX) {
		fail(out, "Runtime.MalformedEvent",
		     "The event holds more JSON values than any HTTP request within the limits needs");
		return;
	}
	st->doc = cJSON_ParseWithLength(st->event.p, st->event.n);
	if (st->doc == NULL) {
		fail(out, "Runtime.MalformedEvent", "The event is not a JSON document");
		return;
	}
	lambda_adapter_fn *adapter = cJSON_IsObject(st->doc) ? sniff(st->doc) : NULL;
	if (adapter == NULL) {
		if (cJSON_IsObject(st->doc) && is_warmup(st->doc))
			out->response = STR_LIT("{\"warmup\":true}");
		else
			fail(out, "Runtime.UnsupportedEvent",
			     "Not an HTTP event: expected API Gateway (REST or HTTP API), Function URL or ALB");
		return;
	}
	struct lambda_invocation *inv = arena_calloc(st->arena, 1, sizeof *inv);
	request_init(&inv->req, st->arena, st->target);
	inv->req.aws_front = true;
	struct lambda_json_nul nul;
	lambda_json_find_nul(st->event, &nul);
	/* cJSON would hand every such string over cut at the NUL: refuse, as CGI does. */
	if (nul.elsewhere)
		keep_reading(request_refuse(&inv->req, 400, "Invalid request: contains a NUL byte"));
	const char *why = NULL;
	if (adapter(st->doc, &inv->req, &inv->style, &why) != APP_OK) {
		fail(out, "Runtime.MalformedEvent", why);
		return;
	}
	if (!str_is_null(nul.body))
		set_exact_body(&inv->req, st->doc, nul.body);
	lambda_base_path_apply(&inv->req);
	inv->head = str_eq(inv->req.method, STR_LIT("HEAD"));
	response_init(&inv->resp, st->arena);
	inv->started_us = now_us();
	inv->doc = st->doc;
	st->inv = inv;
}

struct lambda_invocation *lambda_invocation_start(struct arena *a, struct str event, const char *target,
						  struct lambda_result *out)
{
	*out = (struct lambda_result){ 0 };
	struct start st = { a, event, target, out, NULL, NULL };
	if (arena_run(a, start, &st) != APP_OK) {
		fail(out, "Runtime.OutOfMemory", "Out of memory while reading the event");
		st.inv = NULL;
	}
	if (st.inv == NULL)
		cJSON_Delete(st.doc);
	return st.inv;
}

/* What finish() hands back from under arena_run(). */
struct finish {
	struct lambda_invocation *inv;
	struct lambda_result *out;
};

/* The service's answer, shaped for the event, and its access line (under arena_run()). */
static void finish(void *ctx)
{
	struct finish *f = ctx;
	struct lambda_invocation *inv = f->inv;
	struct request *req = &inv->req;
	/* The request id: API Gateway's or the Function URL's own (requestContext.requestId),
	 * else the invocation's (ALB events carry none), else a generated one. */
	request_assign_id(req, request_id_is_sane(req->context.api_request_id) ? req->context.api_request_id
									       : req->context.request_id);
	req->streams = inv->stream;
	app_handle(req, &inv->resp);
	inv->pieces = inv->stream && inv->resp.produce != NULL;
	if (inv->pieces) {
		inv->reply = STR_NULL; /* the prelude goes with the first piece (lambda_invocation_stream) */
	} else if (inv->stream) {
		/* The body may point into the event document, which the caller frees. */
		struct str body = inv->resp.omit_body ? STR_LIT("") : inv->resp.body;
		char *copy = arena_alloc(req->arena, body.n + 1);
		memcpy(copy, body.p != NULL ? body.p : "", body.n);
		copy[body.n] = '\0';
		inv->body = (struct str){ copy, body.n };
		inv->reply = lambda_reply_prelude(req->arena, &inv->resp, inv->style);
	} else
		inv->reply = lambda_reply_json(req->arena, &inv->resp, inv->style);
	/* The request points into the document, freed by the caller: the line keeps arena copies. */
	struct log_access *l = &f->out->access;
	log_access_from(l, req, &inv->resp);
	struct str *strings[] = { &l->method, &l->path, &l->query, &l->request_id, &l->trace_id, &l->client,
				  &l->user_agent };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (!str_is_null(*strings[i]))
			strings[i]->p = arena_strndup(req->arena, strings[i]->p, strings[i]->n);
	l->duration_us = now_us() - inv->started_us;
	f->out->has_access = true;
}

void lambda_invocation_finish(struct lambda_invocation *inv, struct lambda_result *out)
{
	*out = (struct lambda_result){ 0 };
	struct finish f = { inv, out };
	bool ok = arena_run(inv->req.arena, finish, &f) == APP_OK;
	if (ok && inv->pieces) {
		out->stream_pending = true;
		return; /* the producer may read the request: the document lives until the stream ends */
	} else if (ok && inv->stream) {
		out->stream_prelude = inv->reply;
		out->stream_body = inv->body;
	} else if (ok) {
		out->response = inv->reply;
	} else {
		fail(out, "Runtime.OutOfMemory", "Out of memory while building the response");
		out->has_access = false;
	}
	/* The request pointed into the document; the response lives in the arena. */
	cJSON_Delete(inv->doc);
	inv->doc = NULL;
}

/* A streamed answer's run (under arena_run()): lambda/'s sink behind the service's. */
struct streaming {
	struct lambda_invocation *inv;
	const struct lambda_stream_sink *sink;
	enum stream_end end;
};

static int stream_head(void *ctx, const struct response *r)
{
	struct streaming *s = ctx;
	return s->sink->begin(s->sink->ctx, lambda_reply_prelude(s->inv->req.arena, r, s->inv->style));
}

static int stream_piece(void *ctx, struct str piece)
{
	struct streaming *s = ctx;
	return s->sink->piece(s->sink->ctx, piece);
}

static void run_stream(void *ctx)
{
	struct streaming *s = ctx;
	const struct stream_sink sink = { stream_head, stream_piece, s };
	s->end = stream_run(&s->inv->resp, &sink, s->inv->req.request_id);
	if (s->end == STREAM_UNSENT) {
		/* A 500 in place of the pieces: sent whole, as any streamed answer. */
		s->inv->reply = lambda_reply_prelude(s->inv->req.arena, &s->inv->resp, s->inv->style);
		s->inv->body = s->inv->resp.body;
	}
}

enum stream_end lambda_invocation_stream(struct lambda_invocation *inv, const struct lambda_stream_sink *sink,
					 struct lambda_result *out, const char **error_type, const char **error_message)
{
	struct streaming s = { inv, sink, STREAM_DONE };
	struct response *r = &inv->resp;
	out->stream_pending = false;
	*error_type = *error_message = NULL;
	if (arena_run(inv->req.arena, run_stream, &s) != APP_OK) {
		r->fail_type = "Runtime.OutOfMemory";
		r->fail_message = "Out of memory while streaming the response";
		if (r->head_sent) {
			s.end = STREAM_CUT;
		} else {
			s.end = STREAM_UNSENT;
			fail(out, r->fail_type, r->fail_message);
			out->has_access = false;
		}
	}
	if (s.end == STREAM_UNSENT && out->error_type == NULL) {
		out->stream_prelude = inv->reply;
		out->stream_body = inv->resp.body;
		out->access.status = r->status;
		out->access.bytes = r->body.n;
	} else if (r->head_sent) {
		out->access.bytes = r->sent;
	}
	if (s.end == STREAM_CUT) {
		*error_type = r->fail_type != NULL ? r->fail_type : "Stream.Error";
		*error_message = r->fail_message != NULL ? r->fail_message : "";
	}
	out->access.duration_us = now_us() - inv->started_us;
	cJSON_Delete(inv->doc);
	inv->doc = NULL;
	return s.end;
}

/* The 504 document (under arena_run() on the watchdog's own arena). */
struct timeout_reply {
	struct arena *arena;
	const struct lambda_invocation *inv;
	struct str reply;  /* the document, or the prelude when the invocation streams */
	struct str body;   /* when it streams */
};

static void timeout_reply(void *ctx)
{
	struct timeout_reply *t = ctx;
	struct response resp;
	response_init(&resp, t->arena);
	response_error(&resp, 504, "Request timed out");
	resp.omit_body = t->inv->head;  /* not the request: finish may have freed its strings */
	if (t->inv->stream) {
		t->body = resp.omit_body ? STR_LIT("") : resp.body;
		t->reply = lambda_reply_prelude(t->arena, &resp, t->inv->style);
	} else {
		t->reply = lambda_reply_json(t->arena, &resp, t->inv->style);
	}
}

struct str lambda_invocation_timeout_reply(struct arena *b, const struct lambda_invocation *inv)
{
	struct timeout_reply t = { b, inv, STR_NULL, STR_NULL };
	return arena_run(b, timeout_reply, &t) == APP_OK ? t.reply : STR_NULL;
}

bool lambda_invocation_timeout_stream(struct arena *b, const struct lambda_invocation *inv, struct str *prelude,
				      struct str *body)
{
	*prelude = *body = STR_NULL;
	if (!inv->stream)
		return false;
	struct timeout_reply t = { b, inv, STR_NULL, STR_NULL };
	if (arena_run(b, timeout_reply, &t) == APP_OK) {
		*prelude = t.reply;
		*body = t.body;
	}
	return true;
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

void lambda_invocation_set_streaming(struct lambda_invocation *inv)
{
	inv->stream = inv->style.function_url;
}

struct str lambda_invocation_path(const struct lambda_invocation *inv)
{
	return inv->req.path;
}

void lambda_handle_invocation(struct arena *a, struct str event, const char *target, struct str invocation_id,
			      struct lambda_result *out)
{
	struct lambda_invocation *inv = lambda_invocation_start(a, event, target, out);
	if (inv == NULL)
		return;
	lambda_invocation_set_runtime(inv, invocation_id, STR_NULL, STR_NULL, STR_NULL);
	lambda_invocation_finish(inv, out);
}

void lambda_handle_event(struct arena *a, struct str event, const char *target, struct lambda_result *out)
{
	lambda_handle_invocation(a, event, target, STR_NULL, out);
}

struct str lambda_error_json(struct arena *a, const char *type, const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(doc, "errorMessage", message) != NULL &&
		  cJSON_AddStringToObject(doc, "errorType", type) != NULL &&
		  cJSON_AddArrayToObject(doc, "stackTrace") != NULL;
	struct str out = json_print(a, ok ? doc : NULL);
	cJSON_Delete(doc);
	return out;
}
