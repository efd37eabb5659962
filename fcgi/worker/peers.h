/* FCGI_WEB_SERVER_ADDRS: which TCP peers a worker serves. */
#ifndef FCGI_PEERS_H
#define FCGI_PEERS_H

#include <stdbool.h>
#include <sys/socket.h>

/* Whether the peer of a connection just accepted may be served: unix socket
 * peers always; a TCP peer when FCGI_WEB_SERVER_ADDRS (comma-separated
 * addresses, read at the first TCP peer) is unset or empty, or lists its
 * address. An IPv4 peer on a dual-stack listener ("::ffff:127.0.0.1") is
 * compared as the IPv4 address it is. A refused peer is logged, at most one
 * line a second (with the count of those not logged). Entries that are not
 * addresses match nothing. */
bool peer_allowed(const struct sockaddr_storage *peer);

#endif
