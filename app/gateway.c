#include "gateway.h"

#include "buf.h"
#include "input_limits.h"

/* The variables this parser reads, looked up once over envp. */
struct meta {
	struct str method, path_info, script_name, request_uri, query_string;
	struct str content_type, content_length, remote_addr, https, request_scheme;
	struct str server_name, server_port;
};

static bool take(struct str name, struct str value, const char *want, struct str *slot)
{
	if (!str_eq(name, str_c(want)))
		return false;
	*slot = value;
	return true;
}

/* "HTTP_X_FORWARDED_FOR" -> "x-forwarded-for" (request_add_header lower-cases). */
static void add_http_header(struct request *req, struct str name, struct str value)
{
	char *h = arena_strndup(req->arena, name.p + 5, name.n - 5);
	if (h == NULL) {
		request_fail(req, 500, "Out of memory");
		return;
	}
	for (size_t i = 0; i < name.n - 5; i++)
		if (h[i] == '_')
			h[i] = '-';
	request_add_header(req, (struct str){ h, name.n - 5 }, value);
}

static void scan_env(struct request *req, char *const *envp, struct meta *m)
{
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *eq = strchr(*envp, '=');
		if (eq == NULL)
			continue;
		struct str name = { *envp, (size_t)(eq - *envp) };
		struct str value = str_c(eq + 1);
		if (name.n > 5 && memcmp(name.p, "HTTP_", 5) == 0) {
			/* Never let a client's "Proxy:" header pose as configuration (httpoxy). */
			if (!str_eq(name, STR_LIT("HTTP_PROXY")))
				add_http_header(req, name, value);
			continue;
		}
		(void)(take(name, value, "REQUEST_METHOD", &m->method) ||
		       take(name, value, "PATH_INFO", &m->path_info) ||
		       take(name, value, "SCRIPT_NAME", &m->script_name) ||
		       take(name, value, "REQUEST_URI", &m->request_uri) ||
		       take(name, value, "QUERY_STRING", &m->query_string) ||
		       take(name, value, "CONTENT_TYPE", &m->content_type) ||
		       take(name, value, "CONTENT_LENGTH", &m->content_length) ||
		       take(name, value, "REMOTE_ADDR", &m->remote_addr) ||
		       take(name, value, "HTTPS", &m->https) ||
		       take(name, value, "REQUEST_SCHEME", &m->request_scheme) ||
		       take(name, value, "SERVER_NAME", &m->server_name) ||
		       take(name, value, "SERVER_PORT", &m->server_port));
	}
}

/* REQUEST_URI split at '?' (and any '#'): the raw path, and the query when present. */
static void split_uri(struct str uri, struct str *path, struct str *query)
{
	const char *hash = uri.n ? memchr(uri.p, '#', uri.n) : NULL;
	if (hash != NULL)
		uri.n = (size_t)(hash - uri.p);
	const char *q = uri.n ? memchr(uri.p, '?', uri.n) : NULL;
	*path = uri;
	*query = STR_NULL;
	if (q != NULL) {
		path->n = (size_t)(q - uri.p);
		*query = (struct str){ q + 1, uri.n - path->n - 1 };
	}
}

static void set_path(struct request *req, const struct meta *m, enum gateway_mount mount, struct str uri_path)
{
	if (m->path_info.n > 0) {
		req->root_path = m->script_name;
		request_set_decoded_path(req, m->path_info);
	} else if (mount == MOUNT_AT_SCRIPT && m->script_name.n > 0) {
		req->root_path = m->script_name;
		request_set_decoded_path(req, STR_LIT("/"));
	} else if (uri_path.n > 0) {
		request_set_raw_path(req, uri_path);
	} else if (m->script_name.n > 0) {
		request_set_decoded_path(req, m->script_name);
	}
}

/* CONTENT_LENGTH is digits only (RFC 3875 4.1.2); anything else is refused, not guessed at. */
static void set_body_length(struct request *req, struct str cl, size_t *body_length)
{
	*body_length = 0;
	if (cl.n == 0)
		return;
	unsigned long long n = 0;
	for (size_t i = 0; i < cl.n; i++) {
		if (cl.p[i] < '0' || cl.p[i] > '9') {
			request_fail(req, 400, "Invalid Content-Length: not a decimal number");
			return;
		}
		if (n <= (1ULL << 62))
			n = n * 10 + (unsigned long long)(cl.p[i] - '0');
	}
	if (n > limit_body_bytes()) {
		request_fail_body_too_large(req);
		return;
	}
	*body_length = (size_t)n;
}

/* SERVER_NAME and SERVER_PORT end up in a redirect's Location: no spaces or control bytes. */
static bool host_part_ok(struct str s)
{
	return !str_has_control(s) && !str_has_byte(s, ' ');
}

static void set_host(struct request *req, const struct meta *m)
{
	struct str host = request_header(req, "host");
	if (!str_is_null(host) || m->server_name.n == 0 || !host_part_ok(m->server_name) ||
	    !host_part_ok(m->server_port)) {
		req->host = str_is_null(host) ? STR_LIT("") : host;
		return;
	}
	bool default_port = m->server_port.n == 0 ||
			    (str_eq(req->scheme, STR_LIT("http")) && str_eq(m->server_port, STR_LIT("80"))) ||
			    (str_eq(req->scheme, STR_LIT("https")) && str_eq(m->server_port, STR_LIT("443")));
	if (default_port) {
		req->host = m->server_name;
		return;
	}
	struct buf b;
	buf_init(&b, req->arena);
	buf_append_str(&b, m->server_name);
	buf_append_byte(&b, ':');
	buf_append_str(&b, m->server_port);
	struct str s = buf_str(&b);
	req->host = str_is_null(s) ? m->server_name : s;
}

void gateway_parse(struct request *req, char *const *envp, enum gateway_mount mount, size_t *body_length)
{
	struct meta m = { 0 };
	scan_env(req, envp, &m);

	if (m.method.n > 0)
		request_set_method(req, m.method);

	struct str uri_path = STR_NULL, uri_query = STR_NULL;
	split_uri(m.request_uri, &uri_path, &uri_query);
	set_path(req, &m, mount, uri_path);
	if (!str_is_null(m.query_string))
		request_set_query_string(req, m.query_string);
	else if (!str_is_null(uri_query))
		request_set_query_string(req, uri_query);

	if (m.content_type.n > 0)
		request_add_header(req, STR_LIT("content-type"), m.content_type);
	if (m.content_length.n > 0)
		request_add_header(req, STR_LIT("content-length"), m.content_length);
	set_body_length(req, m.content_length, body_length);

	if (m.remote_addr.n > 0)
		req->remote_addr = m.remote_addr;
	if (str_eq_nocase(m.https, STR_LIT("on")) || str_eq(m.https, STR_LIT("1")) ||
	    str_eq_nocase(m.request_scheme, STR_LIT("https")))
		req->scheme = STR_LIT("https");
	set_host(req, &m);
}
