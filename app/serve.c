#include "serve.h"

#include <stdio.h>

#include "app.h"
#include "buf.h"

/* Reads exactly `length` body bytes into the arena; a short body fails the request. */
static void read_body(struct request *req, size_t length, const struct transport *t)
{
	if (req->error_status != 0 || length == 0)
		return;
	char *p = arena_alloc(req->arena, length + 1);
	if (p == NULL) {
		request_fail(req, 500, "Out of memory");
		return;
	}
	size_t got = 0;
	while (got < length) {
		ssize_t n = t->read(t->ctx, p + got, length - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < length) {
		char msg[128];
		snprintf(msg, sizeof msg, "Request body truncated: Content-Length is %zu but only %zu bytes arrived",
			 length, got);
		const char *copy = arena_strndup(req->arena, msg, strlen(msg));
		request_fail(req, 400, copy ? copy : "Request body truncated");
		return;
	}
	p[length] = '\0';
	req->body = (struct str){ p, length };
}

int serve_gateway_request(char *const *envp, const char *target, enum gateway_mount mount, const struct transport *t)
{
	struct arena arena;
	arena_init(&arena);
	struct request req;
	request_init(&req, &arena, target);
	size_t body_length = 0;
	gateway_parse(&req, envp, mount, &body_length);
	read_body(&req, body_length, t);

	struct response resp;
	response_init(&resp, &arena);
	app_handle(&req, &resp);

	struct buf out;
	buf_init(&out, &arena);
	response_serialize_cgi(&resp, &out);
	struct str bytes = buf_str(&out);
	int rc;
	if (str_is_null(bytes)) {
		static const char oom[] = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n"
					  "Content-Length: 34\r\n\r\n{\"detail\":\"Internal Server Error\"}";
		rc = t->write(t->ctx, oom, sizeof oom - 1);
	} else {
		rc = t->write(t->ctx, bytes.p, bytes.n);
	}
	arena_release(&arena);
	return rc;
}
