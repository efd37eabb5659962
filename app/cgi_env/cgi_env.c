/* RFC 3875 meta-variables into a struct request. */
#include "cgi_env/cgi_env.h"

#include <stdint.h>

#include "http/forwarded.h"
#include "http/limits.h"

/* The variables this parser reads, looked up once over envp. */
struct meta {
	struct str method, path_info, script_name, request_uri, query_string;
	struct str content_type, content_length, remote_addr, https, request_scheme;
	struct str server_name, server_port;
	struct str host;  /* HTTP_HOST: the first Host header, kept while scanning */
};

/* The slot in m for a variable this parser reads, or NULL: one switch on the
 * length, then at most three comparisons (envp holds some 25 variables). */
static struct str *slot_for(struct meta *m, struct str name)
{
#define IS(lit) (memcmp(name.p, lit, sizeof lit - 1) == 0)
	switch (name.n) {
	case 5:
		return IS("HTTPS") ? &m->https : NULL;
	case 9:
		return IS("PATH_INFO") ? &m->path_info : NULL;
	case 11:
		if (IS("SCRIPT_NAME"))
			return &m->script_name;
		if (IS("REQUEST_URI"))
			return &m->request_uri;
		if (IS("REMOTE_ADDR"))
			return &m->remote_addr;
		if (IS("SERVER_NAME"))
			return &m->server_name;
		return IS("SERVER_PORT") ? &m->server_port : NULL;
	case 12:
		if (IS("QUERY_STRING"))
			return &m->query_string;
		return IS("CONTENT_TYPE") ? &m->content_type : NULL;
	case 14:
		if (IS("REQUEST_METHOD"))
			return &m->method;
		if (IS("CONTENT_LENGTH"))
			return &m->content_length;
		return IS("REQUEST_SCHEME") ? &m->request_scheme : NULL;
	default:
		return NULL;
	}
#undef IS
}

/* "HTTP_X_FORWARDED_FOR" -> "x-forwarded-for", copied once (request_add_header
 * keeps a name that is lower-case already). */
static enum app_err add_http_header(struct request *req, struct str name, struct str value)
{
	char *h = arena_strndup(req->arena, name.p + 5, name.n - 5);
	for (size_t i = 0; i < name.n - 5; i++) {
		if (h[i] == '_')
			h[i] = '-';
		else if (h[i] >= 'A' && h[i] <= 'Z')
			h[i] = (char)(h[i] - 'A' + 'a');
	}
	return request_add_header(req, (struct str){ h, name.n - 5 }, value);
}

/* One pass over envp: HTTP_* variables become headers (in order), the others
 * this parser knows land in m. After a header the request model refuses, the
 * pass goes on for m (the method decides whether the 4xx has a body) but adds
 * no more headers. */
static enum app_err scan_env(struct request *req, char *const *envp, struct meta *m)
{
	enum app_err err = APP_OK;
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *eq = strchr(*envp, '=');
		if (eq == NULL)
			continue;
		struct str name = { *envp, (size_t)(eq - *envp) };
		struct str value = str_c(eq + 1);
		if (name.n > 5 && memcmp(name.p, "HTTP_", 5) == 0) {
			/* Never let a client's "Proxy:" header pose as configuration (httpoxy). */
			if (str_eq(name, STR_LIT("HTTP_PROXY")))
				continue;
			if (err == APP_OK)
				err = add_http_header(req, name, value);
			if (str_is_null(m->host) && str_eq(name, STR_LIT("HTTP_HOST")))
				m->host = value;
			continue;
		}
		struct str *slot = slot_for(m, name);
		if (slot != NULL)
			*slot = value;
	}
	return err;
}

/* REQUEST_URI split at '?' (and any '#'): the raw path, and the query when present. */
static void split_uri(struct str uri, struct str *path, struct str *query)
{
	struct str rest = uri;
	struct str before_hash = str_split(&rest, '#');
	*query = before_hash;
	*path = str_split(query, '?');
}

static enum app_err set_path(struct request *req, const struct meta *m, enum cgi_mount mount, struct str uri_path)
{
	/* The front server decoded PATH_INFO its own way (lighttpd turns %00 into
	 * '_' and keeps a bad escape as it is): the path as sent decides. */
	if (m->path_info.n > 0 && uri_path.n > 0 && request_check_raw_path(req, uri_path) != APP_OK)
		return APP_ERR_REFUSED;
	if (m->path_info.n > 0) {
		req->root_path = m->script_name;
		return request_set_decoded_path(req, m->path_info);
	}
	if (mount == MOUNT_AT_SCRIPT && m->script_name.n > 0) {
		req->root_path = m->script_name;
		return request_set_decoded_path(req, STR_LIT("/"));
	}
	if (uri_path.n > 0)
		return request_set_raw_path(req, uri_path);
	if (m->script_name.n > 0)
		return request_set_decoded_path(req, m->script_name);
	return APP_OK;
}

