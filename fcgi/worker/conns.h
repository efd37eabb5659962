/* A worker's open connections: those accepted whose request head has not all
 * arrived yet, and those a web server keeps open between requests. A
 * connection is handed to libfcgi only once a whole request head
 * (BEGIN_REQUEST and every PARAMS record up to the empty one) is buffered in
 * the socket, seen with MSG_PEEK without taking it: a client that sends part
 * of a head and stalls costs a slot here, not the worker. */
#ifndef FCGI_CONNS_H
#define FCGI_CONNS_H

#include <stdbool.h>

/* Connections one worker keeps open at once. When full, the one idle the
 * longest (first those that never sent a request) is closed for a new one. */
#define MAX_CONNS 64

/* How long a worker waits for a connection it has just accepted to send its
 * request head before it takes the next one from the backlog. A worker thus
 * holds at most one connection that may carry a request it has not begun,
 * beside the one it serves, and a SIGKILL costs at most that (php-fpm loses
 * the request in hand). A client slower than this is kept waiting in the set
 * (parked) while the worker goes on accepting; while one is parked, the
 * worker does not wait for new connections at all (conns_fresh_wait). */
#define FIRST_HEAD_MS 200

struct conn {
	int fd;
	bool served;          /* has sent at least one request */
	bool tcp;             /* poll honours SO_RCVLOWAT on it */
	int lowat;            /* SO_RCVLOWAT set while a head is partial (0: default) */
	long long idle_since; /* monotonic ms: accepted or last request finished */
	long long head_since; /* when part of the next head was first seen (0: none) */
	long long peek_at;    /* unix socket with a partial head: look again then (0: when readable) */
};

struct conn_set {
	struct conn c[MAX_CONNS];
	int n;
	int next;             /* where the fair scan of ready connections starts */
};

/* Adds a connection accepted at now (closing the idlest one if the set is full). */
void conns_add(struct conn_set *s, int fd, bool tcp, long long now);

/* Removes connection i, closing its fd if close_fd. */
void conns_drop(struct conn_set *s, int i, bool close_fd);

/* Whether a whole request head waits on connection i (or something libfcgi
 * must see: end of file, an error, a record that is not part of a head, a head
 * bigger than we look at; hung_up: the peer has shut down its side, poll said
 * so: whatever came is all there will be). If not, poll wakes for i only once
 * more has come: on TCP by SO_RCVLOWAT, on a unix socket (which ignores it) by
 * looking again after a few ms (conns_peek_wait); for a hang-up at once
 * (POLLRDHUP). Resets SO_RCVLOWAT before saying yes. */
bool conns_head_ready(struct conn_set *s, int i, bool hung_up, long long now);

/* Ms until a unix socket's partial head is looked at again; -1: none. */
int conns_peek_wait(const struct conn_set *s, long long now);

/* Ms until the newest connection not yet heard in full is FIRST_HEAD_MS old
 * (the worker takes no new connection until then); 0: none, or one is older
 * already (a slow or hostile client: then the worker takes new connections
 * as they come, as if there were no such wait). */
int conns_fresh_wait(const struct conn_set *s, long long now);

/* Closes connections whose head has not all come within read_s of being
 * accepted (or of its first bytes, on a kept connection); 0: never. */
void conns_close_silent(struct conn_set *s, int read_s, long long now);

/* Ms until conns_close_silent has one to close; -1: none. */
int conns_next_expiry(const struct conn_set *s, int read_s, long long now);

/* While stopping: closes those whose head has not all come within limit_ms,
 * and returns how long to wait for the others (0: there are none). */
int conns_drain_wait(struct conn_set *s, long long limit_ms, long long now);

#endif
