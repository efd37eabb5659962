#include "http/router.h"

#include "core/urlencoding.h"

const char *const method_names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
const size_t method_name_count = sizeof method_names / sizeof method_names[0];

unsigned method_bit(struct str method)
{
	for (size_t i = 0; i < method_name_count; i++)
		if (str_eq(method, str_c(method_names[i])))
			return 1u << i;
	return 0;
}

/* Starlette compiles "{name}" to "[^/]+": one or more bytes up to the next '/'.
 * On a match the captured values are appended to params (if not NULL). */
static bool match_template(struct arena *a, const char *tmpl, struct str path, struct kvlist *params)
{
	size_t i = 0;
	while (*tmpl != '\0') {
		if (*tmpl == '{') {
			const char *close = strchr(tmpl, '}');
			size_t start = i;
			while (i < path.n && path.p[i] != '/')
				i++;
			if (i == start)
				return false;
			if (params != NULL) {
				struct str name = { tmpl + 1, (size_t)(close - tmpl - 1) };
				kvlist_add(a, params, name, (struct str){ path.p + start, i - start });
			}
			tmpl = close + 1;
		} else {
			if (i >= path.n || path.p[i] != *tmpl)
				return false;
			i++;
			tmpl++;
		}
	}
	return i == path.n;
}

/* False when tmpl cannot match path, judged from the byte after the leading
 * '/' alone (every template starts with a literal '/'): a template "/x..."
 * needs path byte 1 to be 'x', "/" needs the path to be "/", "/{...}" is left
 * to match_template. Only ever rejects what match_template would reject. */
static inline bool may_match(const char *tmpl, struct str path)
{
	if (tmpl[0] != '/')
		return true;
	char c = tmpl[1];
	if (c == '{')
		return true;
	if (c == '\0')
		return path.n == 1;
	return path.n >= 2 && path.p[1] == c;
}

static unsigned allowed_methods(const struct route *route)
{
	return route->methods & M_GET ? route->methods | M_HEAD : route->methods;
}

/* One pydantic error entry, keys in FastAPI's order: type, loc, msg, input.
 * index < 0 leaves it out of loc (single-valued parameters). */
static cJSON *validation_error(struct arena *a, const char *type, const char *source, const char *name,
			       long index, const char *msg, const struct str *input)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "type", type);
	cJSON *loc = cJSON_AddArrayToObject(e, "loc");
	cJSON_AddItemToArray(loc, cJSON_CreateString(source));
	cJSON_AddItemToArray(loc, cJSON_CreateString(name));
	if (index >= 0)
		cJSON_AddItemToArray(loc, cJSON_CreateNumber((double)index));
	cJSON_AddStringToObject(e, "msg", msg);
	/* Values may be slices of a longer string: copy to get the terminator cJSON needs. */
	if (input != NULL)
		cJSON_AddStringToObject(e, "input", str_dup(a, *input));
	else
		cJSON_AddNullToObject(e, "input");
	return e;
}

/* Collects the values a parameter gets from the request, in order. */
static size_t param_values(const struct request *req, const struct kvlist *path_params,
			   const struct param_spec *spec, struct str *out, size_t max)
{
	const struct kvlist *from = spec->source == PARAM_PATH ? path_params : &req->query;
	struct str name = str_c(spec->name);
	size_t n = 0;
	for (size_t i = 0; i < from->n; i++) {
		if (!str_eq(from->items[i].name, name))
			continue;
		if (spec->type != PARAM_INT_LIST) {
			/* Single-valued: the last one wins, as Starlette's QueryParams.get(). */
			out[0] = from->items[i].value;
			n = 1;
		} else if (n < max) {
			out[n++] = from->items[i].value;
		}
	}
	return n;
}

/* Room for count values of size bytes (at least one), not zeroed but the
 * first: slot i < n is written before it is read (param_values, bigint_parse),
 * and slot 0 of an absent parameter reads as empty. count is at most the
 * number of parameters already in memory: no overflow. */
static void *arena_slots(struct arena *a, size_t count, size_t size)
{
	void *p = arena_alloc(a, (count ? count : 1) * size);
	memset(p, 0, size);
	return p;
}

/* Appends e to *errors (made on the first), counting it in *n. */
static void add_error(cJSON **errors, size_t *n, cJSON *e)
{
	if (*errors == NULL)
		*errors = cJSON_CreateArray();
	cJSON_AddItemToArray(*errors, e);
	(*n)++;
}

/* Fills args[] from the route's parameter specs. Returns a JSON array of
 * validation errors (caller frees), or NULL if every parameter is valid.
 * The array stops at ROUTER_ERRORS_MAX entries, and so does the validation:
 * a query of 16 000 bad values costs 100 entries, not 16 000. */
