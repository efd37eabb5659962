/* The http layer's settings, read from the environment once, at start, by
 * each main() (cgi/main.c, fcgi/main.c, lambda/main.c) before the first request. */
#ifndef APP_HTTP_SETTINGS_H
#define APP_HTTP_SETTINGS_H

#include "core/err.h"

/* forwarded_load() (FORWARDED_ALLOW_IPS, or what forwarded_set_list() gave),
 * trust_load() (FORWARDED_HEADERS, _HOST, _REQUEST_ID, _TRACE_ID), log_load() (LOG_FORMAT,
 * LOG_LEVEL and Lambda's), limits_load() (APP_MAX_BODY_BYTES), encoding_load()
 * (COMPRESSION, COMPRESS_MIN_BYTES) and cors_load() (CORS_*), in that order. The first malformed value is
 * APP_ERR_INVALID with *why its sentence (static). */
enum app_err http_settings_load(const char **why) MUST_CHECK;

#endif
