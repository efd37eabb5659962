/* CGI target: RFC 3875 variables from the environment, body on stdin,
 * response on stdout. One process per request; all logic is in app/. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cgi_env/cgi_env.h"
#include "http/limits.h"

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
	const char *why = NULL;
	if (limits_load(&why) != APP_OK) {
		/* The server's configuration is wrong, not the request: a 500 for the
		 * client, the reason in the server's error log. */
		static const char misconfigured[] = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n"
						    "Content-Length: 34\r\n\r\n{\"detail\":\"Internal Server Error\"}";
		fprintf(stderr, "app.cgi: %s\n", why);
		(void)write_stdout(NULL, misconfigured, sizeof misconfigured - 1);
		return 1;
	}
	return cgi_env_serve(environ, "cgi", MOUNT_AT_SCRIPT, &stdio) == APP_OK ? 0 : 1;
}
