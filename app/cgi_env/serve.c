/* One request through a CGI-style gateway: meta-variables and a body stream
 * in, "Status:" + headers + body out, and one access log line on stderr. The
 * CGI main and the FastCGI worker loop both call this with their own byte streams. */
#include "cgi_env/cgi_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/log.h"
#include "http/observe.h"
#include "http/request_id.h"
#include "service/service.h"

/* Everything one request needs, so that arena_run() can run it as one unit. */
struct exchange {
	char *const *envp;
	const char *target;
	enum cgi_mount mount;
	const struct transport *t;
	struct arena *arena;
	struct request req;
	struct response resp;
	struct str output;  /* the serialized response */
	char id[REQUEST_ID_MAX + 1]; /* the request id, kept outside the arena for a 500 */
};

/* Reads exactly `length` body bytes into the arena; a short body refuses the request. */
static enum app_err read_body(struct request *req, size_t length, const struct transport *t)
{
	if (length == 0)
		return APP_OK;
	char *p = arena_alloc(req->arena, length + 1);
	size_t got = 0;
	while (got < length) {
		ssize_t n = t->read(t->ctx, p + got, length - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < length)
		return request_refuse(req, 400,
				      arena_printf(req->arena,
						   "Request body truncated: Content-Length is %zu but only %zu bytes arrived",
						   length, got));
	p[length] = '\0';
	req->body = (struct str){ p, length };
	return APP_OK;
}

static void answer(void *ctx)
{
	struct exchange *x = ctx;
	struct request *req = &x->req;
	size_t body_length = 0;
	enum app_err err = cgi_env_parse(req, x->envp, x->mount, &body_length);
	request_assign_id(req, STR_NULL);
	memcpy(x->id, req->request_id.p, req->request_id.n);
	x->id[req->request_id.n] = '\0';
	if (err == APP_OK)
		err = read_body(req, body_length, x->t);
	(void)err; /* APP_ERR_REFUSED: req holds the 4xx, which app_handle() answers */

	app_handle(req, &x->resp);
	struct buf out;
	buf_init(&out, x->arena);
	response_serialize_cgi(&x->resp, &out);
	x->output = buf_str(&out);
}

/* One arena for every request of the process: arena_reset() keeps its first
 * chunk between requests (a FastCGI worker serves thousands), and exit frees it. */
static struct arena process_arena;

static void release_process_arena(void)
{
	arena_release(&process_arena);
}

enum app_err cgi_env_serve(char *const *envp, const char *target, enum cgi_mount mount, const struct transport *t)
{
	long long start = now_us();
	static bool registered;
	if (!registered) {
		registered = atexit(release_process_arena) == 0;
		arena_init(&process_arena);
	}
	struct arena *arena = &process_arena;
	struct exchange x = { .envp = envp, .target = target, .mount = mount, .t = t, .arena = arena };
	request_init(&x.req, arena, target);
	response_init(&x.resp, arena);
	struct str bytes;
	char out_of_memory[512], body[256];
	if (arena_run(arena, answer, &x) != APP_OK) {
		/* What the request got so far stays valid for the log line; the answer is a 500. */
		if (x.id[0] == '\0')
			request_id_generate(x.id);
		x.req.request_id = str_c(x.id);
		int body_n = snprintf(body, sizeof body, "{\"detail\":\"Internal Server Error\",\"request_id\":\"%s\"}", x.id);
		int n = snprintf(out_of_memory, sizeof out_of_memory,
				 "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\nX-Request-Id: %s\r\n"
				 "Content-Length: %d\r\n\r\n%s",
				 x.id, body_n, body);
		bytes = (struct str){ out_of_memory, (size_t)n };
		x.resp.status = 500;
		x.resp.body = (struct str){ body, (size_t)body_n };
		x.resp.omit_body = false;
		log_event(STDERR_FILENO, LOG_ERROR, target, x.req.request_id, "out of memory while answering the request");
	} else {
		bytes = x.output;
	}
	int rc = t->write(t->ctx, bytes.p, bytes.n);
	struct log_access line;
	log_access_from(&line, &x.req, &x.resp);
	line.duration_us = now_us() - start;
	(void)log_access_write(STDERR_FILENO, &line);
	observe_request(&line);
	if (registered)
		arena_reset(arena);
	else
		arena_release(arena); /* nobody would free a kept chunk at exit */
	return rc == 0 ? APP_OK : APP_ERR_IO;
}
