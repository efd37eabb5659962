/* Access log lines and events (http/log.h): one line per write, escaped, filtered by level. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "http/forwarded.h"
#include "http/log.h"
#include "http/request_id.h"
#include "http/trust.h"

static int fds[2];
static char got[65536];

static void setup(void)
{
	cr_assert_eq(pipe(fds), 0);
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

static void teardown(void)
{
	close(fds[0]);
	close(fds[1]);
	unsetenv("LOG_FORMAT");
	unsetenv("LOG_LEVEL");
	unsetenv("AWS_LAMBDA_LOG_FORMAT");
	unsetenv("AWS_LAMBDA_LOG_LEVEL");
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(log, .init = setup, .fini = teardown);

/* What the pipe holds (all written so far: the writer end stays open, so one read). */
static const char *drain(void)
{
	ssize_t n = read(fds[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	return got;
}

static struct log_access sample(void)
{
	return (struct log_access){
		.target = "fcgi",
		.method = STR_LIT("GET"),
		.path = STR_LIT("/math/add"),
		.query = STR_LIT("i=5&i=10"),
		.request_id = STR_LIT("rid-1"),
		.trace_id = STR_NULL,
		.client = STR_LIT("203.0.113.7"),
		.user_agent = STR_LIT("curl/7.88.1"),
		.status = 200,
		.bytes = 2,
		.duration_us = 84,
	};
}

static cJSON *one_json_line(void)
{
	const char *line = drain();
	size_t n = strlen(line);
	cr_assert(n > 0 && line[n - 1] == '\n' && strchr(line, '\n') == line + n - 1, "not one line: %s", line);
	cJSON *doc = cJSON_Parse(line);
	cr_assert_not_null(doc, "not JSON: %s", line);
	return doc;
}

static const char *string_of(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

Test(log, access_line_has_every_key_in_order)
{
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	const char *keys[] = { "time",  "level",       "target",     "method",   "path",   "query",     "status",
			       "bytes", "duration_us", "request_id", "trace_id", "client", "user_agent" };
	const cJSON *item = doc->child;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++, item = item->next) {
		cr_assert_not_null(item, "missing %s", keys[i]);
		cr_assert_str_eq(item->string, keys[i]);
	}
	cr_assert_null(item);
	cr_assert_str_eq(string_of(doc, "level"), "INFO");
	cr_assert_str_eq(string_of(doc, "query"), "i=5&i=10");
	cr_assert_eq(cJSON_GetObjectItem(doc, "status")->valueint, 200);
	cr_assert_eq(cJSON_GetObjectItem(doc, "duration_us")->valueint, 84);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "trace_id")));
	/* RFC 3339 in UTC with milliseconds: 2026-12-01T05:01:00.123Z */
	const char *t = string_of(doc, "time");
	cr_assert_eq(strlen(t), 24, "%s", t);
	cr_assert(t[10] == 'T' && t[19] == '.' && t[23] == 'Z', "%s", t);
	cJSON_Delete(doc);
}

Test(log, empty_query_is_left_out)
{
	struct log_access a = sample();
	a.query = STR_LIT("");
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	cr_assert_null(cJSON_GetObjectItem(doc, "query"));
	cJSON_Delete(doc);
}

Test(log, hostile_strings_stay_inside_their_field)
{
	struct log_access a = sample();
	a.user_agent = (struct str){ "a\"b\\c\nd\r{\"x\":1}\x01\x7f\xff\xc3\xa9", 21 };
	a.path = STR_LIT("/\"},\"status\":1,\"x\":\"");
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	cr_assert_str_eq(string_of(doc, "user_agent"), "a\"b\\c\nd\r{\"x\":1}\x01\x7f\xef\xbf\xbd\xc3\xa9");
	cr_assert_str_eq(string_of(doc, "path"), "/\"},\"status\":1,\"x\":\"");
	cr_assert_eq(cJSON_GetObjectItem(doc, "status")->valueint, 200);
	cJSON_Delete(doc);
}

Test(log, five_xx_is_an_error_line)
{
	struct log_access a = sample();
	a.status = 503;
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	cr_assert_str_eq(string_of(doc, "level"), "ERROR");
	cJSON_Delete(doc);
}

