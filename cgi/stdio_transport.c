#include "stdio_transport.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/sysio.h"

ssize_t stdin_read(void *ctx, char *p, size_t n)
{
	(void)ctx;
	ssize_t r;
	do
		r = read(STDIN_FILENO, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int stdout_write(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return write_all(STDOUT_FILENO, p, n);
}

ssize_t memory_io_read(void *ctx, char *p, size_t n)
{
	struct memory_io *io = ctx;
	size_t left = io->n - io->off;
	if (n > left)
		n = left;
	if (n > 0)
		memcpy(p, io->body + io->off, n);
	io->off += n;
	return (ssize_t)n;
}

int memory_io_write(void *ctx, const char *p, size_t n)
{
	struct memory_io *io = ctx;
	if (stdout_write(NULL, p, n) != 0)
		return -1;
	if (n > 0) {
		io->wrote = true;
		io->last = p[n - 1];
	}
	return 0;
}
