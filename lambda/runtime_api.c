#include "runtime_api.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"

/* Far above Lambda's 6 MB payload limit: a runaway peer cannot take all memory. */
#define MAX_EVENT_BYTES (64u * 1024 * 1024)

/* A stalled Runtime API must not hold an answer until Lambda kills the sandbox. */
#define DEFAULT_POST_TIMEOUT_MS 3000L
/* /next after a 5xx or a transport error: this many more tries, 50 ms doubling to 1 s. */
#define DEFAULT_NEXT_RETRIES 5L
#define FIRST_BACKOFF_MS 50L
#define MAX_BACKOFF_MS 1000L

struct runtime_api {
	CURL *curl;
	long post_timeout_ms;
	long next_retries;
	char *base;  /* "http://host:port/2018-06-01/runtime" */
	char error[CURL_ERROR_SIZE + 128];
	char curl_error[CURL_ERROR_SIZE];
	bool retryable;  /* the last failure may pass: a transport error or a 5xx */
	bool timed_out;  /* the last failure was the total timeout */
};

/* curl_easy_setopt, checked: every option this client sets is one libcurl 7.85+ knows. */
#define SET(c, opt, val) (curl_easy_setopt((c), (opt), (val)) == CURLE_OK)

/* A positive whole number of milliseconds from the environment, else fallback. */
static long env_ms(const char *name, long fallback)
{
	const char *v = getenv(name);
	char *end;
	long n = v != NULL ? strtol(v, &end, 10) : -1;
	return v != NULL && *v != '\0' && *end == '\0' && n > 0 && n <= 3600000 ? n : fallback;
}

struct runtime_api *runtime_api_open(const char *host_port)
{
	struct runtime_api *api = calloc(1, sizeof *api);
	if (api == NULL)
		return NULL;
	size_t n = strlen("http://") + strlen(host_port) + strlen("/2018-06-01/runtime") + 1;
	api->base = malloc(n);
	api->curl = curl_easy_init();
	if (api->base == NULL || api->curl == NULL) {
		runtime_api_close(api);
		return NULL;
	}
	snprintf(api->base, n, "http://%s/2018-06-01/runtime", host_port);
	api->post_timeout_ms = env_ms("LAMBDA_POST_TIMEOUT_MS", DEFAULT_POST_TIMEOUT_MS);
	api->next_retries = env_ms("LAMBDA_NEXT_RETRIES", DEFAULT_NEXT_RETRIES);
	CURL *c = api->curl;
	bool ok = SET(c, CURLOPT_ERRORBUFFER, api->curl_error) && SET(c, CURLOPT_NOSIGNAL, 1L) &&
		  SET(c, CURLOPT_PROXY, "") && /* never route the Runtime API through $http_proxy */
		  SET(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L) && SET(c, CURLOPT_TCP_NODELAY, 1L) &&
		  SET(c, CURLOPT_PROTOCOLS_STR, "http");
	if (!ok) {
		runtime_api_close(api);
		return NULL;
	}
	return api;
}

void runtime_api_close(struct runtime_api *api)
{
	if (api == NULL)
		return;
	if (api->curl != NULL)
		curl_easy_cleanup(api->curl);
	free(api->base);
	free(api);
}

const char *runtime_api_error(const struct runtime_api *api)
{
	return api->error;
}

/* What a transfer collects: the body, and for /next the Lambda-Runtime-* headers. */
struct exchange {
	struct buf body;
	struct invocation *inv;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct exchange *x = ctx;
	if (x->body.n + n > MAX_EVENT_BYTES)
		return 0;
	(void)size;
	buf_append(&x->body, p, n);
	return x->body.failed ? 0 : n;
}