Test(log, level_filters_lines_below_it)
{
	log_configure(LOG_FORMAT_JSON, LOG_WARN);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cr_assert_eq(log_event(fds[1], LOG_ERROR, "fcgi", STR_NULL, "worker 12 exited on signal 9"), 0);
	cJSON *doc = one_json_line();
	cr_assert_str_eq(string_of(doc, "level"), "ERROR");
	cr_assert_str_eq(string_of(doc, "message"), "worker 12 exited on signal 9");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "request_id")));
	cJSON_Delete(doc);
}

Test(log, off_writes_nothing)
{
	log_configure(LOG_FORMAT_OFF, LOG_DEBUG);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cr_assert_eq(log_event(fds[1], LOG_FATAL, "cgi", STR_NULL, "x"), 0);
	cr_assert_eq(write(fds[1], "end", 3), 3);
	cr_assert_str_eq(drain(), "end");
}

Test(log, text_line_quotes_what_may_hold_spaces)
{
	log_configure(LOG_FORMAT_TEXT, LOG_INFO);
	struct log_access a = sample();
	a.user_agent = STR_LIT("Mozilla/5.0 (X11)");
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	const char *line = drain();
	const char *rest = strchr(line, ' ');
	cr_assert_not_null(rest);
	cr_assert_str_eq(rest, " INFO fcgi \"203.0.113.7\" \"GET /math/add?i=5&i=10\" 200 2 84us \"rid-1\" - "
			       "\"Mozilla/5.0 (X11)\"\n");
}

Test(log, settings_are_read_and_lambdas_win)
{
	const char *why = NULL;
	setenv("LOG_FORMAT", "TEXT", 1);
	cr_assert_eq(log_load(&why), APP_OK);
	setenv("AWS_LAMBDA_LOG_FORMAT", "JSON", 1);
	setenv("AWS_LAMBDA_LOG_LEVEL", "ERROR", 1);
	cr_assert_eq(log_load(&why), APP_OK);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(fds[1], &a), 0); /* INFO: filtered */
	a.status = 500;
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	cr_assert_str_eq(string_of(doc, "level"), "ERROR");
	cJSON_Delete(doc);
}

Test(log, bad_settings_are_refused_by_name)
{
	const char *why = NULL;
	setenv("LOG_FORMAT", "yaml", 1);
	cr_assert_eq(log_load(&why), APP_ERR_INVALID);
	cr_assert(strstr(why, "LOG_FORMAT=\"yaml\"") != NULL, "%s", why);
	unsetenv("LOG_FORMAT");
	setenv("AWS_LAMBDA_LOG_LEVEL", "LOUD", 1);
	cr_assert_eq(log_load(&why), APP_ERR_INVALID);
	cr_assert(strstr(why, "AWS_LAMBDA_LOG_LEVEL=\"LOUD\"") != NULL, "%s", why);
}

Test(log, long_lines_grow_past_the_small_buffer)
{
	static char agent[5000];
	memset(agent, 'a', sizeof agent);
	agent[100] = '"';
	agent[400] = '\x01';
	struct log_access a = sample();
	a.user_agent = (struct str){ agent, sizeof agent };
	a.path = (struct str){ agent + 500, 700 };
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cJSON *doc = one_json_line();
	const char *ua = string_of(doc, "user_agent");
	cr_assert_eq(ua[100], '"');
	cr_assert_eq(ua[400], '\x01');
	/* 512 bytes escaped: 100 + 2 + 299 + 6 + the rest, less the marker's 32. */
	cr_assert_not_null(strstr(ua, "...(+4526 bytes)"), "%s", ua);
	cr_assert_eq(strlen(string_of(doc, "path")), 700);
	cr_assert_str_eq(string_of(doc, "client"), "203.0.113.7");
	cJSON_Delete(doc);
}

/* The writer hook (log_set_writer): each finished line reaches it whole, with its fd. */
static struct {
	int fd, calls;
	char line[4096];
	size_t n;
} seen;

static int remember(int fd, const char *line, size_t n)
{
	seen.fd = fd;
	seen.calls++;
	seen.n = n < sizeof seen.line ? n : sizeof seen.line;
	memcpy(seen.line, line, seen.n);
	return 0;
}

