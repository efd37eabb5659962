/* CORS (Fetch standard), as FastAPI's CORSMiddleware (Starlette 0.26) answers
 * it, off unless CORS_ALLOW_ORIGINS is set. docs/compression-cors.md lists the
 * settings and where this differs from Starlette. */
#ifndef APP_HTTP_CORS_H
#define APP_HTTP_CORS_H

#include <stdbool.h>

#include "core/err.h"
#include "http/request.h"
#include "http/response.h"

/* CORS_ALLOW_ORIGINS (comma-separated origins, or *), CORS_ALLOW_METHODS
 * (default GET; * for all), CORS_ALLOW_HEADERS, CORS_ALLOW_CREDENTIALS
 * (true/false), CORS_MAX_AGE (seconds, default 600), CORS_EXPOSE_HEADERS, once
 * at start (http_settings_load). A malformed value, or another CORS_* set
 * without CORS_ALLOW_ORIGINS, is APP_ERR_INVALID with *why its sentence. */
enum app_err cors_load(const char **why) MUST_CHECK;

/* Whether CORS is on (CORS_ALLOW_ORIGINS set). */
bool cors_enabled(void);

/* A preflight (OPTIONS with Origin and Access-Control-Request-Method, CORS on)
 * is answered here: 200 "OK" with the allowed set, or 400 "Disallowed CORS
 * origin, method, headers" (the failures found) without CORS headers. True
 * when resp holds that answer; false (resp untouched) for any other request. */
bool cors_preflight(const struct request *req, struct response *resp);

/* For any other answer to a request with Origin (CORS on): adds
 * Access-Control-Allow-Origin (* or the origin, then with Vary: Origin),
 * -Allow-Credentials and -Expose-Headers as Starlette does. */
void cors_finish(const struct request *req, struct response *resp);

#endif
