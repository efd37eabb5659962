/* fcgi/options.c: argv and the FCGI_* environment in, struct options and the
 * message on stderr out. */
#include <criterion/criterion.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static const char *const variables[] = { "FCGI_SHUTDOWN_TIMEOUT", "FCGI_READ_TIMEOUT", "FCGI_REQUEST_TIMEOUT",
					 "FCGI_MAX_REQUESTS", "FCGI_MAX_REQUESTS_JITTER", "FCGI_IDLE_TIMEOUT",
					 "FCGI_SLOW_REQUEST", "FCGI_STATUS_PATH", "FCGI_STATUS_ALLOW",
					 "FORWARDED_ALLOW_IPS" };

static void setup(void)
{
	for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++)
		unsetenv(variables[i]);
}

TestSuite(options, .init = setup);

static struct options o;
static char err[4096]; /* what options_parse wrote to stderr */

/* options_parse(argv) with stderr caught in err; its return value. */
static int parse_argv(char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	FILE *caught = tmpfile();
	cr_assert_not_null(caught);
	int saved = dup(STDERR_FILENO);
	fflush(stderr);
	dup2(fileno(caught), STDERR_FILENO);
	optind = 0; /* getopt_long starts afresh */
	int rc = options_parse(argc, argv, &o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(caught);
	size_t n = fread(err, 1, sizeof err - 1, caught);
	err[n] = '\0';
	fclose(caught);
	return rc;
}

#define PARSE(...) parse_argv((char *[]){ "app.fcgi", __VA_ARGS__, NULL })
#define LISTEN "--listen", "/run/app.sock"

static long shutdown_timeout(void) { return o.shutdown_timeout; }
static long read_timeout(void) { return o.worker.read_timeout; }
static long request_timeout(void) { return o.worker.request_timeout; }
static long max_requests(void) { return o.worker.max_requests; }
static long max_requests_jitter(void) { return o.worker.max_requests_jitter; }
static long idle_timeout(void) { return o.idle_timeout; }
static long slow_request(void) { return o.slow_request; }

/* The numeric controls: flag, variable, largest value, unit, and the member it sets. */
static const struct control {
	const char *flag, *env;
	long max;
	const char *unit;
	long (*get)(void);
} controls[] = {
	{ "--shutdown-timeout", "FCGI_SHUTDOWN_TIMEOUT", 86400, "seconds", shutdown_timeout },
	{ "--read-timeout", "FCGI_READ_TIMEOUT", 86400, "seconds", read_timeout },
	{ "--request-timeout", "FCGI_REQUEST_TIMEOUT", 86400, "seconds", request_timeout },
	{ "--max-requests", "FCGI_MAX_REQUESTS", 1000000000, "requests", max_requests },
	{ "--max-requests-jitter", "FCGI_MAX_REQUESTS_JITTER", 1000000000, "requests", max_requests_jitter },
	{ "--idle-timeout", "FCGI_IDLE_TIMEOUT", 86400, "seconds", idle_timeout },
	{ "--slow-request", "FCGI_SLOW_REQUEST", 86400, "seconds", slow_request },
};
#define NCONTROLS (sizeof controls / sizeof controls[0])

static const char *refusal(const struct control *k, const char *name, const char *value)
{
	static char want[256];
	snprintf(want, sizeof want, "app.fcgi: %s wants a whole number of %s from 0 to %ld, not '%s'\n", name, k->unit,
		 k->max, value);
	return want;
}

Test(options, no_arguments_is_spawned_with_the_defaults)
{
	char *argv[] = { "app.fcgi", NULL };
	cr_assert_eq(parse_argv(argv), 0);
	cr_assert_str_empty(err);
	cr_assert_eq(o.mode, RUN_SPAWNED);
	cr_assert(o.worker.spawned);
	cr_assert_eq(o.worker.argv, argv);
	cr_assert_eq(o.shutdown_timeout, DEFAULT_SHUTDOWN_TIMEOUT);
	cr_assert_eq(o.worker.read_timeout, DEFAULT_READ_TIMEOUT);
	cr_assert_eq(o.worker.request_timeout, DEFAULT_REQUEST_TIMEOUT);
	cr_assert_eq(o.idle_timeout, DEFAULT_IDLE_TIMEOUT);
	cr_assert_eq(o.worker.max_requests + o.worker.max_requests_jitter + o.slow_request, 0);
	cr_assert_null(o.worker.status_path);
	cr_assert_str_eq(o.worker.status_allow, DEFAULT_STATUS_ALLOW);
	cr_assert_null(o.listen);
	cr_assert_eq(o.workers, 0);
	cr_assert_eq(o.socket_mode, -1);
	cr_assert(!o.worker_identity.set && !o.socket_owner.set);
}

Test(options, each_control_flag_sets_its_member)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		cr_assert_eq(PARSE(LISTEN, (char *)controls[i].flag, "7"), 0, "%s", controls[i].flag);
		cr_assert_eq(controls[i].get(), 7, "%s", controls[i].flag);
	}
}

