/* app/service: the service itself, and the only folder a user edits to add an
 * endpoint. routes.c holds the route table (one line per endpoint) and
 * app_handle(); handlers.c the endpoints of docs/spec.md; openapi.c builds
 * /openapi.json from the table; docs.c serves Swagger UI. Files here include
 * core/, http/ and service/ only (tests/check_layers.sh); the targets reach the
 * service through app_handle(). docs/adding-an-endpoint.md walks through a new route. */
#ifndef APP_SERVICE_SERVICE_H
#define APP_SERVICE_SERVICE_H

#include "core/err.h"
#include "http/cors.h"
#include "http/encoding.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/stream.h"

/* The service as a function: answers req into resp (initialised by the caller
 * with the same arena). A refused request gets its recorded 4xx; any other
 * gets the route's answer, or the router's 404/405/307/422. HEAD responses get
 * omit_body set. */
void app_handle(const struct request *req, struct response *resp);

/* Test-only routes (the test-hooks builds register them at start; a release
 * build never does): a path under TEST_ROUTE_PREFIX is matched against these
 * instead of app_routes. routes must live for the process. */
#define TEST_ROUTE_PREFIX "/__test/"
void app_set_test_routes(const struct route *routes, size_t count);

/* The route table, in matching order (routes.c). */
extern const struct route app_routes[];
extern const size_t app_route_count;

/* The endpoints. Each receives validated arguments in the order of its route's
 * parameter specs and fills the response. */
void handle_health(const struct request *req, const struct arg *args, struct response *resp);
void handle_math_add(const struct request *req, const struct arg *args, struct response *resp);
void handle_ping(const struct request *req, const struct arg *args, struct response *resp);
void handle_all_users(const struct request *req, const struct arg *args, struct response *resp);
void handle_one_user(const struct request *req, const struct arg *args, struct response *resp);
void handle_read_item(const struct request *req, const struct arg *args, struct response *resp);
void handle_hello(const struct request *req, const struct arg *args, struct response *resp);

/* fixed.c: an answer that never changes within a process, with its strong ETag. */
struct fixed_variant {
	bool tried;       /* compressed once (or found not worth it) */
	struct str body;  /* the compressed bytes, or STR_NULL: answer identity */
	char etag[28];    /* the identity ETag with "-br", "-zstd" or "-gzip" before the closing quote */
};
struct fixed {
	struct str body;  /* static, or kept for the life of the process */
	char etag[19];    /* "\"" + 16 hex digits + "\"" */
	bool per_request; /* in a request's arena: variants go there too, compressed fast */
	struct fixed_variant variants[CODING_IDENTITY]; /* malloc'd unless per_request */
};

/* Sets f to body and computes its ETag (a 64-bit hash of the bytes); no
 * compressed variants yet (fixed_respond makes each on first need). */
void fixed_set(struct fixed *f, struct str body);

/* Frees f's compressed variants (at exit, or when the body is dropped). */
void fixed_forget(struct fixed *f);

/* True when an If-None-Match value names etag (or is "*"); W/ tags compare equal. */
bool etag_matches(struct str if_none_match, const char *etag);

/* 200 with f's body, Content-Type type, ETag and Cache-Control; or, when the
 * request's If-None-Match names the ETag, 304 with the same headers and no body.
 * When the answer is negotiable (http/encoding.h) and the request sent
 * Accept-Encoding: Vary: Accept-Encoding, and the coding it prefers, compressed
 * once per process (EFFORT_BEST), with that coding's own ETag. */
void fixed_respond(const struct request *req, struct response *resp, const char *type, struct fixed *f,
		   const char *cache_control);

/* load.c: the service's settings, once, at start, before the first request
 * (each main(), and the tests' setup): EXECUTION_ENVIRONMENT (/hello) and
 * DOCS_DIR (/docs files) from the environment, and the route table for
 * /openapi.json. Nothing in them can be malformed: always APP_OK. */
enum app_err service_settings_load(const char **why) MUST_CHECK;

/* load.c: reads the environment again and forgets the /docs files already
 * read (for tests that change the environment). */
void service_settings_reload(void);

/* settings.c: reads EXECUTION_ENVIRONMENT and DOCS_DIR (service_settings_load() calls it). */
void service_env_load(void);

/* settings.c: EXECUTION_ENVIRONMENT, or NULL when unset or empty (or not loaded). */
const char *service_execution_environment(void);

/* settings.c: $DOCS_DIR, else the docs directory beside the executable; NULL if
 * neither (or not loaded). */
const char *service_docs_dir(void);

/* docs.c: drops the /docs files read so far (they are read again when asked for). */
void docs_forget(void);

/* openapi.c: the route table /openapi.json describes (service_settings_load()
 * gives it); before that the document has no paths. */
void openapi_describe(const struct route *routes, size_t count);
void handle_openapi(const struct request *req, const struct arg *args, struct response *resp);

/* docs.c: Swagger UI page, ReDoc page and their locally served assets. */
void handle_docs(const struct request *req, const struct arg *args, struct response *resp);
void handle_redoc(const struct request *req, const struct arg *args, struct response *resp);
void handle_docs_asset(const struct request *req, const struct arg *args, struct response *resp);

#endif
