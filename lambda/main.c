/* bootstrap: the AWS Lambda custom runtime. With AWS_LAMBDA_RUNTIME_API set it
 * serves invocations until the Runtime API goes away (lambda/runtime_api.c), and
 * answers 504 itself for a handler still running near its deadline, then exits
 * (lambda/deadline.c); `--event FILE` instead runs one event document through the
 * service and prints the response document (a local invoke, like `sam local
 * invoke`). Event translation is app/'s job. docs/lambda.md has the details. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "core/sysio.h"
#include "deadline.h"
#include "http/log.h"
#include "http/emf.h"
#include "http/observe.h"
#include "http/settings.h"
#include "lambda_events/lambda_event.h"
#include "loops.h"
#include "pieces.h"
#include "runtime_api.h"
#include "test_hooks.h"
#include "service/service.h"

#define TARGET "lambda"

#ifndef APP_VERSION
#define APP_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fputs("usage: bootstrap                      serve invocations from $AWS_LAMBDA_RUNTIME_API\n"
	      "       bootstrap --event FILE [--repeat N]\n"
	      "                                      answer one event document (FILE or - for stdin),\n"
	      "                                      print the response document; --repeat runs it N\n"
	      "                                      times and prints the time per invocation on stderr\n"
	      "       bootstrap --help | --version\n",
	      out);
}

/* Reads all of f into the arena (NUL-terminated). */
static int read_all(FILE *f, struct arena *a, struct str *out)
{
	struct buf b;
	buf_init(&b, a);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f))
		return -1;
	*out = b.n > 0 ? buf_str(&b) : STR_LIT("");
	return str_is_null(*out) ? -1 : 0;
}

/* Prints the response document, or the error document; exit status 0 or 1. */
static int print_result(struct arena *a, const struct lambda_result *res)
{
	if (res->error_type == NULL) {
		printf("%s\n", res->response.p);
		return 0;
	}
	struct str err = lambda_error_json(a, res->error_type, res->error_message);
	printf("%s\n", err.p ? err.p : res->error_message);
	fprintf(stderr, "bootstrap: %s: %s\n", res->error_type, res->error_message);
	return 1;
}

/* One local invocation, with the trace id a Runtime API invocation would carry
 * ($_X_AMZN_TRACE_ID of our own environment, for the access line). */
static void handle_local(struct arena *a, struct str event, struct str trace_id, struct lambda_result *res)
{
	struct lambda_invocation *li = lambda_invocation_start(a, event, TARGET, res);
	if (li == NULL)
		return;
	lambda_invocation_set_runtime(li, STR_NULL, trace_id, STR_NULL, STR_NULL);
	lambda_invocation_finish(li, res);
}

static int local_invoke(const char *path, long repeat)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "bootstrap: %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct arena file_arena;
	arena_init(&file_arena);
	struct str event;
	int rc = read_all(f, &file_arena, &event);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "bootstrap: cannot read %s\n", path);
		arena_release(&file_arena);
		return 2;
	}
	struct str trace_id = str_c(getenv("_X_AMZN_TRACE_ID"));
	long long start = now_us();
	for (long i = 1; i < repeat; i++) {
		struct arena a;
		arena_init(&a);
		struct lambda_result res;
		handle_local(&a, event, trace_id, &res);
		arena_release(&a);
	}
	struct arena a;
	arena_init(&a);
	struct lambda_result res;
	handle_local(&a, event, trace_id, &res);
	double elapsed = (double)(now_us() - start) / 1e6;
	if (res.has_access) /* stdout is the response document */
		(void)log_access_write(STDERR_FILENO, &res.access);
	if (res.has_access && observe_mode() == METRICS_EMF)
		emf_write_one(STDERR_FILENO, &res.access);
	if (repeat > 1)
		fprintf(stderr, "bootstrap: %ld invocations in %.3f s, %.2f us each\n", repeat, elapsed,
			elapsed / (double)repeat * 1e6);
	rc = print_result(&a, &res);
	arena_release(&a);
	arena_release(&file_arena);
	return rc;
}

static bool streaming; /* LAMBDA_INVOKE_MODE=RESPONSE_STREAM */

/* The settings read once, at start, one loader per layer: the limits,
 * forwarded and log settings (http/settings.h), the service's
 * (service/service.h), the adapters' own (lambda_events/lambda_event.h) and the
 * invoke mode (runtime_api.h). */
static enum app_err load_settings(const char **why)
{
	if (http_settings_load(why) != APP_OK || service_settings_load(why) != APP_OK ||
	    lambda_settings_load(why) != APP_OK || runtime_api_invoke_mode(&streaming, why) != APP_OK)
		return APP_ERR_INVALID;
	test_hook_routes(); /* test_hooks.h: nothing outside the test-hooks build */
	return APP_OK;
}

