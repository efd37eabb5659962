#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void options_usage(const char *prog)
{
	printf("usage: %s [CONTROLS]\n"
	       "         answer FastCGI requests on the listening socket at fd 0, as spawned\n"
	       "         by lighttpd mod_fastcgi (bin-path) or spawn-fcgi\n"
	       "       %s --listen ADDRESS [--workers N|MIN:MAX] [MANAGER OPTIONS] [CONTROLS]\n"
	       "         standalone: bind ADDRESS and run a pool of worker processes on it\n"
	       "       %s --status ADDRESS [--status-path PATH]\n"
	       "         print the status page of the manager listening on ADDRESS\n"
	       "\n"
	       "  --listen ADDRESS        HOST:PORT (127.0.0.1:9000, [::1]:9000, :9000 for every IPv4\n"
	       "                          address) or a unix socket path (anything with a '/'); a live\n"
	       "                          socket there is an error, a stale one is replaced\n"
	       "  --workers N|MIN:MAX     N workers (default: online CPUs), or a dynamic pool of MIN to\n"
	       "                          MAX: one more while all are busy and connections wait, up to\n"
	       "                          MAX; 1-%d\n"
	       "MANAGER OPTIONS (each also read from the environment variable shown):\n"
	       "  --idle-timeout S        a worker above MIN idle this long is retired (default %d)\n"
	       "                                                                FCGI_IDLE_TIMEOUT\n"
	       "  --shutdown-timeout S    after SIGTERM, requests in flight get S seconds, then the\n"
	       "                          workers left are killed and the exit status is 1\n"
	       "                          (default %d; 0: wait for ever)        FCGI_SHUTDOWN_TIMEOUT\n"
	       "  --slow-request S        log every request still running after S s (default 0: off)\n"
	       "                                                                FCGI_SLOW_REQUEST\n"
	       "  --status-path PATH      answer PATH with the pool's status, JSON (PATH?text: text)\n"
	       "                          (default: no status page)             FCGI_STATUS_PATH\n"
	       "  --status-allow LIST     REMOTE_ADDRs shown the status page, comma-separated\n"
	       "                          (default %s; others get 403)  FCGI_STATUS_ALLOW\n"
	       "  --user USER             started as root: run the workers as USER (name or uid)\n"
	       "  --group GROUP           ... and GROUP (default: USER's primary group)\n"
	       "  --socket-owner U[:G]    owner (and group) of the unix socket\n"
	       "  --socket-mode MODE      permissions of the unix socket, octal (e.g. 0660)\n"
	       "CONTROLS (also when spawned):\n"
	       "  --read-timeout S        a request's parameters and body must arrive within S seconds,\n"
	       "                          and a new connection must send a whole request head within S\n"
	       "                          seconds, or it is closed (default %d; 0: none)\n"
	       "                                                                FCGI_READ_TIMEOUT\n"
	       "  --request-timeout S     a request running longer is answered 504 if nothing was sent\n"
	       "                          yet, logged, and its worker replaced (default 0: none)\n"
	       "                                                                FCGI_REQUEST_TIMEOUT\n"
	       "  --max-requests N        a worker is replaced after N requests (default 0: never)\n"
	       "                                                                FCGI_MAX_REQUESTS\n"
	       "  --max-requests-jitter J adds a random 0..J to each worker's N  FCGI_MAX_REQUESTS_JITTER\n"
	       "  --forwarded-allow-ips LIST  proxies whose X-Forwarded-*/Forwarded headers are believed:\n"
	       "                          addresses and CIDR blocks, comma-separated, or * (default:\n"
	       "                          none)                                 FORWARDED_ALLOW_IPS\n"
	       "  --help                  this text; --version the version\n"
	       "\n"
	       "SIGTERM (or Ctrl-C): stop accepting (on TCP new connections are dropped at once),\n"
	       "finish the requests in flight and the connections already waiting (none is reset),\n"
	       "exit 0. SIGHUP: replace the workers without dropping requests. A SIGKILLed worker\n"
	       "costs at most the one request it was serving or about to serve.\n"
	       "A flag wins over its environment variable. See docs/fcgi-manager.md.\n",
	       prog, prog, prog, MAX_WORKERS, DEFAULT_IDLE_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_STATUS_ALLOW,
	       DEFAULT_READ_TIMEOUT);
}

static int default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* A whole decimal number in [min, max]; anything else (signs, spaces, overflow) is -1. */
static long parse_number(const char *s, long min, long max)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < min || n > max)
		return -1;
	return n;
}

enum { OPT_LISTEN = 'l', OPT_WORKERS = 'w', OPT_HELP = 'h', OPT_SHUTDOWN = 256, OPT_READ, OPT_REQUEST,
       OPT_MAX_REQUESTS, OPT_JITTER, OPT_IDLE, OPT_SLOW, OPT_STATUS_PATH, OPT_STATUS_ALLOW, OPT_STATUS, OPT_USER, OPT_GROUP,
       OPT_SOCKET_OWNER, OPT_SOCKET_MODE };

