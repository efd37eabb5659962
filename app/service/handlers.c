#include "service/service.h"

#include "core/json.h"

/* {"key":"value"}, written straight into the arena (core/json.h). */
static void json_message(const struct request *req, struct response *resp, const char *key, const char *value)
{
	response_set_body(resp, 200, "application/json", json_object1(req->arena, key, str_c(value)));
}

void handle_health(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	json_message(req, resp, "status", "OK");
}

void handle_math_add(const struct request *req, const struct arg *args, struct response *resp)
{
	response_set_body(resp, 200, "text/plain; charset=utf-8", bigint_sum_format(req->arena, args[0].ints, args[0].n));
}

void handle_ping(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	json_message(req, resp, "Success", "Pong!");
}

void handle_all_users(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	json_message(req, resp, "Success", "All users!");
}

void handle_one_user(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	json_message(req, resp, "Success", "This is one user!");
}

void handle_read_item(const struct request *req, const struct arg *args, struct response *resp)
{
	/* {"item_id":N,"q":"..."|null}, as cJSON printed it; the integer is written
	 * as its digits, exact at any size (JSON numbers in cJSON are doubles). */
	struct buf b;
	buf_init(&b, req->arena);
	buf_append(&b, "{\"item_id\":", 11);
	bigint_append(&b, &args[0].ints[0]);
	buf_append(&b, ",\"q\":", 5);
	if (args[1].present)
		json_append_string(&b, args[1].text[0]);
	else
		buf_append(&b, "null", 4);
	buf_append_byte(&b, '}');
	response_set_body(resp, 200, "application/json", buf_str(&b));
}

void handle_hello(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	/* The process environment, never the request's: it names the deployment. */
	const char *env = service_execution_environment();
	if (env == NULL)
		env = req->target;
	struct buf b;
	buf_init(&b, req->arena);
	json_append_string(&b, str_c(arena_printf(req->arena, "Hello from %s", env)));
	response_set_body(resp, 200, "application/json", buf_str(&b));
}
