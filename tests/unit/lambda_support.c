/* The shared set-up and helpers of the tests of app/lambda_events/ (lambda_support.h). */
#include "lambda_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

struct arena a;
cJSON *event;     /* the event of the current test */
cJSON *answer;    /* the parsed response document of the current test */
struct request req;
struct lambda_reply_style style;

/* Sets name to value (NULL unsets it) and reads the Lambda settings again, as the
 * bootstrap does at start; returns the refusal's sentence, or NULL. */
const char *load_setting(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
	const char *why = NULL;
	return lambda_settings_load(&why) == APP_OK ? NULL : why;
}

/* The same for a value the test means to be accepted. */
void use_setting(const char *name, const char *value)
{
	const char *why = load_setting(name, value);
	cr_assert_null(why, "%s=\"%s\" refused: %s", name, value ? value : "(unset)", why);
}

void lambda_setup(void)
{
	arena_init(&a);
	unsetenv("EXECUTION_ENVIRONMENT");
	set_body_limit(NULL);
	unsetenv("API_BASE_PATH");
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
}

void lambda_teardown(void)
{
	cJSON_Delete(event);
	cJSON_Delete(answer);
	event = answer = NULL;
	arena_release(&a);
}

/* Parses json and runs one adapter on it; returns its malformed-event sentence or NULL. */
const char *adapt(lambda_adapter_fn *adapter, const char *json)
{
	cJSON_Delete(event);
	event = cJSON_Parse(json);
	cr_assert_not_null(event, "test event is not JSON: %s", json);
	request_init(&req, &a, "lambda");
	style = (struct lambda_reply_style){ 0 };
	const char *why = NULL;
	return adapter(event, &req, &style, &why) == APP_OK ? NULL : why;
}

/* A whole invocation; the response document is parsed into `answer` (NULL for an error). */
struct lambda_result invoke(const char *json)
{
	struct lambda_result res;
	lambda_handle_event(&a, str_c(json), "lambda", &res);
	cJSON_Delete(answer);
	answer = NULL;
	if (res.error_type == NULL) {
		answer = cJSON_Parse(res.response.p);
		cr_assert_not_null(answer, "response is not JSON: %s", res.response.p);
	}
	return res;
}

char *read_event(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tests/events/%s", name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
	char *text = arena_alloc(&a, 65536);
	size_t n = fread(text, 1, 65535, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

bool is(struct str s, const char *want)
{
	return str_eq(s, str_c(want));
}

const char *answer_string(const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(answer, name);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

int answer_status(void)
{
	return cJSON_GetObjectItemCaseSensitive(answer, "statusCode")->valueint;
}

bool answer_is_base64(void)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "isBase64Encoded"));
}


/* tests/events/path-*.json: one per source, the same client path "/files/a%2Bb%20c%2Fd%25e"
 * as each source delivers it (raw for REST, Function URL and ALB; decoded by the HTTP API,
 * where "%2B" and friends are then literal text and '%' a literal percent sign). */
void check_path_event(const char *file, lambda_adapter_fn *adapter, const char *path, const char *raw)
{
	cr_assert_null(adapt(adapter, read_event(file)));
	cr_assert_eq(req.error_status, 0, "%s: %d %s", file, req.error_status, req.error_detail);
	cr_assert(is(req.path, path), "%s: path %.*s", file, (int)req.path.n, req.path.p);
	cr_assert(is(req.raw_path, raw), "%s: raw_path %.*s", file, (int)req.raw_path.n, req.raw_path.p);
}

void reply(struct response *resp, struct lambda_reply_style st)
{
	struct str json = lambda_reply_json(&a, resp, st);
	cr_assert_not_null(json.p);
	cJSON_Delete(answer);
	answer = cJSON_Parse(json.p);
	cr_assert_not_null(answer);
}

/* Whether a "hello" body with these headers goes base64. */
bool goes_base64(const char *content_type, const char *encoding)
{
	struct response resp;
	response_init(&resp, &a);
	resp.status = 200;
	resp.body = STR_LIT("hello");
	if (content_type != NULL)
		response_add_header(&resp, "Content-Type", str_c(content_type));
	if (encoding != NULL)
		response_add_header(&resp, "Content-Encoding", str_c(encoding));
	reply(&resp, (struct lambda_reply_style){ 0 });
	return answer_is_base64();
}
