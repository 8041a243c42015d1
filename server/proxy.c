#include "server/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Parses a textual IPv4 or IPv6 address into ss; false when it is neither. */
static bool
parse_addr(const char *s, size_t n, struct sockaddr_storage *ss)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

/* Dotted quad by hand: this runs for every request, and inet_ntop formats
 * IPv4 with sprintf. out holds at least 16 bytes. */
static void
ipv4_text(const struct in_addr *a, char *out)
{
    const unsigned char *b = (const unsigned char *)&a->s_addr;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

static void
addr_text(const struct sockaddr *sa, char *out, size_t len)
{
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET && len >= INET_ADDRSTRLEN)
        ipv4_text(&((const struct sockaddr_in *)sa)->sin_addr, out);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* A Host value we are willing to put into links: host[:port] of safe characters. */
static bool
host_ok(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)h[i]) || strchr(".-:[]", h[i])))
            return false;
    return true;
}

void
proxy_resolve(const struct sockaddr *peer, const char *xff, const char *xproto,
              const char *xhost, const char *public_base,
              const struct fetchguard_policy *trusted, struct proxy_view *out)
{
    addr_text(peer, out->client, sizeof out->client);
    out->base[0] = '\0';
    bool from_proxy = trusted && trusted->nallow && fetchguard_addr_listed(peer, trusted);
    if (from_proxy && xff) {
        /* The client is the rightmost address a trusted proxy did not add itself. */
        const char *end = xff + strlen(xff);
        while (end > xff) {
            const char *start = end;
            while (start > xff && start[-1] != ',')
                start--;
            const char *s = start, *e = end;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            struct sockaddr_storage ss;
            if (!parse_addr(s, (size_t)(e - s), &ss))
                break; /* garbage: stop at the last address we could trust */
            snprintf(out->client, sizeof out->client, "%.*s", (int)(e - s), s);
            if (!fetchguard_addr_listed((struct sockaddr *)&ss, trusted))
                break;
            end = start > xff ? start - 1 : xff;
        }
    }
    if (public_base && public_base[0]) {
        size_t n = strnlen(public_base, sizeof out->base - 1);
        memcpy(out->base, public_base, n);
        out->base[n] = '\0';
        return;
    }
    if (from_proxy && xhost && host_ok(xhost)) {
        const char *proto = xproto && strcasecmp(xproto, "https") == 0 ? "https" : "http";
        snprintf(out->base, sizeof out->base, "%s://%s", proto, xhost);
    }
}

int
proxy_parse_list(char *buf, const char **list, size_t n, const char **bad)
{
    size_t count = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ", \t", &save); tok;
         tok = strtok_r(NULL, ", \t", &save)) {
        if (count == n || !fetchguard_entry_valid(tok) || !(isdigit((unsigned char)tok[0]) ||
                                                           strchr(tok, ':'))) {
            *bad = tok;
            return -1;
        }
        list[count++] = tok;
    }
    return (int)count;
}
