/* Test harness: runs the shared layer on CGI-style variables, as the targets do. */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stddef.h>

#include "cgi_env/cgi_env.h"
#include "service/service.h"

struct exchange {
	struct arena arena;
	struct request req;
	struct response resp;
	size_t body_length;   /* CONTENT_LENGTH as cgi_env_parse accepted it */
};

/* Builds the request from env ("NAME=value", NULL-terminated) like the FastCGI target
 * (MOUNT_AT_ROOT), sets body, and answers it. Release with exchange_free(). */
void exchange_run(struct exchange *x, char *const *env, const char *body, size_t body_n);

/* What answers a request: app_handle(), or a test's own route table. */
typedef void (*exchange_answer_fn)(const struct request *req, struct response *resp);

/* exchange_run with answer() in place of app_handle(). */
void exchange_run_by(struct exchange *x, char *const *env, const char *body, size_t body_n,
		     exchange_answer_fn answer);
void exchange_free(struct exchange *x);

/* The response body as a NUL-terminated copy in the exchange's arena. */
const char *exchange_body(struct exchange *x);

/* A response header's value (NUL-terminated, arena), or NULL. */
const char *exchange_header(struct exchange *x, const char *name);

/* Sets APP_MAX_BODY_BYTES (NULL unsets it) and loads the limits, as a target does at start. */
void set_body_limit(const char *value);

/* Shorthand: GET of a path + query (REQUEST_URI), then the status. */
#define GET(x, uri) exchange_run((x), (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=" uri, NULL }, NULL, 0)

/* cgi_env_serve over an in-memory transport: stdin bytes in, whole CGI output out
 * (malloc'd, NUL-terminated; *out_n its length). Returns serve's return value. */
int serve_in_memory(char *const *env, const char *in, size_t in_n, char **out, size_t *out_n);

#endif
