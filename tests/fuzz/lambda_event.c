/* libFuzzer harness: the Lambda event adapters (app/lambda_event.h), event
 * document in, response document (or Lambda error) out, as bootstrap does for
 * each invocation. Seeds: tests/fuzz/corpus/lambda_event/ and tests/events/.
 * Checked: text that is not JSON is a Runtime.MalformedEvent; every error has
 * a known type and a message and makes a valid error document; every response
 * is a JSON object with an expected statusCode, a string body (valid base64
 * when isBase64Encoded), header values without CR or LF, a statusDescription
 * for ALB events; {"warmup":true} only for a scheduled warm-up event; the same
 * event gives the same bytes twice (for one invocation id); the arena stays
 * linear in the event; the access log line of an answered event is one line of
 * JSON whatever the event's strings hold. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "lambda_events/lambda_event.h"
#include "service/service.h"

static bool is_base64(const char *s, size_t n)
{
	if (n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool pad = c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '=');
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/' || pad))
			return false;
	}
	return true;
}

static void check_header_value(const cJSON *v, const char *where)
{
	CHECK(cJSON_IsString(v), "%s: a header value that is not a string", where);
	CHECK(strchr(v->valuestring, '\r') == NULL && strchr(v->valuestring, '\n') == NULL,
	      "%s: header %s carries CR or LF", where, v->string ? v->string : "?");
}

static void check_response(const cJSON *event, struct str text)
{
	cJSON *doc = cJSON_ParseWithLength(text.p, text.n);
	CHECK(cJSON_IsObject(doc), "response is not a JSON object: %.200s", text.p);
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(doc, "statusCode");
	CHECK(cJSON_IsNumber(status) && fuzz_status_expected(status->valueint), "statusCode %d",
	      cJSON_IsNumber(status) ? status->valueint : -1);
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(doc, "body");
	CHECK(cJSON_IsString(body), "body is not a string");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "isBase64Encoded")))
		CHECK(is_base64(body->valuestring, strlen(body->valuestring)), "isBase64Encoded but body is not base64");

	const cJSON *h, *values, *v;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(doc, "headers"))
		check_header_value(h, "headers");
	cJSON_ArrayForEach(values, cJSON_GetObjectItemCaseSensitive(doc, "multiValueHeaders"))
	{
		CHECK(cJSON_IsArray(values), "multiValueHeaders entry is not an array");
		cJSON_ArrayForEach(v, values)
			check_header_value(v, "multiValueHeaders");
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "cookies"))
		check_header_value(v, "cookies");

	const cJSON *context = cJSON_GetObjectItemCaseSensitive(event, "requestContext");
	if (cJSON_IsObject(context) && cJSON_GetObjectItemCaseSensitive(context, "elb") != NULL) {
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(doc, "statusDescription");
		char want[8];
		snprintf(want, sizeof want, "%d ", status->valueint);
		CHECK(cJSON_IsString(desc) && strncmp(desc->valuestring, want, strlen(want)) == 0,
		      "ALB response without a statusDescription for %d", status->valueint);
	}
	cJSON_Delete(doc);
}

static void check_error(struct arena *a, const struct lambda_result *r, const cJSON *event)
{
	CHECK(strcmp(r->error_type, "Runtime.MalformedEvent") == 0 || strcmp(r->error_type, "Runtime.UnsupportedEvent") == 0,
	      "error type %s", r->error_type);
	if (event == NULL)
		CHECK(strcmp(r->error_type, "Runtime.MalformedEvent") == 0, "text that is not JSON gave %s", r->error_type);
	CHECK(r->error_message != NULL && r->error_message[0] != '\0', "error without a message");
	struct str doc_text = lambda_error_json(a, r->error_type, r->error_message);
	CHECK(doc_text.p != NULL, "lambda_error_json failed");
	cJSON *doc = cJSON_ParseWithLength(doc_text.p, doc_text.n);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "errorType");
	CHECK(cJSON_IsString(type) && strcmp(type->valuestring, r->error_type) == 0, "error document: %s", doc_text.p);
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "errorMessage")), "error document: %s", doc_text.p);
	cJSON_Delete(doc);
}

/* The scheduled keep-warm events answered with the no-op {"warmup":true}. */
static bool is_warmup_event(const cJSON *event)
{
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(event, "source");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(event, "detail-type");
	if (!cJSON_IsString(source))
		return false;
	return strcmp(source->valuestring, "serverless-plugin-warmup") == 0 ||
	       (strcmp(source->valuestring, "aws.events") == 0 && cJSON_IsString(kind) &&
		strcmp(kind->valuestring, "Scheduled Event") == 0);
}

/* The access line, written to a temporary file: one line, valid JSON. */
static void check_log_line(const struct log_access *access)
{
	static FILE *f;
	static char line[1 << 20];
	if (f == NULL)
		f = tmpfile();
	CHECK(f != NULL, "no temporary file");
	CHECK(ftruncate(fileno(f), 0) == 0 && lseek(fileno(f), 0, SEEK_SET) == 0, "cannot reuse the temporary file");
	CHECK(log_access_write(fileno(f), access) == 0, "the access line was not written");
	off_t n = lseek(fileno(f), 0, SEEK_END);
	CHECK(n > 1 && (size_t)n < sizeof line && pread(fileno(f), line, (size_t)n, 0) == n, "cannot read the line back");
	CHECK(line[n - 1] == '\n' && memchr(line, '\n', (size_t)n - 1) == NULL, "the access line is not one line");
	cJSON *doc = cJSON_ParseWithLength(line, (size_t)n);
	CHECK(cJSON_IsObject(doc), "the access line is not JSON: %.*s", (int)n, line);
	CHECK(cJSON_GetObjectItemCaseSensitive(doc, "status") != NULL, "no status in %.*s", (int)n, line);
	cJSON_Delete(doc);
}

/* What each main() does before the first request: the service's settings
 * (the route table /openapi.json describes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *why = NULL;
	return service_settings_load(&why) == APP_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str event = { (const char *)data, size };
	cJSON *parsed = cJSON_ParseWithLength(event.p, event.n);

	struct arena a, again;
	arena_init(&a);
	arena_init(&again);
	struct lambda_result r, r2;
	lambda_handle_invocation(&a, event, "lambda", STR_LIT("fuzz-invocation"), &r);
	lambda_handle_invocation(&again, event, "lambda", STR_LIT("fuzz-invocation"), &r2);
	if (r.has_access)
		check_log_line(&r.access);

	if (r.error_type != NULL) {
		CHECK(r2.error_type != NULL && strcmp(r.error_type, r2.error_type) == 0, "not deterministic");
		check_error(&a, &r, parsed);
	} else {
		CHECK(parsed != NULL, "text that is not JSON was answered");
		CHECK(r.response.p != NULL && r.response.p[r.response.n] == '\0', "response not NUL-terminated");
		CHECK(r2.error_type == NULL && r2.response.n == r.response.n &&
			      memcmp(r2.response.p, r.response.p, r.response.n) == 0,
		      "the same event answered differently");
		if (strcmp(r.response.p, "{\"warmup\":true}") == 0)
			CHECK(is_warmup_event(parsed), "a warm-up answer for another event: %.200s", event.p);
		else
			check_response(parsed, r.response);
	}
	/* JSON strings decode to at most their own size; /openapi.json is the largest fixed answer. */
	CHECK(a.total <= 64 * size + 512 * 1024, "arena grew to %zu bytes for a %zu-byte event", a.total, size);

	cJSON_Delete(parsed);
	arena_release(&a);
	arena_release(&again);
	return 0;
}
