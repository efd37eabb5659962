#include "shell_args.h"

#include <getopt.h>
#include <stdlib.h>

void shell_args_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s\n"
		"         one CGI request (RFC 3875): the variables from the environment, the body\n"
		"         on stdin, the response (Status: line, headers, body) on stdout; what a\n"
		"         web server runs. With GATEWAY_INTERFACE set, arguments are ignored.\n"
		"       %s --request 'GET /math/add?i=5&i=10' [-H 'Name: value']... [-d BODY] [--env]\n"
		"         the same, run by hand: sets the variables from a request line (METHOD,\n"
		"         then the path and query as in a URL; an optional HTTP/1.x) and prints the\n"
		"         raw CGI output (plus a newline on a terminal when the body has none).\n"
		"  -r, --request LINE    '[METHOD] /path[?query] [HTTP/1.x]'; METHOD defaults to GET\n"
		"  -H, --header LINE     a request header 'Name: value' (repeat for more); Content-Type\n"
		"                        and Content-Length become CONTENT_TYPE and CONTENT_LENGTH\n"
		"  -d, --data BODY       the request body as given; @FILE reads FILE, @- stdin\n"
		"                        (bytes as they are); sets CONTENT_LENGTH\n"
		"      --env             print the variables set, one shell word a line, on stderr\n"
		"      --help            this text\n"
		"      --version         the version\n"
		"Settings are read from the environment as usual: APP_MAX_BODY_BYTES,\n"
		"EXECUTION_ENVIRONMENT, DOCS_DIR.\n",
		prog, prog);
}

int shell_args_parse(int argc, char **argv, struct shell_args *a)
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'r' },
		{ "header", required_argument, NULL, 'H' },
		{ "data", required_argument, NULL, 'd' },
		{ "env", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct shell_args){ .mode = SHELL_REQUEST };
	a->headers = calloc((size_t)argc, sizeof *a->headers);
	if (a->headers == NULL) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return -1;
	}
	int c;
	opterr = 0;
	/* "+": stop at the first non-option, so nothing is silently reordered. */
	while ((c = getopt_long(argc, argv, "+r:H:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->request = optarg;
			break;
		case 'H':
			a->headers[a->n_headers++] = optarg;
			break;
		case 'd':
			if (a->data != NULL) {
				fprintf(stderr, "%s: -d given twice (one body per request)\n", argv[0]);
				return -1;
			}
			a->data = optarg;
			break;
		case 'e':
			a->show_env = true;
			break;
		case 'h':
			a->mode = SHELL_HELP;
			return 0;
		case 'V':
			a->mode = SHELL_VERSION;
			return 0;
		default:
			fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", argv[0],
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", argv[0], argv[optind]);
		return -1;
	}
	if (a->request == NULL) {
		fprintf(stderr, "%s: no --request given (try --help)\n", argv[0]);
		return -1;
	}
	return 0;
}

void shell_args_free(struct shell_args *a)
{
	free(a->headers);
	a->headers = NULL;
}
