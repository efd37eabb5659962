#include "core/json.h"

struct str json_print(struct arena *a, const cJSON *doc)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	if (text == NULL)
		arena_exhausted(a);
	size_t n = strlen(text);
	struct str out = { arena_strndup(a, text, n), n };
	cJSON_free(text);
	return out;
}