Test(options, each_environment_variable_sets_its_member)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		setenv(controls[i].env, "8", 1);
		cr_assert_eq(PARSE(LISTEN), 0, "%s", controls[i].env);
		cr_assert_eq(controls[i].get(), 8, "%s", controls[i].env);
		unsetenv(controls[i].env);
	}
}

Test(options, a_flag_wins_over_its_environment_variable_even_a_bad_one)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		setenv(controls[i].env, "x", 1);
		cr_assert_eq(PARSE(LISTEN, (char *)controls[i].flag, "9"), 0, "%s: %s", controls[i].flag, err);
		cr_assert_eq(controls[i].get(), 9);
		unsetenv(controls[i].env);
	}
}

Test(options, a_bad_flag_is_refused_even_over_a_good_variable)
{
	setenv("FCGI_READ_TIMEOUT", "5", 1);
	cr_assert_eq(PARSE("--read-timeout", "x"), -1);
	cr_assert_str_eq(err, "app.fcgi: --read-timeout wants a whole number of seconds from 0 to 86400, not 'x'\n");
}

Test(options, the_last_of_a_repeated_control_wins_and_alone_is_checked)
{
	cr_assert_eq(PARSE("--read-timeout", "x", "--read-timeout", "5"), 0);
	cr_assert_eq(o.worker.read_timeout, 5);
	cr_assert_eq(PARSE("--read-timeout", "5", "--read-timeout", "x"), -1);
	cr_assert_str_eq(err, "app.fcgi: --read-timeout wants a whole number of seconds from 0 to 86400, not 'x'\n");
}

Test(options, each_control_takes_its_limit_and_refuses_one_past_it)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		const struct control *k = &controls[i];
		char max[32], past[32];
		snprintf(max, sizeof max, "%ld", k->max);
		snprintf(past, sizeof past, "%ld", k->max + 1);
		cr_assert_eq(PARSE(LISTEN, (char *)k->flag, max), 0);
		cr_assert_eq(k->get(), k->max);
		cr_assert_eq(PARSE(LISTEN, (char *)k->flag, past), -1);
		cr_assert_str_eq(err, refusal(k, k->flag, past));
		setenv(k->env, max, 1);
		cr_assert_eq(PARSE(LISTEN), 0);
		cr_assert_eq(k->get(), k->max);
		setenv(k->env, past, 1);
		cr_assert_eq(PARSE(LISTEN), -1);
		cr_assert_str_eq(err, refusal(k, k->env, past));
		unsetenv(k->env);
	}
}

Test(options, each_control_refuses_what_is_not_a_whole_number)
{
	const char *bad[] = { "", "x", "-1", "+5", " 5", "5 ", "5s", "0x10", "1e3", "99999999999999999999" };
	for (size_t i = 0; i < NCONTROLS; i++)
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			const struct control *k = &controls[i];
			cr_assert_eq(PARSE(LISTEN, (char *)k->flag, (char *)bad[j]), -1, "%s '%s'", k->flag, bad[j]);
			cr_assert_str_eq(err, refusal(k, k->flag, bad[j]));
			setenv(k->env, bad[j], 1);
			cr_assert_eq(PARSE(LISTEN), -1, "%s='%s'", k->env, bad[j]);
			cr_assert_str_eq(err, refusal(k, k->env, bad[j]));
			unsetenv(k->env);
		}
}

Test(options, zero_is_a_value_of_every_control)
{
	for (size_t i = 0; i < NCONTROLS; i++) {
		cr_assert_eq(PARSE(LISTEN, (char *)controls[i].flag, "0"), 0);
		cr_assert_eq(controls[i].get(), 0, "%s", controls[i].flag);
	}
}