/* A failed start: tell Lambda when it can be reached (/init/error), and stderr always. */
static int init_failed(struct runtime_api *api, const char *type, const char *message)
{
	fprintf(stderr, "bootstrap: %s\n", message);
	if (api != NULL) {
		struct arena a;
		arena_init(&a);
		struct str doc = lambda_error_json(&a, type, message);
		if (doc.p != NULL && runtime_api_report_error(api, STR_NULL, type, doc) != 0)
			fprintf(stderr, "bootstrap: could not report the init error either: %s\n",
				runtime_api_error(api));
		arena_release(&a);
	}
	return 1;
}

/* Sets _X_AMZN_TRACE_ID (X-Ray's variable), or unsets it for an empty id.
 * glibc's setenv never frees the value it replaces, which would leak on every
 * invocation: this owns the "NAME=value" string given to putenv and frees the one
 * it replaced. */
static void export_trace_id(struct str trace_id)
{
	static char *current;
	char *next = NULL;
	if (trace_id.n > 0) {
		size_t n = sizeof "_X_AMZN_TRACE_ID=" + trace_id.n;
		next = malloc(n);
		if (next != NULL) {
			snprintf(next, n, "_X_AMZN_TRACE_ID=%.*s", (int)trace_id.n, trace_id.p);
			if (putenv(next) != 0) {
				free(next);
				next = NULL;
			}
		}
	}
	if (next == NULL)
		unsetenv("_X_AMZN_TRACE_ID");
	free(current);
	current = next;
}

/* What the watchdog needs to answer for a late handler. */
struct late_answer {
	struct runtime_api *api;
	const struct invocation *inv;
	const struct lambda_invocation *li;
};

/* The handler is still running LAMBDA_DEADLINE_MARGIN_MS before the deadline: post
 * 504 {"detail":"Request timed out"} in the event's shape, say so, and end the
 * process, so Lambda starts a fresh one for the next invocation instead of thawing
 * one whose handler is stuck. Runs on the watchdog thread (or the main one when no
 * time was left at all); never returns. */
static void answer_late(void *ctx)
{
	struct late_answer *late = ctx;
	struct arena b;
	arena_init(&b);
	struct str body, doc;
	bool streams = lambda_invocation_timeout_stream(&b, late->li, &doc, &body);
	if (!streams)
		doc = lambda_invocation_timeout_reply(&b, late->li);
	(void)log_event(STDOUT_FILENO, LOG_ERROR, TARGET, late->inv->request_id,
			"still running at its deadline less the margin: answered 504 Request timed out; "
			"exiting so the next invocation gets a fresh process");
	if (doc.p == NULL || (streams ? runtime_api_respond_stream(late->api, late->inv->request_id, doc, body)
				      : runtime_api_respond(late->api, late->inv->request_id, doc)) != 0)
		fprintf(stderr, "bootstrap: invocation %s: could not post the 504: %s\n", late->inv->request_id.p,
			doc.p == NULL ? "out of memory" : runtime_api_error(late->api));
	fflush(stderr);
	_exit(1);
}

/* Runs the handler under the deadline watchdog (when there is one and the
 * invocation has a deadline). */
static void handle(struct runtime_api *api, struct deadline *watchdog, const struct invocation *inv,
		   struct lambda_invocation *li, struct lambda_result *res)
{
	struct late_answer late = { api, inv, li };
	long left = watchdog != NULL ? deadline_remaining_ms(watchdog, inv->deadline_ms) : LONG_MAX;
	if (left == 0)
		answer_late(&late);
	if (left != LONG_MAX)
		deadline_arm(watchdog, left, answer_late, &late);
	test_hook_slow_handler(li);
	int hold = test_hook_hold_wanted(li);
	lambda_invocation_finish(li, res);
	test_hook_hold_after_finish(watchdog, hold);
	if (left != LONG_MAX && !deadline_disarm(watchdog))
		for (;;)
			pause();  /* the watchdog is answering and will end the process */
}

/* One invocation: the trace id exported for the handler's duration, the event answered,
 * the response or error posted. -1 when the Runtime API could not be reached. */
static int invoke(struct runtime_api *api, struct deadline *watchdog, const struct invocation *inv, struct arena *a)
{
	export_trace_id(inv->trace_id);
	struct lambda_result res;
	struct lambda_invocation *li = lambda_invocation_start(a, inv->event, TARGET, &res);
	if (li != NULL) {
		lambda_invocation_set_runtime(li, inv->request_id, inv->trace_id, inv->function_arn, inv->deadline_ms);
		if (streaming)
			lambda_invocation_set_streaming(li);
		handle(api, watchdog, inv, li, &res);
	}
	/* A body in pieces goes out after the handler, outside the watchdog (Lambda's
	 * own timeout bounds it); the access line follows it, with the bytes sent. */
	bool posted = false;
	int rc = 0;
	if (li != NULL && res.stream_pending)
		rc = pieces_post(api, inv->request_id, li, &res, a, &posted);
	if (res.has_access)
		(void)log_access_write(STDOUT_FILENO, &res.access);
	if (res.has_access && observe_mode() == METRICS_EMF)
		emf_write_one(STDOUT_FILENO, &res.access);
	if (posted) {
		/* sent above */
	} else if (res.error_type == NULL && !str_is_null(res.stream_prelude)) {
		rc = runtime_api_respond_stream(api, inv->request_id, res.stream_prelude, res.stream_body);
	} else if (res.error_type == NULL) {
		rc = runtime_api_respond(api, inv->request_id, res.response);
	} else {
		char line[1024];
		snprintf(line, sizeof line, "%s: %s", res.error_type, res.error_message);
		(void)log_event(STDOUT_FILENO, LOG_ERROR, TARGET, inv->request_id, line);
		struct str doc = lambda_error_json(a, res.error_type, res.error_message);
		rc = doc.p ? runtime_api_report_error(api, inv->request_id, res.error_type, doc) : -1;
	}
	if (rc != 0)
		(void)log_event(STDOUT_FILENO, LOG_ERROR, TARGET, inv->request_id, runtime_api_error(api));
	return rc;
}

