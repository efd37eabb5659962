/* The pool's scoreboard (php-fpm's fpm_scoreboard): one block of shared
 * memory made by the manager before it forks, one slot per worker, written
 * by that worker only, plus pool counters every process adds to atomically.
 * The manager reads it to grow and shrink the pool and to log slow requests;
 * the status page (status.c) reads it in whichever worker answers.
 *
 * A slot is written by the manager only while no worker owns it (before the
 * fork that starts its worker, after the wait that reaps it), and by its
 * worker only in between. Workers can write the whole mapping: its size is
 * kept in the manager's private memory, and nothing read from it decides
 * what the manager unmaps, kills or indexes.
 *
 * A slot's text fields are guarded by a sequence number (odd while being
 * written): readers copy the slot and retry until it is stable. */
#ifndef FCGI_SCOREBOARD_H
#define FCGI_SCOREBOARD_H

#include <stdbool.h>
#include <sys/types.h>

enum worker_state { WORKER_IDLE, WORKER_READING, WORKER_RUNNING };

struct scoreboard_slot {
	unsigned seq;              /* odd while the worker writes the slot */
	pid_t pid;                 /* 0: free */
	int state;                 /* enum worker_state */
	unsigned long requests;    /* served by this worker */
	long long started_ms;      /* monotonic: when the worker started */
	long long request_ms;      /* monotonic: when the current request began, or the last one ended */
	unsigned long request_no;  /* how many requests began in this slot: tells one from the next */
	char method[16];
	char path[128];
	int streaming;             /* the current request's streamed answer has begun (atomic) */
};

struct scoreboard {
	long long started_ms;      /* monotonic: when the pool started */
	unsigned long accepted;    /* connections accepted */
	unsigned long requests;    /* requests served */
	unsigned max_active;       /* the most workers reading or running at once (counted from the slots) */
	unsigned long restarts;    /* workers replaced (died, retired, timed out) */
	unsigned long timeouts;    /* requests cut by --request-timeout */
	unsigned long slow;        /* requests logged by --slow-request */
	unsigned long shed;        /* requests answered 503 by --max-queue-wait (worker/queue_wait.h) */
	unsigned long rss_recycles;/* workers replaced for --max-worker-rss (worker/rss.h) */
	unsigned long consecutive_failures; /* workers dead in a row without serving (manager/crash_loop.h) */
	int min_workers, max_workers;
	int stop_cut;              /* the stop deadline passed: a worker streaming an answer cuts it and exits (atomic) */
	struct scoreboard_slot slots[];
};

/* Maps a zeroed scoreboard with nslots slots, shared with every child forked
 * afterwards. Returns NULL (after saying why) if the memory cannot be had. */
struct scoreboard *scoreboard_create(int nslots, int min_workers, int max_workers);

/* Unmaps it (the manager, at exit), with the size it was made with, whatever
 * the mapping now says. NULL is ignored. */
void scoreboard_destroy(struct scoreboard *sb);

/* How many slots the board has (from this process's memory, not the mapping). */
int scoreboard_slots(const struct scoreboard *sb);

/* Manager, before the fork that starts a worker in slot i: the slot made
 * fresh (idle, no requests, no pid yet). NULL board or a bad i: no-op. */
void scoreboard_worker_forking(struct scoreboard *sb, int i);

/* The new worker, first thing: slot i is its own (pid: getpid()). */
void scoreboard_worker_started(struct scoreboard *sb, int i, pid_t pid);

/* Manager, once slot i's worker has been reaped: the slot is free (whatever
 * the worker left in it). replaced: it counts as a restart. */
void scoreboard_worker_gone(struct scoreboard *sb, int i, bool replaced);

/* Worker (the one owning slot i): a connection was accepted. */
void scoreboard_accepted(struct scoreboard *sb);

/* Worker: a request's head arrived (max_active is raised to the number of
 * slots now reading or running, if more). */
void scoreboard_request_reading(struct scoreboard *sb, int i);

/* Worker: its current request's streamed answer has begun (a piece went out);
 * scoreboard_request_reading/done clear it. */
void scoreboard_request_streaming(struct scoreboard *sb, int i);

/* Manager: whether slot i's worker is streaming an answer (it is then given
 * time to cut it itself rather than be killed: prefork.c STOP_CUT_MS). */
bool scoreboard_streaming(const struct scoreboard *sb, int i);

/* Worker: its parameters are in (method and path may be NULL; they are cut to fit). */
void scoreboard_request_running(struct scoreboard *sb, int i, const char *method, const char *path);

/* Worker: the request is over; answered: it counts as served. */
void scoreboard_request_done(struct scoreboard *sb, int i, bool answered);

/* Copies slot i as of one moment (retrying while its worker writes it). */
void scoreboard_read_slot(const struct scoreboard *sb, int i, struct scoreboard_slot *out);

/* Workers busy (reading or running) and idle among the live slots. */
void scoreboard_count(const struct scoreboard *sb, int *busy, int *idle);

#endif
