/* Route table and dispatch with Starlette's semantics: path templates with
 * {name} segments, 405 + Allow for a known path with the wrong method, HEAD
 * wherever GET is, 307 to the path with the trailing slash toggled, 404 else.
 * Parameters are declared per route and validated before the handler runs,
 * so every handler receives well-typed arguments and a bad value is a 422. */
#ifndef APP_HTTP_ROUTER_H
#define APP_HTTP_ROUTER_H

#include <stdbool.h>

#include "core/bigint.h"
#include "http/request.h"
#include "http/response.h"

enum method_bit {
	M_GET = 1 << 0,
	M_HEAD = 1 << 1,
	M_POST = 1 << 2,
	M_PUT = 1 << 3,
	M_PATCH = 1 << 4,
	M_DELETE = 1 << 5,
	M_OPTIONS = 1 << 6,
};
#define M_ALL (M_GET | M_HEAD | M_POST | M_PUT | M_PATCH | M_DELETE | M_OPTIONS)

enum param_source { PARAM_PATH, PARAM_QUERY };

enum param_type {
	PARAM_INT,           /* exactly one integer (required) */
	PARAM_INT_LIST,      /* zero or more integers, from repeated query keys */
	PARAM_STR,           /* one string (required) */
	PARAM_OPTIONAL_STR,  /* one string or absent (last value wins, as Starlette) */
};

struct param_spec {
	const char *name;
	enum param_source source;
	enum param_type type;
};

/* A validated argument: strings and, for integer types, their parsed values. */
struct arg {
	bool present;
	size_t n;              /* values (1 for single types when present) */
	struct str *text;      /* n decoded strings */
	struct bigint *ints;   /* n integers, for PARAM_INT and PARAM_INT_LIST */
};

typedef void (*handler_fn)(const struct request *req, const struct arg *args, struct response *resp);

/* What /openapi.json says the 200 response is. */
enum response_doc { DOC_JSON, DOC_JSON_STRING, DOC_TEXT, DOC_HTML };

/* One row of a route table, written with designated initializers; a member
 * left out is 0: no parameters, DOC_JSON, listed in /openapi.json. */
struct route {
	const char *path;          /* template, e.g. "/items/{item_id}" */
	unsigned methods;          /* enum method_bit; GET implies HEAD */
	handler_fn handler;
	const char *function;      /* handler name for operationId, as FastAPI names it */
	const char *summary;
	const struct param_spec *params; /* set both with PARAMS(array) */
	size_t param_count;
	enum response_doc doc;
	bool hidden;               /* left out of /openapi.json (the docs pages themselves) */
};

/* .params and .param_count of a route row from one param_spec array. */
#define PARAMS(array) .params = (array), .param_count = sizeof(array) / sizeof((array)[0])

/* A 422 lists at most this many validation errors: the first ones, in
 * FastAPI's order and shape (FastAPI lists every one; docs/spec.md). */
#define ROUTER_ERRORS_MAX 100

/* Matches req against the table and fills resp: the handler's answer, or a
 * 404/405/307/422. */
void router_dispatch(const struct route *routes, size_t count, const struct request *req, struct response *resp);

/* The method bit for a method name, 0 for any other method. */
unsigned method_bit(struct str method);

/* Lower-case method names of a bit set, in table order, for iteration. */
extern const char *const method_names[];
extern const size_t method_name_count;

#endif
