#include "core/json.h"

/* Most answers are short: printed straight into the arena, they need neither
 * cJSON's malloc'd buffer nor a copy of it. */
#define JSON_PRINT_GUESS 256

struct str json_print(struct arena *a, const cJSON *doc)
{
	if (doc == NULL)
		arena_exhausted(a);
	char *p = arena_alloc(a, JSON_PRINT_GUESS);
	/* (cJSON takes a non-const item but only reads it) */
	if (cJSON_PrintPreallocated((cJSON *)doc, p, JSON_PRINT_GUESS, 0))
		return (struct str){ p, strlen(p) };
	char *text = cJSON_PrintUnformatted(doc);
	if (text == NULL)
		arena_exhausted(a);
	size_t n = strlen(text);
	struct str out = { arena_strndup(a, text, n), n };
	cJSON_free(text);
	return out;
}
