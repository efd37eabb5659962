#include "http/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <limits.h>

#include "core/sysio.h"
#include "http/log_line.h"
#include "http/request_id.h"

_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "an access line must fit one atomic write to a pipe");
_Static_assert(LOG_CAP_SPAN > LINE_CUT_MARK_MAX, "the smallest cap holds the cut mark (http/log_line.h)");
_Static_assert(LOG_LINE_MAX <= LINE_SMALL, "a line is built without the heap");
_Static_assert(LOG_CAP_SHORT + LOG_CAP_ID + LOG_CAP_MESSAGE + 400 <= LOG_LINE_MAX, "an event line too");

static enum log_format format = LOG_FORMAT_JSON;
static enum log_level min_level = LOG_INFO;

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };

void log_configure(enum log_format f, enum log_level min)
{
	format = f;
	min_level = min;
}

static enum app_err bad_setting(const char *name, const char *value, const char *want, const char **why)
{
	static char sentence[200];
	snprintf(sentence, sizeof sentence, "%s=\"%.40s\" is not one of %s", name, value, want);
	*why = sentence;
	return APP_ERR_INVALID;
}

/* The value of the first of two variables that is set and not empty, and its name. */
static const char *setting(const char *first, const char *second, const char **name)
{
	const char *v = getenv(first);
	*name = first;
	if (v == NULL || *v == '\0') {
		v = getenv(second);
		*name = second;
	}
	return v != NULL && *v != '\0' ? v : NULL;
}

enum app_err log_load(const char **why)
{
	enum log_format f = LOG_FORMAT_JSON;
	enum log_level l = LOG_INFO;
	const char *name;
	const char *v = setting("AWS_LAMBDA_LOG_FORMAT", "LOG_FORMAT", &name);
	if (v != NULL) {
		if (strcasecmp(v, "json") == 0)
			f = LOG_FORMAT_JSON;
		else if (strcasecmp(v, "text") == 0)
			f = LOG_FORMAT_TEXT;
		else if (strcasecmp(v, "off") == 0)
			f = LOG_FORMAT_OFF;
		else
			return bad_setting(name, v, "json, text, off", why);
	}
	v = setting("AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL", &name);
	if (v != NULL) {
		if (strcasecmp(v, "trace") == 0 || strcasecmp(v, "debug") == 0)
			l = LOG_DEBUG;
		else if (strcasecmp(v, "info") == 0)
			l = LOG_INFO;
		else if (strcasecmp(v, "warn") == 0)
			l = LOG_WARN;
		else if (strcasecmp(v, "error") == 0)
			l = LOG_ERROR;
		else if (strcasecmp(v, "fatal") == 0)
			l = LOG_FATAL;
		else
			return bad_setting(name, v, "TRACE, DEBUG, INFO, WARN, ERROR, FATAL", why);
	}
	log_configure(f, l);
	return APP_OK;
}

void log_access_from(struct log_access *a, const struct request *req, const struct response *resp)
{
	struct str trace = request_trace_id(req);
	*a = (struct log_access){
		.target = req->target,
		.method = req->method,
		.path = req->path,
		.query = req->raw_query,
		.request_id = req->request_id,
		.trace_id = trace,
		.span_id = request_span_id(req),
		.client = req->remote_addr,
		.user_agent = request_header(req, "user-agent"),
		.status = resp->status,
		.bytes = resp->omit_body ? 0 : resp->body.n,
		.route = resp->route,
	};
}

/* The line's building blocks (http/log_line.h), under short names. */
static void put(struct line *l, const char *p, size_t n)
{
	line_put(l, p, n);
}

static void putc_(struct line *l, char c)
{
	line_putc(l, c);
}

static void puts_(struct line *l, const char *s)
{
	line_puts(l, s);
}

static void put_number(struct line *l, long long v)
{
	line_put_number(l, v);
}

/* s quoted and cut past max bytes, or null ("-" in text) when empty. */
static void put_quoted_or_null(struct line *l, struct str s, size_t max)
{
	if (s.n == 0 && format == LOG_FORMAT_JSON)
		put(l, "null", 4);
	else if (s.n == 0)
		putc_(l, '-');
	else
		line_put_quoted(l, s, max);
}

/* JSON: ,"key": ; text: a space. key(l, "name"): name must be a literal. */
static void put_key(struct line *l, const char *json, size_t n)
{
	if (format == LOG_FORMAT_JSON)
		put(l, json, n);
	else
		putc_(l, ' ');
}
#define key(l, name) put_key((l), ",\"" name "\":", sizeof(",\"" name "\":") - 1)

/* A string literal's bytes, without its NUL. */
#define put_lit(l, s) line_put((l), (s), sizeof(s) - 1)

/* JSON only: s quoted and cut past max bytes, or null when empty. */
static inline void json_quoted_or_null(struct line *l, struct str s, size_t max)
{
	if (s.n == 0)
		put_lit(l, "null");
	else
		line_put_quoted(l, s, max);
}

/* The time now, "2026-12-01T05:01:00.123Z", into when (room for 40): its
 * length. The seconds change once a second: formatted then, reused in
 * between; one cache per thread (the Lambda bootstrap's watchdog logs too). */
static size_t now_text(char *when)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[24];
	static _Thread_local size_t cached_n;
	if (ts.tv_sec != cached_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		cached_n = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	unsigned ms = (unsigned)(ts.tv_nsec / 1000000);
	size_t n = cached_n;
	memcpy(when, cached, sizeof cached); /* the bytes past n are written over */
	when[n++] = '.';
	when[n++] = (char)('0' + ms / 100);
	when[n++] = (char)('0' + ms / 10 % 10);
	when[n++] = (char)('0' + ms % 10);
	when[n++] = 'Z';
	return n;
}

