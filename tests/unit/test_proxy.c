/* proxy_resolve: forwarded headers count only from trusted proxies. */
#include "server/proxy.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

static struct sockaddr_storage
addr(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        cr_assert_fail("bad test address %s", text);
    return ss;
}

struct proxy_case {
    const char *peer, *xff, *xproto, *xhost, *base, *want_client, *want_base;
};

Test(proxy, believes_forwarded_headers_only_from_trusted_proxies)
{
    static const char *const trusted_list[] = {"10.0.0.0/8", "::1"};
    const struct fetchguard_policy trusted = {trusted_list, 2};
    static const struct proxy_case cases[] = {
        /* a direct client: its own address, relative links, headers ignored */
        {"203.0.113.9", "1.2.3.4", "https", "evil.example", "", "203.0.113.9", ""},
        /* through a trusted proxy */
        {"10.1.2.3", "198.51.100.7", "https", "news.example.com", "", "198.51.100.7",
         "https://news.example.com"},
        /* a chain: the rightmost address not itself a trusted proxy */
        {"10.1.2.3", "1.1.1.1, 198.51.100.7, 10.9.9.9", NULL, "news.example.com:8443", "",
         "198.51.100.7", "http://news.example.com:8443"},
        /* IPv6 loopback proxy, spaces and tabs */
        {"::1", " 2001:db8::5 ,\t10.0.0.2", "HTTPS", NULL, "", "2001:db8::5", ""},
        /* garbage in the chain stops at the last good address */
        {"10.1.2.3", "not-an-address, 198.51.100.7", NULL, NULL, "", "198.51.100.7", ""},
        /* a Host that would break out of a link is refused */
        {"10.1.2.3", NULL, "https", "x\"><script>", "", "10.1.2.3", ""},
        /* the configured base URL always wins */
        {"10.1.2.3", NULL, "https", "other.example", "https://api.example.org", "10.1.2.3",
         "https://api.example.org"},
        {"203.0.113.9", NULL, NULL, NULL, "https://api.example.org", "203.0.113.9",
         "https://api.example.org"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct proxy_case *c = &cases[i];
        struct sockaddr_storage peer = addr(c->peer);
        struct proxy_view v;
        proxy_resolve((struct sockaddr *)&peer, c->xff, c->xproto, c->xhost, c->base, &trusted,
                      &v);
        cr_expect_str_eq(v.client, c->want_client, "case %zu client", i);
        cr_expect_str_eq(v.base, c->want_base, "case %zu base", i);
    }
}

Test(proxy, trusts_nobody_with_an_empty_list)
{
    struct sockaddr_storage peer = addr("127.0.0.1");
    struct proxy_view v;
    proxy_resolve((struct sockaddr *)&peer, "1.2.3.4", "https", "a.example", "", NULL, &v);
    cr_expect_str_eq(v.client, "127.0.0.1");
    cr_expect_str_eq(v.base, "");
}

Test(proxy, parses_a_list_of_addresses_and_ranges)
{
    char buf[] = "10.0.0.0/8, 127.0.0.1,::1 fd00::/8";
    const char *list[8], *bad = NULL;
    cr_assert_eq(proxy_parse_list(buf, list, 8, &bad), 4);
    cr_expect_str_eq(list[3], "fd00::/8");
    char bad_buf[] = "10.0.0.0/8, proxy.example";
    cr_expect_eq(proxy_parse_list(bad_buf, list, 8, &bad), -1);
    cr_expect_str_eq(bad, "proxy.example");
    char range_buf[] = "10.0.0.0/33";
    cr_expect_eq(proxy_parse_list(range_buf, list, 8, &bad), -1);
}

/* The client address is formatted by hand: every digit count and both ends
 * of the octet range must read back as inet_ntop would write them. */
Test(proxy, writes_every_ipv4_octet_width_as_inet_ntop_does)
{
    static const char *const peers[] = {"0.0.0.0", "9.10.99.100", "255.255.255.255",
                                        "127.0.0.1", "10.200.5.250", "1.2.3.4"};
    for (size_t i = 0; i < sizeof peers / sizeof *peers; i++) {
        struct sockaddr_storage ss = addr(peers[i]);
        struct proxy_view v;
        memset(&v, 'x', sizeof v);
        proxy_resolve((struct sockaddr *)&ss, NULL, NULL, NULL, "", NULL, &v);
        cr_expect_str_eq(v.client, peers[i]);
    }
}
