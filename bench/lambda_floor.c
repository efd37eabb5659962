/* The floor for a Lambda runtime's start: a bare Runtime API loop in C, no
 * libcurl, no JSON, nothing else. bench/lambda.py times it from spawn to its
 * first GET /next, beside build/bootstrap. Each request is one connection:
 *   GET  /2018-06-01/runtime/invocation/next           -> an event and its id
 *   POST /2018-06-01/runtime/invocation/ID/response    "{}"
 * It exits when the Runtime API goes away. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char host[256], port[16];

/* Sends req on a new connection; reads the whole answer into buf. Returns its length, or -1. */
static int exchange(const char *req, char *buf, int size)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, ai->ai_socktype, 0), n = 0, got;
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 || write(fd, req, strlen(req)) < 0)
		n = -1;
	while (n >= 0 && n < size - 1 && (got = (int)read(fd, buf + n, (size_t)(size - 1 - n))) > 0)
		n += got;
	freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int main(void)
{
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	if (api == NULL || sscanf(api, "%255[^:]:%15s", host, port) != 2)
		return 2;
	static char buf[1 << 20], req[512];
	snprintf(req, sizeof req, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", api);
	for (;;) {
		if (exchange(req, buf, sizeof buf) <= 0)
			return 0;
		const char *id = strstr(buf, "Lambda-Runtime-Aws-Request-Id: ");
		if (id == NULL)
			return 1;
		char rid[128];
		if (sscanf(id + 31, "%127[^\r\n]", rid) != 1)
			return 1;
		char post[512];
		snprintf(post, sizeof post,
			 "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
			 "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
			 rid, api);
		if (exchange(post, buf, sizeof buf) <= 0)
			return 1;
	}
}
