/* fcgi/options.c: argv and the FCGI_* environment in, struct options and the
 * message on stderr out. */
#include <criterion/criterion.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/forwarded.h"
#include "http/trust.h"
#include "options.h"

/* Each test runs in its own process: no FCGI_* variable of the caller's is seen. */
static void setup(void)
{
	clearenv();
}

TestSuite(options, .init = setup);

static struct options o;
static char *err; /* what options_parse wrote to stderr */

/* options_parse(argv) with stderr caught in err; its return value. */
static int parse_argv(char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	free(err);
	size_t n;
	FILE *real = stderr;
	stderr = open_memstream(&err, &n);
	cr_assert_not_null(stderr);
	optind = 0; /* getopt_long starts afresh */
	int rc = options_parse(argc, argv, &o);
	fclose(stderr);
	stderr = real;
	return rc;
}

#define PARSE(...) parse_argv((char *[]){ "app.fcgi", __VA_ARGS__, NULL })

/* Asserts a parse returned -1 and wrote the message fmt makes. */
static void refused(int rc, const char *fmt, ...)
{
	char want[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	cr_assert_eq(rc, -1, "not refused: %s", want);
	cr_assert_str_eq(err, want);
}
#define LISTEN "--listen", "/run/app.sock"

/* The numeric controls: flag, variable, largest value, unit, and the member of o it sets. */
static const struct control {
	const char *flag, *env;
	long max;
	const char *unit;
	const int *seconds;  /* an int member, */
	const long *count;   /* or a long one */
} controls[] = {
	{ "--shutdown-timeout", "FCGI_SHUTDOWN_TIMEOUT", 86400, "seconds", &o.shutdown_timeout, NULL },
	{ "--read-timeout", "FCGI_READ_TIMEOUT", 86400, "seconds", &o.worker.read_timeout, NULL },
	{ "--request-timeout", "FCGI_REQUEST_TIMEOUT", 86400, "seconds", &o.worker.request_timeout, NULL },
	{ "--max-requests", "FCGI_MAX_REQUESTS", 1000000000, "requests", NULL, &o.worker.max_requests },
	{ "--max-requests-jitter", "FCGI_MAX_REQUESTS_JITTER", 1000000000, "requests", NULL,
	  &o.worker.max_requests_jitter },
	{ "--idle-timeout", "FCGI_IDLE_TIMEOUT", 86400, "seconds", &o.idle_timeout, NULL },
	{ "--slow-request", "FCGI_SLOW_REQUEST", 86400, "seconds", &o.slow_request, NULL },
	{ "--max-queue-wait", "FCGI_MAX_QUEUE_WAIT", 3600000, "milliseconds", &o.worker.max_queue_wait, NULL },
	{ "--max-worker-rss", "FCGI_MAX_WORKER_RSS", 1048576, "megabytes", NULL, &o.worker.max_rss_mb },
	{ "--max-consecutive-failures", "FCGI_MAX_CONSECUTIVE_FAILURES", 1000000, "workers", NULL,
	  &o.max_consecutive_failures },
};
#define NCONTROLS (sizeof controls / sizeof controls[0])

/* What the last parse set control k to. */
static long value(const struct control *k)
{
	return k->seconds != NULL ? *k->seconds : *k->count;
}

/* Asserts a parse refused value of control k, given as name (its flag or variable). */
static void refused_control(int rc, const struct control *k, const char *name, const char *value)
{
	refused(rc, "app.fcgi: %s wants a whole number of %s from 0 to %ld, not '%s'\n", name, k->unit, k->max, value);
}

Test(options, no_arguments_is_spawned_with_the_defaults)
{
	char *argv[] = { "app.fcgi", NULL };
	cr_assert_eq(parse_argv(argv), 0);
	cr_assert_str_empty(err);
	cr_assert(o.mode == RUN_SPAWNED && o.worker.spawned && o.worker.argv == argv);
	cr_assert(o.shutdown_timeout == DEFAULT_SHUTDOWN_TIMEOUT && o.idle_timeout == DEFAULT_IDLE_TIMEOUT);
	cr_assert(o.worker.read_timeout == DEFAULT_READ_TIMEOUT && o.worker.request_timeout == DEFAULT_REQUEST_TIMEOUT);
	cr_assert_eq(o.worker.max_requests + o.worker.max_requests_jitter + o.slow_request, 0);
	cr_assert_null(o.worker.status_path);
	cr_assert_str_eq(o.worker.status_allow, DEFAULT_STATUS_ALLOW);
	cr_assert(o.listen == NULL && o.workers == 0 && o.socket_mode == -1);
	cr_assert(!o.worker_identity.set && !o.socket_owner.set);
}

Test(options, each_control_is_set_by_its_flag_or_its_variable)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		cr_assert(PARSE(LISTEN, (char *)controls[i].flag, "7") == 0 && value(&controls[i]) == 7, "%s",
			  controls[i].flag);
		setenv(controls[i].env, "8", 1);
		cr_assert(PARSE(LISTEN) == 0 && value(&controls[i]) == 8, "%s", controls[i].env);
		unsetenv(controls[i].env);
	}
}

