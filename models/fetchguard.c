#include "models/fetchguard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* IPv4 ranges refused unless allow-listed (RFC 6890 special-purpose registry
 * and multicast); the address is host-order. */
static const struct v4_range {
    uint32_t net;
    unsigned prefix;
    const char *why;
} v4_refused[] = {
    {0x00000000, 8, "this-network"},   /* 0.0.0.0/8, with 0.0.0.0 itself */
    {0x0A000000, 8, "private"},        /* 10/8 */
    {0x64400000, 10, "cgnat"},         /* 100.64/10 */
    {0x7F000000, 8, "loopback"},       /* 127/8 */
    {0xA9FE0000, 16, "link-local"},    /* 169.254/16, cloud metadata included */
    {0xAC100000, 12, "private"},       /* 172.16/12 */
    {0xC0000000, 24, "ietf-protocol"}, /* 192.0.0/24 */
    {0xC0000200, 24, "documentation"}, /* 192.0.2/24 TEST-NET-1 */
    {0xC0586300, 24, "6to4-relay"},    /* 192.88.99/24 */
    {0xC0A80000, 16, "private"},       /* 192.168/16 */
    {0xC6120000, 15, "benchmarking"},  /* 198.18/15 */
    {0xC6336400, 24, "documentation"}, /* 198.51.100/24 TEST-NET-2 */
    {0xCB007100, 24, "documentation"}, /* 203.0.113/24 TEST-NET-3 */
    {0xE0000000, 4, "multicast"},      /* 224/4 */
    {0xFFFFFFFF, 32, "broadcast"},     /* before 240/4 so it gets its own name */
    {0xF0000000, 4, "reserved"},       /* 240/4 */
};

/* IPv6 ranges refused unless allow-listed, first match wins. The forms that
 * embed an IPv4 address are handled before this table (see v6_embedded). */
static const struct v6_range {
    uint8_t net[16];
    unsigned prefix;
    const char *why;
} v6_refused[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "nat64-local"},
    {{0}, 8, "reserved"}, /* ::/8, the old v4-compatible space among it */
    {{0x01, 0x00}, 64, "discard"},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, "benchmarking"},
    {{0x20, 0x01, 0x00, 0x10}, 28, "orchid"},
    {{0x20, 0x01, 0x00, 0x20}, 28, "orchid"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"},
    {{0x3f, 0xff}, 20, "documentation"},
    {{0xfc}, 7, "private"}, /* unique local */
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "site-local"},
    {{0xff}, 8, "multicast"},
};

/* IPv6 forms that carry an IPv4 address: refused when that address is. */
static const struct v6_embedded {
    uint8_t net[16];
    unsigned prefix;
    unsigned v4_at; /* byte offset of the IPv4 address */
    bool inverted;  /* Teredo stores the client address bit-inverted */
    bool public_ok; /* the form is routable when the IPv4 address is */
    const char *why;
} v6_embedded[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96, 12, false, false, "v4-compatible"},
    {{0x00, 0x64, 0xff, 0x9b}, 96, 12, false, true, "nat64"},
    {{0x20, 0x02}, 16, 2, false, true, "6to4"},
    {{0x20, 0x01, 0x00, 0x00}, 32, 12, true, true, "teredo"},
};

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool
v4_in(uint32_t a, uint32_t net, unsigned prefix)
{
    uint32_t mask = prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
    return (a & mask) == (net & mask);
}

