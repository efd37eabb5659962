/* The unit tests' -Wl,--wrap=write,--wrap=read shim (mk/structure.mk): on one
 * chosen descriptor (fd), or on every descriptor of one chosen pipe (ino: the
 * pipe's inode, for a descriptor the code under test opened itself), the
 * first `eintr` calls fail with EINTR, then every `eagain_every`-th call fails
 * with EAGAIN (0: none does), and each other call moves at most `most` bytes
 * (0: none, the call returns 0). Every other descriptor is left alone. */
#ifndef TESTS_UNIT_IO_SHIM_H
#define TESTS_UNIT_IO_SHIM_H

#include <stddef.h>
#include <sys/types.h>

struct io_shim {
	int fd; /* -1: none */
	ino_t ino; /* 0: none */
	int eintr;
	int eagain_every;
	size_t most;
	int calls;
};
extern struct io_shim shim;

#endif
