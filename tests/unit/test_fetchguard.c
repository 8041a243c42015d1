/* fetchguard: the address ranges refused and allowed, IPv4, IPv6 and the forms
 * that embed IPv4, the allow-list, host names, schemes and entry validation. */
#include "models/fetchguard.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

/* Builds a sockaddr for a numeric address; fails the test on a typo. */
static void
make_addr(const char *text, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
    } else {
        cr_assert_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1, "bad test address %s", text);
        sin6->sin6_family = AF_INET6;
    }
}

struct addr_case {
    const char *addr;
    const char *why; /* NULL: allowed */
};

static void
check_cases(const struct addr_case *cases, size_t n, const struct fetchguard_policy *p)
{
    for (size_t k = 0; k < n; k++) {
        struct sockaddr_storage ss;
        make_addr(cases[k].addr, &ss);
        const char *why = NULL;
        bool ok = fetchguard_addr_allowed((const struct sockaddr *)&ss, p, &why);
        if (!cases[k].why) {
            cr_expect(ok, "%s should be allowed, refused as %s", cases[k].addr, why);
        } else {
            cr_expect_not(ok, "%s should be refused", cases[k].addr);
            if (!ok)
                cr_expect_str_eq(why, cases[k].why, "reason for %s", cases[k].addr);
        }
    }
}

Test(fetchguard, refuses_every_special_ipv4_range_at_both_ends)
{
    static const struct addr_case cases[] = {
        {"0.0.0.0", "this-network"},
        {"0.255.255.255", "this-network"},
        {"10.0.0.0", "private"},
        {"10.255.255.255", "private"},
        {"100.64.0.0", "cgnat"},
        {"100.127.255.255", "cgnat"},
        {"127.0.0.1", "loopback"},
        {"127.255.255.254", "loopback"},
        {"169.254.169.254", "link-local"},
        {"169.254.0.1", "link-local"},
        {"172.16.0.0", "private"},
        {"172.31.255.255", "private"},
        {"192.0.0.8", "ietf-protocol"},
        {"192.0.2.1", "documentation"},
        {"192.88.99.1", "6to4-relay"},
        {"192.168.0.1", "private"},
        {"192.168.255.255", "private"},
        {"198.18.0.1", "benchmarking"},
        {"198.19.255.255", "benchmarking"},
        {"198.51.100.7", "documentation"},
        {"203.0.113.9", "documentation"},
        {"224.0.0.1", "multicast"},
        {"239.255.255.250", "multicast"},
        {"240.0.0.1", "reserved"},
        {"255.255.255.254", "reserved"},
        {"255.255.255.255", "broadcast"},
    };
    check_cases(cases, sizeof cases / sizeof *cases, NULL);
}

Test(fetchguard, allows_public_ipv4_including_the_neighbours_of_refused_ranges)
{
    static const struct addr_case cases[] = {
        {"1.1.1.1", NULL},         {"8.8.8.8", NULL},        {"9.255.255.255", NULL},
        {"11.0.0.0", NULL},        {"100.63.255.255", NULL}, {"100.128.0.0", NULL},
        {"126.255.255.255", NULL}, {"128.0.0.0", NULL},      {"169.253.255.255", NULL},
        {"172.15.255.255", NULL},  {"172.32.0.0", NULL},     {"192.167.255.255", NULL},
        {"192.169.0.0", NULL},     {"198.17.255.255", NULL}, {"198.20.0.0", NULL},
        {"223.255.255.255", NULL}, {"93.184.216.34", NULL},
    };
    check_cases(cases, sizeof cases / sizeof *cases, NULL);
}

Test(fetchguard, refuses_special_ipv6_ranges)
{
    static const struct addr_case cases[] = {
        {"::", "unspecified"},
        {"::1", "loopback"},
        {"::2", "v4-compatible"}, /* 0.0.0.2 */
        {"::1:0:0:0", "reserved"},
        {"fc00::1", "private"},
        {"fdff:ffff::1", "private"},
        {"fe80::1", "link-local"},
        {"febf::1", "link-local"},
        {"fec0::1", "site-local"},
        {"ff02::1", "multicast"},
        {"ff0e::1", "multicast"},
        {"2001:db8::1", "documentation"},
        {"3fff::1", "documentation"},
        {"100::1", "discard"},
        {"2001:2::1", "benchmarking"},
        {"2001:10::1", "orchid"},
        {"64:ff9b:1::1", "nat64-local"},
    };
    check_cases(cases, sizeof cases / sizeof *cases, NULL);
}