Test(log, every_line_goes_whole_to_the_writer_set)
{
	log_set_writer(remember);
	struct log_access a = sample();
	cr_assert_eq(log_access_write(7, &a), 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.fd, 7);
	cr_assert(seen.n > 0 && seen.line[seen.n - 1] == '\n' && memchr(seen.line, '\n', seen.n) == seen.line + seen.n - 1);
	cr_assert_eq(log_event(8, LOG_ERROR, "fcgi", STR_NULL, "x"), 0);
	cr_assert_eq(seen.calls, 2);
	cr_assert_eq(seen.fd, 8);
	log_set_writer(NULL);
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	cr_assert_eq(seen.calls, 2, "NULL: the default writer again");
	cr_assert(strstr(drain(), "\"status\":200") != NULL);
}

/* The trace id: a Lambda event's X-Amzn-Trace-Id Root (validated), else the
 * request context's, never the environment's. */
Test(log, trace_id_comes_from_the_header_else_the_request_context)
{
	struct arena ar;
	arena_init(&ar);
	struct request req;
	request_init(&req, &ar, "lambda");
	req.aws_front = true;
	struct response resp;
	response_init(&resp, &ar);
	setenv("_X_AMZN_TRACE_ID", "Root=from-the-environment", 1);
	struct log_access a;
	log_access_from(&a, &req, &resp);
	cr_assert(a.trace_id.n == 0, "the environment is not read");
	req.context.trace_id = STR_LIT("Root=from-the-context");
	log_access_from(&a, &req, &resp);
	cr_assert(str_eq(a.trace_id, STR_LIT("Root=from-the-context")));
	cr_assert_eq(request_add_header(&req, STR_LIT("X-Amzn-Trace-Id"),
					STR_LIT("Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")),
		     APP_OK);
	log_access_from(&a, &req, &resp);
	cr_assert(str_eq(a.trace_id, STR_LIT("Root=1-5759e988-bd862e3fe1be46a994272793")), "%.*s", (int)a.trace_id.n,
		  a.trace_id.p);
	unsetenv("_X_AMZN_TRACE_ID");
	arena_release(&ar);
}

/* The realtime clock and strftime() as the test sets them, thread by thread
 * (-Wl,--wrap=clock_gettime,--wrap=strftime, mk/timer-races.mk): a thread with
 * fake_sec set reads that second; one with hold_in_strftime set stops in
 * strftime(), after it formatted, until the test lets it go. */
static _Thread_local time_t fake_sec;
static _Thread_local bool hold_in_strftime;
static struct {
	pthread_mutex_t lock;
	pthread_cond_t moved;
	bool inside, go;
} hold = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false };

int __real_clock_gettime(clockid_t clock, struct timespec *t);
int __wrap_clock_gettime(clockid_t clock, struct timespec *t);
int __wrap_clock_gettime(clockid_t clock, struct timespec *t)
{
	if (clock != CLOCK_REALTIME || fake_sec == 0)
		return __real_clock_gettime(clock, t);
	*t = (struct timespec){ fake_sec, 250 * 1000000L };
	return 0;
}

size_t __real_strftime(char *s, size_t max, const char *format, const struct tm *tm);
size_t __wrap_strftime(char *s, size_t max, const char *format, const struct tm *tm);
size_t __wrap_strftime(char *s, size_t max, const char *format, const struct tm *tm)
{
	size_t n = __real_strftime(s, max, format, tm);
	if (hold_in_strftime) {
		pthread_mutex_lock(&hold.lock);
		hold.inside = true;
		pthread_cond_broadcast(&hold.moved);
		while (!hold.go)
			pthread_cond_wait(&hold.moved, &hold.lock);
		pthread_mutex_unlock(&hold.lock);
	}
	return n;
}

#define SEC_A 1000000000 /* 2001-09-09T01:46:40 */
#define SEC_B 2000000000 /* 2033-05-18T03:33:20 */

static void *log_at_b_held(void *fd)
{
	fake_sec = SEC_B;
	hold_in_strftime = true;
	(void)log_event(*(int *)fd, LOG_INFO, "lambda", STR_NULL, "from the other thread");
	return NULL;
}

