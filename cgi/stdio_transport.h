/* Byte streams for cgi_env_serve in the CGI binary: the request body
 * from stdin or from memory, the response to stdout. */
#ifndef CGI_STDIO_TRANSPORT_H
#define CGI_STDIO_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads up to n bytes from stdin, retrying on EINTR: bytes read, 0 at end, -1 on error. ctx is unused. */
ssize_t stdin_read(void *ctx, char *p, size_t n);

/* Writes all n bytes to stdout, retrying on EINTR and short writes: 0, or -1
 * when stdout fails (a client gone away). ctx is unused. */
int stdout_write(void *ctx, const char *p, size_t n);

/* The shell tool's streams: the body from memory, the response to stdout with
 * its last byte remembered (to end a terminal's output with a newline). */
struct memory_io {
	const char *body;
	size_t n, off;
	bool wrote;  /* anything written */
	char last;   /* the last byte written */
};

/* Reads up to n more bytes of the memory_io ctx's body: bytes copied, 0 once all are read. */
ssize_t memory_io_read(void *ctx, char *p, size_t n);

/* stdout_write, remembering in the memory_io ctx the last byte written. */
int memory_io_write(void *ctx, const char *p, size_t n);

#endif
