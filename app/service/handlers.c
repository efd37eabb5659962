#include "service/service.h"

static void json_message(struct response *resp, const char *key, const char *value)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, key, value);
	response_json(resp, 200, doc);
}

void handle_health(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	json_message(resp, "status", "OK");
}

void handle_math_add(const struct request *req, const struct arg *args, struct response *resp)
{
	struct bigint sum = bigint_from_long(req->arena, 0); /* the empty sum */
	for (size_t i = 0; i < args[0].n; i++)
		bigint_add(req->arena, &sum, &args[0].ints[i], &sum);
	response_set_body(resp, 200, "text/plain; charset=utf-8", bigint_format(req->arena, &sum));
}

void handle_ping(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	json_message(resp, "Success", "Pong!");
}

void handle_all_users(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	json_message(resp, "Success", "All users!");
}

void handle_one_user(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)req, (void)args;
	json_message(resp, "Success", "This is one user!");
}

void handle_read_item(const struct request *req, const struct arg *args, struct response *resp)
{
	struct str item_id = bigint_format(req->arena, &args[0].ints[0]);
	cJSON *doc = cJSON_CreateObject();
	/* Raw keeps integers of any size exact; cJSON numbers are doubles. */
	cJSON_AddRawToObject(doc, "item_id", item_id.p);
	if (args[1].present)
		cJSON_AddStringToObject(doc, "q", args[1].text[0].p);
	else
		cJSON_AddNullToObject(doc, "q");
	response_json(resp, 200, doc);
}

void handle_hello(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	/* The process environment, never the request's: it names the deployment. */
	const char *env = service_execution_environment();
	if (env == NULL)
		env = req->target;
	response_json(resp, 200, cJSON_CreateString(arena_printf(req->arena, "Hello from %s", env)));
}
