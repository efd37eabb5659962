#include "worker/params.h"

#include <stddef.h>
#include <string.h>

/* Sets *slot to the value of e when e is "name=..." and *slot is still unset
 * (strncmp stops at a shorter entry's NUL). */
static void take(const char *e, const char *name, size_t n, const char **slot)
{
	if (*slot == NULL && strncmp(e, name, n) == 0 && e[n] == '=')
		*slot = e + n + 1;
}

struct worker_params worker_params(char *const *envp)
{
	struct worker_params p = { 0 };
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *e = *envp;
		if (e[0] == 'R' && strncmp(e, "REQUEST_", 8) == 0) { /* the first byte filters most */
			take(e, "REQUEST_METHOD", 14, &p.method);
			take(e, "REQUEST_URI", 11, &p.uri);
		} else if (e[0] == 'C') {
			take(e, "CONTENT_LENGTH", 14, &p.content_length);
		}
	}
	return p;
}