Test(options, a_flag_wins_over_its_environment_variable_good_or_bad)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		setenv(controls[i].env, "x", 1);
		cr_assert_eq(PARSE(LISTEN, (char *)controls[i].flag, "9"), 0, "%s: %s", controls[i].flag, err);
		cr_assert_eq(value(&controls[i]), 9);
		setenv(controls[i].env, "5", 1);
		refused_control(PARSE(LISTEN, (char *)controls[i].flag, "x"), &controls[i], controls[i].flag, "x");
		unsetenv(controls[i].env);
	}
}

Test(options, the_last_of_a_repeated_control_wins_and_alone_is_checked)
{
	cr_assert_eq(PARSE("--read-timeout", "x", "--read-timeout", "5"), 0);
	cr_assert_eq(o.worker.read_timeout, 5);
	refused(PARSE("--read-timeout", "5", "--read-timeout", "x"),
		"app.fcgi: --read-timeout wants a whole number of seconds from 0 to 86400, not 'x'\n");
}

Test(options, each_control_takes_0_and_its_limit_and_refuses_one_past_it)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		const struct control *k = &controls[i];
		char max[32], past[32];
		snprintf(max, sizeof max, "%ld", k->max);
		snprintf(past, sizeof past, "%ld", k->max + 1);
		cr_assert(PARSE(LISTEN, (char *)k->flag, "0") == 0 && value(k) == 0, "%s 0", k->flag);
		cr_assert(PARSE(LISTEN, (char *)k->flag, max) == 0 && value(k) == k->max, "%s %s", k->flag, max);
		refused_control(PARSE(LISTEN, (char *)k->flag, past), k, k->flag, past);
		setenv(k->env, max, 1);
		cr_assert(PARSE(LISTEN) == 0 && value(k) == k->max, "%s=%s", k->env, max);
		setenv(k->env, past, 1);
		refused_control(PARSE(LISTEN), k, k->env, past);
		unsetenv(k->env);
	}
}

Test(options, each_control_refuses_what_is_not_a_whole_number)
{
	const char *bad[] = { "", "x", "-1", "+5", " 5", "5 ", "5s", "0x10", "1e3", "99999999999999999999" };
	for (size_t i = 0; i < NCONTROLS; i++)
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			const struct control *k = &controls[i];
			refused_control(PARSE(LISTEN, (char *)k->flag, (char *)bad[j]), k, k->flag, bad[j]);
			setenv(k->env, bad[j], 1);
			refused_control(PARSE(LISTEN), k, k->env, bad[j]);
			unsetenv(k->env);
		}
}

Test(options, the_first_bad_variable_in_table_order_is_reported)
{
	setenv("FCGI_SLOW_REQUEST", "x", 1);
	setenv("FCGI_READ_TIMEOUT", "y", 1);
	setenv("FCGI_STATUS_PATH", "bad", 1);
	refused(PARSE(LISTEN),
		"app.fcgi: FCGI_READ_TIMEOUT wants a whole number of seconds from 0 to 86400, not 'y'\n");
	unsetenv("FCGI_READ_TIMEOUT");
	refused(PARSE(LISTEN),
		"app.fcgi: FCGI_SLOW_REQUEST wants a whole number of seconds from 0 to 86400, not 'x'\n");
	unsetenv("FCGI_SLOW_REQUEST");
	refused(PARSE(LISTEN), "app.fcgi: FCGI_STATUS_PATH wants a path like /-/status, not 'bad'\n");
}