/* "Name: value\r\n" into *slot (arena copy) when the name matches. */
static void take_header(struct arena *a, struct str line, const char *name, struct str *slot)
{
	size_t len = strlen(name);
	if (line.n <= len || line.p[len] != ':' || !str_eq_nocase((struct str){ line.p, len }, str_c(name)))
		return;
	struct str v = { line.p + len + 1, line.n - len - 1 };
	while (v.n > 0 && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.n--;
	}
	while (v.n > 0 && (v.p[v.n - 1] == '\r' || v.p[v.n - 1] == '\n' || v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	char *copy = arena_strndup(a, v.p, v.n);
	if (copy != NULL)
		*slot = (struct str){ copy, v.n };
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct exchange *x = ctx;
	struct str line = { p, n };
	struct arena *a = x->body.arena;
	(void)size;
	take_header(a, line, "Lambda-Runtime-Aws-Request-Id", &x->inv->request_id);
	take_header(a, line, "Lambda-Runtime-Deadline-Ms", &x->inv->deadline_ms);
	take_header(a, line, "Lambda-Runtime-Invoked-Function-Arn", &x->inv->function_arn);
	take_header(a, line, "Lambda-Runtime-Trace-Id", &x->inv->trace_id);
	return n;
}

/* Runs the transfer set up on api->curl; 0 when the status is `want`, else -1 with
 * api->error set and api->retryable telling a transport error or 5xx from the rest. */
static int perform(struct runtime_api *api, const char *url, long want)
{
	api->curl_error[0] = '\0';
	api->retryable = false;
	CURLcode rc = curl_easy_perform(api->curl);
	api->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	if (rc != CURLE_OK) {
		snprintf(api->error, sizeof api->error, "%s: %s", url,
			 api->curl_error[0] ? api->curl_error : curl_easy_strerror(rc));
		api->retryable = rc != CURLE_WRITE_ERROR && rc != CURLE_OUT_OF_MEMORY;
		return -1;
	}
	long status = 0;
	if (curl_easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		status = 0;
	if (status != want) {
		snprintf(api->error, sizeof api->error, "%s: HTTP status %ld, expected %ld", url, status, want);
		api->retryable = status >= 500;
		return -1;
	}
	return 0;
}

static int option_failed(struct runtime_api *api, const char *url)
{
	snprintf(api->error, sizeof api->error, "%s: libcurl refused an option", url);
	api->retryable = false;
	return -1;
}

/* base + suffix in the arena. */
static const char *url_of(struct runtime_api *api, struct arena *a, const char *suffix, struct str id, const char *tail)
{
	struct buf b;
	buf_init(&b, a);
	buf_append_cstr(&b, api->base);
	buf_append_cstr(&b, suffix);
	buf_append_str(&b, id);
	buf_append_cstr(&b, tail);
	return buf_str(&b).p;
}

/* One GET /next. */
static int next_once(struct runtime_api *api, struct arena *a, struct invocation *inv)
{
	*inv = (struct invocation){ .deadline_ms = STR_LIT(""), .function_arn = STR_LIT(""), .trace_id = STR_LIT("") };
	struct exchange x = { .inv = inv };
	buf_init(&x.body, a);
	const char *url = url_of(api, a, "/invocation/next", STR_LIT(""), "");
	if (url == NULL) {
		snprintf(api->error, sizeof api->error, "out of memory");
		api->retryable = false;
		return -1;
	}
	CURL *c = api->curl;
	/* No total timeout: /next blocks for as long as no invocation comes. */
	bool ok = SET(c, CURLOPT_URL, url) && SET(c, CURLOPT_HTTPGET, 1L) && SET(c, CURLOPT_TIMEOUT_MS, 0L) &&
		  SET(c, CURLOPT_HTTPHEADER, NULL) && SET(c, CURLOPT_WRITEFUNCTION, on_body) &&
		  SET(c, CURLOPT_WRITEDATA, &x) && SET(c, CURLOPT_HEADERFUNCTION, on_header) &&
		  SET(c, CURLOPT_HEADERDATA, &x);
	int rc = ok ? perform(api, url, 200) : option_failed(api, url);
	if (!SET(c, CURLOPT_HEADERFUNCTION, NULL) || !SET(c, CURLOPT_HEADERDATA, NULL))
		rc = rc != 0 ? rc : option_failed(api, url);
	if (rc != 0)
		return -1;
	if (inv->request_id.n == 0) {
		snprintf(api->error, sizeof api->error, "%s: no Lambda-Runtime-Aws-Request-Id header", url);
		api->retryable = false;
		return -1;
	}
	inv->event = x.body.n > 0 ? buf_str(&x.body) : STR_LIT("");
	if (str_is_null(inv->event)) {
		snprintf(api->error, sizeof api->error, "out of memory reading the event");
		api->retryable = false;
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

static int post(struct runtime_api *api, const char *url, struct curl_slist *headers, struct str body)
{
	struct arena scratch;
	arena_init(&scratch);
	struct exchange x = { 0 };
	buf_init(&x.body, &scratch);
	CURL *c = api->curl;
	bool ok = SET(c, CURLOPT_URL, url) && SET(c, CURLOPT_POST, 1L) && SET(c, CURLOPT_POSTFIELDS, body.p) &&
		  SET(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.n) && SET(c, CURLOPT_HTTPHEADER, headers) &&
		  SET(c, CURLOPT_TIMEOUT_MS, api->post_timeout_ms) && SET(c, CURLOPT_WRITEFUNCTION, on_body) &&
		  SET(c, CURLOPT_WRITEDATA, &x);
	int rc = ok ? perform(api, url, 202) : option_failed(api, url);
	if (rc != 0 && api->timed_out) {
		size_t n = strlen(api->error);
		snprintf(api->error + n, sizeof api->error - n, " (no answer within LAMBDA_POST_TIMEOUT_MS=%ld)",
			 api->post_timeout_ms);
	}
	if (!SET(c, CURLOPT_HTTPHEADER, NULL) || !SET(c, CURLOPT_POSTFIELDS, NULL))
		rc = rc != 0 ? rc : option_failed(api, url);
	arena_release(&scratch);
	return rc;
}

/* Content-Type, no "Expect: 100-continue" round trip, and the error type when given. */
static struct curl_slist *post_headers(struct arena *a, const char *error_type)
{
	const char *lines[3] = { "Content-Type: application/json", "Expect:", NULL };
	if (error_type != NULL) {
		struct buf line;
		buf_init(&line, a);
		buf_append_cstr(&line, "Lambda-Runtime-Function-Error-Type: ");
		buf_append_cstr(&line, error_type);
		lines[2] = buf_str(&line).p;
		if (lines[2] == NULL)
			return NULL;
	}
	struct curl_slist *h = NULL;
	for (size_t i = 0; i < 3 && lines[i] != NULL; i++) {
		struct curl_slist *next = curl_slist_append(h, lines[i]);
		if (next == NULL) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = next;
	}
	return h;
}

static int post_to(struct runtime_api *api, const char *prefix, struct str id, const char *tail,
		   const char *error_type, struct str body)
{
	struct arena a;
	arena_init(&a);
	const char *url = url_of(api, &a, prefix, id, tail);
	struct curl_slist *headers = url ? post_headers(&a, error_type) : NULL;
	int rc = -1;
	if (headers == NULL)
		snprintf(api->error, sizeof api->error, "out of memory");
	else
		rc = post(api, url, headers, body);
	curl_slist_free_all(headers);
	arena_release(&a);
	return rc;
}

int runtime_api_respond(struct runtime_api *api, struct str request_id, struct str body)
{
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	return post_to(api, "/invocation/", request_id, "/response", NULL, body);
}

int runtime_api_report_error(struct runtime_api *api, struct str request_id, const char *type, struct str body)
{
	if (str_is_null(request_id))
		return post_to(api, "/init/error", STR_LIT(""), "", type, body);
	if (!safe_id(request_id)) {
		snprintf(api->error, sizeof api->error, "request id with unexpected characters");
		return -1;
	}
	return post_to(api, "/invocation/", request_id, "/error", type, body);
}
