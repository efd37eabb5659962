#include "shell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgi_env/cgi_env.h"
#include "shell_env.h"
#include "stdio_transport.h"

/* Reads all of f into *p (malloc'd) and *n: 0, or -1 on a read error or out of memory. */
static int slurp(FILE *f, char **p, size_t *n)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
		if (len == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf == NULL || ferror(f)) {
		free(buf);
		return -1;
	}
	*p = buf;
	*n = len;
	return 0;
}

/* The body of -d: the text itself, or the bytes of @FILE / @- (stdin); *owned
 * is what to free. 0, or -1 (said on stderr). */
static int load_body(const char *prog, const char *data, struct memory_io *io, char **owned)
{
	*owned = NULL;
	if (data[0] != '@') {
		io->body = data;
		io->n = strlen(data);
		return 0;
	}
	const char *path = data + 1;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: -d %s: %s\n", prog, data, strerror(errno));
		return -1;
	}
	size_t n = 0;
	int rc = slurp(f, owned, &n);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "%s: -d %s: cannot read it\n", prog, data);
		return -1;
	}
	io->body = *owned;
	io->n = n;
	return 0;
}

int shell_run(const char *prog, const struct shell_args *a)
{
	struct memory_io io = { .body = "" };
	char *owned = NULL;
	if (a->data != NULL && load_body(prog, a->data, &io, &owned) != 0)
		return 2;
	struct shell_env env = { 0 };
	if (shell_env_build(&env, prog, a->request, a->headers, a->n_headers,
			    a->data != NULL ? (long long)io.n : -1) != 0) {
		shell_env_free(&env);
		free(owned);
		return 2;
	}
	if (a->show_env) {
		shell_env_print(&env, stderr);
		fflush(stderr);
	}
	const struct transport t = { memory_io_read, memory_io_write, &io, NULL, NULL }; /* buffered, as CGI */
	int rc = cgi_env_serve(env.vars, "cgi", MOUNT_AT_SCRIPT, &t) == APP_OK ? 0 : 1;
	/* On a terminal the prompt should not run into a body without a final newline. */
	if (rc == 0 && io.wrote && io.last != '\n' && isatty(STDOUT_FILENO))
		rc = stdout_write(NULL, "\n", 1) == 0 ? 0 : 1;
	shell_env_free(&env);
	free(owned);
	return rc;
}
