/* Ending a FastCGI request without libfcgi's wait for the web server to hang up. */
#ifndef FCGI_CLOSE_H
#define FCGI_CLOSE_H

#include <fcgiapp.h>

/* Longest time fcgi_finish() spends on the rest of a request's input (a body
 * nobody read) before it closes anyway, in milliseconds. */
#define FCGI_DRAIN_MS 5000

/* Use in place of FCGX_Finish_r() once the answer is written. Reads and
 * discards what is left of the request's input (FCGI_STDIN up to its end
 * record), so that nothing the web server sent lies unread in the socket,
 * then finishes the request: the connection is kept when the web server
 * asked for that and its input ended, else closed. Waiting for input still on
 * its way (the answer already sent) takes at most FCGI_DRAIN_MS, however the
 * peer trickles or floods; libfcgi's unbounded close wait is never used. */
void fcgi_finish(FCGX_Request *req);

/* Ends a streamed answer that cannot be finished (its producer failed, or the
 * request timed out, after the first byte) so that no web server takes it for
 * complete: writes a record header no FastCGI client accepts (version 0) at a
 * record boundary of fd, then shuts fd down without FCGI_END_REQUEST. A bare
 * close is not enough: nginx (fastcgi_buffering off) takes it for the end of
 * the answer and sends the last chunk. wait_ms bounds the wait for room in
 * the socket (-1: none); a peer that takes nothing in time gets the shutdown
 * alone. The caller must not be in the middle of a record on fd. */
void fcgi_cut_stream(int fd, int wait_ms);

#endif
