/* proxy: who the client is and which base URL it used, behind reverse proxies.
 *
 * X-Forwarded-For, -Proto and -Host are believed only when the connection
 * comes from a trusted proxy (the `trusted_proxies` setting); otherwise anyone
 * could claim any address or host. */
#ifndef ARTICLED_PROXY_H
#define ARTICLED_PROXY_H

#include "models/fetchguard.h"

#include <stddef.h>
#include <sys/socket.h>

struct proxy_view {
    char client[64]; /* the client's address as text */
    char base[256];  /* "https://host[:port]" for absolute links, "" for relative ones */
};

/* Resolves the client address and base URL of one request. peer is the
 * connection's address; xff, xproto, xhost the forwarded headers (NULL when
 * absent); public_base (may be "") a configured base URL, which wins; trusted
 * the proxies whose headers count. */
void proxy_resolve(const struct sockaddr *peer, const char *xff, const char *xproto,
                   const char *xhost, const char *public_base,
                   const struct fetchguard_policy *trusted, struct proxy_view *out);

/* Splits a comma-separated list of addresses or CIDR ranges into list (n
 * entries at most, pointing into buf, which the caller owns). Returns the count,
 * or -1 with *bad set to the first invalid entry. */
int proxy_parse_list(char *buf, const char **list, size_t n, const char **bad);

#endif