/* CONTENT_LENGTH is digits only (RFC 3875 4.1.2); anything else is refused, not
 * guessed at. A number too large for any integer is over the limit (413), never
 * wrapped around. */
static enum app_err set_body_length(struct request *req, struct str cl, size_t *body_length)
{
	*body_length = 0;
	if (cl.n == 0)
		return APP_OK;
	uint64_t n = 0;
	bool overflow = false;
	for (size_t i = 0; i < cl.n; i++) {
		if (cl.p[i] < '0' || cl.p[i] > '9')
			return request_refuse(req, 400, "Invalid Content-Length: not a decimal number");
		uint64_t d = (uint64_t)(cl.p[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			n = n * 10 + d;
	}
	if (overflow || n > limit_body_bytes())
		return request_refuse_body_too_large(req);
	*body_length = (size_t)n;
	return APP_OK;
}

/* The host for absolute URLs: the Host header, else SERVER_NAME[:SERVER_PORT]
 * (the port left out when it is the scheme's default). A Host header that fails
 * host_is_valid() refuses the request (400, as on Lambda); a bad SERVER_NAME or
 * SERVER_PORT (the server's own setting) is left out: redirects go relative. */
static enum app_err set_host(struct request *req, const struct meta *m)
{
	struct str host = m->host;
	if (!str_is_null(host)) {
		if (host.n > 0 && !host_is_valid(host))
			return request_refuse(req, 400, "Invalid host");
		req->host = host;
		return APP_OK;
	}
	if (!host_is_valid(m->server_name) || (m->server_port.n > 0 && !host_is_valid(m->server_port)))
		return APP_OK;
	bool default_port = m->server_port.n == 0 ||
			    (str_eq(req->scheme, STR_LIT("http")) && str_eq(m->server_port, STR_LIT("80"))) ||
			    (str_eq(req->scheme, STR_LIT("https")) && str_eq(m->server_port, STR_LIT("443")));
	if (default_port) {
		req->host = m->server_name;
		return APP_OK;
	}
	struct buf b;
	buf_init(&b, req->arena);
	buf_append_str(&b, m->server_name);
	buf_append_byte(&b, ':');
	buf_append_str(&b, m->server_port);
	req->host = buf_str(&b);
	return APP_OK;
}

/* Where the request came from: peer, client, scheme, host. Set for refused
 * requests too (from what was read), so that their log line names the client.
 * An invalid Host header refuses the request (set_host). */
static enum app_err set_origin(struct request *req, const struct meta *m)
{
	if (m->remote_addr.n > 0)
		req->remote_addr = req->peer_addr = m->remote_addr;
	if (str_eq_nocase(m->https, STR_LIT("on")) || str_eq(m->https, STR_LIT("1")) ||
	    str_eq_nocase(m->request_scheme, STR_LIT("https")))
		req->scheme = STR_LIT("https");
	enum app_err err = set_host(req, m);
	request_apply_forwarded(req);
	return err;
}

static enum app_err parse(struct request *req, char *const *envp, enum cgi_mount mount, size_t *body_length,
			  struct meta *mp)
{
	struct meta m = { 0 };
	enum app_err err = scan_env(req, envp, &m);
	*mp = m;
	/* The method even when a header was refused: a HEAD gets its 400 without a body. */
	if (m.method.n > 0 && request_set_method(req, m.method) != APP_OK)
		return APP_ERR_REFUSED;
	if (err != APP_OK)
		return APP_ERR_REFUSED;

	struct str uri_path = STR_NULL, uri_query = STR_NULL;
	split_uri(m.request_uri, &uri_path, &uri_query);
	if (set_path(req, &m, mount, uri_path) != APP_OK)
		return APP_ERR_REFUSED;
	struct str query = !str_is_null(m.query_string) ? m.query_string : uri_query;
	if (!str_is_null(query) && request_set_query_string(req, query) != APP_OK)
		return APP_ERR_REFUSED;

	if (m.content_type.n > 0 && request_add_header(req, STR_LIT("content-type"), m.content_type) != APP_OK)
		return APP_ERR_REFUSED;
	if (m.content_length.n > 0 &&
	    request_add_header(req, STR_LIT("content-length"), m.content_length) != APP_OK)
		return APP_ERR_REFUSED;
	if (set_body_length(req, m.content_length, body_length) != APP_OK)
		return APP_ERR_REFUSED;
	return APP_OK;
}

enum app_err cgi_env_parse(struct request *req, char *const *envp, enum cgi_mount mount, size_t *body_length)
{
	*body_length = 0;
	struct meta m;
	enum app_err err = parse(req, envp, mount, body_length, &m);
	if (set_origin(req, &m) != APP_OK)
		err = APP_ERR_REFUSED;
	if (err != APP_OK)
		*body_length = 0;
	return err;
}
