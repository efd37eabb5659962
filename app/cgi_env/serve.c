/* One request through a CGI-style gateway: meta-variables and a body stream
 * in, "Status:" + headers + body out. The CGI main and the FastCGI worker loop
 * both call this with their own byte streams. */
#include "cgi_env/cgi_env.h"

#include <stdlib.h>

#include "service/service.h"

/* Everything one request needs, so that arena_run() can run it as one unit. */
struct exchange {
	char *const *envp;
	const char *target;
	enum cgi_mount mount;
	const struct transport *t;
	struct arena *arena;
	struct str output;  /* the serialized response */
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
	struct request req;
	request_init(&req, x->arena, x->target);
	size_t body_length = 0;
	enum app_err err = cgi_env_parse(&req, x->envp, x->mount, &body_length);
	if (err == APP_OK)
		err = read_body(&req, body_length, x->t);
	(void)err; /* APP_ERR_REFUSED: req holds the 4xx, which app_handle() answers */

	struct response resp;
	response_init(&resp, x->arena);
	app_handle(&req, &resp);
	struct buf out;
	buf_init(&out, x->arena);
	response_serialize_cgi(&resp, &out);
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
	static const char out_of_memory[] = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n"
					    "Content-Length: 34\r\n\r\n{\"detail\":\"Internal Server Error\"}";
	static bool registered;
	if (!registered) {
		registered = atexit(release_process_arena) == 0;
		arena_init(&process_arena);
	}
	struct arena *arena = &process_arena;
	struct exchange x = { envp, target, mount, t, arena, STR_NULL };
	struct str bytes = arena_run(arena, answer, &x) == APP_OK ? x.output : STR_LIT(out_of_memory);
	int rc = t->write(t->ctx, bytes.p, bytes.n);
	if (registered)
		arena_reset(arena);
	else
		arena_release(arena); /* nobody would free a kept chunk at exit */
	return rc == 0 ? APP_OK : APP_ERR_IO;
}