Test(options, the_first_bad_variable_in_table_order_is_reported)
{
	setenv("FCGI_SLOW_REQUEST", "x", 1);
	setenv("FCGI_READ_TIMEOUT", "y", 1);
	setenv("FCGI_STATUS_PATH", "bad", 1);
	cr_assert_eq(PARSE(LISTEN), -1);
	cr_assert_str_eq(err, "app.fcgi: FCGI_READ_TIMEOUT wants a whole number of seconds from 0 to 86400, not 'y'\n");
	unsetenv("FCGI_READ_TIMEOUT");
	cr_assert_eq(PARSE(LISTEN), -1);
	cr_assert_str_eq(err, "app.fcgi: FCGI_SLOW_REQUEST wants a whole number of seconds from 0 to 86400, not 'x'\n");
	unsetenv("FCGI_SLOW_REQUEST");
	cr_assert_eq(PARSE(LISTEN), -1);
	cr_assert_str_eq(err, "app.fcgi: FCGI_STATUS_PATH wants a path like /-/status, not 'bad'\n");
}

Test(options, workers_is_n_or_min_to_max)
{
	cr_assert_eq(PARSE(LISTEN, "--workers", "4"), 0);
	cr_assert_eq(o.workers, 4);
	cr_assert_eq(o.max_workers, 4);
	cr_assert_eq(PARSE(LISTEN, "--workers", "2:8"), 0);
	cr_assert_eq(o.workers, 2);
	cr_assert_eq(o.max_workers, 8);
	cr_assert_eq(PARSE(LISTEN, "--workers", "256"), 0);
	cr_assert_eq(PARSE(LISTEN, "--workers", "3:3"), 0);
	cr_assert_eq(o.max_workers, 3);
}

