/* Gathering access lines in a FastCGI worker: one write(2) per request is a
 * tenth of its work. After log_gather_start(fd), the lines app/'s logger
 * (http/log.h) writes to fd are held in a buffer of PIPE_BUF bytes, whole
 * lines only, and written together, in order, with one write when the next
 * would not fit, on log_gather_flush(), or by the timer thread with
 * log_gather_try_flush_stale() once the oldest is LOG_GATHER_HOLD_MS old. The
 * worker flushes before it waits for work and before it exits; lines held when
 * a process dies by a signal are lost (nginx's access_log buffer= is the same).
 * Lines to other fds are written at once. Thread-safe (one lock, uncontended
 * in a worker but for its timer's ticks). */
#ifndef FCGI_WORKER_LOG_GATHER_H
#define FCGI_WORKER_LOG_GATHER_H

#include <stdbool.h>

#define LOG_GATHER_HOLD_MS 1000

/* Holds the lines for fd from now on (log_set_writer()), after writing what
 * was held for the fd before; -1: each line is written at once again. */
void log_gather_start(int fd);

/* Whether lines are held. */
bool log_gather_pending(void);

/* Writes the held lines. */
void log_gather_flush(void);

/* The same unless another thread is using the buffer (then nothing). */
void log_gather_try_flush(void);

/* log_gather_try_flush() once the oldest held line is LOG_GATHER_HOLD_MS old
 * (now: CLOCK_MONOTONIC milliseconds, core/sysio.h now_ms()). */
void log_gather_try_flush_stale(long long now);

#endif
