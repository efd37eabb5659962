/* A worker's per-request deadlines, enforced inside the worker (so they hold
 * under lighttpd or spawn-fcgi as well as under our own manager):
 *
 *  - read timeout: the request's parameters and body must arrive within S
 *    seconds of its first byte, or the connection is shut down (every read
 *    on it returns end of file at once) and the worker goes back to work;
 *  - request timeout: a request still running after S seconds is answered
 *    504 {"detail":"Request timed out"} if nothing was sent yet, the event is
 *    logged, and the worker is replaced: it exits with WORKER_EXIT_TIMEOUT
 *    under our manager, or re-executes itself (same pid, same listening
 *    socket on fd 0) when spawned.
 *
 * Both run from the SIGALRM handler of one CLOCK_MONOTONIC timer that ticks
 * while requests run (a tenth of the shorter timeout, 50 ms to 1 s: a deadline
 * is met at most one tick late) and stops after a second idle, so a request
 * costs no system call here: the functions below only store its deadlines and
 * identity. The handler does only async-signal-safe work (shutdown, write,
 * poll, read, timer_settime, execve, _exit); it also writes buffered log lines
 * older than a second (log_flush_stale_from_signal). */
#ifndef FCGI_TIMEOUTS_H
#define FCGI_TIMEOUTS_H

#include <stdbool.h>

/* Exit status of a worker replaced after a request timeout. */
#define WORKER_EXIT_TIMEOUT 4

/* Sets up the timer and the SIGALRM handler. read_s / request_s: 0 = none
 * (with neither, the timer still ticks for the held log lines).
 * reexec_argv: when not NULL, a timed-out worker execs /proc/self/exe with
 * it instead of exiting. timeouts_seen, if not NULL, is added 1 (atomically:
 * it is the shared scoreboard's) on each request timeout. Returns -1 (after
 * saying why) if no timer can be made. */
int timeouts_init(int read_s, int request_s, char *const *reexec_argv, unsigned long *timeouts_seen);

/* A request starts on connection fd (its first byte is waiting): sets both
 * deadlines, and starts the timer ticking if it had stopped. */
void timeouts_request_begin(int fd);

/* The parameters are in: a request timeout answers 504 with this request id,
 * and its log line names method and path (either may be NULL; control bytes
 * are replaced then). Both strings must live until timeouts_request_end(). */
void timeouts_request_known(int request_id, const char *method, const char *path);

/* The request's input is complete (or no more will be read): the read deadline is off. */
void timeouts_input_done(void);

/* The first response byte is about to be written: a timeout can no longer answer 504. */
void timeouts_response_started(void);

/* The request is over: its deadlines no longer apply. Returns whether the read deadline cut it. */
bool timeouts_request_end(void);

/* Frees the timers. */
void timeouts_close(void);

#endif
