/* app/core: the byte-level layer. Strings that carry their length, the
 * per-request arena, key/value lists, base64, percent-decoding, big integers,
 * JSON printing. Nothing here knows HTTP; files here include only core/ and
 * libc/cJSON headers (tests/check_layers.sh enforces it).
 *
 * Errors: one convention for the whole shared layer (core, http, service,
 * cgi_env, lambda_events). A function that can fail returns enum app_err,
 * APP_OK (0) on success, and is declared MUST_CHECK so that ignoring the
 * answer does not compile. What a refused HTTP request gets is recorded in the
 * request itself (http/request.h); a sentence for a malformed Lambda event is
 * written through a `const char **why` parameter. Running out of memory is not
 * an error code anywhere: arena allocation never returns NULL (core/arena.h). */
#ifndef APP_CORE_ERR_H
#define APP_CORE_ERR_H

enum app_err {
	APP_OK = 0,
	APP_ERR_INVALID,    /* the input is malformed */
	APP_ERR_TOO_LARGE,  /* the input is over a limit */
	APP_ERR_IO,         /* reading or writing failed */
	APP_ERR_REFUSED,    /* the request is refused: its 4xx is recorded in struct request */
	APP_ERR_NO_MEMORY,  /* only from arena_run(): the arena ran out and the work was abandoned */
};

#define MUST_CHECK __attribute__((warn_unused_result))

/* A short name for an error ("invalid input"), for logs. */
const char *app_err_name(enum app_err e);

#endif