/* What follows the time in JSON, by level (padded: copied 32 bytes at a time). */
static const struct {
	char p[32];
	unsigned char n;
} level_json[] = {
#define LEVEL_JSON(name) { "\",\"level\":\"" name "\",\"target\":", sizeof("\",\"level\":\"" name "\",\"target\":") - 1 }
	LEVEL_JSON("DEBUG"), LEVEL_JSON("INFO"), LEVEL_JSON("WARN"), LEVEL_JSON("ERROR"), LEVEL_JSON("FATAL"),
#undef LEVEL_JSON
};

/* The line's start: time and level (and target). */
static void head(struct line *l, enum log_level level, const char *target)
{
	if (format == LOG_FORMAT_JSON) {
		char *o = line_room(l, 9 + 40 + sizeof level_json[0].p);
		if (o == NULL)
			return;
		memcpy(o, "{\"time\":\"", 9);
		size_t n = 9 + now_text(o + 9);
		memcpy(o + n, level_json[level].p, sizeof level_json[0].p);
		l->n += n + level_json[level].n;
		line_put_quoted(l, str_c(target), LOG_CAP_SHORT);
	} else {
		char when[40];
		put(l, when, now_text(when));
		putc_(l, ' ');
		puts_(l, level_names[level]);
		putc_(l, ' ');
		puts_(l, target);
	}
}

/* The default writer: the whole line to fd. */
static int write_whole(int fd, const char *line, size_t n)
{
	return write_all(fd, line, n);
}

static log_writer *writer = write_whole;

void log_set_writer(log_writer *w)
{
	writer = w != NULL ? w : write_whole;
}

int log_write_line(int fd, const char *line, size_t n)
{
	return writer(fd, line, n);
}

/* Ends the line and hands it to the writer: -1 when it could not be built
 * (out of memory) or written. */
static int finish(struct line *l, int fd)
{
	if (format == LOG_FORMAT_JSON)
		putc_(l, '}');
	putc_(l, '\n');
	int rc = -1;
	if (!l->failed)
		rc = writer(fd, l->p, l->n);
	line_free(l);
	return rc;
}

int log_access_write(int fd, const struct log_access *a)
{
	enum log_level level = a->status >= 500 ? LOG_ERROR : LOG_INFO;
	if (format == LOG_FORMAT_OFF || level < min_level)
		return 0;
	struct line l;
	line_init(&l);
	head(&l, level, a->target);
	if (format == LOG_FORMAT_TEXT) {
		/* time level target client "METHOD path?query" status bytes duration_us id trace "agent" */
		putc_(&l, ' ');
		put_quoted_or_null(&l, a->client, LOG_CAP_SHORT);
		putc_(&l, ' ');
		struct line target;
		line_init(&target);
		put(&target, a->method.p, a->method.n);
		putc_(&target, ' ');
		put(&target, a->path.p, a->path.n);
		if (a->query.n > 0) {
			putc_(&target, '?');
			put(&target, a->query.p, a->query.n);
		}
		if (target.failed)
			l.failed = true;
		else
			line_put_quoted(&l, (struct str){ target.p, target.n }, LOG_CAP_SHORT + 2 * LOG_CAP_URL);
		line_free(&target);
		putc_(&l, ' ');
		put_number(&l, a->status);
		putc_(&l, ' ');
		put_number(&l, (long long)a->bytes);
		putc_(&l, ' ');
		put_number(&l, a->duration_us);
		puts_(&l, "us ");
		put_quoted_or_null(&l, a->request_id, LOG_CAP_ID);
		putc_(&l, ' ');
		put_quoted_or_null(&l, a->trace_id, LOG_CAP_ID);
		putc_(&l, ' ');
		put_quoted_or_null(&l, a->user_agent, LOG_CAP_USER_AGENT);
		return finish(&l, fd);
	}
	put_lit(&l, ",\"method\":");
	line_put_quoted(&l, a->method, LOG_CAP_SHORT);
	put_lit(&l, ",\"path\":");
	line_put_quoted(&l, a->path, LOG_CAP_URL);
	if (a->query.n > 0) {
		put_lit(&l, ",\"query\":");
		line_put_quoted(&l, a->query, LOG_CAP_URL);
	}
	put_lit(&l, ",\"status\":");
	put_number(&l, a->status);
	put_lit(&l, ",\"bytes\":");
	put_number(&l, (long long)a->bytes);
	put_lit(&l, ",\"duration_us\":");
	put_number(&l, a->duration_us);
	put_lit(&l, ",\"request_id\":");
	json_quoted_or_null(&l, a->request_id, LOG_CAP_ID);
	put_lit(&l, ",\"trace_id\":");
	json_quoted_or_null(&l, a->trace_id, LOG_CAP_ID);
	if (a->span_id.n > 0) {
		put_lit(&l, ",\"span_id\":");
		line_put_quoted(&l, a->span_id, LOG_CAP_SPAN);
	}
	put_lit(&l, ",\"client\":");
	json_quoted_or_null(&l, a->client, LOG_CAP_SHORT);
	put_lit(&l, ",\"user_agent\":");
	json_quoted_or_null(&l, a->user_agent, LOG_CAP_USER_AGENT);
	return finish(&l, fd);
}

int log_event(int fd, enum log_level level, const char *target, struct str request_id, const char *message)
{
	if (format == LOG_FORMAT_OFF || level < min_level)
		return 0;
	struct line l;
	line_init(&l);
	head(&l, level, target);
	key(&l, "request_id");
	put_quoted_or_null(&l, request_id, LOG_CAP_ID);
	key(&l, "message");
	line_put_quoted(&l, str_c(message), LOG_CAP_MESSAGE);
	return finish(&l, fd);
}
