/* fetchguard: which addresses and URLs the server may fetch from.
 *
 * Pure functions over borrowed values, no I/O and no allocation: fetch.c calls
 * them for every connection it is about to open (after DNS, on every redirect),
 * and the tests call them directly over the address ranges.
 *
 * Refused unless allow-listed: loopback, unspecified, private, link-local,
 * CGNAT, multicast, broadcast, 0/8, 240/4, documentation, benchmarking and
 * IETF protocol ranges, the IPv6 equivalents (ULA, link-local, site-local,
 * multicast, documentation, discard), every IPv4-mapped address, and the
 * v4-compatible, NAT64, 6to4 and Teredo forms of a refused IPv4 address. */
#ifndef ARTICLED_FETCHGUARD_H
#define ARTICLED_FETCHGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The deployment's exceptions. Each entry of `allow` is an address
 * (`127.0.0.1`, `::1`), a CIDR range (`10.1.0.0/16`, `fd00::/8`) or a host
 * name (`intranet.example`, matched without case against the URL's host; it
 * then allows whatever that name resolves to). Borrowed: the strings must
 * outlive every call. An empty policy (or NULL) allows public addresses only. */
struct fetchguard_policy {
    const char *const *allow;
    size_t nallow;
};

/* True when a connection to sa (AF_INET or AF_INET6; anything else is refused)
 * is allowed: a public address, or one inside an allow-listed address or range.
 * On false, *why (if not NULL) names the range that refused it ("loopback",
 * "private", "v4-mapped", ...): a static string. */
bool fetchguard_addr_allowed(const struct sockaddr *sa, const struct fetchguard_policy *p,
                             const char **why);

/* True when sa is inside an address or range of p's list (host names never
 * match), whatever kind of address it is: for lists of trusted peers, such as
 * the reverse proxies whose forwarded headers the server believes. */
bool fetchguard_addr_listed(const struct sockaddr *sa, const struct fetchguard_policy *p);

/* True when host (as it appears in the URL, without brackets or port) equals an
 * allow-listed host name, ignoring case. Address entries never match here. */
bool fetchguard_host_allowed(const char *host, const struct fetchguard_policy *p);

/* True when url starts with `http://` or `https://` (scheme case-insensitive). */
bool fetchguard_scheme_allowed(const char *url);

/* True when s is a valid allow-list entry: an address, a CIDR range with a
 * prefix in bounds, or a host name of [A-Za-z0-9.-]. For config validation. */
bool fetchguard_entry_valid(const char *s);

#endif