Test(options, workers_default_to_the_online_cpus_within_the_limit)
{
	cr_assert_eq(PARSE(LISTEN), 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cr_assert_eq(o.workers, cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : cpus);
	cr_assert_eq(o.max_workers, o.workers);
	cr_assert_eq(o.mode, RUN_STANDALONE);
	cr_assert(!o.worker.spawned);
}

Test(options, workers_refuses_zero_one_past_the_limit_and_anything_else)
{
	const char *bad[] = { "0", "257", "2:257", "4:2", "2:", ":2", "", "x", "-1", "1:2:3", "+2",
			      "12345678901234567" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(PARSE(LISTEN, "--workers", (char *)bad[i]), -1, "'%s'", bad[i]);
		char want[128];
		snprintf(want, sizeof want, "app.fcgi: --workers wants N or MIN:MAX, numbers from 1 to 256, not '%s'\n",
			 bad[i]);
		cr_assert_str_eq(err, want);
	}
}

Test(options, a_bad_workers_is_refused_where_it_stands)
{
	/* Before an unknown option after it; a bad control value would wait. */
	cr_assert_eq(PARSE("--workers", "0", "--bogus"), -1);
	cr_assert_str_eq(err, "app.fcgi: --workers wants N or MIN:MAX, numbers from 1 to 256, not '0'\n");
	cr_assert_eq(PARSE("--read-timeout", "x", "--bogus"), -1);
	cr_assert_str_eq(err, "app.fcgi: unknown or incomplete option '--bogus' (try --help)\n");
}

/* A path of n bytes: '/' and n - 1 letters. */
static char *path_of(size_t n)
{
	static char p[256];
	memset(p, 'a', n);
	p[0] = '/';
	p[n] = '\0';
	return p;
}

Test(options, status_path_from_the_flag_or_its_variable_flag_first)
{
	cr_assert_eq(PARSE(LISTEN, "--status-path", "/-/s"), 0);
	cr_assert_str_eq(o.worker.status_path, "/-/s");
	setenv("FCGI_STATUS_PATH", "/env", 1);
	cr_assert_eq(PARSE(LISTEN), 0);
	cr_assert_str_eq(o.worker.status_path, "/env");
	setenv("FCGI_STATUS_PATH", "bad", 1);
	cr_assert_eq(PARSE(LISTEN, "--status-path", "/flag"), 0);
	cr_assert_str_eq(o.worker.status_path, "/flag");
}

Test(options, status_path_takes_100_bytes_and_refuses_101)
{
	cr_assert_eq(PARSE(LISTEN, "--status-path", path_of(100)), 0);
	cr_assert_eq(strlen(o.worker.status_path), 100);
	cr_assert_eq(PARSE(LISTEN, "--status-path", path_of(101)), -1);
	char want[256];
	snprintf(want, sizeof want, "app.fcgi: --status-path wants a path like /-/status, not '%s'\n", path_of(101));
	cr_assert_str_eq(err, want);
	setenv("FCGI_STATUS_PATH", path_of(101), 1);
	cr_assert_eq(PARSE(LISTEN), -1);
	snprintf(want, sizeof want, "app.fcgi: FCGI_STATUS_PATH wants a path like /-/status, not '%s'\n", path_of(101));
	cr_assert_str_eq(err, want);
}

Test(options, status_path_refuses_a_relative_path_a_query_and_white_space)
{
	const char *bad[] = { "", "bad", "/a?b", "/a b", "/a\tb", "/a\rb", "/a\nb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[128];
		cr_assert_eq(PARSE(LISTEN, "--status-path", (char *)bad[i]), -1);
		snprintf(want, sizeof want, "app.fcgi: --status-path wants a path like /-/status, not '%s'\n", bad[i]);
		cr_assert_str_eq(err, want);
		setenv("FCGI_STATUS_PATH", bad[i], 1);
		cr_assert_eq(PARSE(LISTEN), -1);
		snprintf(want, sizeof want, "app.fcgi: FCGI_STATUS_PATH wants a path like /-/status, not '%s'\n", bad[i]);
		cr_assert_str_eq(err, want);
		unsetenv("FCGI_STATUS_PATH");
	}
}

Test(options, a_bad_status_path_is_refused_where_it_stands)
{
	cr_assert_eq(PARSE(LISTEN, "--status-path", "bad", "--status-path", "/ok"), -1);
	cr_assert_str_eq(err, "app.fcgi: --status-path wants a path like /-/status, not 'bad'\n");
}

Test(options, spawned_has_no_status_page_even_with_the_variable)
{
	setenv("FCGI_STATUS_PATH", "/-/status", 1);
	cr_assert_eq(PARSE("--read-timeout", "1"), 0);
	cr_assert_eq(o.mode, RUN_SPAWNED);
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
	cr_assert_eq(PARSE("--status", "/run/a.sock", LISTEN), -1);
	cr_assert_str_eq(err, "app.fcgi: --status asks a running manager; it does not go with --listen\n");
}

Test(options, socket_mode_is_octal_up_to_0777)
{
	cr_assert_eq(PARSE(LISTEN, "--socket-mode", "0660"), 0);
	cr_assert_eq(o.socket_mode, 0660);
	cr_assert_eq(PARSE(LISTEN, "--socket-mode", "777"), 0);
	cr_assert_eq(o.socket_mode, 0777);
	const char *bad[] = { "1000", "01000", "0778", "8", "", "-1", "+7", "0x1", "66 " };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(PARSE(LISTEN, "--socket-mode", (char *)bad[i]), -1, "'%s'", bad[i]);
		char want[128];
		snprintf(want, sizeof want, "app.fcgi: --socket-mode wants octal permissions like 0660, not '%s'\n",
			 bad[i]);
		cr_assert_str_eq(err, want);
	}
}

Test(options, socket_settings_are_for_a_unix_socket_path)
{
	const char *want = "app.fcgi: --socket-owner and --socket-mode are for a unix socket path\n";
	cr_assert_eq(PARSE("--listen", "127.0.0.1:9000", "--socket-mode", "0660"), -1);
	cr_assert_str_eq(err, want);
	cr_assert_eq(PARSE("--listen", "127.0.0.1:9000", "--socket-owner", "root"), -1);
	cr_assert_str_eq(err, want);
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
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(PARSE((char *)cases[i].flag, (char *)cases[i].value), -1, "%s", cases[i].flag);
		char want[128];
		snprintf(want, sizeof want, "app.fcgi: %s needs --listen (a manager of our own)\n", cases[i].named);
		cr_assert_str_eq(err, want);
	}
}

Test(options, the_first_manager_only_flag_in_table_order_is_named)
{
	cr_assert_eq(PARSE("--socket-mode", "0660", "--slow-request", "1", "--workers", "2"), -1);
	cr_assert_str_eq(err, "app.fcgi: --workers needs --listen (a manager of our own)\n");
}

