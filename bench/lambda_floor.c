/* The floor for a Lambda runtime: a bare Runtime API loop in C that does only what
 * every runtime must, and nothing else (no libcurl, no JSON, no name lookup). On
 * one kept-alive connection to $AWS_LAMBDA_RUNTIME_API (host:port, an IPv4
 * literal, as Lambda sets it) it asks for an invocation and answers it, until the
 * Runtime API goes away:
 *   GET  /2018-06-01/runtime/invocation/next           -> an event (read and dropped) and its id
 *   POST /2018-06-01/runtime/invocation/ID/response    "{}"
 * Its start is what the bootstrap's is held against, in both benchmarks:
 *   bench/first_next.sh ("loop"): exec -> the first GET /next's headers on a bare
 *     socket (bench/first_next.c), which never answers;
 *   bench/lambda.py --floor (make bench-lambda, make bench): spawn -> first /next
 *     through the Runtime API emulator, which hands out an event and ends its run
 *     once it is answered.
 * Exit status: 0 when the Runtime API closes the connection while asked for the
 * next invocation, 1 on anything else it does wrong, 2 for a bad $AWS_LAMBDA_RUNTIME_API. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static char head[65536]; /* the last answer's status line and headers, NUL-terminated */

static bool send_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* The value of header name in head (the status line skipped) into out; false when absent. */
static bool header(const char *name, char *out, size_t size)
{
	size_t len = strlen(name);
	for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
		const char *p = line + 2;
		if (strncasecmp(p, name, len) != 0 || p[len] != ':')
			continue;
		for (p += len + 1; *p == ' ' || *p == '\t'; p++)
			;
		size_t n = strcspn(p, "\r\n");
		if (n >= size)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* Reads one answer: status line and headers into head, the body (Content-Length
 * bytes) read and dropped. 0; 1 when the connection ended before any byte; -1 when
 * it ended midway or the answer is malformed. */
static int read_answer(void)
{
	size_t n = 0;
	char *end = NULL;
	while (end == NULL) {
		if (n == sizeof head - 1)
			return -1;
		ssize_t r = read(fd, head + n, sizeof head - 1 - n);
		if (r <= 0)
			return n == 0 ? 1 : -1;
		n += (size_t)r;
		head[n] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	size_t have = n - (size_t)(end + 4 - head), body = 0;
	end[2] = '\0';
	char value[32];
	if (header("Content-Length", value, sizeof value))
		body = strtoul(value, NULL, 10);
	if (have > body)
		return -1; /* one request at a time: nothing may follow the body */
	while (have < body) {
		char sink[65536];
		ssize_t r = read(fd, sink, body - have < sizeof sink ? body - have : sizeof sink);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	return 0;
}

int main(void)
{
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	const char *colon = api != NULL ? strrchr(api, ':') : NULL;
	char host[64];
	if (colon == NULL || strlen(api) >= sizeof host)
		return 2;
	snprintf(host, sizeof host, "%.*s", (int)(colon - api), api);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1)) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return 1;
	char next[160], post[512], id[128];
	int next_n = snprintf(next, sizeof next, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n",
			      api);
	for (;;) {
		if (!send_all(next, (size_t)next_n))
			return 1;
		int got = read_answer();
		if (got != 0)
			return got == 1 ? 0 : 1;
		if (strncmp(head, "HTTP/1.1 200 ", 13) != 0 || !header("Lambda-Runtime-Aws-Request-Id", id, sizeof id))
			return 1;
		int post_n = snprintf(post, sizeof post,
				      "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
				      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
				      id, api);
		if (!send_all(post, (size_t)post_n) || read_answer() != 0 || strncmp(head, "HTTP/1.1 202 ", 13) != 0)
			return 1;
	}
}
