/* CGI target: build/app.cgi. Under a web server (or with no arguments) one
 * request: RFC 3875 variables from the environment, body on stdin, response
 * on stdout. Run by hand with arguments it is a shell tool (shell.c:
 * --request, --help, --version). Every HTTP decision is in app/. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cgi_env/cgi_env.h"
#include "http/log.h"
#include "http/settings.h"
#include "service/service.h"
#include "shell.h"
#include "shell_args.h"
#include "shell_hints.h"
#include "stdio_transport.h"

#ifndef APP_VERSION
#define APP_VERSION "unknown"
#endif

extern char **environ;

/* Reads the settings every request depends on, once per layer (http/settings.h,
 * service/service.h). A bad one is the server's configuration, not the request:
 * the client gets a 500, the reason goes to the server's error log, and the
 * result is false. */
static bool load_settings(const char *prog)
{
	const char *why = NULL;
	if (http_settings_load(&why) == APP_OK && service_settings_load(&why) == APP_OK)
		return true;
	static const char misconfigured[] = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n"
					    "Content-Length: 34\r\n\r\n{\"detail\":\"Internal Server Error\"}";
	fprintf(stderr, "%s: %s\n", prog, why);
	(void)stdout_write(NULL, misconfigured, sizeof misconfigured - 1);
	return false;
}

/* One CGI request from the environment and stdin; the response goes out
 * unchanged, notes for a person typing the variables go to stderr. */
static int serve_cgi(const char *prog)
{
	shell_hints_check(prog, environ);
	if (!load_settings(prog))
		return 1;
	const struct transport stdio = { stdin_read, stdout_write, NULL, NULL, NULL }; /* CGI: buffered (http/stream.h) */
	return cgi_env_serve(environ, "cgi", MOUNT_AT_SCRIPT, &stdio) == APP_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* A client gone mid-response is a failed write, not a killed process. */
	signal(SIGPIPE, SIG_IGN);
	const char *prog = argc > 0 && argv[0] != NULL ? argv[0] : "app.cgi";
	/* A server may pass an ISINDEX query as arguments (RFC 3875 4.4): under a
	 * server (GATEWAY_INTERFACE set) they are never read as options. */
	if (argc <= 1 || getenv("GATEWAY_INTERFACE") != NULL)
		return serve_cgi(prog);

	struct shell_args a;
	int rc = 2;
	if (shell_args_parse(argc, argv, &a) == 0) {
		switch (a.mode) {
		case SHELL_HELP:
			shell_args_usage(stdout, prog);
			rc = 0;
			break;
		case SHELL_VERSION:
			printf("app.cgi (math-service) %s\n", APP_VERSION);
			rc = 0;
			break;
		case SHELL_REQUEST:
			if (!load_settings(prog)) {
				rc = 1;
				break;
			}
			/* A person at a shell reads the response: no access line on
			 * stderr unless LOG_FORMAT asks for one. */
			if (getenv("LOG_FORMAT") == NULL)
				log_configure(LOG_FORMAT_OFF, LOG_INFO);
			rc = shell_run(prog, &a);
			break;
		}
	}
	shell_args_free(&a);
	return rc;
}
