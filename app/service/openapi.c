/* /openapi.json, generated from the route table in FastAPI's layout. */
#include "service/service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json.h"

#define API_TITLE "math-service"
#define API_VERSION "0.1.0"

/* "item_id" -> "Item Id", as pydantic titles fields. */
static void title_case(const char *name, char *out, size_t size)
{
	size_t n = 0;
	bool word_start = true;
	for (const char *p = name; *p != '\0' && n + 1 < size; p++) {
		char c = *p == '_' ? ' ' : *p;
		out[n++] = word_start ? (char)toupper((unsigned char)c) : c;
		word_start = c == ' ';
	}
	out[n] = '\0';
}

static cJSON *param_schema(const struct param_spec *spec)
{
	char title[64];
	title_case(spec->name, title, sizeof title);
	cJSON *schema = cJSON_CreateObject();
	switch (spec->type) {
	case PARAM_INT:
		cJSON_AddStringToObject(schema, "type", "integer");
		break;
	case PARAM_STR:
		cJSON_AddStringToObject(schema, "type", "string");
		break;
	case PARAM_INT_LIST: {
		cJSON_AddStringToObject(schema, "type", "array");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(schema, "items"), "type", "integer");
		cJSON_AddArrayToObject(schema, "default");
		break;
	}
	case PARAM_OPTIONAL_STR: {
		cJSON *any = cJSON_AddArrayToObject(schema, "anyOf");
		cJSON *s = cJSON_CreateObject(), *null = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddStringToObject(null, "type", "null");
		cJSON_AddItemToArray(any, s);
		cJSON_AddItemToArray(any, null);
		break;
	}
	}
	cJSON_AddStringToObject(schema, "title", title);
	return schema;
}

static cJSON *parameters(const struct route *route)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < route->param_count; i++) {
		const struct param_spec *spec = &route->params[i];
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "name", spec->name);
		cJSON_AddStringToObject(p, "in", spec->source == PARAM_PATH ? "path" : "query");
		cJSON_AddBoolToObject(p, "required", spec->type == PARAM_INT || spec->type == PARAM_STR);
		cJSON_AddItemToObject(p, "schema", param_schema(spec));
		cJSON_AddItemToArray(list, p);
	}
	return list;
}

static cJSON *content(const char *type, cJSON *schema)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddItemToObject(cJSON_AddObjectToObject(c, type), "schema", schema);
	return c;
}

/* "read_item" + "/items/{item_id}" + "get" -> "read_item_items__item_id__get" (FastAPI's unique id). */
static void operation_id(const struct route *route, const char *method, char *out, size_t size)
{
	size_t n = 0;
	for (const char *parts[] = { route->function, route->path, "_", method }, **p = parts; p < parts + 4; p++) {
		for (const char *c = *p; *c != '\0' && n + 1 < size; c++)
			out[n++] = isalnum((unsigned char)*c) || *c == '_' ? (char)tolower((unsigned char)*c) : '_';
	}
	out[n] = '\0';
}

static cJSON *operation(const struct route *route, const char *method)
{
	char id[256], title[300];
	operation_id(route, method, id, sizeof id);
	cJSON *op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "summary", route->summary);
	cJSON_AddStringToObject(op, "operationId", id);
	if (route->param_count > 0)
		cJSON_AddItemToObject(op, "parameters", parameters(route));

	cJSON *responses = cJSON_AddObjectToObject(op, "responses");
	cJSON *ok = cJSON_AddObjectToObject(responses, "200");
	cJSON_AddStringToObject(ok, "description", "Successful Response");
	cJSON *schema = cJSON_CreateObject();
	const char *type = "application/json";
	if (route->doc == DOC_TEXT) {
		type = "text/plain";
		cJSON_AddStringToObject(schema, "type", "string");
	} else if (route->doc == DOC_JSON_STRING) {
		cJSON_AddStringToObject(schema, "type", "string");
		title_case(id, title, sizeof title);
		char response_title[320];
		snprintf(response_title, sizeof response_title, "Response %s", title);
		cJSON_AddStringToObject(schema, "title", response_title);
	}
	cJSON_AddItemToObject(ok, "content", content(type, schema));

	if (route->param_count > 0) {
		cJSON *bad = cJSON_AddObjectToObject(responses, "422");
		cJSON_AddStringToObject(bad, "description", "Validation Error");
		cJSON *ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "$ref", "#/components/schemas/HTTPValidationError");
		cJSON_AddItemToObject(bad, "content", content("application/json", ref));
	}
	return op;
}

