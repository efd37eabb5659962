#include "worker/params.h"

#include <stddef.h>
#include <string.h>

/* The value of e when e is name + "=...", else NULL (strncmp stops at a
 * shorter e's NUL). */
static const char *value_of(const char *e, const char *name, size_t n)
{
	return strncmp(e, name, n) == 0 && e[n] == '=' ? e + n + 1 : NULL;
}

/* Sets *slot to v unless it is set already (the first of a repeated name wins). */
static void take(const char **slot, const char *v)
{
	if (*slot == NULL && v != NULL)
		*slot = v;
}

struct worker_params worker_params(char *const *envp)
{
	struct worker_params p = { 0 };
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *e = *envp;
		/* The first bytes filter most (REMOTE_, REDIRECT_, SERVER_...) before any call. */
		if (e[0] == 'R' && e[1] == 'E' && e[2] == 'Q' && strncmp(e, "REQUEST_", 8) == 0) {
			if (e[8] == 'M')
				take(&p.method, value_of(e, "REQUEST_METHOD", 14));
			else if (e[8] == 'U')
				take(&p.uri, value_of(e, "REQUEST_URI", 11));
		} else if (e[0] == 'C' && e[1] == 'O') {
			take(&p.content_length, value_of(e, "CONTENT_LENGTH", 14));
		}
	}
	return p;
}
