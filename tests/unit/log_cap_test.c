/* Issue 27 item 3: every string field of a log line is cut to its cap (after
 * escaping, at a character boundary, with "...(+N bytes)"), so that a whole
 * line is at most LOG_LINE_MAX <= PIPE_BUF bytes: one atomic write to a pipe. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/log.h"

static int fds[2];
static char got[65536];
static char *big[8];

static void setup(void)
{
	cr_assert_eq(pipe(fds), 0);
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

static void teardown(void)
{
	close(fds[0]);
	close(fds[1]);
	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
		free(big[i]);
		big[i] = NULL;
	}
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(log_cap, .init = setup, .fini = teardown);

/* n bytes of c (slot k of big[]). */
static struct str filled(size_t k, char c, size_t n)
{
	big[k] = malloc(n);
	memset(big[k], c, n);
	return (struct str){ big[k], n };
}

static const char *drain(size_t *n)
{
	ssize_t got_n = read(fds[0], got, sizeof got - 1);
	*n = got_n > 0 ? (size_t)got_n : 0;
	got[*n] = '\0';
	return got;
}

/* The number in value's "...(+N bytes)" end, or -1 when it has none. */
static long cut_of(const char *value)
{
	const char *m = strstr(value, "...(+");
	long n = -1;
	if (m == NULL || sscanf(m, "...(+%ld bytes)", &n) != 1 || strcmp(strchr(m, ')'), ")") != 0)
		return -1;
	return n;
}

/* The request and worse: every field tens of KB, the agent 32 000 bytes of 0xFF. */
static struct log_access hostile(void)
{
	return (struct log_access){
		.target = "fcgi",
		.method = filled(0, 'M', 5000),
		.path = filled(1, '/', 40000),
		.query = filled(2, 'q', 40000),
		.request_id = filled(3, 'r', 5000),
		.trace_id = filled(4, 't', 5000),
		.client = filled(5, 'c', 5000),
		.user_agent = filled(6, '\xff', 32000),
		.status = 599,
		.bytes = (size_t)-1,
		.duration_us = 0x7fffffffffffffffLL,
	};
}

Test(log_cap, a_line_of_huge_fields_fits_one_atomic_write)
{
	struct log_access a = hostile();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	size_t n;
	const char *line = drain(&n);
	cr_assert(n <= LOG_LINE_MAX && LOG_LINE_MAX <= PIPE_BUF, "%zu bytes", n);
	cr_assert_eq(strchr(line, '\n'), line + n - 1, "one line");
	cJSON *doc = cJSON_Parse(line);
	cr_assert_not_null(doc, "not JSON: %s", line);
	static const struct { const char *key; size_t slot, original, cap; } fields[] = {
		{ "method", 0, 5000, LOG_CAP_SHORT },   { "path", 1, 40000, LOG_CAP_URL },
		{ "query", 2, 40000, LOG_CAP_URL },     { "request_id", 3, 5000, LOG_CAP_ID },
		{ "trace_id", 4, 5000, LOG_CAP_ID },    { "client", 5, 5000, LOG_CAP_SHORT },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = cJSON_GetObjectItemCaseSensitive(doc, fields[i].key)->valuestring;
		long cut = cut_of(v);
		size_t kept = (size_t)(strstr(v, "...(+") - v);
		cr_assert(cut > 0 && kept + (size_t)cut == fields[i].original, "%s: kept %zu, cut %ld", fields[i].key, kept,
			  cut);
		cr_assert(strlen(v) <= fields[i].cap, "%s: %zu bytes", fields[i].key, strlen(v));
	}
	/* 0xFF: one U+FFFD (6 escaped bytes) each; 80 fit in 512 less the marker. */
	const char *ua = cJSON_GetObjectItemCaseSensitive(doc, "user_agent")->valuestring;
	cr_assert_eq(cut_of(ua), 32000 - 80, "%s", ua);
	cJSON_Delete(doc);
}

Test(log_cap, text_lines_fit_too)
{
	log_configure(LOG_FORMAT_TEXT, LOG_INFO);
	struct log_access a = hostile();
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	size_t n;
	const char *line = drain(&n);
	cr_assert(n <= LOG_LINE_MAX, "%zu bytes", n);
	cr_assert_eq(strchr(line, '\n'), line + n - 1, "one line");
	cr_assert_not_null(strstr(line, "...(+"));
}

Test(log_cap, event_lines_fit_too)
{
	struct str message = filled(0, 'm', 100000);
	char *text = malloc(message.n + 1);
	memcpy(text, message.p, message.n);
	text[message.n] = '\0';
	cr_assert_eq(log_event(fds[1], LOG_ERROR, "fcgi", filled(1, 'r', 5000), text), 0);
	free(text);
	size_t n;
	const char *line = drain(&n);
	cr_assert(n <= LOG_LINE_MAX, "%zu bytes", n);
	cJSON *doc = cJSON_Parse(line);
	cr_assert_not_null(doc);
	cr_assert(cut_of(cJSON_GetObjectItemCaseSensitive(doc, "message")->valuestring) > 0);
	cJSON_Delete(doc);
}

/* The cap itself: a value that fits exactly is whole; one byte more is cut. */
Test(log_cap, a_value_at_the_cap_is_whole_one_past_it_is_cut)
{
	struct log_access a = { .target = "cgi", .method = STR_LIT("GET"), .path = filled(0, 'p', LOG_CAP_URL) };
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	size_t n;
	cJSON *doc = cJSON_Parse(drain(&n));
	const char *path = cJSON_GetObjectItemCaseSensitive(doc, "path")->valuestring;
	cr_assert_eq(strlen(path), LOG_CAP_URL);
	cr_assert_eq(cut_of(path), -1);
	cJSON_Delete(doc);
	a.path = filled(1, 'p', LOG_CAP_URL + 1);
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	doc = cJSON_Parse(drain(&n));
	path = cJSON_GetObjectItemCaseSensitive(doc, "path")->valuestring;
	cr_assert_eq(cut_of(path), 33, "%s", path); /* 1025 - (1024 - 32) */
	cJSON_Delete(doc);
}

/* A cut never splits a UTF-8 sequence nor an escape. */
Test(log_cap, a_cut_keeps_whole_characters)
{
	static char path[1200];
	for (size_t i = 0; i < sizeof path; i += 2)
		memcpy(path + i, "\xc3\xa9", 2);
	struct log_access a = { .target = "cgi", .method = STR_LIT("GET"), .path = { path, sizeof path } };
	cr_assert_eq(log_access_write(fds[1], &a), 0);
	size_t n;
	cJSON *doc = cJSON_Parse(drain(&n));
	cr_assert_not_null(doc);
	const char *v = cJSON_GetObjectItemCaseSensitive(doc, "path")->valuestring;
	size_t kept = (size_t)(strstr(v, "...(+") - v);
	cr_assert_eq(kept % 2, 0);
	cr_assert_eq(kept + (size_t)cut_of(v), sizeof path);
	cr_assert(strncmp(v + kept - 2, "\xc3\xa9", 2) == 0);
	cJSON_Delete(doc);
}
