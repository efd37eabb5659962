/* What the tests of app/lambda_events/ share (tests/unit/lambda_*_test.c, one per source
 * file): the current test's arena, event, answer and request, a set-up that resets the
 * settings, and helpers that run one adapter or a whole invocation. */
#ifndef TESTS_LAMBDA_SUPPORT_H
#define TESTS_LAMBDA_SUPPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "harness.h"
#include "lambda_events/adapter.h"
#include "lambda_events/lambda_event.h"

extern struct arena a;
extern cJSON *event;   /* the event of the current test */
extern cJSON *answer;  /* the parsed response document of the current test */
extern struct request req;
extern struct lambda_reply_style style;

/* Each suite's .init and .fini: no EXECUTION_ENVIRONMENT, API_BASE_PATH or body limit,
 * the default text media types; then everything of the test freed. */
void lambda_setup(void);
void lambda_teardown(void);

/* Sets name to value (NULL unsets it) and reads the Lambda settings again, as the
 * bootstrap does at start; returns the refusal's sentence, or NULL. */
const char *load_setting(const char *name, const char *value);

/* The same for a value the test means to be accepted (fails the test otherwise). */
void use_setting(const char *name, const char *value);

/* Parses json and runs one adapter on it; returns its malformed-event sentence or NULL. */
const char *adapt(lambda_adapter_fn *adapter, const char *json);

/* A whole invocation; the response document is parsed into `answer` (NULL for an error). */
struct lambda_result invoke(const char *json);

/* The text of tests/events/NAME (in the arena); fails the test when it cannot be read. */
char *read_event(const char *name);

/* Whether s holds exactly want. */
bool is(struct str s, const char *want);

/* The answer's string member name (NULL when absent or not a string), its statusCode,
 * and whether its body is base64-encoded. */
const char *answer_string(const char *name);
int answer_status(void);
bool answer_is_base64(void);

/* tests/events/path-*.json through adapter: the request's path and raw_path. */
void check_path_event(const char *file, lambda_adapter_fn *adapter, const char *path, const char *raw);

/* resp as a response document of style st, parsed into `answer`. */
void reply(struct response *resp, struct lambda_reply_style st);

/* Whether a "hello" body with this Content-Type and Content-Encoding (NULL: none) goes
 * base64 in the answer. */
bool goes_base64(const char *content_type, const char *encoding);

/* Events with the members a test adds (extra: ",\"name\":value..."). */
#define V1(extra) \
	"{\"resource\":\"/{proxy+}\",\"httpMethod\":\"GET\",\"path\":\"/math/add\"," \
	"\"requestContext\":{\"stage\":\"prod\",\"path\":\"/prod/math/add\",\"identity\":{\"sourceIp\":\"203.0.113.7\"}," \
	"\"domainName\":\"api.example.com\"}" extra "}"

#define V2(stage, path, extra) \
	"{\"version\":\"2.0\",\"rawPath\":\"" path "\",\"requestContext\":{\"stage\":\"" stage "\"," \
	"\"domainName\":\"x.execute-api.example\",\"http\":{\"method\":\"GET\",\"sourceIp\":\"198.51.100.2\"}}" extra "}"

#define ALB(extra) "{\"requestContext\":{\"elb\":{\"targetGroupArn\":\"arn\"}},\"httpMethod\":\"GET\"," extra "}"

#define REST(path, full) \
	"{\"httpMethod\":\"GET\",\"path\":\"" path "\",\"headers\":{\"Host\":\"api.example.com\"}," \
	"\"requestContext\":{\"path\":\"" full "\"}}"

#endif