/* The /next loop until the Runtime API goes away (or, supervised, until SIGTERM
 * between two invocations). Alone, it reports a failed first /next as the init
 * error and returns 1; supervised, it returns an enum loop_exit for its parent,
 * which reports the init error once for all loops. */
static int next_loop(struct runtime_api *api, const char *host, bool supervised)
{
	struct deadline *watchdog = deadline_start();
	if (watchdog == NULL)
		fprintf(stderr, "bootstrap: no deadline watchdog (thread not started): late handlers "
				"will be cut off by Lambda itself\n");
	int status = LOOP_EXIT_DRAINED;
	for (unsigned long served = 0; loops_idle(true); served++) {
		struct arena a;
		arena_init(&a);
		struct invocation inv;
		int rc = runtime_api_next(api, &a, &inv);
		(void)loops_idle(false);
		if (rc != 0) {
			char msg[1536];
			snprintf(msg, sizeof msg, "cannot get the next invocation from the Lambda Runtime API at %s "
				 "(after %lu invocations): %s", host, served, runtime_api_error(api));
			if (served == 0 && !supervised) {
				status = init_failed(api, "Runtime.InitError", msg);
			} else {
				fprintf(stderr, "bootstrap: %s\n", msg);
				status = !supervised ? 1 : served == 0 ? LOOP_EXIT_API_AT_START : LOOP_EXIT_API_GONE;
			}
			arena_release(&a);
			break;
		}
		(void)invoke(api, watchdog, &inv, &a);
		arena_release(&a);
	}
	export_trace_id(STR_LIT(""));
	deadline_stop(watchdog);
	return status;
}

struct serving {
	const char *host;
	struct runtime_api *api;
};

/* One of several loops (lambda/loops.h), in its own process with its own connection. */
static int loop_process(void *ctx)
{
	const struct serving *sv = ctx;
	struct runtime_api *api = runtime_api_open(sv->host);
	if (api == NULL)
		return 1;
	int rc = next_loop(api, sv->host, true);
	runtime_api_close(api);
	return rc;
}

/* In the parent of several loops: one of them could not get its first invocation. */
static void loops_init_error(void *ctx)
{
	const struct serving *sv = ctx;
	char msg[512];
	snprintf(msg, sizeof msg, "cannot get the first invocation from the Lambda Runtime API at %s "
		 "(the loop said why above)", sv->host);
	(void)init_failed(sv->api, "Runtime.InitError", msg);
}

static int serve(void)
{
	const char *host = getenv("AWS_LAMBDA_RUNTIME_API");
	if (host == NULL || *host == '\0')
		return init_failed(NULL, "Runtime.InitError",
				   "AWS_LAMBDA_RUNTIME_API is not set: not running inside Lambda "
				   "(for a local invoke: bootstrap --event FILE)");
	struct runtime_api *api = runtime_api_open(host);
	if (api == NULL)
		return init_failed(NULL, "Runtime.InitError",
				   "AWS_LAMBDA_RUNTIME_API is not host:port (or out of memory setting up the client)");
	const char *why = NULL;
	int status;
	char note[160];
	int loops = loops_wanted(getenv("AWS_LAMBDA_MAX_CONCURRENCY"), note, sizeof note);
	if (note[0] != '\0')
		fprintf(stderr, "bootstrap: %s\n", note);
	if (load_settings(&why) != APP_OK) {
		status = init_failed(api, "Runtime.InitError", why);
	} else if (loops == 1) {
		status = next_loop(api, host, false);
	} else {
		struct serving sv = { host, api };
		status = loops_run(loops, loop_process, loops_init_error, &sv);
	}
	runtime_api_close(api);
	return status;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 1)
		return serve();
	const char *event = NULL;
	long repeat = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--event") == 0 && i + 1 < argc) {
			event = argv[++i];
		} else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			char *end;
			repeat = strtol(argv[++i], &end, 10);
			if (*end != '\0' || repeat < 1) {
				usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("bootstrap (math-service) %s\n", APP_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (event == NULL) {
		usage(stderr);
		return 2;
	}
	const char *why = NULL;
	if (load_settings(&why) != APP_OK) {
		fprintf(stderr, "bootstrap: %s\n", why);
		return 2;
	}
	return local_invoke(event, repeat);
}
