/* The request context (app/request_context.h) from an event's requestContext:
 * API Gateway's request id, the stage, and the authorizer's claims. */
#include "core/json.h"
#include "lambda_events/adapter.h"

/* A member's value as claim text: strings as they are, anything else as compact JSON. */
static struct str claim_text(struct arena *a, const cJSON *item)
{
	return cJSON_IsString(item) ? str_c(item->valuestring) : json_print(a, item);
}

/* Adds every member of obj as a claim, skipping the names in skip (NULL-terminated). */
static void add_claims(struct request *req, const cJSON *obj, const char *const *skip)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj) {
		bool skipped = false;
		for (const char *const *s = skip; *s != NULL && !skipped; s++)
			skipped = strcmp(item->string, *s) == 0;
		if (skipped || cJSON_IsNull(item))
			continue;
		kvlist_add(req->arena, &req->context.claims, str_c(item->string), claim_text(req->arena, item));
	}
}

void lambda_context_fill(struct request *req, const cJSON *context)
{
	if (!cJSON_IsObject(context))
		return;
	req->context.api_request_id = lambda_field_optional(context, "requestId");
	req->context.stage = lambda_field_optional(context, "stage");
	const cJSON *authorizer = lambda_field(context, "authorizer");
	if (!cJSON_IsObject(authorizer))
		return;
	static const char *const none[] = { NULL };
	static const char *const nested[] = { "claims", "jwt", "lambda", "iam", NULL };
	/* HTTP API: {"jwt": {"claims": {...}, "scopes": [...]}} or {"lambda": {...}}. */
	const cJSON *jwt = lambda_field(authorizer, "jwt");
	if (cJSON_IsObject(jwt)) {
		add_claims(req, lambda_field(jwt, "claims"), none);
		const cJSON *scopes = lambda_field(jwt, "scopes");
		if (scopes != NULL)
			kvlist_add(req->arena, &req->context.claims, STR_LIT("scopes"), claim_text(req->arena, scopes));
	}
	if (cJSON_IsObject(lambda_field(authorizer, "lambda")))
		add_claims(req, lambda_field(authorizer, "lambda"), none);
	/* REST API: Cognito's {"claims": {...}}; a Lambda authorizer's context members and
	 * principalId sit on the authorizer object itself. */
	if (cJSON_IsObject(lambda_field(authorizer, "claims")))
		add_claims(req, lambda_field(authorizer, "claims"), none);
	add_claims(req, authorizer, nested);
}
