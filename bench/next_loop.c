/* The floor for exec -> first GET /next: a 20-line Lambda runtime loop that does
 * nothing but ask the Runtime API ($AWS_LAMBDA_RUNTIME_API, host:port as an IPv4
 * literal) for the next invocation, forever (bench/first_next.c measures it). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	char host[64], req[160], buf[4096];
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	const char *colon = api ? strrchr(api, ':') : NULL;
	if (colon == NULL || (size_t)(colon - api) >= sizeof host)
		return 2;
	snprintf(host, sizeof host, "%.*s", (int)(colon - api), api);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return 1;
	int n = snprintf(req, sizeof req, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
	for (;;)
		if (write(fd, req, (size_t)n) != n || read(fd, buf, sizeof buf) <= 0)
			return 1;
}
