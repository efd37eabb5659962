/* Test-only: the one in-memory transport for cgi_env_serve(), shared by the
 * unit tests and the fuzz harnesses. The body is read from memory in pieces of
 * at most `chunk` bytes (0: any size), as FastCGI's stdin records may arrive;
 * every write is appended to a malloc'd, NUL-terminated buffer and counted. */
#ifndef TESTS_SUPPORT_MEMORY_TRANSPORT_H
#define TESTS_SUPPORT_MEMORY_TRANSPORT_H

#include "cgi_env/cgi_env.h"

struct memory_transport {
	const char *in;
	size_t in_n, in_pos, chunk;
	char *out;       /* what was written, NUL-terminated; free() it */
	size_t out_n;
	int writes;
};

/* A transport that reads from and writes to t (which must outlive it). */
struct transport memory_transport(struct memory_transport *t);

#endif
