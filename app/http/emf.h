/* CloudWatch embedded metric format (EMF): JSON log lines CloudWatch Logs
 * turns into metrics, for targets no scraper reaches (Lambda, a FastCGI
 * process under lighttpd). Namespace from METRICS_NAMESPACE, the metric names
 * of the OpenMetrics page: http_server_request_duration_seconds (Seconds),
 * http_server_requests (Count), http_server_errors (Count, 5xx).
 * Lambda writes one line per invocation (emf_write_one), dimensions target and
 * route (the route template, "unmatched" for none). A FastCGI process adds each
 * request up (emf_add) and writes ONE line every METRICS_INTERVAL seconds and at
 * exit (emf_flush), whatever its traffic and routes: an EMF document has one
 * value per dimension, so that line's dimension is target alone (the process's
 * totals), and its per-route numbers ride along as a property that is no metric,
 * "routes": [{"route", "requests", "errors", "duration_seconds_sum",
 * "duration_seconds_max"}] (CloudWatch Logs Insights: unnest), with its pid;
 * at most EMF_LINE_MAX bytes (below). */
#ifndef APP_HTTP_EMF_H
#define APP_HTTP_EMF_H

#include <limits.h>

#include "http/log.h"

/* Durations kept per process and interval (the EMF limit for a value array):
 * past it a uniform sample of the interval's requests (reservoir sampling). */
#define EMF_MAX_VALUES 100

/* The longest line, with its newline: a pipe all workers share (lighttpd's
 * stderr, a container's log stream) keeps a write of up to PIPE_BUF whole. */
#define EMF_LINE_MAX PIPE_BUF

/* The row of the "routes" property that adds up the routes a line had no room
 * to name (no route template is named so). */
#define EMF_OTHER_ROUTES "other"

/* Writes a's EMF line to fd now. Errors are ignored: metrics never fail a request. */
void emf_write_one(int fd, const struct log_access *a);

/* Adds a to this process's interval (thread-safe). Routes beyond the first
 * 64 distinct ones (there are fewer in the table) count as "unmatched". */
void emf_add(const struct log_access *a);

/* Writes the one line of the requests since the last flush to fd (through
 * http/log.h log_write_line()), and starts a new interval. No request since:
 * writes nothing. The line is at most EMF_LINE_MAX bytes: when all would not
 * fit (many routes, long templates, a long namespace), the busiest routes keep
 * their rows and the rest are summed in one row EMF_OTHER_ROUTES, and then
 * fewer durations are sent; the totals stay whole. Thread-safe. */
void emf_flush(int fd);

#endif
