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
 * of FCGI_STDIN is read before FCGI_END_REQUEST: the server sends the next
 * request only after that record, so libfcgi's read-ahead cannot swallow it.
 * The answer so far is flushed first (a server may go on sending a body until
 * it has one), and the reads are bounded: each by DRAIN_READ_MS, all by
 * FCGI_DRAIN_MS, and by the worker's read deadline, which stays armed while
 * we drain (timeouts_input_pending). If the input does not end in time, we
 * write FCGI_END_REQUEST and close. libfcgi's own close wait is never used:
 * it lasts for as long as the peer keeps sending, a byte a second is enough. */
#include "close.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sysio.h"
#include "test_hooks.h"

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
 * record and returns how that went, or STALLED once the deadline (monotonic
 * ms) has passed. Each call of libfcgi takes what is buffered or makes one
 * socket read (bounded by DRAIN_READ_MS), so the deadline is looked at after
 * each byte a trickling peer sends; before the first read that may wait, the
 * answer is flushed, so the peer has it while we wait for its input. */
static enum drained drain_kept(FCGX_Request *req, bool *timed, long long deadline)
{
	FCGX_Stream *in = req->in;
	char trash[4096];
	*timed = false;
	while (!FCGX_HasSeenEOF(in)) {
		if (now_ms() >= deadline)
			return STALLED;
		long buffered = (long)(in->stop - in->rdNext);
		if (buffered <= 0 && !*timed) {
			/* The next read goes to the socket: the answer first, and bound the read. */
			FCGX_FFlush(req->out);
			socklen_t len = sizeof kept_timeout;
			if (getsockopt(req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &kept_timeout, &len) != 0)
				kept_timeout = (struct timeval){ 0 };
			set_read_timeout(req->ipcFd, DRAIN_READ_MS);
			*timed = true;
		}
		FCGX_GetStr(trash, buffered <= 0 ? 1 : buffered < (long)sizeof trash ? (int)buffered : (int)sizeof trash, in);
	}
	return drained_as(FCGX_GetError(in));
}

/* After FCGI_END_REQUEST, input still on its way: shutdown(SHUT_WR) and
 * discard input until the server hangs up, DRAIN_READ_MS of silence, or the
 * deadline, looked at after every read (a peer that never stops sending is
 * cut off at the deadline all the same). fd is non-blocking. */
static enum drained linger(int fd, long long deadline)
{
	char trash[4096];
	size_t chunk = test_hook_drain_read_size(sizeof trash);
	if (shutdown(fd, SHUT_WR) != 0)
		return PEER_GONE;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return STALLED;
		ssize_t n = read(fd, trash, chunk);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n == 0 || errno != EAGAIN)
			return PEER_GONE;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, left < DRAIN_READ_MS ? (int)left : DRAIN_READ_MS) <= 0)
			return STALLED;
	}
}

/* Closing connection, after FCGI_END_REQUEST: what has arrived of FCGI_STDIN
 * without waiting; if more is on its way, linger() until the deadline. */
static enum drained drain_closing(FCGX_Request *req, long long deadline)
{
	FCGX_Stream *in = req->in;
	char trash[4096];
	(void)fcntl(req->ipcFd, F_SETFL, O_NONBLOCK); /* the socket is closed next: no need to restore */
	/* The first read without a look at the clock: fcgi_finish has just set the
	 * deadline (FCGI_DRAIN_MS away) when it calls us. */
	for (bool first = true; !FCGX_HasSeenEOF(in) && (first || now_ms() < deadline); first = false)
		FCGX_GetStr(trash, sizeof trash, in);
	enum drained d = drained_as(FCGX_GetError(in));
	if (!FCGX_HasSeenEOF(in))
		d = STALLED;
	return d == STALLED ? linger(req->ipcFd, deadline) : d;
}

void fcgi_finish(FCGX_Request *req)
{
	if (req->in == NULL || req->ipcFd < 0) {
		FCGX_Finish_r(req);
		return;
	}
	long long deadline = now_ms() + FCGI_DRAIN_MS;
	bool timed = false;
	enum drained d = INPUT_ENDED;
	if (req->keepConnection)
		d = drain_kept(req, &timed, deadline);
	if (!req->keepConnection || d != INPUT_ENDED) {
		/* FCGI_END_REQUEST now (FCGX_Finish_r does the same, and nothing twice). */
		FCGX_FClose(req->err);
		FCGX_FClose(req->out);
		/* A kept connection whose input did not end is closed too: it has
		 * had its deadline (the peer has had the answer since the drain began). */
		if (!req->keepConnection)
			drain_closing(req, deadline);
		req->keepConnection = 0;
	}
	/* Close without libfcgi's shutdown and wait (its "detached" flag, which
	 * FCGX_Free() clears when it closes): that wait lasts as long as the peer
	 * keeps sending, and ours above was bounded. */
	req->detached = 1;
	FCGX_Finish_r(req);
	req->detached = 0;
	if (timed && req->ipcFd >= 0) /* a kept connection waits for its next request as before */
		(void)setsockopt(req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &kept_timeout, sizeof kept_timeout);
}

void fcgi_cut_stream(int fd, int wait_ms)
{
	static const char broken[8] = { 0 };
	long long end = wait_ms >= 0 ? now_ms() + wait_ms : 0;
	for (size_t sent = 0; sent < sizeof broken;) {
		int left = wait_ms < 0 ? -1 : (int)(end - now_ms());
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if ((wait_ms >= 0 && left <= 0) || poll(&p, 1, left) <= 0)
			break; /* no room in time, or fd is unusable: the shutdown alone */
		ssize_t n = send(fd, broken + sent, sizeof broken - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (n > 0)
			sent += (size_t)n;
	}
	(void)shutdown(fd, SHUT_RDWR);
}
