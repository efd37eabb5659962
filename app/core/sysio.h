/* OS plumbing every target needs, in one place: the monotonic clock, and
 * reading and writing a whole buffer with interrupted calls (EINTR) and short
 * reads and writes handled once. Blocking descriptors: a non-blocking one
 * that would block (EAGAIN) is a failure here; code that waits for it with
 * poll() and a deadline keeps its own loop (lambda/http1.c, fcgi/worker/close.c). */
#ifndef APP_CORE_SYSIO_H
#define APP_CORE_SYSIO_H

#include <stddef.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in milliseconds: a step of the wall clock moves nothing here. */
long long now_ms(void);

/* CLOCK_MONOTONIC in microseconds (durations in log lines). */
long long now_us(void);

/* Writes all n bytes of p to fd, again after EINTR and after a short write.
 * 0 when all went; -1 on any other error (errno says which; a write of 0
 * bytes is EIO), with an unknown part written. */
int write_all(int fd, const void *p, size_t n);

/* Reads until n bytes are in p or the input ends, again after EINTR. The
 * number of bytes read (less than n only at the end of the input), or -1 on
 * an error (errno says which; what was read before it is lost). */
ssize_t read_full(int fd, void *p, size_t n);

#endif
