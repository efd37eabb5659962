/* RFC 3875 meta-variables into a struct request. */
#include "cgi_env/cgi_env.h"

#include <stdint.h>

#include "http/forwarded.h"
#include "http/limits.h"
#include "http/response.h"

/* The variables this parser reads, looked up once over envp. */
struct meta {
	struct str method, path_info, script_name, request_uri, query_string;
	struct str content_type, content_length, remote_addr, https, request_scheme;
	struct str server_name, server_port;
	struct str host;  /* HTTP_HOST: the first Host header, kept while scanning */
	struct str redirect_status; /* a front server's error-document call: the status it meant */
};

/* The slot in m for a variable this parser reads, or NULL: one switch on the
 * length, then at most five comparisons (envp holds some 25 variables). */
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
	case 15:
		return IS("REDIRECT_STATUS") ? &m->redirect_status : NULL;
	default:
		return NULL;
	}
#undef IS
}

/* "HTTP_X_FORWARDED_FOR" -> "x-forwarded-for", copied, mapped and checked in
 * one pass: a name with a CR or LF (a NUL cannot be in an environment name)
 * goes through request_add_header, which refuses it as before. */
static enum app_err add_http_header(struct request *req, struct str name, struct str value)
{
	size_t n = name.n - 5;
	char *h = arena_alloc(req->arena, n + 1);
	bool breaks = false;
	for (size_t i = 0; i < n; i++) {
		char c = name.p[5 + i];
		breaks |= c == '\r' || c == '\n';
		h[i] = c == '_' ? '-' : c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	h[n] = '\0';
	struct str lname = { h, n };
	return breaks ? request_add_header(req, lname, value) : request_add_lower_header(req, lname, value);
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
		if (name.n > 5 && memcmp(name.p, "HTTP_", 5) == 0) {
			/* Never let a client's "Proxy:" header pose as configuration (httpoxy). */
			if (str_eq(name, STR_LIT("HTTP_PROXY")))
				continue;
			struct str value = str_c(eq + 1);
			if (err == APP_OK)
				err = add_http_header(req, name, value);
			if (str_is_null(m->host) && str_eq(name, STR_LIT("HTTP_HOST")))
				m->host = value;
			continue;
		}
		struct str *slot = slot_for(m, name);
		if (slot != NULL) /* (a value's length only for the variables read) */
			*slot = str_c(eq + 1);
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

/* REDIRECT_STATUS read as a front server's error-document call: the status the
 * server was about to answer by itself, 400 to 599. 0 for an ordinary request:
 * the variable absent, "200" (lighttpd sets it on every request, nginx's
 * fastcgi_params too, Apache after an internal rewrite), or anything that is
 * not three digits from 400 to 599, which is served as an ordinary request. */
static int front_error_status(struct str v)
{
	if (v.n != 3)
		return 0;
	int status = 0;
	for (size_t i = 0; i < 3; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
		status = status * 10 + (v.p[i] - '0');
	}
	return status >= 400 && status <= 599 ? status : 0;
}

/* The detail of a front server's error, as its static page says it
 * (front_errors.def); for a status not in the list, the reason phrase, else "Error". */
static const char *front_error_detail(int status)
{
	switch (status) {
#define FRONT_ERROR(code, detail) \
	case code:                \
		return detail;
#include "cgi_env/front_errors.def"
#undef FRONT_ERROR
	default:
		return http_reason(status)[0] != '\0' ? http_reason(status) : "Error";
	}
}

/* The client's path from REQUEST_URI's raw path, below where the service is
 * mounted: all of it at the root (*root ""); under a script, what follows
 * SCRIPT_NAME ("/" when nothing does; *root SCRIPT_NAME). STR_NULL when the URL
 * is not the service's: no REQUEST_URI, or one whose path is not SCRIPT_NAME
 * or below it, compared byte for byte (a script name sent percent-encoded does
 * not match, and the caller answers the front server's status). */
static struct str front_error_path(const struct meta *m, enum cgi_mount mount, struct str uri_path, struct str *root)
{
	*root = STR_LIT("");
	if (uri_path.n == 0)
		return STR_NULL;
	if (mount == MOUNT_AT_ROOT)
		return uri_path;
	struct str name = m->script_name;
	if (name.n == 0 || uri_path.n < name.n || memcmp(uri_path.p, name.p, name.n) != 0)
		return STR_NULL;
	struct str rest = { uri_path.p + name.n, uri_path.n - name.n };
	if (rest.n > 0 && rest.p[0] != '/')
		return STR_NULL;
	*root = name;
	return rest.n > 0 ? rest : STR_LIT("/");
}

/* A front server's error-document call (lighttpd's server.error-handler,
 * Apache's ErrorDocument): the server refused the client's request by itself
 * with `status` and asks the service for a GET of its handler URL instead.
 * PATH_INFO, SCRIPT_NAME's split and QUERY_STRING name that handler; the
 * client's target is REQUEST_URI. Its method is not passed on (lighttpd
 * restores it when it sends the answer): REQUEST_METHOD, the handler's, stands,
 * so a HEAD asked for is answered without a body.
 * lighttpd's 411 is a POST with neither Content-Length nor Transfer-Encoding,
 * refused before any module saw it (the only 411 it answers with request-body
 * streaming off). Such a call, in lighttpd's shape (REQUEST_METHOD GET,
 * CONTENT_LENGTH absent or 0: no body was passed on) for a URL under the mount,
 * is the POST rebuilt from REQUEST_URI with an empty body, judged as any
 * request (a bad escape is a 400, a wrong method a 405...). Anything else
 * answers `status` with front_error_detail() (request_set_front_error),
 * whatever else is wrong with the request; path and query are still read for
 * the log line, their problems ignored. No body is read either way.
 * hdr_err: how adding the client's headers went. */
static enum app_err parse_front_error(struct request *req, const struct meta *m, enum cgi_mount mount, int status,
				      enum app_err hdr_err)
{
	struct str uri_path = STR_NULL, uri_query = STR_NULL, root;
	split_uri(m->request_uri, &uri_path, &uri_query);
	struct str path = front_error_path(m, mount, uri_path, &root);
	bool rebuild = status == 411 && (m->method.n == 0 || str_eq(m->method, STR_LIT("GET"))) &&
		       (m->content_length.n == 0 || str_eq(m->content_length, STR_LIT("0"))) && !str_is_null(path);
	struct str method = rebuild ? STR_LIT("POST") : m->method;
	enum app_err err = rebuild ? APP_OK : request_set_front_error(req, status, front_error_detail(status));
	/* Past here a problem stops a rebuilt request, as it would any request,
	 * and only leaves a field out of a front error's log line. The method is
	 * read first even so: a HEAD gets no body. */
	if (method.n > 0 && request_set_method(req, method) != APP_OK)
		err = APP_ERR_REFUSED;
	if (hdr_err != APP_OK)
		err = APP_ERR_REFUSED;
	if (err != APP_OK && rebuild)
		return err;
	if (!str_is_null(path)) {
		req->root_path = root;
		if (request_set_raw_path(req, path) != APP_OK)
			err = APP_ERR_REFUSED;
	}
	if ((err == APP_OK || !rebuild) && !str_is_null(uri_query) && request_set_query_string(req, uri_query) != APP_OK)
		err = APP_ERR_REFUSED;
	if (err == APP_OK && m->content_type.n > 0 &&
	    request_add_header(req, STR_LIT("content-type"), m->content_type) != APP_OK)
		err = APP_ERR_REFUSED;
	/* No content-length header: the client sent none, and the body is empty. */
	return err;
}

static enum app_err parse(struct request *req, char *const *envp, enum cgi_mount mount, size_t *body_length,
			  struct meta *mp)
{
	struct meta m = { 0 };
	enum app_err err = scan_env(req, envp, &m);
	*mp = m;
	int front_status = front_error_status(m.redirect_status);
	if (front_status != 0)
		return parse_front_error(req, &m, mount, front_status, err);
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
