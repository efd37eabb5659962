/* Request metrics: the METRICS settings, read once at start, and the hook
 * every target calls with each answered request's access record, which the
 * FastCGI pool's shared counters and the EMF writer (http/emf.h) listen to. */
#ifndef APP_HTTP_OBSERVE_H
#define APP_HTTP_OBSERVE_H

#include <stdbool.h>

#include "core/err.h"
#include "http/log.h"

/* The label a request that matched no route is counted under. */
#define OBSERVE_UNMATCHED "unmatched"

enum metrics_mode { METRICS_NONE, METRICS_EMF };

/* METRICS_INTERVAL's bounds in seconds (default 60). */
#define METRICS_INTERVAL_DEFAULT 60
#define METRICS_INTERVAL_MAX 86400

/* Reads METRICS ("" or "none", "emf"), METRICS_NAMESPACE (default
 * "MathService"; 1 to 255 printable ASCII bytes, no '"' or '\\') and
 * METRICS_INTERVAL (whole seconds, 1 to 86400). A bad value is
 * APP_ERR_INVALID with *why naming it (static), and the settings stay off. */
enum app_err observe_load(const char **why) MUST_CHECK;

enum metrics_mode observe_mode(void);
const char *observe_namespace(void);
int observe_interval(void);

typedef void (*observe_fn)(const struct log_access *a);

/* Adds a listener (up to 4; more are ignored). Set before serving. */
void observe_listen(observe_fn fn);

/* Tells every listener about one answered request. */
void observe_request(const struct log_access *a);

#endif
