/* The service's settings from the environment, read once per process, at
 * start (service_settings_load(), load.c), never with getenv() on a request. */
#include "service/service.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

static const char *execution_environment;  /* NULL: unset or empty */
static const char *docs_dir;               /* NULL: not found */

/* $DOCS_DIR, else "docs" beside the running executable (make and make install put it there). */
static const char *find_docs_dir(void)
{
	static char beside_exe[PATH_MAX];
	const char *env = getenv("DOCS_DIR");
	if (env != NULL && *env != '\0')
		return env;
	ssize_t n = readlink("/proc/self/exe", beside_exe, sizeof beside_exe - sizeof "/docs");
	if (n <= 0)
		return NULL;
	beside_exe[n] = '\0';
	char *slash = strrchr(beside_exe, '/');
	if (slash == NULL)
		return NULL;
	memcpy(slash, "/docs", sizeof "/docs");
	return beside_exe;
}

/* getenv()'s strings stay valid: glibc never frees them, even when the
 * variable is set again (lambda/main.c relies on the same). */
void service_env_load(void)
{
	const char *env = getenv("EXECUTION_ENVIRONMENT");
	execution_environment = env != NULL && *env != '\0' ? env : NULL;
	docs_dir = find_docs_dir();
}

const char *service_execution_environment(void)
{
	return execution_environment;
}

const char *service_docs_dir(void)
{
	return docs_dir;
}
