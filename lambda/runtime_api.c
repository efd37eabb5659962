/* The Runtime API's calls over lambda/http1.c: URLs, headers, statuses, and
 * the retry policy for /next. */
#include "runtime_api.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/str.h"
#include "http1.h"
#include "loops.h"

/* Far above Lambda's 6 MB payload limit: a runaway peer cannot take all memory. */
#define MAX_EVENT_BYTES (64u * 1024 * 1024)
/* What a POST's answer ({"status":"OK"} or an error document) may weigh. */
#define MAX_REPLY_BYTES (64u * 1024)
/* A stalled Runtime API must not hold an answer until Lambda kills the sandbox. */
#define DEFAULT_POST_TIMEOUT_MS 3000L
/* /next after a 5xx or a transport error: this many more tries, 50 ms doubling to 1 s. */
#define DEFAULT_NEXT_RETRIES 5L
#define FIRST_BACKOFF_MS 50L
#define MAX_BACKOFF_MS 1000L
#define PREFIX "/2018-06-01/runtime"
/* A streamed answer's headers (the Runtime API's response streaming, HTTP integration). */
#define STREAM_HEADERS                                          \
	"Lambda-Runtime-Function-Response-Mode: streaming\r\n" \
	"Content-Type: application/vnd.awslambda.http-integration-response\r\n"

struct runtime_api {
	struct http1 conn;
	long post_timeout_ms;
	long next_retries;
	bool retryable;  /* the last failure may pass: a transport error or a 5xx */
	const struct str *pieces; /* during runtime_api_respond_stream: the body, chunk by chunk */
	size_t npieces;
	char error[768];
};

/* A whole number from min to 3600000 from the environment, else fallback. */
static long env_long(const char *name, long min, long fallback)
{
	const char *v = getenv(name);
	char *end;
	long n = v != NULL ? strtol(v, &end, 10) : -1;
	return v != NULL && *v != '\0' && *end == '\0' && n >= min && n <= 3600000 ? n : fallback;
}

struct runtime_api *runtime_api_open(const char *host_port)
{
	struct runtime_api *api = calloc(1, sizeof *api);
	if (api == NULL)
		return NULL;
	if (http1_init(&api->conn, host_port) != 0) {
		free(api);
		return NULL;
	}
	api->post_timeout_ms = env_long("LAMBDA_POST_TIMEOUT_MS", 1, DEFAULT_POST_TIMEOUT_MS);
	api->next_retries = env_long("LAMBDA_NEXT_RETRIES", 0, DEFAULT_NEXT_RETRIES);
	return api;
}

void runtime_api_close(struct runtime_api *api)
{
	if (api == NULL)
		return;
	http1_close(&api->conn);
	free(api);
}

const char *runtime_api_error(const struct runtime_api *api)
{
	return api->error;
}

/* One exchange; 0 when the status is `want`, else -1 with api->error and api->retryable set. */
static int call(struct runtime_api *api, struct arena *a, const char *method, const char *path,
		const char *headers, struct str body, long timeout_ms, size_t max_body, struct http1_response *res)
{
	api->retryable = false;
	enum http1_status st =
		api->pieces != NULL
			? http1_exchange_chunked(&api->conn, a, method, path, headers, api->pieces, api->npieces,
						 timeout_ms, max_body, res)
			: http1_exchange(&api->conn, a, method, path, headers, body, timeout_ms, max_body, res);
	long want = strcmp(method, "GET") == 0 ? 200 : 202;
	if (st != HTTP1_OK) {
		if (st == HTTP1_TIMED_OUT && timeout_ms > 0)
			snprintf(api->error, sizeof api->error,
				 "http://%s%s: %s (no answer within LAMBDA_POST_TIMEOUT_MS=%ld)", api->conn.authority, path,
				 api->conn.error, timeout_ms);
		else
			snprintf(api->error, sizeof api->error, "http://%s%s: %s", api->conn.authority, path,
				 api->conn.error);
		api->retryable = st == HTTP1_FAILED || st == HTTP1_TIMED_OUT;
		return -1;
	}
	if (res->status != want) {
		snprintf(api->error, sizeof api->error, "http://%s%s: HTTP status %d, expected %ld", api->conn.authority,
			 path, res->status, want);
		api->retryable = res->status >= 500;
		return -1;
	}
	return 0;
}

