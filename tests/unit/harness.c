#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "serve.h"

void exchange_run(struct exchange *x, char *const *env, const char *body, size_t body_n)
{
	arena_init(&x->arena);
	request_init(&x->req, &x->arena, "test");
	gateway_parse(&x->req, env, MOUNT_AT_ROOT, &x->body_length);
	if (body != NULL)
		x->req.body = (struct str){ body, body_n };
	response_init(&x->resp, &x->arena);
	app_handle(&x->req, &x->resp);
}

void exchange_free(struct exchange *x)
{
	arena_release(&x->arena);
}

const char *exchange_body(struct exchange *x)
{
	return arena_strndup(&x->arena, x->resp.body.p, x->resp.body.n);
}

const char *exchange_header(struct exchange *x, const char *name)
{
	struct str v = response_header(&x->resp, name);
	return v.p ? arena_strndup(&x->arena, v.p, v.n) : NULL;
}

struct memory_io {
	const char *in;
	size_t in_n, in_pos;
	char *out;
	size_t out_n;
};

static ssize_t memory_read(void *ctx, char *p, size_t n)
{
	struct memory_io *io = ctx;
	size_t left = io->in_n - io->in_pos;
	if (n > left)
		n = left;
	memcpy(p, io->in + io->in_pos, n);
	io->in_pos += n;
	return (ssize_t)n;
}

static int memory_write(void *ctx, const char *p, size_t n)
{
	struct memory_io *io = ctx;
	char *grown = realloc(io->out, io->out_n + n + 1);
	if (grown == NULL)
		return -1;
	memcpy(grown + io->out_n, p, n);
	io->out = grown;
	io->out_n += n;
	io->out[io->out_n] = '\0';
	return 0;
}

int serve_in_memory(char *const *env, const char *in, size_t in_n, char **out, size_t *out_n)
{
	struct memory_io io = { .in = in, .in_n = in_n };
	const struct transport t = { memory_read, memory_write, &io };
	int rc = serve_gateway_request(env, "test", MOUNT_AT_ROOT, &t);
	*out = io.out;
	*out_n = io.out_n;
	return rc;
}
