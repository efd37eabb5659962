#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/forwarded.h"
#include "http/trust.h"

/* The modes and the flags that choose one; prog is argv[0]. */
static void usage_modes(const char *prog)
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
	       "                          MAX; 1-%d\n",
	       prog, prog, prog, MAX_WORKERS);
}

/* The manager's options, with their environment variables. */
static void usage_manager(void)
{
	printf("MANAGER OPTIONS (each also read from the environment variable shown):\n"
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
	       "  --status-show-query     the page shows requests' query strings too (default: paths\n"
	       "                          only: a query may hold a secret)  FCGI_STATUS_SHOW_QUERY=1\n"
	       "  --user USER             started as root: run the workers as USER (name or uid)\n"
	       "  --group GROUP           ... and GROUP (default: USER's primary group)\n"
	       "  --socket-owner U[:G]    owner (and group) of the unix socket\n"
	       "  --socket-mode MODE      permissions of the unix socket, octal (e.g. 0660)\n"
	       "  --max-consecutive-failures N  exit with status 3 once N workers in a row died\n"
	       "                          without serving a request (default 0: restart for ever)\n"
	       "                                                                FCGI_MAX_CONSECUTIVE_FAILURES\n",
	       DEFAULT_IDLE_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_STATUS_ALLOW);
}

/* The controls of every worker, spawned or ours, and the signals. */
static void usage_controls(void)
{
	printf("CONTROLS (also when spawned):\n"
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
	       "  --max-queue-wait MS     a request that waited longer for a worker (since the front\n"
	       "                          server's REQUEST_START, or a trusted proxy's X-Request-Start)\n"
	       "                          is answered 503 unrun (default 0: none)\n"
	       "                                                                FCGI_MAX_QUEUE_WAIT\n"
	       "  --max-worker-rss MB     a worker whose resident memory is above MB after a request\n"
	       "                          is replaced (default 0: never)        FCGI_MAX_WORKER_RSS\n"
	       "  --forwarded-allow-ips LIST  proxies whose X-Forwarded-*/Forwarded headers are believed:\n"
	       "                          addresses and CIDR blocks, comma-separated, or * (default:\n"
	       "                          none)                                 FORWARDED_ALLOW_IPS\n"
	       "  --forwarded-headers F   which of them: x-forwarded (For, Proto; default) or forwarded\n"
	       "                          (RFC 7239 for=, proto=)               FORWARDED_HEADERS\n"
	       "  --help                  this text; --version the version\n"
	       "\n"
	       "SIGTERM (or Ctrl-C): stop accepting (on TCP new connections are dropped at once),\n"
	       "finish the requests in flight and the connections already waiting (none is reset),\n"
	       "exit 0. SIGHUP: replace the workers without dropping requests. A SIGKILLed worker\n"
	       "costs at most the one request it was serving or about to serve.\n"
	       "A flag wins over its environment variable. See docs/fcgi-manager.md.\n",
	       DEFAULT_READ_TIMEOUT);
}

