/* tests/spec_cases.tsv, the specification's request/answer cases, for the unit tests:
 * each row parsed, turned into CGI-style variables and a body, and its answer checked. */
#ifndef TESTS_SPEC_CASES_H
#define TESTS_SPEC_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

struct spec_case {
	const char *name, *method, *target, *req_headers;
	char *req_body;          /* NULL for none; malloc'd, escapes and fill: decoded */
	size_t req_body_n;
	int status;
	const char *content_type, *body, *resp_headers, *alb_last, *only;
};

/* Splits line (tab-separated, changed in place) into c. Returns 1 for a comment or
 * blank line, 0 for a row, -1 for a malformed one (a missing column, a bad status or
 * body escape); c->req_body is then NULL. */
int spec_case_parse(char *line, struct spec_case *c);

/* True when the row's only column lets target ("unit", "http", "lambda") run it. */
bool spec_case_runs_on(const struct spec_case *c, const char *target);

/* Runs the row through answer() (app_handle() when NULL: see exchange_run) with Host
 * example.test, and checks status, Content-Type, body and headers ({target} is "test",
 * {base} http://example.test). Returns the number of failed checks, each reported with
 * cr_expect naming the row. */
int spec_case_check(const struct spec_case *c, struct exchange *x, exchange_answer_fn answer);

/* Runs every row of the file at path meant for the unit tests; returns the number of
 * rows run, or -1 when the file cannot be read or holds a malformed row (reported). */
int spec_cases_run_file(const char *path, int *failed);

#endif
