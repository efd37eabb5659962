/* CGI target: RFC 3875 variables from the environment, body on stdin,
 * response on stdout. One process per request; all logic is in app/. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "serve.h"

extern char **environ;

static ssize_t read_stdin(void *ctx, char *p, size_t n)
{
	(void)ctx;
	ssize_t r;
	do
		r = read(STDIN_FILENO, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static int write_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	/* A client gone mid-response is a failed write, not a killed process. */
	signal(SIGPIPE, SIG_IGN);
	const struct transport stdio = { read_stdin, write_stdout, NULL };
	return serve_gateway_request(environ, "cgi", MOUNT_AT_SCRIPT, &stdio) == 0 ? 0 : 1;
}