/* The numeric controls: flag, environment variable, default and range. */
enum { SHUTDOWN_TIMEOUT, READ_TIMEOUT, REQUEST_TIMEOUT, MAX_REQUESTS, MAX_REQUESTS_JITTER, IDLE_TIMEOUT,
       SLOW_REQUEST, NCONTROLS };

static const struct control {
	int opt;
	const char *flag, *env;
	long initial, max;
	const char *unit;
} controls[NCONTROLS] = {
	[SHUTDOWN_TIMEOUT] = { OPT_SHUTDOWN, "--shutdown-timeout", "FCGI_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT,
			       86400, "seconds" },
	[READ_TIMEOUT] = { OPT_READ, "--read-timeout", "FCGI_READ_TIMEOUT", DEFAULT_READ_TIMEOUT, 86400, "seconds" },
	[REQUEST_TIMEOUT] = { OPT_REQUEST, "--request-timeout", "FCGI_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT, 86400,
			      "seconds" },
	[MAX_REQUESTS] = { OPT_MAX_REQUESTS, "--max-requests", "FCGI_MAX_REQUESTS", 0, 1000000000, "requests" },
	[MAX_REQUESTS_JITTER] = { OPT_JITTER, "--max-requests-jitter", "FCGI_MAX_REQUESTS_JITTER", 0, 1000000000,
				  "requests" },
	[IDLE_TIMEOUT] = { OPT_IDLE, "--idle-timeout", "FCGI_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT, 86400, "seconds" },
	[SLOW_REQUEST] = { OPT_SLOW, "--slow-request", "FCGI_SLOW_REQUEST", 0, 86400, "seconds" },
};

/* --workers N or MIN:MAX into o; -1 if it is neither, or out of range. */
static int parse_workers(const char *s, struct options *o)
{
	char min[16];
	const char *colon = strchr(s, ':');
	size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (n >= sizeof min)
		return -1;
	memcpy(min, s, n);
	min[n] = '\0';
	long lo = parse_number(min, 1, MAX_WORKERS);
	long hi = colon != NULL ? parse_number(colon + 1, lo < 1 ? 1 : lo, MAX_WORKERS) : lo;
	if (lo < 0 || hi < 0)
		return -1;
	o->workers = (int)lo;
	o->max_workers = (int)hi;
	return 0;
}

/* Each control's value: the flag's if given, else the environment's, else the
 * default. A bad value (not a whole number in range) is reported, -1. */
static int control_values(const char *prog, const char *const given[NCONTROLS], long values[NCONTROLS])
{
	for (int i = 0; i < NCONTROLS; i++) {
		const struct control *k = &controls[i];
		const char *from = given[i] != NULL ? k->flag : k->env;
		const char *value = given[i] != NULL ? given[i] : getenv(k->env);
		values[i] = k->initial;
		if (value == NULL)
			continue;
		values[i] = parse_number(value, 0, k->max);
		if (values[i] < 0) {
			fprintf(stderr, "%s: %s wants a whole number of %s from 0 to %ld, not '%s'\n", prog, from,
				k->unit, k->max, value);
			return -1;
		}
	}
	return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN },
		{ "read-timeout", required_argument, NULL, OPT_READ },
		{ "request-timeout", required_argument, NULL, OPT_REQUEST },
		{ "max-requests", required_argument, NULL, OPT_MAX_REQUESTS },
		{ "max-requests-jitter", required_argument, NULL, OPT_JITTER },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "slow-request", required_argument, NULL, OPT_SLOW },
		{ "status-path", required_argument, NULL, OPT_STATUS_PATH },
		{ "status-allow", required_argument, NULL, OPT_STATUS_ALLOW },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "user", required_argument, NULL, OPT_USER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "socket-owner", required_argument, NULL, OPT_SOCKET_OWNER },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, 'V' },
		{ "forwarded-allow-ips", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct options){ .mode = RUN_SPAWNED, .socket_mode = -1, .worker = { .argv = argv } };
	const char *user = NULL, *group = NULL, *socket_owner = NULL;
	const char *given[NCONTROLS] = { 0 };
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_WORKERS:
			if (parse_workers(optarg, o) != 0) {
				fprintf(stderr, "%s: --workers wants N or MIN:MAX, numbers from 1 to %d, not '%s'\n",
					argv[0], MAX_WORKERS, optarg);
				return -1;
			}
			break;
		case OPT_STATUS_PATH:
			if (optarg[0] != '/' || strlen(optarg) > 100 || strpbrk(optarg, "? \t\r\n") != NULL) {
				fprintf(stderr, "%s: --status-path wants a path like /-/status, not '%s'\n", argv[0], optarg);
				return -1;
			}
			o->worker.status_path = optarg;
			break;
		case OPT_STATUS_ALLOW:
			o->worker.status_allow = optarg;
			break;
		case OPT_STATUS:
			o->status_address = optarg;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case OPT_GROUP:
			group = optarg;
			break;
		case OPT_SOCKET_OWNER:
			socket_owner = optarg;
			break;
		case OPT_SOCKET_MODE: {
			char *end;
			long mode = strtol(optarg, &end, 8);
			if (optarg[0] < '0' || optarg[0] > '7' || *end != '\0' || mode > 0777) {
				fprintf(stderr, "%s: --socket-mode wants octal permissions like 0660, not '%s'\n", argv[0],
					optarg);
				return -1;
			}
			o->socket_mode = (int)mode;
			break;
		}
		case OPT_HELP:
			o->mode = RUN_HELP;
			return 0;
		case 'V':
			o->mode = RUN_VERSION;
			return 0;
		case 'f': /* read with the other settings by limits_load() */
			setenv("FORWARDED_ALLOW_IPS", optarg, 1);
			break;
		default:
			for (int i = 0; i < NCONTROLS; i++)
				if (controls[i].opt == c)
					given[i] = optarg;
			if (c >= OPT_SHUTDOWN && c <= OPT_SLOW)
				break;
			fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", argv[0],
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", argv[0], argv[optind]);
		return -1;
	}

	bool status_flag = o->worker.status_path != NULL;
	long values[NCONTROLS];
	if (control_values(argv[0], given, values) != 0)
		return -1;
	o->shutdown_timeout = (int)values[SHUTDOWN_TIMEOUT];
	o->worker.read_timeout = (int)values[READ_TIMEOUT];
	o->worker.request_timeout = (int)values[REQUEST_TIMEOUT];
	o->worker.max_requests = values[MAX_REQUESTS];
	o->worker.max_requests_jitter = values[MAX_REQUESTS_JITTER];
	o->idle_timeout = (int)values[IDLE_TIMEOUT];
	o->slow_request = (int)values[SLOW_REQUEST];
	if (o->worker.status_path == NULL && getenv("FCGI_STATUS_PATH") != NULL) {
		const char *env = getenv("FCGI_STATUS_PATH");
		if (env[0] != '/' || strlen(env) > 100 || strpbrk(env, "? \t\r\n") != NULL) {
			fprintf(stderr, "%s: FCGI_STATUS_PATH wants a path like /-/status, not '%s'\n", argv[0], env);
			return -1;
		}
		o->worker.status_path = env;
	}
	if (o->worker.status_allow == NULL)
		o->worker.status_allow = getenv("FCGI_STATUS_ALLOW");
	if (o->worker.status_allow == NULL)
		o->worker.status_allow = DEFAULT_STATUS_ALLOW;

	if (o->status_address != NULL) {
		if (o->listen != NULL) {
			fprintf(stderr, "%s: --status asks a running manager; it does not go with --listen\n", argv[0]);
			return -1;
		}
		if (o->worker.status_path == NULL)
			o->worker.status_path = DEFAULT_STATUS_PATH;
		o->mode = RUN_STATUS;
		return 0;
	}

	if (o->listen == NULL) {
		const char *manager_only = o->workers > 0 ? "--workers" : given[SHUTDOWN_TIMEOUT] ? "--shutdown-timeout"
					   : given[IDLE_TIMEOUT]                  ? "--idle-timeout"
					   : given[SLOW_REQUEST]                  ? "--slow-request"
					   : status_flag                          ? "--status-path"
					   : user != NULL || group != NULL        ? "--user/--group"
					   : socket_owner != NULL                 ? "--socket-owner"
					   : o->socket_mode >= 0                  ? "--socket-mode"
										  : NULL;
		if (manager_only != NULL) {
			fprintf(stderr, "%s: %s needs --listen (a manager of our own)\n", argv[0], manager_only);
			return -1;
		}
		o->worker.status_path = NULL; /* no scoreboard without our manager */
		o->worker.spawned = true;
		return 0;
	}
	if (o->listen[0] == '\0') {
		fprintf(stderr, "%s: --listen needs an address\n", argv[0]);
		return -1;
	}
	if ((socket_owner != NULL || o->socket_mode >= 0) && strchr(o->listen, '/') == NULL) {
		fprintf(stderr, "%s: --socket-owner and --socket-mode are for a unix socket path\n", argv[0]);
		return -1;
	}
	if (privileges_resolve(user, group, &o->worker_identity) != 0 ||
	    (socket_owner != NULL && privileges_resolve_owner(socket_owner, &o->socket_owner) != 0))
		return -1;
	o->mode = RUN_STANDALONE;
	if (o->workers == 0)
		o->workers = o->max_workers = default_workers();
	return 0;
}