Test(fetchguard, refuses_every_v4_mapped_address_and_embedded_forms_of_refused_ipv4)
{
    static const struct addr_case cases[] = {
        {"::ffff:127.0.0.1", "v4-mapped"},
        {"::ffff:10.1.2.3", "v4-mapped"},
        {"::ffff:169.254.169.254", "v4-mapped"},
        {"::ffff:8.8.8.8", "v4-mapped"}, /* never a real peer: refused whatever it maps */
        {"::127.0.0.1", "v4-compatible"},
        {"::10.0.0.1", "v4-compatible"},
        {"64:ff9b::127.0.0.1", "nat64"},
        {"64:ff9b::a9fe:a9fe", "nat64"},                    /* 169.254.169.254 */
        {"2002:7f00:1::1", "6to4"},                         /* 127.0.0.1 */
        {"2002:c0a8:101::1", "6to4"},                       /* 192.168.1.1 */
        {"2001:0:4136:e378:8000:63bf:80ff:fffe", "teredo"}, /* client 127.0.0.1 */
    };
    check_cases(cases, sizeof cases / sizeof *cases, NULL);
}

Test(fetchguard, allows_public_ipv6_and_embedded_forms_of_public_ipv4)
{
    static const struct addr_case cases[] = {
        {"2606:4700:4700::1111", NULL}, {"2a00:1450:4001:82a::200e", NULL},
        {"64:ff9b::8.8.8.8", NULL},     {"2002:808:808::1", NULL},
        {"fbff:ffff::1", NULL},         {"fe00::1", NULL},
    };
    check_cases(cases, sizeof cases / sizeof *cases, NULL);
}

Test(fetchguard, allow_list_opens_exactly_the_listed_addresses_and_ranges)
{
    static const char *const allow[] = {"127.0.0.1", "10.1.0.0/16", "::1", "fd12:3456::/32",
                                        "intranet.example"};
    struct fetchguard_policy p = {allow, sizeof allow / sizeof *allow};
    static const struct addr_case cases[] = {
        {"127.0.0.1", NULL},
        {"127.0.0.2", "loopback"},
        {"10.1.255.255", NULL},
        {"10.2.0.0", "private"},
        {"::1", NULL},
        {"::ffff:127.0.0.1", NULL}, /* the mapped form of an allowed IPv4 address */
        {"::ffff:127.0.0.2", "v4-mapped"},
        {"fd12:3456:ffff::1", NULL},
        {"fd12:3457::1", "private"},
        {"169.254.169.254", "link-local"},
        {"8.8.8.8", NULL},
    };
    check_cases(cases, sizeof cases / sizeof *cases, &p);
}

Test(fetchguard, refuses_other_families)
{
    struct sockaddr sa = {.sa_family = AF_UNIX};
    const char *why = NULL;
    cr_expect_not(fetchguard_addr_allowed(&sa, NULL, &why));
    cr_expect_str_eq(why, "unsupported-family");
    cr_expect_not(fetchguard_addr_allowed(NULL, NULL, NULL));
}

Test(fetchguard, host_allow_list_matches_names_only_ignoring_case)
{
    static const char *const allow[] = {"Intranet.Example", "127.0.0.1", "10.0.0.0/8"};
    struct fetchguard_policy p = {allow, sizeof allow / sizeof *allow};
    cr_expect(fetchguard_host_allowed("intranet.example", &p));
    cr_expect(fetchguard_host_allowed("INTRANET.EXAMPLE", &p));
    cr_expect_not(fetchguard_host_allowed("evil.intranet.example", &p));
    cr_expect_not(fetchguard_host_allowed("127.0.0.1", &p));
    cr_expect_not(fetchguard_host_allowed("10.0.0.0/8", &p));
    cr_expect_not(fetchguard_host_allowed("intranet.example", NULL));
    cr_expect_not(fetchguard_host_allowed(NULL, &p));
}

Test(fetchguard, allows_only_http_and_https_schemes)
{
    static const struct {
        const char *url;
        bool ok;
    } cases[] = {
        {"http://example.com/", true},
        {"https://example.com/a", true},
        {"HTTPS://example.com/", true},
        {"file:///etc/passwd", false},
        {"gopher://127.0.0.1:70/", false},
        {"ftp://example.com/", false},
        {"dict://127.0.0.1:11211/", false},
        {"httpx://example.com", false},
        {"http:/example.com", false},
        {"//example.com", false},
        {"", false},
        {"javascript:alert(1)", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(fetchguard_scheme_allowed(cases[k].url), cases[k].ok, "%s", cases[k].url);
    cr_expect_not(fetchguard_scheme_allowed(NULL));
}

Test(fetchguard, validates_allow_list_entries)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"127.0.0.1", true}, {"10.0.0.0/8", true}, {"::1", true},         {"fd00::/8", true},
        {"0.0.0.0/0", true}, {"localhost", true},  {"a-b.example", true}, {"10.0.0.0/33", false},
        {"::/129", false},   {"10.0.0.0/", false}, {"10.0.0.0/x", false}, {"", false},
        {"a b", false},      {"/8", false},        {"host/8", false},     {"-bad", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(fetchguard_entry_valid(cases[k].s), cases[k].ok, "%s", cases[k].s);
    cr_expect_not(fetchguard_entry_valid(NULL));
}
