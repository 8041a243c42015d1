/* peers: connections counted per client address (server/peers.c). */
#include "server/peers.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static struct sockaddr_in
v4(const char *text)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000)};
    cr_assert_eq(inet_pton(AF_INET, text, &a.sin_addr), 1, "%s", text);
    return a;
}

static struct sockaddr_in6
v6(const char *text)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(40001)};
    cr_assert_eq(inet_pton(AF_INET6, text, &a.sin6_addr), 1, "%s", text);
    return a;
}

#define SA(a) ((const struct sockaddr *)&(a))

Test(peers, has_room_until_an_address_holds_the_limit_and_again_after_one_leaves)
{
    struct peers *p = peers_new(2, 100);
    cr_assert_not_null(p);
    struct sockaddr_in a = v4("192.0.2.7"), b = v4("192.0.2.8");
    cr_expect(peers_room(p, SA(a)));
    cr_expect(peers_enter(p, SA(a)));
    cr_expect(peers_room(p, SA(a)));
    cr_expect(peers_enter(p, SA(a)));
    cr_expect_not(peers_room(p, SA(a)), "two of two");
    cr_expect(peers_room(p, SA(b)), "another address has its own count");
    peers_leave(p, SA(a));
    cr_expect(peers_room(p, SA(a)));
    peers_free(p);
}

Test(peers, refuses_a_connection_entered_past_the_limit_and_counts_it_until_it_leaves)
{
    /* Two threads may both find room, then both enter: the second is told to close. */
    struct peers *p = peers_new(1, 100);
    struct sockaddr_in a = v4("198.51.100.1");
    cr_expect(peers_enter(p, SA(a)));
    cr_expect_not(peers_enter(p, SA(a)));
    peers_leave(p, SA(a));
    cr_expect_not(peers_room(p, SA(a)), "the other one is still open");
    peers_leave(p, SA(a));
    cr_expect(peers_room(p, SA(a)));
    peers_free(p);
}

Test(peers, counts_an_ipv4_address_and_its_mapped_ipv6_form_as_one)
{
    struct peers *p = peers_new(1, 100);
    struct sockaddr_in a = v4("203.0.113.9");
    struct sockaddr_in6 mapped = v6("::ffff:203.0.113.9"), other = v6("2001:db8::9");
    cr_expect(peers_enter(p, SA(a)));
    cr_expect_not(peers_room(p, SA(mapped)));
    cr_expect(peers_room(p, SA(other)));
    peers_leave(p, SA(mapped));
    cr_expect(peers_room(p, SA(a)));
    peers_free(p);
}

/* Many addresses in a small table share probe runs; removing some must not
 * lose the others (the backward shift on leave). */
Test(peers, keeps_every_count_through_many_arrivals_and_departures)
{
    enum { N = 64 };
    struct peers *p = peers_new(3, N * 4); /* each ends with 3, and one past the limit */
    struct sockaddr_in6 addr[N];
    for (int i = 0; i < N; i++) {
        char text[64];
        snprintf(text, sizeof text, "2001:db8::%x:%x", i, (i * 7919) & 0xffff);
        addr[i] = v6(text);
        for (int k = 0; k <= i % 2; k++) /* even: one connection, odd: two */
            cr_assert(peers_enter(p, SA(addr[i])));
    }
    for (int i = 0; i < N; i += 3) /* every third address leaves entirely */
        for (int k = 0; k <= i % 2; k++)
            peers_leave(p, SA(addr[i]));
    for (int i = 0; i < N; i++) {
        int held = i % 3 == 0 ? 0 : 1 + i % 2;
        for (int k = held; k < 3; k++) /* room for exactly 3 - held more */
            cr_assert(peers_enter(p, SA(addr[i])), "address %d, holding %d", i, k);
        cr_expect_not(peers_enter(p, SA(addr[i])), "address %d past its limit", i);
    }
    peers_free(p);
}

Test(peers, counts_no_more_connections_than_its_capacity)
{
    struct peers *p = peers_new(5, 2);
    struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2"), c = v4("192.0.2.3");
    cr_expect(peers_enter(p, SA(a)));
    cr_expect(peers_enter(p, SA(b)));
    cr_expect_not(peers_enter(p, SA(c)), "a third address in a capacity of two");
    peers_leave(p, SA(c)); /* not counted: nothing to take away */
    cr_expect(peers_room(p, SA(a)));
    peers_leave(p, SA(a));
    cr_expect(peers_enter(p, SA(c)));
    peers_free(p);
}
