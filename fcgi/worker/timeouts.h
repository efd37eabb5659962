/* A worker's per-request deadlines, enforced inside the worker (so they hold
 * under lighttpd or spawn-fcgi as well as under our own manager):
 *
 *  - read timeout: the request's parameters and body must arrive within S
 *    seconds of its first byte, or the connection is shut down (every read
 *    on it returns end of file at once) and the worker goes back to work;
 *  - request timeout: a request still running after S seconds is answered
 *    504 {"detail":"Request timed out"} if nothing was sent yet (a streamed
 *    answer that has begun is cut so that it cannot look complete), the event is
 *    logged, and the worker is replaced: it exits with WORKER_EXIT_TIMEOUT
 *    under our manager, or re-executes itself (same pid, same listening
 *    socket on fd 0) when spawned.
 *
 * Both are kept by a timer thread that ticks while requests run (a tenth of
 * the shorter timeout, 50 ms to 1 s: a deadline is met at most one tick
 * late) and sleeps after a second idle. The main thread is never interrupted
 * by a signal (a blocking write cut short by one would truncate an answer):
 * the functions below only store the request's state under a lock that is
 * uncontended but for the ticks, so a request costs no system call here.
 * On a request timeout the thread answers and replaces the process itself.
 * The same ticks write access lines held for a second (log_gather_try_flush_stale). */
#ifndef FCGI_TIMEOUTS_H
#define FCGI_TIMEOUTS_H

#include <stdbool.h>

/* Exit status of a worker replaced after a request timeout. */
#define WORKER_EXIT_TIMEOUT 4
/* Exit status of a worker that cut its streamed answer at the manager's stop deadline. */
#define WORKER_EXIT_STOP_CUT 5

/* Starts the timer thread (every signal blocked in it). read_s / request_s: 0 = none
 * (with neither, the timer still ticks for the held log lines).
 * reexec_argv: when not NULL, a timed-out worker execs /proc/self/exe with
 * it instead of exiting. timeouts_seen, if not NULL, is added 1 (atomically:
 * it is the shared scoreboard's) on each request timeout. Returns -1 (after
 * saying why) if the thread cannot be started. */
int timeouts_init(int read_s, int request_s, char *const *reexec_argv, unsigned long *timeouts_seen);

/* Under our manager: once *stop_cut is not 0 (the manager's stop deadline
 * passed: manager/scoreboard.h), a request whose streamed answer has begun
 * is cut at the next tick (as fcgi_cut_stream does, unless inside a write),
 * said in the log, and the worker exits WORKER_EXIT_STOP_CUT rather than
 * wait to be killed (a bare close that nginx would pass on as the end). */
void timeouts_watch_stop(const int *stop_cut);

/* A request starts on connection fd (its first byte is waiting): sets both
 * deadlines from now (CLOCK_MONOTONIC ms, read by the caller: now_ms()), and
 * starts the timer ticking if it had stopped. */
void timeouts_request_begin(int fd, long long now);

/* The parameters are in: a request timeout answers 504 with this request id,
 * and its log line names method and path (either may be NULL; control bytes
 * are replaced then). Both strings must live until timeouts_request_end().
 * input_done: the request has no body, as timeouts_input_done() in the same
 * hold of the lock. */
void timeouts_request_known(int request_id, const char *method, const char *path, bool input_done);

/* The request's input is complete (or no more will be read): the read deadline is off. */
void timeouts_input_done(void);

/* The first response byte is about to be written: a timeout can no longer
 * answer 504. After a request timeout this waits until the process is replaced. */
void timeouts_response_started(void);

/* A streamed answer's head or piece has been flushed whole (the next write
 * calls timeouts_response_started() again): a request timeout until then
 * cuts the answer as close.h fcgi_cut_stream does instead of a bare close.
 * After a request timeout this waits until the process is replaced. */
void timeouts_stream_flushed(void);

/* The answer is out but the request's input is not all in (a refused body):
 * while it is drained the read deadline holds again (the request deadline no
 * longer: nothing more will be answered), until timeouts_request_end(). */
void timeouts_input_pending(void);

/* The request is over at now (now_ms(), read by the caller): its deadlines no
 * longer apply. Returns whether the read deadline cut it. */
bool timeouts_request_end(long long now);

/* Stops the timer thread and frees what init took. */
void timeouts_close(void);

#endif