void options_usage(const char *prog)
{
	usage_modes(prog);
	usage_manager();
	usage_controls();
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

/* What a setting's parser returns: the value is stored, or it is bad (why is
 * on stderr), or the command line stops here (--help, --version). */
enum { STORED = 0, BAD = -1, STOP = 1 };

/* Checks value (from the flag or the environment variable called name) and
 * stores it at field, a member of o; says why on stderr when it is bad. */
typedef int parse_fn(struct options *o, void *field, const char *name, const char *value);

/* A whole number of unit from 0 to max into *out; BAD (said why) for anything else. */
static int parse_whole(const struct options *o, const char *name, const char *value, long max, const char *unit,
		       long *out)
{
	*out = parse_number(value, 0, max);
	if (*out >= 0)
		return STORED;
	fprintf(stderr, "%s: %s wants a whole number of %s from 0 to %ld, not '%s'\n", o->worker.argv[0], name, unit,
		max, value);
	return BAD;
}

/* Seconds, 0 to a day, into an int; BAD for anything else. */
static int parse_seconds(struct options *o, void *field, const char *name, const char *value)
{
	long n;
	if (parse_whole(o, name, value, 86400, "seconds", &n) != STORED)
		return BAD;
	*(int *)field = (int)n;
	return STORED;
}

/* A count of requests, 0 to 10^9, into a long; BAD for anything else. */
static int parse_requests(struct options *o, void *field, const char *name, const char *value)
{
	return parse_whole(o, name, value, 1000000000, "requests", (long *)field);
}

/* Milliseconds, 0 to an hour, into an int; BAD for anything else. */
static int parse_millis(struct options *o, void *field, const char *name, const char *value)
{
	long n;
	if (parse_whole(o, name, value, 3600000, "milliseconds", &n) != STORED)
		return BAD;
	*(int *)field = (int)n;
	return STORED;
}

/* Megabytes, 0 to 1 TiB, into a long; BAD for anything else. */
static int parse_megabytes(struct options *o, void *field, const char *name, const char *value)
{
	return parse_whole(o, name, value, 1048576, "megabytes", (long *)field);
}

/* A count of workers, 0 to 10^6, into a long; BAD for anything else. */
static int parse_count(struct options *o, void *field, const char *name, const char *value)
{
	return parse_whole(o, name, value, 1000000, "workers", (long *)field);
}

/* Any text, kept as given (it points into argv or the environment). */
static int parse_text(struct options *o, void *field, const char *name, const char *value)
{
	(void)o, (void)name;
	*(const char **)field = value;
	return STORED;
}

/* A status page path: starts with '/', at most 100 bytes, no '?' or white
 * space; BAD for anything else. */
static int parse_status_path(struct options *o, void *field, const char *name, const char *value)
{
	if (value[0] != '/' || strlen(value) > 100 || strpbrk(value, "? \t\r\n") != NULL) {
		fprintf(stderr, "%s: %s wants a path like /-/status, not '%s'\n", o->worker.argv[0], name, value);
		return BAD;
	}
	*(const char **)field = value;
	return STORED;
}

/* N or MIN:MAX, each 1..MAX_WORKERS and MIN <= MAX, into o->workers and
 * o->max_workers; BAD for anything else. */
static int parse_workers(struct options *o, void *field, const char *name, const char *value)
{
	(void)field;
	char min[16];
	const char *colon = strchr(value, ':');
	size_t n = colon != NULL ? (size_t)(colon - value) : strlen(value);
	long lo = -1, hi = -1;
	if (n < sizeof min) {
		memcpy(min, value, n);
		min[n] = '\0';
		lo = parse_number(min, 1, MAX_WORKERS);
		hi = colon != NULL ? parse_number(colon + 1, lo < 1 ? 1 : lo, MAX_WORKERS) : lo;
	}
	if (lo < 0 || hi < 0) {
		fprintf(stderr, "%s: %s wants N or MIN:MAX, numbers from 1 to %d, not '%s'\n", o->worker.argv[0], name,
			MAX_WORKERS, value);
		return BAD;
	}
	o->workers = (int)lo;
	o->max_workers = (int)hi;
	return STORED;
}

/* Octal permissions, 0 to 0777, into an int; BAD for anything else. */
static int parse_socket_mode(struct options *o, void *field, const char *name, const char *value)
{
	char *end;
	long mode = strtol(value, &end, 8);
	if (value[0] < '0' || value[0] > '7' || *end != '\0' || mode > 0777) {
		fprintf(stderr, "%s: %s wants octal permissions like 0660, not '%s'\n", o->worker.argv[0], name, value);
		return BAD;
	}
	*(int *)field = (int)mode;
	return STORED;
}

/* A switch: the flag itself (no value: NULL) or the variable's 1 turn it on,
 * the variable's 0 or "" leave it off; BAD for any other value. */
static int parse_switch(struct options *o, void *field, const char *name, const char *value)
{
	if (value == NULL || strcmp(value, "1") == 0)
		*(bool *)field = true;
	else if (strcmp(value, "0") != 0 && value[0] != '\0') {
		fprintf(stderr, "%s: %s wants 1 or 0, not '%s'\n", o->worker.argv[0], name, value);
		return BAD;
	}
	return STORED;
}

/* --forwarded-allow-ips: any text, handed on to the request layer
 * (forwarded_load()), which checks it with its other settings. */
static int parse_forwarded(struct options *o, void *field, const char *name, const char *value)
{
	(void)o, (void)field, (void)name;
	forwarded_set_list(value);
	return STORED;
}

/* --forwarded-headers: any text, handed on to trust_load(), which checks it. */
static int parse_forwarded_headers(struct options *o, void *field, const char *name, const char *value)
{
	(void)o, (void)field, (void)name;
	trust_set_headers(value);
	return STORED;
}

/* --help and --version: the mode, and nothing after them is read. */
static int parse_help(struct options *o, void *field, const char *name, const char *value)
{
	(void)field, (void)name, (void)value;
	o->mode = RUN_HELP;
	return STOP;
}

static int parse_version(struct options *o, void *field, const char *name, const char *value)
{
	(void)field, (void)name, (void)value;
	o->mode = RUN_VERSION;
	return STOP;
}

/* A row's .field: where its parser stores, a member of struct options. */
#define AT(member) .field = offsetof(struct options, member)

/* One row per flag: the flag, the environment variable it shares its parser
 * with (taken when the flag is not given), the parser and the member of
 * struct options it fills. A flag is parsed where it stands on the command
 * line, unless it is deferred: then the last one given is parsed after the
 * command line, with the environment variables. Rows are read in this order:
 * the first bad deferred value or variable, and the first manager-only flag
 * given without --listen, are the ones reported. */
static const struct setting {
	const char *flag;
	const char *env;          /* NULL: no environment variable */
	parse_fn *parse;
	size_t field;             /* AT(member): where parse stores; unused by some parsers */
	bool deferred;
	bool no_value;            /* a flag without a value (--help) */
	const char *manager_only; /* its name in "... needs --listen"; NULL: also when spawned */
} settings[] = {
	{ .flag = "--listen", .parse = parse_text, AT(listen) },
	{ .flag = "--workers", .parse = parse_workers, .manager_only = "--workers" },
	{ .flag = "--shutdown-timeout", .env = "FCGI_SHUTDOWN_TIMEOUT", .parse = parse_seconds, AT(shutdown_timeout),
	  .deferred = true, .manager_only = "--shutdown-timeout" },
	{ .flag = "--read-timeout", .env = "FCGI_READ_TIMEOUT", .parse = parse_seconds, AT(worker.read_timeout),
	  .deferred = true },
	{ .flag = "--request-timeout", .env = "FCGI_REQUEST_TIMEOUT", .parse = parse_seconds,
	  AT(worker.request_timeout), .deferred = true },
	{ .flag = "--max-requests", .env = "FCGI_MAX_REQUESTS", .parse = parse_requests, AT(worker.max_requests),
	  .deferred = true },
	{ .flag = "--max-requests-jitter", .env = "FCGI_MAX_REQUESTS_JITTER", .parse = parse_requests,
	  AT(worker.max_requests_jitter), .deferred = true },
	{ .flag = "--max-queue-wait", .env = "FCGI_MAX_QUEUE_WAIT", .parse = parse_millis, AT(worker.max_queue_wait),
	  .deferred = true },
	{ .flag = "--max-worker-rss", .env = "FCGI_MAX_WORKER_RSS", .parse = parse_megabytes, AT(worker.max_rss_mb),
	  .deferred = true },
	{ .flag = "--max-consecutive-failures", .env = "FCGI_MAX_CONSECUTIVE_FAILURES", .parse = parse_count,
	  AT(max_consecutive_failures), .deferred = true, .manager_only = "--max-consecutive-failures" },
	{ .flag = "--idle-timeout", .env = "FCGI_IDLE_TIMEOUT", .parse = parse_seconds, AT(idle_timeout),
	  .deferred = true, .manager_only = "--idle-timeout" },
	{ .flag = "--slow-request", .env = "FCGI_SLOW_REQUEST", .parse = parse_seconds, AT(slow_request),
	  .deferred = true, .manager_only = "--slow-request" },
	{ .flag = "--status-path", .env = "FCGI_STATUS_PATH", .parse = parse_status_path, AT(worker.status_path),
	  .manager_only = "--status-path" },
	{ .flag = "--status-allow", .env = "FCGI_STATUS_ALLOW", .parse = parse_text, AT(worker.status_allow) },
	{ .flag = "--status-show-query", .env = "FCGI_STATUS_SHOW_QUERY", .parse = parse_switch,
	  AT(worker.status_show_query), .no_value = true },
	{ .flag = "--status", .parse = parse_text, AT(status_address) },
	{ .flag = "--user", .parse = parse_text, AT(user), .manager_only = "--user/--group" },
	{ .flag = "--group", .parse = parse_text, AT(group), .manager_only = "--user/--group" },
	{ .flag = "--socket-owner", .parse = parse_text, AT(socket_owner_spec), .manager_only = "--socket-owner" },
	{ .flag = "--socket-mode", .parse = parse_socket_mode, AT(socket_mode), .manager_only = "--socket-mode" },
	{ .flag = "--forwarded-allow-ips", .parse = parse_forwarded },
	{ .flag = "--forwarded-headers", .parse = parse_forwarded_headers },
	{ .flag = "--help", .parse = parse_help, .no_value = true },
	{ .flag = "--version", .parse = parse_version, .no_value = true },
};

#define NSETTINGS (sizeof settings / sizeof settings[0])
#define FIRST_OPTION 256 /* getopt_long's value for settings[0]; above every character */

/* s's parser on value, named name, into its member of o. */
static int parse(const struct setting *s, struct options *o, const char *name, const char *value)
{
	return s->parse(o, (char *)o + s->field, name, value);
}

/* The command line into o, left to right: each value is parsed where it
 * stands but a deferred one, kept in given[] (the last one wins). BAD after
 * saying why (an unknown option, a missing value, a stray argument, a bad
 * value), STOP at --help or --version, else STORED. */
static int read_command_line(int argc, char **argv, struct options *o, const char *given[NSETTINGS])
{
	struct option longopts[NSETTINGS + 1] = { 0 };
	for (size_t i = 0; i < NSETTINGS; i++)
		longopts[i] = (struct option){ settings[i].flag + 2, settings[i].no_value ? no_argument : required_argument,
					       NULL, FIRST_OPTION + (int)i };
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c < FIRST_OPTION || c >= FIRST_OPTION + (int)NSETTINGS) {
			fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", argv[0],
				argv[optind - 1]);
			return BAD;
		}
		const struct setting *s = &settings[c - FIRST_OPTION];
		given[c - FIRST_OPTION] = optarg != NULL ? optarg : s->flag;
		int rc = s->deferred ? STORED : parse(s, o, s->flag, optarg);
		if (rc != STORED)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", argv[0], argv[optind]);
		return BAD;
	}
	return STORED;
}

