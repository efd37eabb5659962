/* Input limits shared by every target: past them a request gets a 4xx, never more memory. */
#ifndef APP_HTTP_LIMITS_H
#define APP_HTTP_LIMITS_H

#include <stddef.h>

#include "core/err.h"

/* Path plus query string, as received (encoded). Larger: 414. */
#define LIMIT_TARGET_BYTES (64 * 1024)

/* Request body. Larger: 413. APP_MAX_BODY_BYTES in the environment may lower or raise it. */
#define LIMIT_BODY_BYTES_DEFAULT (1024 * 1024)

/* Number of request headers (or CGI variables). More: 431. */
#define LIMIT_HEADER_COUNT 200

/* Bytes of all header names and values together. More: 431. */
#define LIMIT_HEADER_BYTES (64 * 1024)

/* Reads APP_MAX_BODY_BYTES, which the body limit comes from, once, at start
 * (http_settings_load() calls it, http/settings.h). Unset or empty means the default. Anything but plain decimal digits (a sign,
 * spaces, a suffix), or a number that does not fit, is APP_ERR_INVALID with *why
 * a sentence naming the variable and the value (static), and the limit
 * stays at the default. */
enum app_err limits_load(const char **why) MUST_CHECK;

/* The body limit in force: what limits_load() read, else the default. */
size_t limit_body_bytes(void);

#endif
