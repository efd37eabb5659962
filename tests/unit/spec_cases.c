/* tests/spec_cases.tsv for the unit tests (spec_cases.h; the columns are described
 * at the top of the file). */
#include "spec_cases.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COLUMNS = 11 };

/* Decodes a req_body field: "-", "fill:C:N", or bytes with \0 \xHH \\ escapes. Returns
 * -1 on a bad escape or fill (and leaves c->req_body NULL). */
static int decode_body(const char *s, struct spec_case *c)
{
	c->req_body = NULL;
	c->req_body_n = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (strncmp(s, "fill:", 5) == 0) {
		char *end;
		unsigned long n = strtoul(s + 7, &end, 10);
		if (s[5] == '\0' || s[6] != ':' || *end != '\0' || n == 0)
			return -1;
		c->req_body = malloc(n);
		memset(c->req_body, s[5], n);
		c->req_body_n = n;
		return 0;
	}
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p != '\\') {
			out[n++] = *p;
		} else if (p[1] == '0') {
			out[n++] = '\0';
			p++;
		} else if (p[1] == '\\') {
			out[n++] = '\\';
			p++;
		} else if (p[1] == 'x' && isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
			char hex[3] = { p[2], p[3], '\0' };
			out[n++] = (char)strtoul(hex, NULL, 16);
			p += 3;
		} else {
			free(out);
			return -1;
		}
	}
	c->req_body = out;
	c->req_body_n = n;
	return 0;
}

int spec_case_parse(char *line, struct spec_case *c)
{
	c->req_body = NULL;
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return 1;
	char *col[COLUMNS];
	char *rest = line;
	for (int i = 0; i < COLUMNS; i++) {
		col[i] = strsep(&rest, "\t");
		if (col[i] == NULL || col[i][0] == '\0')
			return -1;
	}
	char *end;
	long status = strtol(col[5], &end, 10);
	if (rest != NULL || *end != '\0' || status < 100 || status > 599)
		return -1;
	*c = (struct spec_case){ .name = col[0], .method = col[1], .target = col[2], .req_headers = col[3],
				 .status = (int)status, .content_type = col[6], .body = col[7],
				 .resp_headers = col[8], .alb_last = col[9], .only = col[10] };
	return decode_body(col[4], c);
}