static bool
v6_in(const uint8_t a[16], const uint8_t net[16], unsigned prefix)
{
    unsigned whole = prefix / 8, rest = prefix % 8;
    if (memcmp(a, net, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

static uint32_t
v4_at(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The parsed form of an allow-list entry. */
struct entry {
    int family; /* AF_INET, AF_INET6, or 0 for a host name */
    uint8_t addr[16];
    unsigned prefix;
};

/* Parses an address or CIDR entry; false when s is neither (a host name or junk). */
static bool
entry_parse(const char *s, struct entry *e)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    unsigned max;
    memset(e, 0, sizeof *e);
    if (inet_pton(AF_INET, buf, e->addr) == 1) {
        e->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
        e->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    e->prefix = max;
    if (slash) {
        const char *p = slash + 1;
        unsigned v = 0;
        if (*p == '\0' || strlen(p) > 3)
            return false;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            v = v * 10 + (unsigned)(*p - '0');
        }
        if (v > max)
            return false;
        e->prefix = v;
    }
    return true;
}

static bool
host_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool
fetchguard_entry_valid(const char *s)
{
    struct entry e;
    if (!s)
        return false;
    if (entry_parse(s, &e))
        return true;
    return !strchr(s, '/') && !strchr(s, ':') && host_name_valid(s);
}

/* True when the IPv4 address a (host order) is inside an allow-listed v4 entry. */
static bool
allowed_v4(uint32_t a, const struct fetchguard_policy *p)
{
    for (size_t i = 0; p && i < p->nallow; i++) {
        struct entry e;
        if (entry_parse(p->allow[i], &e) && e.family == AF_INET &&
            v4_in(a, v4_at(e.addr), e.prefix))
            return true;
    }
    return false;
}

static bool
allowed_v6(const uint8_t a[16], const struct fetchguard_policy *p)
{
    for (size_t i = 0; p && i < p->nallow; i++) {
        struct entry e;
        if (entry_parse(p->allow[i], &e) && e.family == AF_INET6 && v6_in(a, e.addr, e.prefix))
            return true;
    }
    return false;
}

/* The reason a public-looking IPv4 address is refused, or NULL when it is not. */
static const char *
v4_refusal(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_refused / sizeof *v4_refused; i++)
        if (v4_in(a, v4_refused[i].net, v4_refused[i].prefix))
            return v4_refused[i].why;
    return NULL;
}

static const char *
v6_refusal(const uint8_t a[16])
{
    if (memcmp(a, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
        return "v4-mapped";
    for (size_t i = 0; i < sizeof v6_embedded / sizeof *v6_embedded; i++) {
        const struct v6_embedded *f = &v6_embedded[i];
        if (!v6_in(a, f->net, f->prefix))
            continue;
        uint32_t v4 = v4_at(a + f->v4_at);
        if (f->inverted)
            v4 = ~v4;
        /* ::/96 holds :: and ::1 too; they fall through to their own names. */
        if (i == 0 && v4 <= 1)
            break;
        if (v4_refusal(v4))
            return f->why;
        if (f->public_ok)
            return NULL;
        break;
    }
    for (size_t i = 0; i < sizeof v6_refused / sizeof *v6_refused; i++)
        if (v6_in(a, v6_refused[i].net, v6_refused[i].prefix))
            return v6_refused[i].why;
    return NULL;
}

bool
fetchguard_addr_allowed(const struct sockaddr *sa, const struct fetchguard_policy *p,
                        const char **why)
{
    const char *reason = "unsupported-family";
    if (sa && sa->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, sa, sizeof sin);
        uint32_t a = ntohl(sin.sin_addr.s_addr);
        if (allowed_v4(a, p) || !(reason = v4_refusal(a)))
            return true;
    } else if (sa && sa->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, sa, sizeof sin6);
        const uint8_t *a = sin6.sin6_addr.s6_addr;
        if (allowed_v6(a, p))
            return true;
        /* A v4-mapped address is the IPv4 address it maps: allowed as that one only. */
        if (memcmp(a, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0 &&
            allowed_v4(v4_at(a + 12), p))
            return true;
        if (!(reason = v6_refusal(a)))
            return true;
    }
    if (why)
        *why = reason;
    return false;
}

bool
fetchguard_host_allowed(const char *host, const struct fetchguard_policy *p)
{
    struct entry e;
    for (size_t i = 0; host && p && i < p->nallow; i++)
        if (!entry_parse(p->allow[i], &e) && host_name_valid(p->allow[i]) &&
            strcasecmp(host, p->allow[i]) == 0)
            return true;
    return false;
}

bool
fetchguard_scheme_allowed(const char *url)
{
    return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

bool
fetchguard_addr_listed(const struct sockaddr *sa, const struct fetchguard_policy *p)
{
    if (sa && sa->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, sa, sizeof sin);
        return allowed_v4(ntohl(sin.sin_addr.s_addr), p);
    }
    if (sa && sa->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, sa, sizeof sin6);
        const uint8_t *a = sin6.sin6_addr.s6_addr;
        return allowed_v6(a, p) || (memcmp(a, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0 &&
                                    allowed_v4(v4_at(a + 12), p));
    }
    return false;
}
