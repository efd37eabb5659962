#include "http/response.h"

#include "core/json.h"

void response_init(struct response *r, struct arena *a)
{
	*r = (struct response){ .arena = a, .status = 200, .body = STR_LIT("") };
}

void response_add_header(struct response *r, const char *name, struct str value)
{
	kvlist_add(r->arena, &r->headers, str_c(name), value);
}

struct str response_header(const struct response *r, const char *name)
{
	return kvlist_get_nocase(&r->headers, str_c(name));
}

void response_set_body(struct response *r, int status, const char *content_type, struct str body)
{
	r->status = status;
	response_add_header(r, "Content-Type", str_c(content_type));
	r->body = body;
	r->produce = NULL;
}

void response_json(struct response *r, int status, cJSON *doc)
{
	/* Printing first: if it gives up (out of memory) doc is lost, not freed twice. */
	struct str body = json_print(r->arena, doc);
	cJSON_Delete(doc);
	response_set_body(r, status, "application/json", body);
}

void response_error(struct response *r, int status, const char *detail)
{
	response_set_body(r, status, "application/json", json_object1(r->arena, "detail", str_c(detail)));
}

void response_error_id(struct response *r, int status, const char *detail, struct str request_id)
{
	struct buf b;
	buf_init(&b, r->arena);
	buf_append(&b, "{\"detail\":", 10);
	json_append_string(&b, str_c(detail));
	buf_append(&b, ",\"request_id\":", 14);
	json_append_string(&b, request_id);
	buf_append_byte(&b, '}');
	struct str body = buf_str(&b);
	for (size_t i = 0; i < r->headers.n; i++)
		if (str_eq_nocase(r->headers.items[i].name, STR_LIT("Content-Type")))
			r->headers.items[i].value = STR_LIT("application/json");
	if (str_is_null(response_header(r, "Content-Type")))
		response_add_header(r, "Content-Type", STR_LIT("application/json"));
	r->status = status;
	r->body = body;
	r->produce = NULL; /* a 5xx replaces a body still to be produced */
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Entity";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

void response_serialize_cgi(const struct response *r, struct buf *out)
{
	size_t size = 64 + (r->omit_body ? 0 : r->body.n);
	for (size_t i = 0; i < r->headers.n; i++)
		size += r->headers.items[i].name.n + r->headers.items[i].value.n + 4;
	buf_reserve(out, size);
	response_serialize_cgi_head(r, out);
	buf_append(out, "Content-Length: ", 16);
	buf_append_size(out, r->body.n);
	buf_append(out, "\r\n\r\n", 4);
	if (!r->omit_body)
		buf_append_str(out, r->body);
}

void response_serialize_cgi_head(const struct response *r, struct buf *out)
{
	buf_append(out, "Status: ", 8);
	buf_append_size(out, (size_t)(r->status >= 0 ? r->status : 0));
	buf_append_byte(out, ' ');
	buf_append_cstr(out, http_reason(r->status));
	buf_append(out, "\r\n", 2);
	for (size_t i = 0; i < r->headers.n; i++) {
		buf_append_str(out, r->headers.items[i].name);
		buf_append(out, ": ", 2);
		buf_append_str(out, r->headers.items[i].value);
		buf_append(out, "\r\n", 2);
	}
}