bool spec_case_runs_on(const struct spec_case *c, const char *target)
{
	if (strcmp(c->only, "*") == 0)
		return true;
	size_t n = strlen(target);
	for (const char *p = c->only; (p = strstr(p, target)) != NULL; p += n)
		if ((p == c->only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* The CGI variable of one "name: value" request header (arena copy): CONTENT_TYPE for
 * Content-Type, else HTTP_NAME. NULL when the text has no ": ". */
static char *header_variable(struct arena *a, const char *h, size_t n)
{
	const char *colon = memchr(h, ':', n);
	if (colon == NULL || colon + 1 >= h + n || colon[1] != ' ')
		return NULL;
	size_t name_n = (size_t)(colon - h);
	char *name = arena_strndup(a, h, name_n);
	for (size_t i = 0; i < name_n; i++)
		name[i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	return arena_printf(a, "%s%s=%.*s", strcmp(name, "CONTENT_TYPE") == 0 ? "" : "HTTP_", name,
			    (int)(h + n - colon - 2), colon + 2);
}

/* s with every {key} replaced by value (arena copy). */
static const char *substitute(struct arena *a, const char *s, const char *key, const char *value)
{
	const char *at = strstr(s, key);
	if (at == NULL)
		return s;
	return arena_printf(a, "%.*s%s%s", (int)(at - s), s, value, substitute(a, at + strlen(key), key, value));
}

/* One " | "-separated item of list at *p (advanced past it); its length in *n. NULL at the end. */
static const char *next_item(const char **p, size_t *n)
{
	if (**p == '\0')
		return NULL;
	const char *item = *p;
	const char *sep = strstr(item, " | ");
	*n = sep ? (size_t)(sep - item) : strlen(item);
	*p = sep ? sep + 3 : item + *n;
	return item;
}

/* The variables of the row's request (arena), NULL-terminated, with Host example.test. */
static char **request_env(struct arena *a, const struct spec_case *c)
{
	char **env = arena_alloc(a, 32 * sizeof *env);
	size_t n = 0;
	env[n++] = arena_printf(a, "REQUEST_METHOD=%s", c->method);
	env[n++] = arena_printf(a, "REQUEST_URI=%s", c->target);
	env[n++] = "HTTP_HOST=example.test";
	if (c->req_body != NULL)
		env[n++] = arena_printf(a, "CONTENT_LENGTH=%zu", c->req_body_n);
	const char *p = strcmp(c->req_headers, "-") == 0 ? "" : c->req_headers;
	size_t len;
	for (const char *h; n < 31 && (h = next_item(&p, &len)) != NULL;) {
		env[n] = header_variable(a, h, len);
		cr_assert_not_null(env[n], "%s: bad request header '%.*s'", c->name, (int)len, h);
		n++;
	}
	env[n] = NULL;
	return env;
}

/* The failed checks of the answer's headers against the row's Content-Type and resp_headers. */
static int check_headers(const struct spec_case *c, struct exchange *x)
{
	int failed = 0;
	if (strcmp(c->content_type, "-") != 0) {
		const char *got = exchange_header(x, "Content-Type");
		cr_expect(got != NULL && strcmp(got, c->content_type) == 0, "%s: Content-Type '%s', want '%s'",
			  c->name, got ? got : "(none)", c->content_type);
		failed += got == NULL || strcmp(got, c->content_type) != 0;
	}
	const char *p = strcmp(c->resp_headers, "-") == 0 ? "" : c->resp_headers;
	size_t len;
	for (const char *h; (h = next_item(&p, &len)) != NULL;) {
		const char *line = substitute(&x->arena, arena_strndup(&x->arena, h, len), "{base}",
					      "http://example.test");
		const char *colon = strstr(line, ": ");
		cr_assert_not_null(colon, "%s: bad resp_headers item '%s'", c->name, line);
		const char *name = arena_strndup(&x->arena, line, (size_t)(colon - line));
		if (strcasecmp(name, "Content-Length") == 0)
			continue; /* the transports' (response serialisation) */
		const char *got = exchange_header(x, name);
		cr_expect(got != NULL && strcmp(got, colon + 2) == 0, "%s: %s '%s', want '%s'", c->name, name,
			  got ? got : "(none)", colon + 2);
		failed += got == NULL || strcmp(got, colon + 2) != 0;
	}
	return failed;
}

int spec_case_check(const struct spec_case *c, struct exchange *x, exchange_answer_fn answer)
{
	struct arena vars;
	arena_init(&vars);
	char **env = request_env(&vars, c);
	exchange_run_by(x, env, c->req_body, c->req_body_n, answer);
	int failed = 0;
	cr_expect_eq(x->resp.status, c->status, "%s: status %d, want %d (body %s)", c->name, x->resp.status,
		     c->status, exchange_body(x));
	failed += x->resp.status != c->status;
	failed += check_headers(c, x);
	const char *got = exchange_body(x);
	if (strcmp(c->body, "*") == 0) {
		cr_expect(got[0] != '\0', "%s: empty body", c->name);
		failed += got[0] == '\0';
	} else {
		const char *want = strcmp(c->body, "(empty)") == 0 ? "" : substitute(&x->arena, c->body, "{target}", "test");
		cr_expect_str_eq(got, want, "%s: body '%s', want '%s'", c->name, got, want);
		failed += strcmp(got, want) != 0;
	}
	exchange_free(x);
	arena_release(&vars);
	return failed;
}

int spec_cases_run_file(const char *path, int *failed)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot read %s (the unit tests run from the top of the repository)", path);
	char *line = NULL;
	size_t cap = 0;
	int rows = 0, lineno = 0;
	*failed = 0;
	while (getline(&line, &cap, f) != -1) {
		struct spec_case c;
		lineno++;
		int r = spec_case_parse(line, &c);
		cr_assert_neq(r, -1, "%s:%d: malformed row", path, lineno);
		if (r == 1 || !spec_case_runs_on(&c, "unit")) {
			free(c.req_body);
			continue;
		}
		struct exchange x;
		*failed += spec_case_check(&c, &x, app_handle) != 0;
		free(c.req_body);
		rows++;
	}
	free(line);
	fclose(f);
	return rows;
}