static cJSON *validate_params(const struct route *route, const struct request *req,
			      const struct kvlist *path_params, struct arg *args)
{
	cJSON *errors = NULL;
	size_t n_errors = 0;
	for (size_t p = 0; p < route->param_count && n_errors < ROUTER_ERRORS_MAX; p++) {
		const struct param_spec *spec = &route->params[p];
		const char *source = spec->source == PARAM_PATH ? "path" : "query";
		const struct kvlist *from = spec->source == PARAM_PATH ? path_params : &req->query;
		/* A single-valued parameter keeps the last value: one slot, no count. */
		size_t max = spec->type == PARAM_INT_LIST ? kvlist_count(from, str_c(spec->name)) : 1;
		struct arg *arg = &args[p];
		arg->text = arena_slots(req->arena, max, sizeof(struct str));
		arg->ints = arena_slots(req->arena, max, sizeof(struct bigint));
		arg->n = param_values(req, path_params, spec, arg->text, max);
		arg->present = arg->n > 0;

		cJSON *error = NULL;
		if (!arg->present && (spec->type == PARAM_INT || spec->type == PARAM_STR)) {
			error = validation_error(req->arena, "missing", source, spec->name, -1, "Field required", NULL);
		} else if (spec->type == PARAM_INT || spec->type == PARAM_INT_LIST) {
			for (size_t i = 0; i < arg->n && n_errors < ROUTER_ERRORS_MAX; i++) {
				if (bigint_parse(req->arena, arg->text[i], &arg->ints[i]) != APP_OK) {
					long index = spec->type == PARAM_INT_LIST ? (long)i : -1;
					add_error(&errors, &n_errors,
						  validation_error(req->arena, "int_parsing", source, spec->name, index,
								   "Input should be a valid integer, unable to parse string as an integer",
								   &arg->text[i]));
				}
			}
		}
		if (error != NULL)
			add_error(&errors, &n_errors, error);
	}
	return errors;
}

static void call_handler(const struct route *route, const struct request *req,
			 const struct kvlist *path_params, struct response *resp)
{
	/* validate_params fills every arg of the route, or returns errors; slot 0 is zeroed. */
	struct arg *args = arena_slots(req->arena, route->param_count, sizeof(struct arg));
	cJSON *errors = validate_params(route, req, path_params, args);
	if (errors != NULL) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddItemToObject(doc, "detail", errors);
		response_json(resp, 422, doc);
		return;
	}
	route->handler(req, args, resp);
}

static void method_not_allowed(const struct route *route, struct response *resp)
{
	struct buf allow;
	buf_init(&allow, resp->arena);
	unsigned methods = allowed_methods(route);
	for (size_t i = 0; i < method_name_count; i++) {
		if (methods & (1u << i)) {
			if (allow.n > 0)
				buf_append(&allow, ", ", 2);
			buf_append_cstr(&allow, method_names[i]);
		}
	}
	response_error(resp, 405, "Method Not Allowed");
	response_add_header(resp, "Allow", buf_str(&allow));
}

/* Starlette's redirect_slashes: strip every trailing '/', or add one. */
static struct str toggled_slash(struct arena *a, struct str path)
{
	if (path.n > 0 && path.p[path.n - 1] == '/') {
		while (path.n > 0 && path.p[path.n - 1] == '/')
			path.n--;
		return path;
	}
	char *p = arena_alloc(a, path.n + 1);
	memcpy(p, path.p, path.n);
	p[path.n] = '/';
	return (struct str){ p, path.n + 1 };
}

static void redirect(const struct request *req, struct str new_path, struct response *resp)
{
	struct buf url;
	buf_init(&url, resp->arena);
	if (req->host.n > 0) {
		buf_append_str(&url, req->scheme);
		buf_append(&url, "://", 3);
		buf_append_str(&url, req->host);
	}
	/* root_path is decoded (SCRIPT_NAME, an API stage): encode it like the path. */
	buf_append_str(&url, percent_encode_path(resp->arena, req->root_path));
	buf_append_str(&url, percent_encode_path(resp->arena, new_path));
	if (req->raw_query.n > 0) {
		/* As received, but raw non-ASCII bytes and spaces escaped (a header is ASCII). */
		buf_append_byte(&url, '?');
		buf_append_str(&url, percent_encode_url_query(resp->arena, req->raw_query));
	}
	struct str location = buf_str(&url);
	/* Without a host the Location is a path, and one starting "//x" would be read
	 * as the host x (a scheme-relative URL): a root path of "//evil.example" (an
	 * event's requestContext.path, a SCRIPT_NAME) keeps one leading '/'. */
	while (req->host.n == 0 && location.n > 1 && location.p[0] == '/' && location.p[1] == '/') {
		location.p++;
		location.n--;
	}
	resp->status = 307;
	resp->body = STR_LIT("");
	response_add_header(resp, "Location", location);
	/* A Location built from a proxy's header depends on more than the URL a
	 * shared cache keys on: no cache may keep it (the slash redirect costs
	 * nothing to answer again). Others stay as Starlette's, without. */
	if (req->origin_forwarded)
		response_add_header(resp, "Cache-Control", STR_LIT("no-store"));
}

void router_dispatch(const struct route *routes, size_t count, const struct request *req, struct response *resp)
{
	unsigned bit = method_bit(req->method);
	const struct route *partial = NULL;
	for (size_t i = 0; i < count; i++) {
		if (!may_match(routes[i].path, req->path))
			continue;
		struct kvlist params = { 0 };
		if (!match_template(req->arena, routes[i].path, req->path, &params))
			continue;
		if (bit & allowed_methods(&routes[i])) {
			resp->route = routes[i].path;
			call_handler(&routes[i], req, &params, resp);
			return;
		}
		if (partial == NULL)
			partial = &routes[i];
	}
	if (partial != NULL) {
		resp->route = partial->path;
		method_not_allowed(partial, resp);
		return;
	}
	if (!str_eq(req->path, STR_LIT("/"))) {
		struct str other = toggled_slash(req->arena, req->path);
		for (size_t i = 0; i < count; i++) {
			if (may_match(routes[i].path, other) && match_template(req->arena, routes[i].path, other, NULL)) {
				redirect(req, other, resp);
				return;
			}
		}
	}
	response_error(resp, 404, "Not Found");
}
