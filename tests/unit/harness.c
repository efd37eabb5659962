#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "http/limits.h"
#include "support/memory_transport.h"

/* What each main() does before the first request: the service's settings (the
 * route table /openapi.json describes), in every test process. The http
 * layer's stay at their defaults: the tests that change them load them. */
__attribute__((constructor)) static void load_service_settings(void)
{
	const char *why = NULL;
	if (service_settings_load(&why) != APP_OK)
		abort();
}

void exchange_run(struct exchange *x, char *const *env, const char *body, size_t body_n)
{
	exchange_run_by(x, env, body, body_n, app_handle);
}

void exchange_run_by(struct exchange *x, char *const *env, const char *body, size_t body_n,
		     exchange_answer_fn answer)
{
	arena_init(&x->arena);
	request_init(&x->req, &x->arena, "test");
	enum app_err err = cgi_env_parse(&x->req, env, MOUNT_AT_ROOT, &x->body_length);
	(void)err; /* a refused request keeps its 4xx in req, which app_handle() answers */
	if (body != NULL)
		x->req.body = (struct str){ body, body_n };
	response_init(&x->resp, &x->arena);
	answer(&x->req, &x->resp);
}

void set_body_limit(const char *value)
{
	if (value != NULL)
		setenv("APP_MAX_BODY_BYTES", value, 1);
	else
		unsetenv("APP_MAX_BODY_BYTES");
	const char *why = NULL;
	if (limits_load(&why) != APP_OK)
		abort();
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

int serve_in_memory(char *const *env, const char *in, size_t in_n, char **out, size_t *out_n)
{
	struct memory_transport io = { .in = in, .in_n = in_n };
	const struct transport t = memory_transport(&io);
	enum app_err err = cgi_env_serve(env, "test", MOUNT_AT_ROOT, &t);
	*out = io.out;
	*out_n = io.out_n;
	return err == APP_OK ? 0 : -1;
}
