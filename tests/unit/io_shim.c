/* The unit tests' write and read shim (io_shim.h). */
#include "unit/io_shim.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

struct io_shim shim = { .fd = -1 };

ssize_t __real_write(int fd, const void *p, size_t n);
ssize_t __real_read(int fd, void *p, size_t n);
ssize_t __wrap_write(int fd, const void *p, size_t n);
ssize_t __wrap_read(int fd, void *p, size_t n);

/* Whether the shim acts on fd. */
static bool chosen(int fd)
{
	if (shim.fd >= 0 && fd == shim.fd)
		return true;
	struct stat st;
	return shim.ino != 0 && fstat(fd, &st) == 0 && st.st_ino == shim.ino;
}

/* -1 with errno when this call is to fail; else the bytes it may move. */
static ssize_t allowed(size_t n)
{
	shim.calls++;
	if (shim.eintr > 0) {
		shim.eintr--;
		errno = EINTR;
		return -1;
	}
	if (shim.eagain_every > 0 && shim.calls % shim.eagain_every == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)(n < shim.most ? n : shim.most);
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
	if (!chosen(fd))
		return __real_write(fd, p, n);
	ssize_t most = allowed(n);
	return most < 0 ? -1 : __real_write(fd, p, (size_t)most);
}

ssize_t __wrap_read(int fd, void *p, size_t n)
{
	if (!chosen(fd))
		return __real_read(fd, p, n);
	ssize_t most = allowed(n);
	return most < 0 ? -1 : __real_read(fd, p, (size_t)most);
}
