#include "shell_hints.h"

#include <stdio.h>
#include <string.h>

/* The value of NAME in envp, or NULL when it is not there (entries without '=' never match). */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

void shell_hints_check(const char *prog, char *const *envp)
{
	if (env_get(envp, "GATEWAY_INTERFACE") != NULL)
		return;
	const char *q = env_get(envp, "QUERY_STRING");
	if (q != NULL && q[0] == '?')
		fprintf(stderr,
			"%s: note: QUERY_STRING starts with '?', so the first name is '%.*s'; the query is what "
			"follows the '?' (QUERY_STRING='%.60s'), or try: %s --request 'GET /path%.60s'\n",
			prog, (int)strcspn(q, "=&"), q, q + 1, prog, q);
}