Test(options, the_controls_go_with_a_spawned_worker)
{
	cr_assert_eq(PARSE("--read-timeout", "1", "--request-timeout", "2", "--max-requests", "3",
			   "--max-requests-jitter", "4", "--status-allow", "::1"),
		     0);
	cr_assert_eq(o.mode, RUN_SPAWNED);
	cr_assert_eq(o.worker.read_timeout + o.worker.request_timeout + o.worker.max_requests +
			     o.worker.max_requests_jitter,
		     10);
}

Test(options, listen_needs_an_address)
{
	cr_assert_eq(PARSE("--listen", ""), -1);
	cr_assert_str_eq(err, "app.fcgi: --listen needs an address\n");
}

Test(options, listen_and_abbreviations_as_getopt_long_takes_them)
{
	cr_assert_eq(PARSE("--listen=127.0.0.1:9000", "--work=3", "--read", "5"), 0);
	cr_assert_str_eq(o.listen, "127.0.0.1:9000");
	cr_assert_eq(o.workers, 3);
	cr_assert_eq(o.worker.read_timeout, 5);
	cr_assert_eq(PARSE("--sta", "x"), -1, "ambiguous: --status, --status-path, --status-allow");
	cr_assert_str_eq(err, "app.fcgi: unknown or incomplete option '--sta' (try --help)\n");
}

Test(options, an_unknown_option_a_missing_value_and_a_stray_argument_are_refused)
{
	cr_assert_eq(PARSE("--bogus"), -1);
	cr_assert_str_eq(err, "app.fcgi: unknown or incomplete option '--bogus' (try --help)\n");
	cr_assert_eq(PARSE("-h"), -1);
	cr_assert_str_eq(err, "app.fcgi: unknown or incomplete option '-h' (try --help)\n");
	cr_assert_eq(PARSE("--read-timeout"), -1);
	cr_assert_str_eq(err, "app.fcgi: unknown or incomplete option '--read-timeout' (try --help)\n");
	cr_assert_eq(PARSE("--read-timeout", "5", "extra"), -1);
	cr_assert_str_eq(err, "app.fcgi: unexpected argument 'extra' (try --help)\n");
	cr_assert_eq(PARSE("--", "--help"), -1);
	cr_assert_str_eq(err, "app.fcgi: unexpected argument '--help' (try --help)\n");
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

Test(options, forwarded_allow_ips_is_handed_on_in_the_environment)
{
	cr_assert_eq(PARSE("--forwarded-allow-ips", "10.0.0.0/8"), 0);
	cr_assert_str_eq(getenv("FORWARDED_ALLOW_IPS"), "10.0.0.0/8");
}

Test(options, user_and_socket_owner_are_resolved_for_a_manager_started_as_root)
{
	struct passwd *pw = getpwnam("nobody");
	cr_assert_not_null(pw);
	uid_t nobody = pw->pw_uid;
	int rc = PARSE(LISTEN, "--user", "nobody", "--socket-owner", "nobody");
	if (geteuid() != 0) {
		cr_assert_eq(rc, -1);
		cr_assert_str_eq(err, "app.fcgi: --user/--group need the manager to start as root\n");
		return;
	}
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(o.worker_identity.set && o.socket_owner.set);
	cr_assert_eq(o.worker_identity.uid, nobody);
	cr_assert_eq(o.socket_owner.uid, nobody);
}

Test(options, an_unknown_user_group_or_owner_is_refused)
{
	cr_assert_eq(PARSE(LISTEN, "--socket-owner", ":x"), -1);
	cr_assert_str_eq(err, "app.fcgi: --socket-owner wants USER or USER:GROUP, not ':x'\n");
	cr_assert_eq(PARSE(LISTEN, "--socket-owner", "no-such-user-here"), -1);
	cr_assert_str_eq(err, "app.fcgi: --socket-owner no-such-user-here: no such user\n");
	if (geteuid() != 0)
		return; /* --user is refused before its name is looked up */
	cr_assert_eq(PARSE(LISTEN, "--user", "no-such-user-here"), -1);
	cr_assert_str_eq(err, "app.fcgi: --user no-such-user-here: no such user\n");
	cr_assert_eq(PARSE(LISTEN, "--group", "no-such-group-here"), -1);
	cr_assert_str_eq(err, "app.fcgi: --group no-such-group-here: no such group\n");
}
