/* One log line per request, the same schema from all three targets, and the
 * application's own events (500s, worker restarts, init errors) through the same
 * logger with a level.
 *
 * JSON (default), one object per line:
 *   {"time":"2026-12-01T05:01:00.123Z","level":"INFO","target":"fcgi",
 *    "method":"GET","path":"/math/add","query":"i=5&i=10","status":200,
 *    "bytes":2,"duration_us":84,"request_id":"...","trace_id":null,
 *    "client":"203.0.113.7","user_agent":"curl/7.88.1"}
 * query is left out when empty, span_id (after trace_id; JSON only) unless a
 * W3C traceparent gave one; trace_id, client and user_agent are null when
 * unknown. An event has time, level, target, request_id (or null) and message.
 * Text: the same fields, space-separated, strings quoted where they may hold spaces.
 *
 * Every line is handed whole to one writer call (log_set_writer), which writes
 * it with one write(2) (alone, or with other whole lines when a FastCGI worker
 * gathers them), so lines from concurrent workers sharing one stderr never
 * interleave (a pipe keeps writes of up to PIPE_BUF whole). For that a line is
 * at most LOG_LINE_MAX bytes: each string field is cut to its cap below,
 * counted after escaping, at a character boundary, and then ends with
 * "...(+N bytes)", N the bytes of the value left out. Strings are escaped,
 * invalid UTF-8 becomes U+FFFD (core/utf8.h): no request can forge a line. A
 * line is built on the stack (http/log_line.h: 4 KiB, which every line fits), not in
 * the request arena: a line that cannot be built is dropped, never a crash. */
#ifndef APP_HTTP_LOG_H
#define APP_HTTP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"
#include "http/request.h"
#include "http/response.h"

/* Most bytes a string field takes in a line, between its quotes. */
#define LOG_CAP_SHORT 128        /* method, client, the target's name */
#define LOG_CAP_URL 1024         /* path; query */
#define LOG_CAP_ID 256           /* request_id; trace_id */
#define LOG_CAP_SPAN 48          /* span_id: a traceparent's parent id, 16 hex digits (a cap
                                  * exceeds the 32 bytes of "...(+N bytes)") */
#define LOG_CAP_USER_AGENT 512
#define LOG_CAP_MESSAGE 2048     /* an event's message */
/* The longest line, with 400 bytes for the keys, quotes, time, level and numbers:
 * 3 904, under PIPE_BUF (4 096 on Linux, the least POSIX allows is 512: checked
 * at compile time in log.c). */
#define LOG_LINE_MAX (3 * LOG_CAP_SHORT + 2 * LOG_CAP_URL + 2 * LOG_CAP_ID + LOG_CAP_SPAN + LOG_CAP_USER_AGENT + 420)

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_FATAL };
enum log_format { LOG_FORMAT_JSON, LOG_FORMAT_TEXT, LOG_FORMAT_OFF };

/* Reads the settings once, at start (http_settings_load() calls it):
 *   LOG_FORMAT   json (default), text, or off;
 *   LOG_LEVEL    DEBUG, INFO (default), WARN, ERROR or FATAL: lines below it are dropped;
 *   AWS_LAMBDA_LOG_FORMAT (JSON, Text) and AWS_LAMBDA_LOG_LEVEL (TRACE..FATAL),
 *   which Lambda sets from the function's logging configuration, win when set.
 * Case-insensitive. Anything else is APP_ERR_INVALID with *why naming it (static). */
enum app_err log_load(const char **why) MUST_CHECK;

/* Sets format and level directly (tests). */
void log_configure(enum log_format format, enum log_level min);

/* What an access line says about one request. Strings need not be NUL-terminated. */
struct log_access {
	const char *target;
	struct str method, path, query, request_id, trace_id, span_id, client, user_agent;
	int status;
	size_t bytes;            /* body bytes sent (0 for HEAD) */
	long long duration_us;   /* from the request's arrival to its answer written */
	const char *route;       /* the route template that matched (response.h), NULL: none */
};

/* Fills a from an answered request: the trace id is request_trace_id()
 * (http/request_id.h: a balancer's X-Amzn-Trace-Id Root, validated, else the
 * Lambda invocation's); the client is req->remote_addr. */
void log_access_from(struct log_access *a, const struct request *req, const struct response *resp);

/* Writes a's line to fd (INFO, or ERROR for a 5xx). 0 when written or filtered
 * out, -1 when it could not be built or written. */
int log_access_write(int fd, const struct log_access *a);

/* Where finished lines go: write_line(fd, line, n) gets one whole line (n
 * bytes, the last a newline) meant for fd and returns 0 when it is written (or
 * kept to be written), -1 when not. The default writes the line to fd at once
 * (core/sysio.h write_all()); a FastCGI worker gathers its lines
 * (fcgi/worker/log_gather.h). NULL: the default again. Set it before serving:
 * the logger reads it unlocked. */
typedef int log_writer(int fd, const char *line, size_t n);
void log_set_writer(log_writer *write_line);

/* Hands a finished line of another kind (n bytes, the last a newline, at most
 * PIPE_BUF: http/emf.h's) to the writer, as the logger's own lines go: held
 * with them by a FastCGI worker, so a log reader that stalls costs lines,
 * never a thread blocked in write(2). 0 when written or kept, -1 when not. */
int log_write_line(int fd, const char *line, size_t n);

/* Writes an event line: level, target, request id (STR_NULL: none), message. */
int log_event(int fd, enum log_level level, const char *target, struct str request_id, const char *message);

#endif
