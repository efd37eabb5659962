/* Generated request ids (http/request_id.h): fresh ones every time, and a
 * forked child never hands out the ids its parent's pool still holds. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/request_id.h"

#define IDS 300 /* more than one pool's worth (256 ids per getrandom) */

static bool is_hex_id(const char *id)
{
	if (strlen(id) != REQUEST_ID_GENERATED_SIZE - 1)
		return false;
	for (const char *p = id; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

Test(request_id, generated_ids_are_hex_and_never_repeat)
{
	static char ids[IDS][REQUEST_ID_GENERATED_SIZE];
	for (int i = 0; i < IDS; i++) {
		request_id_generate(ids[i]);
		cr_assert(is_hex_id(ids[i]), "%s", ids[i]);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(ids[i], ids[j]);
	}
}

Test(request_id, a_forked_child_does_not_repeat_its_parent)
{
	char first[REQUEST_ID_GENERATED_SIZE];
	request_id_generate(first); /* the pool is full now: the child inherits it */
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		char id[REQUEST_ID_GENERATED_SIZE];
		for (int i = 0; i < 10; i++) {
			request_id_generate(id);
			if (write(p[1], id, sizeof id) != (ssize_t)sizeof id)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	char mine[10][REQUEST_ID_GENERATED_SIZE], theirs[10][REQUEST_ID_GENERATED_SIZE];
	for (int i = 0; i < 10; i++)
		request_id_generate(mine[i]);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(read(p[0], theirs[i], sizeof theirs[i]), (ssize_t)sizeof theirs[i]);
	int status;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 10; i++)
		for (int j = 0; j < 10; j++)
			cr_assert_str_neq(mine[i], theirs[j], "child repeated its parent's id %s", mine[i]);
	close(p[0]);
}

/* W3C Trace Context: "version-traceid-parentid-flags", lowercase hex, no all-zero id. */
Test(request_id, traceparent_well_formed_gives_its_trace_and_parent_ids)
{
	struct str trace, span;
	cr_assert(request_traceparent(STR_LIT("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), &trace, &span));
	cr_assert(str_eq(trace, STR_LIT("4bf92f3577b34da6a3ce929d0e0e4736")));
	cr_assert(str_eq(span, STR_LIT("00f067aa0ba902b7")));
	/* Optional white space around it; a later version may add fields after a '-'. */
	cr_assert(request_traceparent(STR_LIT(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00 "), &trace, &span));
	cr_assert(request_traceparent(STR_LIT("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-ever"), &trace, &span));
	cr_assert(str_eq(span, STR_LIT("00f067aa0ba902b7")));
}

Test(request_id, traceparent_malformed_is_ignored)
{
	static const char *const bad[] = {
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", /* uppercase */
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", /* all-zero trace id */
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", /* all-zero parent id */
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", /* version ff */
		"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  /* one digit short */
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", /* version 00 with more */
		"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", /* a later version without '-' */
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", /* bad flags */
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", /* bad separator */
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa\"ba902b7-01", /* a quote */
		"",
	};
	struct str trace = STR_NULL, span = STR_NULL;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(request_traceparent(str_c(bad[i]), &trace, &span), "%s taken", bad[i]);
	cr_assert_not(request_traceparent(STR_NULL, &trace, &span));
}
