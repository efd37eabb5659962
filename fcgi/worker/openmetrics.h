/* The pool's metrics in the OpenMetrics text format (status_path?openmetrics,
 * php-fpm's convention), for Prometheus: the request-duration histogram
 * (manager/metrics.h), the pool's counters and gauges (the scoreboard), one
 * row per worker with its pid, and the listening socket's queue where the
 * kernel tells it. And the worker's part in METRICS=emf. docs/observability.md
 * lists every metric. */
#ifndef FCGI_OPENMETRICS_H
#define FCGI_OPENMETRICS_H

#include <stdbool.h>

#include "core/str.h"
#include "manager/scoreboard.h"

#define OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* Worker, before serving: counts requests into the pool's shared metrics (when
 * there is a manager), remembers listen_fd for the queue gauge, and with
 * METRICS=emf adds requests up for EMF lines written every METRICS_INTERVAL
 * seconds and at exit. A thread that cannot be started: said on stderr, EMF
 * lines are then written at exit only. */
void openmetrics_worker_start(int listen_fd);

/* Whether a status request's query asks for this page: "openmetrics", or
 * "openmetrics=" and anything after (Prometheus's params: {openmetrics: [""]}). */
bool openmetrics_wanted(const char *query);

/* Appends the whole page, "# EOF" last, to out. */
void openmetrics_page(const struct scoreboard *sb, struct buf *out);

#endif