Test(options, workers_is_n_or_min_to_max)
{
	const struct { char *arg; int min, max; } ok[] = { { "4", 4, 4 }, { "2:8", 2, 8 }, { "3:3", 3, 3 },
							    { "256", 256, 256 }, { "1:256", 1, 256 } };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_assert_eq(PARSE(LISTEN, "--workers", ok[i].arg), 0, "%s", ok[i].arg);
		cr_assert(o.workers == ok[i].min && o.max_workers == ok[i].max, "%s", ok[i].arg);
	}
}

Test(options, workers_default_to_the_online_cpus_within_the_limit)
{
	cr_assert_eq(PARSE(LISTEN), 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cr_assert_eq(o.workers, cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : cpus);
	cr_assert_eq(o.max_workers, o.workers);
	cr_assert(o.mode == RUN_STANDALONE && !o.worker.spawned);
}

Test(options, workers_refuses_zero_one_past_the_limit_and_anything_else)
{
	const char *bad[] = { "0", "257", "2:257", "4:2", "2:", ":2", "", "x", "-1", "1:2:3", "+2",
			      "12345678901234567" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(PARSE(LISTEN, "--workers", (char *)bad[i]),
			"app.fcgi: --workers wants N or MIN:MAX, numbers from 1 to 256, not '%s'\n", bad[i]);
}

Test(options, a_bad_workers_status_path_or_socket_mode_is_refused_where_it_stands)
{
	/* Before an unknown option or a good value after it; a bad control value would wait. */
	refused(PARSE("--workers", "0", "--bogus"),
		"app.fcgi: --workers wants N or MIN:MAX, numbers from 1 to 256, not '0'\n");
	refused(PARSE(LISTEN, "--status-path", "bad", "--status-path", "/ok"),
		"app.fcgi: --status-path wants a path like /-/status, not 'bad'\n");
	refused(PARSE(LISTEN, "--socket-mode", "9", "--socket-mode", "0600"),
		"app.fcgi: --socket-mode wants octal permissions like 0660, not '9'\n");
	refused(PARSE("--read-timeout", "x", "--bogus"),
		"app.fcgi: unknown or incomplete option '--bogus' (try --help)\n");
}

#define PATH_REFUSED "app.fcgi: %s wants a path like /-/status, not '%s'\n"

/* A path of n bytes: '/' and n - 1 zeros. */
static char *path_of(size_t n)
{
	static char p[256];
	snprintf(p, sizeof p, "/%0*d", (int)n - 1, 0);
	return p;
}

Test(options, status_path_from_the_flag_or_its_variable_up_to_100_bytes)
{
	cr_assert_eq(PARSE(LISTEN, "--status-path", "/-/s"), 0);
	cr_assert_str_eq(o.worker.status_path, "/-/s");
	setenv("FCGI_STATUS_PATH", "/env", 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_str_eq(o.worker.status_path, "/env");
	setenv("FCGI_STATUS_PATH", "bad", 1);
	cr_assert_eq(PARSE(LISTEN, "--status-path", "/flag"), 0);
	cr_assert_str_eq(o.worker.status_path, "/flag");
	cr_assert_eq(PARSE(LISTEN, "--status-path", path_of(100)), 0);
	cr_assert_eq(strlen(o.worker.status_path), 100);
	setenv("FCGI_STATUS_PATH", path_of(100), 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_eq(strlen(o.worker.status_path), 100);
}

Test(options, status_path_refuses_101_bytes_a_relative_path_a_query_and_white_space)
{
	const char *bad[] = { path_of(101), "", "bad", "/a?b", "/a b", "/a\tb", "/a\rb", "/a\nb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		refused(PARSE(LISTEN, "--status-path", (char *)bad[i]), PATH_REFUSED, "--status-path", bad[i]);
		setenv("FCGI_STATUS_PATH", bad[i], 1);
		refused(PARSE(LISTEN), PATH_REFUSED, "FCGI_STATUS_PATH", bad[i]);
		unsetenv("FCGI_STATUS_PATH");
	}
}

Test(options, spawned_takes_the_controls_but_no_status_page)
{
	setenv("FCGI_STATUS_PATH", "/-/status", 1);
	cr_assert_eq(PARSE("--max-requests", "3", "--status-allow", "::1"), 0);
	cr_assert_eq(o.mode, RUN_SPAWNED);
	cr_assert_eq(o.worker.max_requests, 3);
	cr_assert_null(o.worker.status_path);
}

Test(options, status_allow_from_the_flag_or_its_variable_flag_first)
{
	cr_assert_eq(PARSE(LISTEN, "--status-allow", "10.0.0.1"), 0);
	cr_assert_str_eq(o.worker.status_allow, "10.0.0.1");
	setenv("FCGI_STATUS_ALLOW", "10.0.0.2", 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_str_eq(o.worker.status_allow, "10.0.0.2");
	cr_assert_eq(PARSE(LISTEN, "--status-allow", "10.0.0.3"), 0);
	cr_assert_str_eq(o.worker.status_allow, "10.0.0.3");
}

Test(options, status_show_query_is_a_switch_of_the_flag_or_its_variable)
{
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_not(o.worker.status_show_query);
	cr_assert_eq(PARSE(LISTEN, "--status-show-query"), 0);
	cr_assert(o.worker.status_show_query);
	setenv("FCGI_STATUS_SHOW_QUERY", "1", 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert(o.worker.status_show_query);
	setenv("FCGI_STATUS_SHOW_QUERY", "0", 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_not(o.worker.status_show_query);
	setenv("FCGI_STATUS_SHOW_QUERY", "yes", 1);
	refused(PARSE(LISTEN), "app.fcgi: FCGI_STATUS_SHOW_QUERY wants 1 or 0, not 'yes'\n");
	unsetenv("FCGI_STATUS_SHOW_QUERY");
}

Test(options, status_asks_a_manager_at_the_default_path)
{
	cr_assert_eq(PARSE("--status", "/run/app.sock"), 0);
	cr_assert_eq(o.mode, RUN_STATUS);
	cr_assert_str_eq(o.status_address, "/run/app.sock");
	cr_assert_str_eq(o.worker.status_path, DEFAULT_STATUS_PATH);
	cr_assert_eq(PARSE("--status", "127.0.0.1:9000", "--status-path", "/x"), 0);
	cr_assert_str_eq(o.worker.status_path, "/x");
}

Test(options, status_does_not_go_with_listen)
{
	refused(PARSE("--status", "/run/a.sock", LISTEN),
		"app.fcgi: --status asks a running manager; it does not go with --listen\n");
}

Test(options, socket_mode_is_octal_up_to_0777)
{
	cr_assert_eq(PARSE(LISTEN, "--socket-mode", "0660"), 0);
	cr_assert_eq(o.socket_mode, 0660);
	cr_assert_eq(PARSE(LISTEN, "--socket-mode", "777"), 0);
	cr_assert_eq(o.socket_mode, 0777);
	const char *bad[] = { "1000", "01000", "0778", "8", "", "-1", "+7", "0x1", "66 " };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(PARSE(LISTEN, "--socket-mode", (char *)bad[i]),
			"app.fcgi: --socket-mode wants octal permissions like 0660, not '%s'\n", bad[i]);
}

Test(options, listen_needs_an_address_and_a_path_for_socket_settings)
{
	refused(PARSE("--listen", ""), "app.fcgi: --listen needs an address\n");
	const char *want = "app.fcgi: --socket-owner and --socket-mode are for a unix socket path\n";
	refused(PARSE("--listen", "127.0.0.1:9000", "--socket-mode", "0660"), want);
	refused(PARSE("--listen", "127.0.0.1:9000", "--socket-owner", "root"), want);
}

Test(options, each_manager_only_flag_needs_listen)
{
	struct {
		const char *flag, *value, *named;
	} cases[] = {
		{ "--workers", "2", "--workers" },	       { "--shutdown-timeout", "1", "--shutdown-timeout" },
		{ "--idle-timeout", "1", "--idle-timeout" }, { "--slow-request", "1", "--slow-request" },
		{ "--status-path", "/s", "--status-path" },  { "--user", "root", "--user/--group" },
		{ "--group", "root", "--user/--group" },     { "--socket-owner", "root", "--socket-owner" },
		{ "--socket-mode", "0660", "--socket-mode" },
		{ "--max-consecutive-failures", "3", "--max-consecutive-failures" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		refused(PARSE((char *)cases[i].flag, (char *)cases[i].value),
			"app.fcgi: %s needs --listen (a manager of our own)\n", cases[i].named);
}

Test(options, the_first_manager_only_flag_in_table_order_is_named)
{
	refused(PARSE("--socket-mode", "0660", "--slow-request", "1", "--workers", "2"),
		"app.fcgi: --workers needs --listen (a manager of our own)\n");
}

Test(options, listen_and_abbreviations_as_getopt_long_takes_them)
{
	cr_assert_eq(PARSE("--listen=127.0.0.1:9000", "--work=3", "--read", "5"), 0);
	cr_assert_str_eq(o.listen, "127.0.0.1:9000");
	cr_assert_eq(o.workers, 3);
	cr_assert_eq(o.worker.read_timeout, 5);
	refused(PARSE("--sta", "x"), "app.fcgi: unknown or incomplete option '--sta' (try --help)\n");
}

Test(options, an_unknown_option_a_missing_value_and_a_stray_argument_are_refused)
{
	refused(PARSE("--bogus"), "app.fcgi: unknown or incomplete option '--bogus' (try --help)\n");
	refused(PARSE("-h"), "app.fcgi: unknown or incomplete option '-h' (try --help)\n");
	refused(PARSE("--read-timeout"), "app.fcgi: unknown or incomplete option '--read-timeout' (try --help)\n");
	refused(PARSE("--read-timeout", "5", "extra"), "app.fcgi: unexpected argument 'extra' (try --help)\n");
	refused(PARSE("--", "--help"), "app.fcgi: unexpected argument '--help' (try --help)\n");
}

Test(options, help_and_version_stop_the_command_line)
{
	cr_assert_eq(PARSE("--read-timeout", "x", "--help", "--bogus"), 0);
	cr_assert_eq(o.mode, RUN_HELP);
	cr_assert_str_empty(err);
	cr_assert_eq(PARSE("--version", "--workers", "0"), 0);
	cr_assert_eq(o.mode, RUN_VERSION);
	cr_assert_eq(PARSE("--bogus", "--help"), -1);
}

Test(options, forwarded_allow_ips_is_handed_to_the_request_layer_not_the_environment)
{
	cr_assert_eq(PARSE("--forwarded-allow-ips", "10.0.0.0/8"), 0);
	cr_assert_null(getenv("FORWARDED_ALLOW_IPS"));
	const char *why = NULL;
	cr_assert_eq(forwarded_load(&why), APP_OK);
	cr_assert(forwarded_trusts(STR_LIT("10.1.2.3")));
	cr_assert_not(forwarded_trusts(STR_LIT("192.168.1.1")));
	forwarded_set_list(NULL);
	cr_assert_eq(forwarded_load(&why), APP_OK);
}

/* Issue 27 item 1: the family of forwarded headers, chosen at start. */
Test(options, forwarded_headers_is_handed_to_the_request_layer)
{
	cr_assert_eq(PARSE("--forwarded-headers", "forwarded"), 0);
	const char *why = NULL;
	cr_assert_eq(trust_load(&why), APP_OK);
	cr_assert(trust_get().family == FORWARDED_FAMILY_RFC7239);
	cr_assert_eq(PARSE("--forwarded-headers", "both"), 0, "checked by trust_load()");
	cr_assert_eq(trust_load(&why), APP_ERR_INVALID);
	cr_assert_not_null(strstr(why, "\"both\""), "%s", why);
	trust_set_headers(NULL);
	cr_assert_eq(trust_load(&why), APP_OK);
	cr_assert(trust_get().family == FORWARDED_FAMILY_X);
}

Test(options, user_and_socket_owner_are_resolved_for_a_manager_started_as_root)
{
	struct passwd *pw = getpwnam("nobody");
	cr_assert_not_null(pw);
	uid_t nobody = pw->pw_uid;
	int rc = PARSE(LISTEN, "--user", "nobody", "--socket-owner", "nobody");
	if (geteuid() != 0) {
		refused(rc, "app.fcgi: --user/--group need the manager to start as root\n");
		return;
	}
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(o.worker_identity.set && o.socket_owner.set);
	cr_assert(o.worker_identity.uid == nobody && o.socket_owner.uid == nobody);
}

Test(options, an_unknown_user_group_or_owner_is_refused)
{
	refused(PARSE(LISTEN, "--socket-owner", ":x"), "app.fcgi: --socket-owner wants USER or USER:GROUP, not ':x'\n");
	refused(PARSE(LISTEN, "--socket-owner", "no-such-user-here"),
		"app.fcgi: --socket-owner no-such-user-here: no such user\n");
	if (geteuid() != 0)
		return; /* --user is refused before its name is looked up */
	refused(PARSE(LISTEN, "--user", "no-such-user-here"), "app.fcgi: --user no-such-user-here: no such user\n");
	refused(PARSE(LISTEN, "--group", "no-such-group-here"),
		"app.fcgi: --group no-such-group-here: no such group\n");
}
