#include "shell_env.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
#include "http/request.h"

/* Finds the variable NAME (name_len bytes): its index, or -1. */
static long find(const struct shell_env *e, const char *name, size_t name_len)
{
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], name, name_len) == 0 && e->vars[i][name_len] == '=')
			return (long)i;
	return -1;
}

/* Sets NAME to value; when NAME is set already and joiner is not NULL, appends
 * joiner + value to it instead (a repeated header). -1 when out of memory. */
static int env_put(struct shell_env *e, const char *name, size_t name_len, const char *value, size_t value_len,
		   const char *joiner)
{
	long at = find(e, name, name_len);
	if (at >= 0 && joiner != NULL) {
		char *old = e->vars[at];
		size_t old_len = strlen(old), j = strlen(joiner);
		char *s = realloc(old, old_len + j + value_len + 1);
		if (s == NULL)
			return -1;
		memcpy(s + old_len, joiner, j);
		memcpy(s + old_len + j, value, value_len);
		s[old_len + j + value_len] = '\0';
		e->vars[at] = s;
		return 0;
	}
	char *s = malloc(name_len + 1 + value_len + 1);
	if (s == NULL)
		return -1;
	memcpy(s, name, name_len);
	s[name_len] = '=';
	memcpy(s + name_len + 1, value, value_len);
	s[name_len + 1 + value_len] = '\0';
	if (at >= 0) {
		free(e->vars[at]);
		e->vars[at] = s;
		return 0;
	}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		char **v = realloc(e->vars, cap * sizeof *v);
		if (v == NULL) {
			free(s);
			return -1;
		}
		e->vars = v;
		e->cap = cap;
	}
	e->vars[e->n++] = s;
	e->vars[e->n] = NULL;
	return 0;
}

/* Sets NAME to value, replacing any earlier value. -1 when out of memory. */
static int env_set(struct shell_env *e, const char *name, const char *value)
{
	return env_put(e, name, strlen(name), value, strlen(value), NULL);
}

/* RFC 9110 5.6.2 tchar. */

/* "Name: value" -> HTTP_NAME (or CONTENT_TYPE / CONTENT_LENGTH): 0; -1 for a
 * line that is not a header (said on stderr); -2 when out of memory. */
static int put_header(struct shell_env *e, const char *prog, const char *line)
{
	const char *colon = strchr(line, ':');
	size_t name_len = colon ? (size_t)(colon - line) : 0;
	if (name_len == 0) {
		fprintf(stderr, "%s: header '%s' is not 'Name: value'\n", prog, line);
		return -1;
	}
	for (size_t i = 0; i < name_len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (!is_http_token((struct str){ line + i, 1 }) || c == '_') {
			fprintf(stderr,
				"%s: header name '%.*s' has '%c': a name is letters, digits and !#$%%&'*+-.^`|~ "
				"(no '_': HTTP_X_Y cannot tell X-Y from X_Y, so servers drop such names)\n",
				prog, (int)name_len, line, c);
			return -1;
		}
	}
	struct str value = str_trim(str_c(colon + 1));
	const char *v = value.p;
	size_t value_len = value.n;

	bool special = (name_len == 12 && strncasecmp(line, "Content-Type", 12) == 0) ||
		       (name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0);
	char *name = malloc(5 + name_len);
	if (name == NULL)
		return -2;
	size_t n = 0;
	if (!special) {
		memcpy(name, "HTTP_", 5);
		n = 5;
	}
	for (size_t i = 0; i < name_len; i++)
		name[n++] = line[i] == '-' ? '_' : (char)toupper((unsigned char)line[i]);
	bool cookie = name_len == 6 && strncasecmp(line, "Cookie", 6) == 0;
	/* A second Content-Length replaces the first; other repeats are joined. */
	const char *joiner = name_len == 14 && special ? NULL : cookie ? "; " : ", ";
	int rc = env_put(e, name, n, v, value_len, joiner) == 0 ? 0 : -2;
	free(name);
	return rc;
}

