#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void options_usage(const char *prog)
{
	printf("usage: %s\n"
	       "         answer FastCGI requests on the listening socket at fd 0, as spawned\n"
	       "         by lighttpd mod_fastcgi (bin-path) or spawn-fcgi\n"
	       "       %s --listen ADDRESS [--workers N]\n"
	       "         standalone: bind ADDRESS and run N worker processes on it\n"
	       "\n"
	       "ADDRESS is HOST:PORT (127.0.0.1:9000, [::1]:9000, :9000 for every IPv4 address)\n"
	       "or the path of a unix socket (/run/app.sock; anything with a '/').\n"
	       "N defaults to the number of online CPUs. SIGTERM (or Ctrl-C): stop accepting, finish\n"
	       "the requests in flight, exit 0. SIGHUP: replace the workers without dropping requests.\n"
	       "\n"
	       "--forwarded-allow-ips LIST  proxies whose X-Forwarded-*/Forwarded headers are believed:\n"
	       "         addresses and CIDR blocks, comma-separated, or *; sets FORWARDED_ALLOW_IPS\n"
	       "         (default: that variable, else none)\n"
	       "--help prints this text, --version the version.\n",
	       prog, prog);
}

static int default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

static int parse_workers(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 1 || n > MAX_WORKERS)
		return -1;
	return (int)n;
}

int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "forwarded-allow-ips", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct options){ .mode = RUN_SPAWNED, .listen = NULL, .workers = 0 };
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'w':
			o->workers = parse_workers(optarg);
			if (o->workers < 0) {
				fprintf(stderr, "%s: --workers wants a number from 1 to %d, not '%s'\n", argv[0],
					MAX_WORKERS, optarg);
				return -1;
			}
			break;
		case 'h':
			o->mode = RUN_HELP;
			return 0;
		case 'V':
			o->mode = RUN_VERSION;
			return 0;
		case 'f': /* read with the other settings by limits_load() */
			setenv("FORWARDED_ALLOW_IPS", optarg, 1);
			break;
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
	if (o->listen == NULL) {
		if (o->workers > 0) {
			fprintf(stderr, "%s: --workers needs --listen\n", argv[0]);
			return -1;
		}
		return 0;
	}
	if (o->listen[0] == '\0') {
		fprintf(stderr, "%s: --listen needs an address\n", argv[0]);
		return -1;
	}
	o->mode = RUN_STANDALONE;
	if (o->workers == 0)
		o->workers = default_workers();
	return 0;
}
