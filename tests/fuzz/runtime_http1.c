/* libFuzzer harness: the bootstrap's HTTP/1.1 client (lambda/http1.c) reading what
 * a Runtime API sends back for one GET /next: the input is every byte of the
 * answer, over a socketpair, then the end of the stream. Seeds:
 * tests/fuzz/corpus/runtime_http1/. Checked: no out-of-bounds read, no hang (the
 * stream always ends); on success a final status (200 to 599: 1xx are skipped),
 * at most HTTP1_MAX_HEADER_LINES headers, a
 * NUL-terminated body no longer than the input, header names without spaces, tabs
 * or colons; on failure a reason and a closed connection. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "http1.h"

/* What one socketpair buffers without a reader: the answer is written before it is read. */
#define MAX_INPUT 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0, "fcntl");
	for (size_t off = 0; off < size;) {
		ssize_t n = write(sv[1], data + off, size - off);
		CHECK(n > 0, "write to the socketpair");
		off += (size_t)n;
	}
	shutdown(sv[1], SHUT_WR);

	struct http1 c;
	/* Port 1 on loopback refuses: a "reopened" connection fails at once. */
	CHECK(http1_init(&c, "127.0.0.1:1") == 0, "http1_init");
	c.fd = sv[0];
	struct arena a;
	arena_init(&a);
	struct http1_response res;
	enum http1_status st = http1_exchange(&c, &a, "GET", "/2018-06-01/runtime/invocation/next", NULL,
					      STR_LIT(""), 5000, 1u << 20, &res);
	if (st == HTTP1_OK) {
		CHECK(res.status >= 200 && res.status <= 599, "final status %d", res.status);
		CHECK(res.headers.n <= HTTP1_MAX_HEADER_LINES, "%zu header lines", res.headers.n);
		CHECK(res.body.p != NULL && res.body.n <= size && res.body.p[res.body.n] == '\0', "body of %zu bytes",
		      res.body.n);
		for (size_t i = 0; i < res.headers.n; i++) {
			struct str name = res.headers.items[i].name;
			CHECK(name.n > 0 && !fuzz_find(name.p, name.n, " ", 1) && !fuzz_find(name.p, name.n, "\t", 1) &&
				      !fuzz_find(name.p, name.n, ":", 1),
			      "header name '%.*s'", (int)name.n, name.p);
		}
	} else {
		CHECK(st == HTTP1_FAILED || st == HTTP1_TIMED_OUT, "status %d", st);
		CHECK(c.error[0] != '\0', "a failure without a reason");
		CHECK(c.fd == -1, "a failed exchange left the connection open");
	}
	http1_close(&c);
	close(sv[1]);
	arena_release(&a);
	return 0;
}