/* The two schemas FastAPI always adds for 422 bodies. */
static cJSON *validation_schemas(void)
{
	static const char schemas[] =
		"{\"HTTPValidationError\":{\"properties\":{\"detail\":{\"items\":{\"$ref\":"
		"\"#/components/schemas/ValidationError\"},\"type\":\"array\",\"title\":\"Detail\"}},"
		"\"type\":\"object\",\"title\":\"HTTPValidationError\"},"
		"\"ValidationError\":{\"properties\":{\"loc\":{\"items\":{\"anyOf\":[{\"type\":\"string\"},"
		"{\"type\":\"integer\"}]},\"type\":\"array\",\"title\":\"Location\"},"
		"\"msg\":{\"type\":\"string\",\"title\":\"Message\"},"
		"\"type\":{\"type\":\"string\",\"title\":\"Error Type\"}},"
		"\"type\":\"object\",\"required\":[\"loc\",\"msg\",\"type\"],\"title\":\"ValidationError\"}}";
	return cJSON_Parse(schemas);
}

/* The route table described (openapi_describe()); none before it is given. */
static const struct route *described;
static size_t described_count;

void openapi_describe(const struct route *routes, size_t count)
{
	described = routes;
	described_count = count;
}

static cJSON *openapi_doc(void)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "openapi", "3.1.0");
	cJSON *info = cJSON_AddObjectToObject(doc, "info");
	cJSON_AddStringToObject(info, "title", API_TITLE);
	cJSON_AddStringToObject(info, "version", API_VERSION);
	cJSON *paths = cJSON_AddObjectToObject(doc, "paths");

	for (size_t r = 0; r < described_count; r++) {
		const struct route *route = &described[r];
		if (route->hidden)
			continue;
		cJSON *item = cJSON_AddObjectToObject(paths, route->path);
		for (size_t m = 0; m < method_name_count; m++) {
			/* HEAD is implied by GET and, as in FastAPI, not documented. */
			if (!(route->methods & (1u << m)) || (1u << m) == M_HEAD)
				continue;
			char lower[16];
			size_t n = 0;
			for (const char *c = method_names[m]; *c && n + 1 < sizeof lower; c++)
				lower[n++] = (char)tolower((unsigned char)*c);
			lower[n] = '\0';
			cJSON_AddItemToObject(item, lower, operation(route, lower));
		}
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(doc, "components"), "schemas", validation_schemas());
	return doc;
}

/* The document, printed once per process and kept (it depends on the route
 * table only). Under a prefix (SCRIPT_NAME, an API Gateway stage) FastAPI's
 * root_path becomes the one server, so that "Try it out" calls the prefixed
 * URLs: that entry is spliced in before ",\"paths\":" per request, and the
 * ETag covers it. */
static char *openapi_text;
static struct fixed openapi;

static void forget_openapi(void)
{
	cJSON_free(openapi_text);
	openapi_text = NULL;
	fixed_forget(&openapi);
}

void handle_openapi(const struct request *req, const struct arg *args, struct response *resp)
{
	(void)args;
	if (openapi_text == NULL) {
		static bool registered;
		if (!registered && atexit(forget_openapi) != 0)
			arena_exhausted(req->arena); /* atexit() fails only for want of memory */
		registered = true;
		cJSON *doc = openapi_doc();
		char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
		cJSON_Delete(doc);
		if (text == NULL)
			arena_exhausted(req->arena);
		openapi_text = text;
		fixed_set(&openapi, str_c(text));
	}
	if (req->root_path.n == 0) {
		fixed_respond(req, resp, "application/json", &openapi, "no-cache");
		return;
	}
	/* {"openapi":..,"info":{..},"servers":[{"url":PREFIX}],"paths":..} */
	cJSON *servers = cJSON_CreateArray();
	cJSON *server = cJSON_CreateObject();
	cJSON_AddStringToObject(server, "url", str_dup(req->arena, req->root_path));
	cJSON_AddItemToArray(servers, server);
	struct str entry = json_print(req->arena, servers);
	cJSON_Delete(servers);
	struct str whole = openapi.body;
	const char *at = strstr(whole.p, ",\"paths\":");
	size_t head = at != NULL ? (size_t)(at - whole.p) : whole.n;
	struct fixed *answer = arena_calloc(req->arena, 1, sizeof *answer); /* the ETag outlives us */
	fixed_set(answer, str_c(arena_printf(req->arena, "%.*s,\"servers\":%s%s", (int)head, whole.p, entry.p,
					     whole.p + head)));
	answer->per_request = true; /* its compressed forms die with the request too */
	fixed_respond(req, resp, "application/json", answer, "no-cache");
}
