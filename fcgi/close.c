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
 * (a 413, a GET with a body) could lose part of the response.
 *
 * The web server has nothing more to send once the request's FCGI_STDIN
 * stream has ended (its empty record): the next bytes on the connection can
 * only be another request, which lighttpd, nginx and cgi-fcgi send only
 * after our FCGI_END_REQUEST. So we read the rest of FCGI_STDIN ourselves
 * before ending the request; after that nothing lies unread, and the socket
 * can be closed at once, without shutdown() and without waiting for the web
 * server to hang up first. Draining before FCGI_END_REQUEST, not after, also
 * means libfcgi's read-ahead can never swallow the start of the next request
 * on a kept connection. */
#include "close.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

/* Each blocking read while draining gives up after this long. */
#define DRAIN_READ_MS 1000

static void set_read_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads FCGI_STDIN to its end record. False if it did not end in time, or
 * the connection failed. *timed: the socket got a read timeout. */
static bool drain_input(FCGX_Request *req, bool *timed)
{
	FCGX_Stream *in = req->in;
	char trash[4096];
	long long deadline = 0;
	bool flushed = false;
	*timed = false;
	while (!FCGX_HasSeenEOF(in)) {
		if (!*timed) {
			/* The next read may go to the socket: bound it. */
			set_read_timeout(req->ipcFd, DRAIN_READ_MS);
			deadline = now_ms() + FCGI_DRAIN_MS;
			*timed = true;
		} else if (!flushed) {
			/* More than what was buffered is left: let the answer travel meanwhile. */
			if (FCGX_FFlush(req->out) != 0)
				return false;
			flushed = true;
		}
		FCGX_GetStr(trash, sizeof trash, in);
		if (FCGX_GetError(in) != 0 || now_ms() > deadline)
			return false;
	}
	return true;
}

void fcgi_finish(FCGX_Request *req)
{
	if (req->in == NULL) {
		FCGX_Finish_r(req);
		return;
	}
	bool timed;
	bool drained = drain_input(req, &timed);
	/* Drained: nothing can lie unread, so close without libfcgi's shutdown and
	 * wait (its "detached" flag, which FCGX_Free() clears when it closes). */
	if (drained)
		req->detached = 1;
	FCGX_Finish_r(req);
	req->detached = 0;
	if (timed && req->ipcFd >= 0)
		set_read_timeout(req->ipcFd, 0); /* a kept connection waits for its next request as before */
}
