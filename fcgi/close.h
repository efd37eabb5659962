/* Ending a FastCGI request without libfcgi's wait for the web server to hang up. */
#ifndef FCGI_CLOSE_H
#define FCGI_CLOSE_H

#include <fcgiapp.h>

/* Longest time fcgi_finish() waits for the web server to send the rest of a
 * request it is still sending (a body nobody read), in milliseconds. */
#define FCGI_DRAIN_MS 5000

/* Use in place of FCGX_Finish_r() once the answer is written. Reads and
 * discards what is left of the request's input (FCGI_STDIN up to its end
 * record, at most FCGI_DRAIN_MS), so that nothing the web server sent lies
 * unread in the socket, then finishes the request: the connection is kept
 * when the web server asked for that, else closed at once. If the input could
 * not be drained (the web server stalled, or the connection failed), it
 * finishes as libfcgi does (shutdown, then wait for the server's close). */
void fcgi_finish(FCGX_Request *req);

#endif