/* In table order: the last value of each deferred flag given, and the
 * environment variable of each flag not given. BAD at the first bad one. */
static int read_deferred_and_environment(struct options *o, const char *const given[NSETTINGS])
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		const char *name = s->flag, *value = NULL;
		if (given[i] != NULL && s->deferred)
			value = given[i];
		else if (given[i] == NULL && s->env != NULL)
			name = s->env, value = getenv(s->env);
		if (value != NULL && parse(s, o, name, value) != STORED)
			return BAD;
	}
	return STORED;
}

/* Spawned (no --listen): refuses a manager-only flag, naming the first given. */
static int spawned(struct options *o, const char *const given[NSETTINGS])
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (given[i] != NULL && settings[i].manager_only != NULL) {
			fprintf(stderr, "%s: %s needs --listen (a manager of our own)\n", o->worker.argv[0],
				settings[i].manager_only);
			return BAD;
		}
	o->worker.status_path = NULL; /* no scoreboard without our manager */
	o->worker.spawned = true;
	return STORED;
}

/* --listen: refuses an empty address and socket settings for a TCP address,
 * resolves the users and groups (says why for an unknown one). */
static int standalone(struct options *o)
{
	const char *prog = o->worker.argv[0];
	if (o->listen[0] == '\0') {
		fprintf(stderr, "%s: --listen needs an address\n", prog);
		return BAD;
	}
	if ((o->socket_owner_spec != NULL || o->socket_mode >= 0) && strchr(o->listen, '/') == NULL) {
		fprintf(stderr, "%s: --socket-owner and --socket-mode are for a unix socket path\n", prog);
		return BAD;
	}
	if (privileges_resolve(o->user, o->group, &o->worker_identity) != 0 ||
	    (o->socket_owner_spec != NULL && privileges_resolve_owner(o->socket_owner_spec, &o->socket_owner) != 0))
		return BAD;
	o->mode = RUN_STANDALONE;
	if (o->workers == 0)
		o->workers = o->max_workers = default_workers();
	return STORED;
}

int options_parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .mode = RUN_SPAWNED, .shutdown_timeout = DEFAULT_SHUTDOWN_TIMEOUT,
			       .idle_timeout = DEFAULT_IDLE_TIMEOUT, .socket_mode = -1,
			       .worker = { .argv = argv, .read_timeout = DEFAULT_READ_TIMEOUT,
					   .request_timeout = DEFAULT_REQUEST_TIMEOUT, .status_allow = DEFAULT_STATUS_ALLOW } };
	const char *given[NSETTINGS] = { 0 };
	int rc = read_command_line(argc, argv, o, given);
	if (rc != STORED)
		return rc == STOP ? 0 : -1;
	if (read_deferred_and_environment(o, given) != STORED)
		return -1;
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
	return (o->listen == NULL ? spawned(o, given) : standalone(o)) == STORED ? 0 : -1;
}
