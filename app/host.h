/* The one check for a host name before it is echoed (a redirect's Location):
 * Host headers, CGI SERVER_NAME[:SERVER_PORT], Lambda requestContext.domainName. */
#ifndef APP_HOST_H
#define APP_HOST_H

#include <stdbool.h>

#include "str.h"

/* True for 1 to 300 bytes of RFC 3986 host[:port] characters: letters, digits,
 * "-._~", sub-delims "!$&'()*+,;=", ':' and '%' and the brackets of an IP literal.
 * False for anything else: empty, spaces, control bytes, '/', '?', '#', '@', '\', non-ASCII. */
bool host_is_valid(struct str host);

#endif
