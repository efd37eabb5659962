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

#endif
