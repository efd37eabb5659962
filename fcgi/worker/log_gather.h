/* Gathering access lines in a FastCGI worker: one write(2) per request is a
 * tenth of its work. After log_gather_start(fd), the lines app/'s logger
 * (http/log.h) writes to fd are held in a buffer of PIPE_BUF bytes, whole
 * lines only, and written together, in order, with one write when the next
 * would not fit, on log_gather_flush(), or by the timer thread with
 * log_gather_try_flush_stale() once the oldest is LOG_GATHER_HOLD_MS old. The
 * worker flushes before it waits for work and before it exits; lines held when
 * a process dies by a signal are lost (nginx's access_log buffer= is the same).
 * Lines to other fds are written at once. Thread-safe (one lock, uncontended
 * in a worker but for its timer's ticks).
 *
 * A full fd (a log reader that is slow) loses nothing and stops no deadline:
 * a short write or EAGAIN leaves the rest held, in order, for the next flush.
 * The main thread's flushes wait for room up to LOG_STALL_MS, without the
 * lock; a reader that takes nothing for that long (a pipe nobody reads) is
 * stalled: the lines that do not fit are dropped, and nothing waits for the
 * fd again until it takes bytes (the worker serves on); the timer thread's never wait
 * and never block in write(2): they write through a description of fd of our
 * own that is non-blocking (fd's flags, shared with other processes, are not
 * touched; a socket: MSG_DONTWAIT), and write nothing when that cannot be
 * had (then the main thread writes the lines after its request). */
#ifndef FCGI_WORKER_LOG_GATHER_H
#define FCGI_WORKER_LOG_GATHER_H

#include <stdbool.h>
#include <stddef.h>

#define LOG_GATHER_HOLD_MS 1000

/* How long the main thread waits for room in a full fd before it is stalled. */
#define LOG_STALL_MS 5000

/* Holds the lines for fd from now on (log_set_writer()), after writing what
 * was held for the fd before; -1: each line is written at once again. */
void log_gather_start(int fd);

/* Whether lines are held. */
bool log_gather_pending(void);

/* Writes the held lines, waiting for the fd up to LOG_STALL_MS, not at all
 * when it is stalled (main thread). */
void log_gather_flush(void);

/* Writes what the fd takes now, never waiting for it nor for another thread
 * using the buffer; the rest stays held (timer thread). */
void log_gather_try_flush(void);

/* log_gather_try_flush() once the oldest held line is LOG_GATHER_HOLD_MS old
 * (now: CLOCK_MONOTONIC milliseconds, core/sysio.h now_ms()). */
void log_gather_try_flush_stale(long long now);

/* Before the process ends (a request timeout, on the timer thread): waits up
 * to within_ms in all for the buffer (the main thread may be using it) and
 * for room in the fd, and writes the held lines and then line (for the held
 * fd). 0 when all went; -1 when not (what is left is lost with the process),
 * or when no fd is held. */
int log_gather_flush_last(const char *line, size_t n, int within_ms);

#endif