/* The value of a response header (in the exchange's arena), or "". */
static struct str header(const struct http1_response *res, const char *name)
{
	struct str v = kvlist_get_nocase(&res->headers, str_c(name));
	return str_is_null(v) ? STR_LIT("") : v;
}

/* One GET /next. */
static int next_once(struct runtime_api *api, struct arena *a, struct invocation *inv)
{
	struct http1_response res;
	/* Once the answer's first bytes are in, the Runtime API has handed the event out:
	 * a SIGTERM from then on must not end the loop before the event is answered. */
	api->conn.on_answer = loops_answer_arriving;
	int rc = call(api, a, "GET", PREFIX "/invocation/next", NULL, STR_LIT(""), 0, MAX_EVENT_BYTES, &res);
	api->conn.on_answer = NULL;
	if (rc != 0)
		return -1;
	*inv = (struct invocation){
		.request_id = header(&res, "Lambda-Runtime-Aws-Request-Id"),
		.deadline_ms = header(&res, "Lambda-Runtime-Deadline-Ms"),
		.function_arn = header(&res, "Lambda-Runtime-Invoked-Function-Arn"),
		.trace_id = header(&res, "Lambda-Runtime-Trace-Id"),
		.event = res.body,
	};
	if (inv->request_id.n == 0) {
		snprintf(api->error, sizeof api->error, "http://%s%s: no Lambda-Runtime-Aws-Request-Id header",
			 api->conn.authority, PREFIX "/invocation/next");
		return -1;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int runtime_api_next(struct runtime_api *api, struct arena *a, struct invocation *inv)
{
	long backoff = FIRST_BACKOFF_MS;
	for (long attempt = 0;; attempt++) {
		if (next_once(api, a, inv) == 0)
			return 0;
		if (!api->retryable || attempt >= api->next_retries) {
			if (attempt > 0) {
				size_t n = strlen(api->error);
				snprintf(api->error + n, sizeof api->error - n, " (gave up after %ld attempts)", attempt + 1);
			}
			return -1;
		}
		fprintf(stderr, "bootstrap: %s; retry %ld of %ld in %ld ms\n", api->error, attempt + 1, api->next_retries,
			backoff);
		sleep_ms(backoff);
		loops_retrying_next(); /* the failed answer marked the loop busy */
		backoff = backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff * 2;
	}
}

/* The id goes into a URL path: only the characters Lambda's ids are made of. */
static bool safe_id(struct str id)
{
	for (size_t i = 0; i < id.n; i++) {
		char c = id.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return false;
	}
	return id.n > 0;
}

/* An error type goes into a header line: printable ASCII only. */
static bool safe_header_value(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* POSTs body to PREFIX + path_a + id + path_b, with the error type header when given. */
static int post(struct runtime_api *api, const char *path_a, struct str id, const char *path_b,
		const char *error_type, struct str body)
{
	struct arena a;
	arena_init(&a);
	struct buf path, headers;
	buf_init(&path, &a);
	buf_append_cstr(&path, PREFIX);
	buf_append_cstr(&path, path_a);
	buf_append_str(&path, id);
	buf_append_cstr(&path, path_b);
	buf_init(&headers, &a);
	buf_append_cstr(&headers, api->pieces != NULL ? STREAM_HEADERS : "Content-Type: application/json\r\n");
	if (error_type != NULL) {
		buf_append_cstr(&headers, "Lambda-Runtime-Function-Error-Type: ");
		buf_append_cstr(&headers, error_type);
		buf_append_cstr(&headers, "\r\n");
	}
	const char *p = buf_str(&path).p, *h = buf_str(&headers).p;
	int rc = -1;
	struct http1_response res;
	if (p == NULL || h == NULL) {
		snprintf(api->error, sizeof api->error, "out of memory");
		api->retryable = false;
	} else {
		rc = call(api, &a, "POST", p, h, body, api->post_timeout_ms, MAX_REPLY_BYTES, &res);
	}
	arena_release(&a);
	return rc;
}

int runtime_api_respond(struct runtime_api *api, struct str request_id, struct str body)
{
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	return post(api, "/invocation/", request_id, "/response", NULL, body);
}

int runtime_api_respond_stream(struct runtime_api *api, struct str request_id, struct str prelude, struct str body)
{
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	/* The prelude, the 8 NUL bytes that end it, the body. */
	struct str pieces[] = { prelude, { "\0\0\0\0\0\0\0\0", 8 }, body };
	api->pieces = pieces;
	api->npieces = sizeof pieces / sizeof pieces[0];
	int rc = post(api, "/invocation/", request_id, "/response", NULL, STR_LIT(""));
	api->pieces = NULL;
	return rc;
}

/* Records a failed streaming call as call() does; -1. */
static int stream_failed(struct runtime_api *api, const char *what, enum http1_status st)
{
	snprintf(api->error, sizeof api->error, "http://%s%s: %s%s", api->conn.authority, what, api->conn.error,
		 st == HTTP1_TIMED_OUT ? " (LAMBDA_POST_TIMEOUT_MS)" : "");
	api->retryable = false;
	return -1;
}

int runtime_api_stream_begin(struct runtime_api *api, struct str request_id)
{
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	struct arena a;
	arena_init(&a);
	const char *path = arena_printf(&a, PREFIX "/invocation/%.*s/response", (int)request_id.n, request_id.p);
	enum http1_status st = http1_begin_chunked(
		&api->conn, &a, "POST", path,
		STREAM_HEADERS "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n",
		api->post_timeout_ms);
	arena_release(&a);
	return st == HTTP1_OK ? 0 : stream_failed(api, "/invocation/.../response", st);
}

int runtime_api_stream_write(struct runtime_api *api, struct str bytes)
{
	struct arena a;
	arena_init(&a);
	enum http1_status st = http1_send_chunk(&api->conn, &a, bytes, api->post_timeout_ms);
	arena_release(&a);
	return st == HTTP1_OK ? 0 : stream_failed(api, "/invocation/.../response", st);
}

int runtime_api_stream_end(struct runtime_api *api, const char *error_type, struct str error_body)
{
	struct arena a;
	arena_init(&a);
	const char *trailers = NULL;
	if (error_type != NULL) {
		if (!safe_header_value(error_type))
			error_type = "Runtime.StreamError";
		struct str b64 = base64_encode(&a, error_body);
		trailers = arena_printf(&a, "Lambda-Runtime-Function-Error-Type: %s\r\n"
					    "Lambda-Runtime-Function-Error-Body: %.*s\r\n",
					error_type, (int)b64.n, b64.p);
	}
	struct http1_response res;
	enum http1_status st = http1_finish_chunked(&api->conn, &a, trailers, api->post_timeout_ms, MAX_REPLY_BYTES, &res);
	int rc = st == HTTP1_OK ? 0 : stream_failed(api, "/invocation/.../response", st);
	if (rc == 0 && res.status != 202) {
		snprintf(api->error, sizeof api->error, "http://%s/invocation/.../response: HTTP status %d, expected 202",
			 api->conn.authority, res.status);
		rc = -1;
	}
	arena_release(&a);
	return rc;
}

int runtime_api_report_error(struct runtime_api *api, struct str request_id, const char *type, struct str body)
{
	if (!safe_header_value(type)) {
		snprintf(api->error, sizeof api->error, "error type with unexpected characters");
		return -1;
	}
	if (str_is_null(request_id))
		return post(api, "/init/error", STR_LIT(""), "", type, body);
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	return post(api, "/invocation/", request_id, "/error", type, body);
}

enum app_err runtime_api_invoke_mode(bool *streaming, const char **why)
{
	const char *v = getenv("LAMBDA_INVOKE_MODE");
	*streaming = v != NULL && strcmp(v, "RESPONSE_STREAM") == 0;
	if (v == NULL || *v == '\0' || *streaming || strcmp(v, "BUFFERED") == 0)
		return APP_OK;
	*why = "LAMBDA_INVOKE_MODE must be BUFFERED or RESPONSE_STREAM (the function URL's invoke mode)";
	return APP_ERR_INVALID;
}