/* Splits "[METHOD] TARGET [PROTOCOL]" in place at single spaces into words[0..2]:
 * the number of words, or -1 for more than three, a double or a trailing space. */
static int split_request(char *line, char *words[3])
{
	int n = 0;
	for (char *p = line; *p != '\0';) {
		if (n == 3)
			return -1;
		words[n++] = p;
		char *sp = strchr(p, ' ');
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
		if (*p == '\0' || *p == ' ')
			return -1;
	}
	return n;
}

/* The request line's variables: 0; -1 for a line that is not
 * "[METHOD] /target [HTTP/x]" (said on stderr) or when out of memory. */
static int put_request_line(struct shell_env *e, const char *prog, const char *request)
{
	char *line = strdup(request);
	if (line == NULL)
		return -1;
	char *words[3] = { NULL, NULL, NULL };
	int n = split_request(line, words);
	const char *method = "GET", *target = NULL, *protocol = "HTTP/1.1";
	if (n == 1) {
		target = words[0];
	} else if (n >= 2) {
		method = words[0];
		target = words[1];
		if (n == 3)
			protocol = words[2];
	}
	int rc = -1;
	if (n < 1 || target[0] != '/') {
		fprintf(stderr, "%s: request '%s' is not '[METHOD] /path[?query] [HTTP/1.1]' (single spaces, "
				"the target starting with '/')\n", prog, request);
	} else if (strncmp(protocol, "HTTP/", 5) != 0) {
		fprintf(stderr, "%s: request '%s': the third word must be HTTP/1.0 or HTTP/1.1\n", prog, request);
	} else {
		char *hash = strchr(target, '#');
		if (hash != NULL)
			*hash = '\0';
		char *q = strchr(target, '?');
		rc = env_set(e, "SERVER_PROTOCOL", protocol) | env_set(e, "REQUEST_METHOD", method) |
		     env_set(e, "SCRIPT_NAME", "") | env_set(e, "REQUEST_URI", target) |
		     env_set(e, "QUERY_STRING", q ? q + 1 : "");
		if (rc != 0)
			fprintf(stderr, "%s: out of memory\n", prog);
	}
	free(line);
	return rc;
}

int shell_env_build(struct shell_env *e, const char *prog, const char *request, const char *const *headers,
		    size_t n_headers, long long body_len)
{
	/* What a web server says about itself and the connection: loopback, port 80. */
	if (env_set(e, "GATEWAY_INTERFACE", "CGI/1.1") | env_set(e, "SERVER_SOFTWARE", "app.cgi --request") |
	    env_set(e, "SERVER_NAME", "localhost") | env_set(e, "SERVER_PORT", "80") |
	    env_set(e, "REMOTE_ADDR", "127.0.0.1"))
		goto oom;
	if (put_request_line(e, prog, request) != 0)
		return -1;
	if (body_len >= 0) {
		char len[32];
		snprintf(len, sizeof len, "%lld", body_len);
		if (env_set(e, "CONTENT_LENGTH", len) != 0)
			goto oom;
	}
	for (size_t i = 0; i < n_headers; i++) {
		int rc = put_header(e, prog, headers[i]);
		if (rc == -2)
			goto oom;
		if (rc != 0)
			return -1;
	}
	return 0;
oom:
	fprintf(stderr, "%s: out of memory\n", prog);
	return -1;
}

/* Prints s as one shell word: as it is when every byte is plainly safe, else in single quotes. */
static void print_word(const char *s, FILE *out)
{
	if (s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_=/.,:+-@%")] == '\0') {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

void shell_env_print(const struct shell_env *e, FILE *out)
{
	for (size_t i = 0; i < e->n; i++) {
		print_word(e->vars[i], out);
		fputc('\n', out);
	}
}

void shell_env_free(struct shell_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->vars[i]);
	free(e->vars);
	*e = (struct shell_env){ 0 };
}
