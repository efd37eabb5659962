/* Why libfcgi waits, and why we need not.
 *
 * libfcgi ends every connection in OS_Close(): shutdown(SHUT_WR), then read
 * and discard until the web server closes its end (or nothing arrives for
 * LIBFCGI_OS_CLOSE_POLL_TIMEOUT ms, 2000 by default), then close(). php-fpm's
 * fcgi_close() does the same. The wait protects the answer: a socket closed
 * while input it received lies unread is reset (TCP sends an RST, and the
 * peer's kernel drops whatever it had not yet handed to the web server; on a
 * unix socket the web server's next read fails with ECONNRESET and its writes
 * with EPIPE), so a web server still sending a request body we never read
 * (a 413, a GET with a body), or just the empty record that ends FCGI_STDIN,
 * could lose part of the response. The cost is that the worker sits idle
 * until the web server has read the answer and hung up.
 *
 * The web server has nothing more to send once the request's FCGI_STDIN has
 * ended (its empty record), or once it has closed the connection itself. So
 * we read the rest of FCGI_STDIN ourselves and close as soon as it has ended:
 * nothing then lies unread, and there is no need to wait for the server.
 *
 * When the connection closes after the request (lighttpd, nginx by default,
 * cgi-fcgi), FCGI_END_REQUEST goes first, so the answer is never held back,
 * and the rest of FCGI_STDIN is read without blocking: usually its end record
 * is already in libfcgi's buffer, and we close at once. If input is still on
 * its way (a body nobody read), we do what libfcgi does, and only then:
 * shutdown(SHUT_WR), and discard what comes until the server hangs up (nginx
 * stops sending a body once the answer has begun, and hangs up when it sees
 * our end of the stream).
 *
 * When the web server keeps the connection (nginx fastcgi_keep_conn), the rest
 * of FCGI_STDIN is read before FCGI_END_REQUEST, with a timeout per read: the
 * server sends the next request only after that record, so libfcgi's
 * read-ahead cannot swallow it, and it keeps sending a body until it has an
 * answer. If that input does not end in time, we end as libfcgi does. */
#include "close.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sysio.h"

/* Each blocking read while draining gives up after this long. */
#define DRAIN_READ_MS 1000

static void set_read_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* The read timeout a kept connection had before the drain, put back after it. */
static struct timeval kept_timeout;

enum drained { INPUT_ENDED, PEER_GONE, STALLED };

static enum drained drained_as(int err)
{
	if (err == 0)
		return INPUT_ENDED;
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR ? STALLED : PEER_GONE;
}

/* Kept connection, before FCGI_END_REQUEST: reads FCGI_STDIN to its end
 * record, each read bounded by DRAIN_READ_MS and all by FCGI_DRAIN_MS. */
static enum drained drain_kept(FCGX_Request *req, bool *timed)
{
	FCGX_Stream *in = req->in;
	char trash[4096];
	long long deadline = 0;
	*timed = false;
	while (!FCGX_HasSeenEOF(in)) {
		if (!*timed) {
			/* The next read may go to the socket: bound it. */
			socklen_t len = sizeof kept_timeout;
			if (getsockopt(req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &kept_timeout, &len) != 0)
				kept_timeout = (struct timeval){ 0 };
			set_read_timeout(req->ipcFd, DRAIN_READ_MS);
			deadline = now_ms() + FCGI_DRAIN_MS;
			*timed = true;
		}
		FCGX_GetStr(trash, sizeof trash, in);
		if (now_ms() > deadline)
			return STALLED;
	}
	return drained_as(FCGX_GetError(in));
}

/* Closing connection, after FCGI_END_REQUEST: what has arrived of FCGI_STDIN
 * without waiting; if more is on its way, shutdown(SHUT_WR) and discard input
 * until the server hangs up (at most FCGI_DRAIN_MS, DRAIN_READ_MS of silence). */
static enum drained drain_closing(FCGX_Request *req)
{
	FCGX_Stream *in = req->in;
	int fd = req->ipcFd;
	char trash[4096];
	(void)fcntl(fd, F_SETFL, O_NONBLOCK); /* the socket is closed next: no need to restore */
	while (!FCGX_HasSeenEOF(in))
		FCGX_GetStr(trash, sizeof trash, in);
	enum drained d = drained_as(FCGX_GetError(in));
	if (d != STALLED)
		return d;
	if (shutdown(fd, SHUT_WR) != 0)
		return PEER_GONE;
	long long deadline = now_ms() + FCGI_DRAIN_MS;
	for (;;) {
		ssize_t n = read(fd, trash, sizeof trash);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n == 0 || errno != EAGAIN)
			return PEER_GONE;
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, left < DRAIN_READ_MS ? (int)left : DRAIN_READ_MS) <= 0)
			return STALLED;
	}
}

void fcgi_finish(FCGX_Request *req)
{
	if (req->in == NULL || req->ipcFd < 0) {
		FCGX_Finish_r(req);
		return;
	}
	bool timed = false;
	enum drained d;
	if (req->keepConnection) {
		d = drain_kept(req, &timed);
	} else {
		/* FCGI_END_REQUEST now (FCGX_Finish_r does the same, and nothing twice). */
		FCGX_FClose(req->err);
		FCGX_FClose(req->out);
		d = drain_closing(req);
	}
	/* Close without libfcgi's shutdown and wait (its "detached" flag, which
	 * FCGX_Free() clears when it closes) when nothing can lie unread, or when
	 * we have already waited as it would. A kept connection whose input did
	 * not end is closed by FCGX_Finish_r, the libfcgi way. */
	if (!req->keepConnection || d == INPUT_ENDED)
		req->detached = 1;
	FCGX_Finish_r(req);
	req->detached = 0;
	if (timed && req->ipcFd >= 0) /* a kept connection waits for its next request as before */
		(void)setsockopt(req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &kept_timeout, sizeof kept_timeout);
}
