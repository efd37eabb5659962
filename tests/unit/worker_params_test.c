/* fcgi/worker/params.c: the worker's one pass over the FastCGI parameters
 * gives what FCGX_GetParam gave for each name (exact names, the first wins). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "worker/params.h"

TestSuite(worker_params);

Test(worker_params, the_three_among_others)
{
	char *envp[] = { "SERVER_NAME=x", "CONTENT_LENGTH=12", "REQUEST_URI=/a?b=c", "REQUEST_SCHEME=http",
			 "REQUEST_METHOD=POST", "CONTENT_TYPE=text/plain", NULL };
	struct worker_params p = worker_params(envp);
	cr_assert_str_eq(p.method, "POST");
	cr_assert_str_eq(p.uri, "/a?b=c");
	cr_assert_str_eq(p.content_length, "12");
}

Test(worker_params, empty_null_and_absent)
{
	struct worker_params p = worker_params(NULL);
	cr_assert_null(p.method);
	cr_assert_null(p.uri);
	cr_assert_null(p.content_length);
	char *none[] = { NULL };
	p = worker_params(none);
	cr_assert_null(p.uri);
	char *empty[] = { "", "R", "C", "REQUEST_", "REQUEST_URI=", "CONTENT_LENGTH=", NULL };
	p = worker_params(empty);
	cr_assert_str_eq(p.uri, "");
	cr_assert_str_eq(p.content_length, "");
	cr_assert_null(p.method);
}

/* Names one byte longer or shorter, without '=', in another case: not the parameter. */
Test(worker_params, near_names_are_not_the_parameter)
{
	char *envp[] = { "REQUEST_URIX=/no", "REQUEST_UR=/no", "REQUEST_URI", "request_uri=/no",
			 "REQUEST_METHODS=NO", "CONTENT_LENGTH_=9", "CONTENT_LENGT=9", "HTTP_REQUEST_URI=/no",
			 "REQUEST_URI=/yes", NULL };
	struct worker_params p = worker_params(envp);
	cr_assert_str_eq(p.uri, "/yes");
	cr_assert_null(p.method);
	cr_assert_null(p.content_length);
}

/* A repeated name: the first, as FCGX_GetParam. A huge value is returned whole. */
Test(worker_params, first_of_repeated_and_huge)
{
	static char big[70000];
	memcpy(big, "REQUEST_URI=", 12);
	memset(big + 12, 'a', sizeof big - 13);
	char *envp[] = { big, "REQUEST_URI=/second", "REQUEST_METHOD=GET", "REQUEST_METHOD=HEAD", NULL };
	struct worker_params p = worker_params(envp);
	cr_assert_eq(strlen(p.uri), sizeof big - 13);
	cr_assert_str_eq(p.method, "GET");
}

/* Entries shorter than the bytes the filter looks at (each its own allocation,
 * so that ASan sees a read past one). */
Test(worker_params, short_entries_read_within_themselves)
{
	const char *texts[] = { "R", "RE", "REQ", "REQUEST", "REQUEST_", "REQUEST_M", "C", "CO", "CONTENT_L", "=" };
	size_t n = sizeof texts / sizeof texts[0];
	char *envp[sizeof texts / sizeof texts[0] + 1];
	for (size_t i = 0; i < n; i++)
		envp[i] = strdup(texts[i]);
	envp[n] = NULL;
	struct worker_params p = worker_params(envp);
	cr_assert_null(p.method);
	cr_assert_null(p.uri);
	cr_assert_null(p.content_length);
	for (size_t i = 0; i < n; i++)
		free(envp[i]);
}
