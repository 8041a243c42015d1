/* peers: open connections counted by client address, across the HTTP threads,
 * for max_connections_per_address.
 *
 * libmicrohttpd counts per address within one daemon, and articled runs a
 * daemon per thread (server/loop.h), so the count that holds for the whole
 * server is kept here. An IPv4 address and its IPv4-mapped IPv6 form are one
 * address. Thread-safe: one mutex, taken when a connection opens or closes,
 * never per request. */
#ifndef ARTICLED_PEERS_H
#define ARTICLED_PEERS_H

#include <stdbool.h>
#include <sys/socket.h>

struct peers;

/* A count allowing limit connections per address (limit > 0), with room for
 * capacity open connections (the server's max_connections: no more are ever
 * counted at once). NULL when out of memory. Free with peers_free. */
struct peers *peers_new(unsigned limit, unsigned capacity);

/* Frees peers and every count; NULL: nothing. */
void peers_free(struct peers *peers);

/* True when addr has fewer than limit connections counted: whether to accept
 * one more. */
bool peers_room(struct peers *peers, const struct sockaddr *addr);

/* Counts a connection from addr, until peers_leave. False when that makes
 * more than limit (two threads accepted at once): the caller closes that
 * connection. Also false, and not counted, past capacity connections. */
bool peers_enter(struct peers *peers, const struct sockaddr *addr);

/* Uncounts a connection peers_enter counted. */
void peers_leave(struct peers *peers, const struct sockaddr *addr);

#endif