/* One thread stops while it formats a new second; another logs within the
 * second it had cached: its line keeps its own time (one cache per thread). */
Test(log, a_thread_formatting_a_new_second_leaves_the_others_time_alone, .timeout = 10)
{
	fake_sec = SEC_A;
	cr_assert_eq(log_event(fds[1], LOG_INFO, "lambda", STR_NULL, "first"), 0);
	cr_assert(strstr(drain(), "\"time\":\"2001-09-09T01:46:40.250Z\"") != NULL, "%s", got);
	pthread_t other;
	cr_assert_eq(pthread_create(&other, NULL, log_at_b_held, &fds[1]), 0);
	pthread_mutex_lock(&hold.lock);
	while (!hold.inside)
		pthread_cond_wait(&hold.moved, &hold.lock);
	pthread_mutex_unlock(&hold.lock);
	cr_assert_eq(log_event(fds[1], LOG_INFO, "lambda", STR_NULL, "meanwhile"), 0);
	const char *mine = drain();
	bool own_time = strstr(mine, "\"time\":\"2001-09-09T01:46:40.250Z\"") != NULL;
	pthread_mutex_lock(&hold.lock);
	hold.go = true;
	pthread_cond_broadcast(&hold.moved);
	pthread_mutex_unlock(&hold.lock);
	pthread_join(other, NULL);
	fake_sec = 0;
	cr_assert(own_time, "the line logged meanwhile: %s", mine);
	cr_assert(strstr(drain(), "\"time\":\"2033-05-18T03:33:20.250Z\"") != NULL, "the held thread's line: %s", got);
}

/* Issue 27 item 2: X-Amzn-Trace-Id only where a balancer sets it (a Lambda event,
 * or a trusted proxy with FORWARDED_TRACE_ID on), only X-Ray's Root format, and
 * only the Root, never the rest of the header. */
Test(log, trace_id_header_only_from_a_balancer_and_well_formed)
{
	static const char root[] = "Root=1-5759e988-bd862e3fe1be46a994272793";
	struct exchange x;
	char *const env[] = { "REQUEST_URI=/ping", "REMOTE_ADDR=127.0.0.1",
			      "HTTP_X_AMZN_TRACE_ID=Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", NULL };
	cr_assert_eq(forwarded_allow("127.0.0.1", &(const char *){ NULL }), APP_OK);
	exchange_run(&x, env, NULL, 0);
	struct log_access a;
	log_access_from(&a, &x.req, &x.resp);
	cr_assert(a.trace_id.n == 0, "a trusted peer without FORWARDED_TRACE_ID: not believed");
	exchange_free(&x);
	trust_configure((struct trust){ .trace_id = true });
	exchange_run(&x, env, NULL, 0);
	log_access_from(&a, &x.req, &x.resp);
	cr_assert(str_eq(a.trace_id, str_c(root)), "%.*s", (int)a.trace_id.n, a.trace_id.p);
	exchange_free(&x);
	cr_assert_eq(forwarded_allow(NULL, &(const char *){ NULL }), APP_OK);
	exchange_run(&x, env, NULL, 0);
	log_access_from(&a, &x.req, &x.resp);
	cr_assert(a.trace_id.n == 0, "an untrusted peer: not believed");
	exchange_free(&x);
	trust_configure((struct trust){ 0 });
	static const char *const bad[] = { "Root=1-5759e988-bd862e3fe1be46a99427279", "Root=1-5759e988-bd862e3fe1be46a9942727933",
					   "Root=1-5759E988-bd862e3fe1be46a994272793", "Root=2-5759e988-bd862e3fe1be46a994272793",
					   "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e", "Parent=1-5759e988-bd862e3fe1be46a994272793",
					   "root=1-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e988_bd862e3fe1be46a994272793",
					   "", "Root=\"},\"x\":\"" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert(str_is_null(request_trace_header(str_c(bad[i]))), "%s taken", bad[i]);
	cr_assert(str_eq(request_trace_header(STR_LIT(" Sampled=0 ; Root=1-5759e988-bd862e3fe1be46a994272793 ;x")),
			 str_c(root)));
}
