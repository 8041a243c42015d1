/* server/steer.c on real sockets: a SO_REUSEPORT group of listening sockets
 * on 127.0.0.1 (or ::1), one per "thread", the steering attached, and
 * clients connecting from threads pinned to one CPU each. Which socket's
 * backlog a connection lands in is the thread it was steered to. */
#include "models/cpus.h"
#include "server/steer.h"
#include "tests/support/threadinfo.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_GROUP = 8 };

struct group {
    int family;
    unsigned n;
    int fd[MAX_GROUP];
    struct sockaddr_storage at; /* the address they listen on */
    socklen_t atlen;
};

/* n listening sockets on the loopback address of family, one port, listened
 * on in order (the kernel numbers the group so); false when family has no
 * loopback address here. */
static bool
group_open(struct group *g, int family, unsigned n)
{
    memset(g, 0, sizeof *g);
    g->family = family;
    g->n = n;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&g->at;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        g->atlen = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&g->at;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        g->atlen = sizeof *a;
    }
    for (unsigned i = 0; i < n; i++) {
        int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        int on = 1;
        cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on), 0);
        if (bind(fd, (struct sockaddr *)&g->at, g->atlen) != 0) {
            cr_assert(i == 0 && family == AF_INET6, "bind: %s", strerror(errno));
            close(fd);
            return false; /* no ::1 here */
        }
        cr_assert_eq(listen(fd, 64), 0);
        if (i == 0)
            cr_assert_eq(getsockname(fd, (struct sockaddr *)&g->at, &g->atlen), 0); /* the port */
        g->fd[i] = fd;
    }
    return true;
}

static void
group_close(struct group *g)
{
    for (unsigned i = 0; i < g->n; i++)
        close(g->fd[i]);
}

/* Which socket of g has a connection waiting, waiting up to a second for
 * one: its index, after accepting it into *conn; -1 when none has. */
static int
group_accept(const struct group *g, int *conn)
{
    struct pollfd p[MAX_GROUP];
    for (unsigned i = 0; i < g->n; i++)
        p[i] = (struct pollfd){.fd = g->fd[i], .events = POLLIN};
    if (poll(p, g->n, 1000) <= 0)
        return -1;
    for (unsigned i = 0; i < g->n; i++) {
        int fd = (p[i].revents & POLLIN) ? accept4(g->fd[i], NULL, NULL, SOCK_CLOEXEC) : -1;
        if (fd >= 0) {
            *conn = fd;
            return (int)i;
        }
    }
    return -1;
}

/* A blocking connection to g from the calling thread, from source address
 * from (NULL: the loopback one). */
static int
dial(const struct group *g, const struct sockaddr *from, socklen_t fromlen)
{
    int fd = socket(g->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    if (from)
        cr_assert_eq(bind(fd, from, fromlen), 0, "bind the source: %s", strerror(errno));
    cr_assert_eq(connect(fd, (const struct sockaddr *)&g->at, g->atlen), 0, "connect: %s",
                 strerror(errno));
    return fd;
}

static unsigned
usable(int *cpu)
{
    unsigned n = cpus_numbers(cpu, CPU_SETSIZE);
    cr_assert_gt(n, 0, "the CPU mask can be read");
    return n;
}

/* For every usable CPU in turn, a client there lands in its thread's socket,
 * and steer_thread_of names the same thread for the accepted connection. */
static void
lands_with_the_thread_of_its_cpu(int family)
{
    int cpu[CPU_SETSIZE];
    unsigned ncpus = usable(cpu);
    if (ncpus < 2)
        cr_skip_test("one usable CPU: nothing to steer");
    unsigned threads = ncpus < MAX_GROUP ? ncpus : MAX_GROUP;
    struct group g;
    if (!group_open(&g, family, threads))
        cr_skip_test("no ::1 here");
    struct steer *s = steer_new(family, threads);
    cr_assert_not_null(s);
    cr_assert(steer_attach(s, g.fd[0]), "the kernel takes the program: %s", strerror(errno));
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i < ncpus; i++) {
            threadinfo_pin(cpu[i]);
            int c = dial(&g, NULL, 0), conn = -1;
            int got = group_accept(&g, &conn);
            cr_assert_eq(got, (int)(i % threads), "from CPU %d: socket %d, want %u", cpu[i], got,
                         i % threads);
            struct sockaddr_storage peer;
            socklen_t plen = sizeof peer;
            cr_assert_eq(getpeername(conn, (struct sockaddr *)&peer, &plen), 0);
            cr_expect_eq(steer_thread_of(s, conn, (struct sockaddr *)&peer), (int)(i % threads));
            close(conn);
            close(c);
        }
    steer_free(s);
    group_close(&g);
}

Test(steer, sends_a_local_connection_to_its_cpus_thread)
{
    lands_with_the_thread_of_its_cpu(AF_INET);
}

Test(steer, sends_an_ipv6_loopback_connection_to_its_cpus_thread)
{
    lands_with_the_thread_of_its_cpu(AF_INET6);
}

/* A client that moves to another CPU: its next packet tells where it is. */
Test(steer, follows_a_client_that_moved)
{
    int cpu[CPU_SETSIZE];
    if (usable(cpu) < 2)
        cr_skip_test("one usable CPU: nothing to steer");
    struct group g;
    cr_assert(group_open(&g, AF_INET, 2));
    struct steer *s = steer_new(AF_INET, 2);
    cr_assert_not_null(s);
    cr_assert(steer_attach(s, g.fd[0]));
    threadinfo_pin(cpu[0]);
    int c = dial(&g, NULL, 0), conn = -1;
    cr_assert_eq(group_accept(&g, &conn), 0);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    cr_assert_eq(getpeername(conn, (struct sockaddr *)&peer, &plen), 0);
    cr_expect_eq(steer_thread_of(s, conn, (struct sockaddr *)&peer), 0);
    threadinfo_pin(cpu[1]);
    cr_assert_eq(write(c, "x", 1), 1);
    char byte;
    cr_assert_eq(read(conn, &byte, 1), 1);
    cr_expect_eq(steer_thread_of(s, conn, (struct sockaddr *)&peer), 1, "now from the second CPU");
    close(conn);
    close(c);
    steer_free(s);
    group_close(&g);
}

/* A local address of this machine other than a loopback one, as a source for
 * connections to 127.0.0.1; false when there is none. */
static bool
other_local_address(struct sockaddr_in *out)
{
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *a = all; a && !found; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET) {
            struct sockaddr_in in = *(struct sockaddr_in *)a->ifa_addr;
            if (ntohl(in.sin_addr.s_addr) >> 24 != 127) {
                in.sin_port = 0;
                *out = in;
                found = true;
            }
        }
    freeifaddrs(all);
    return found;
}

/* Not from a loopback address: the kernel's hash spreads them as without
 * steering. All 32 from one CPU would land in one socket if they were
 * steered; hashed, all in one has a chance of 2^-31. */
Test(steer, leaves_other_sources_to_the_hash)
{
    int cpu[CPU_SETSIZE];
    if (usable(cpu) < 2)
        cr_skip_test("one usable CPU: nothing to steer");
    struct sockaddr_in from;
    if (!other_local_address(&from))
        cr_skip_test("no local address other than 127.0.0.1");
    struct group g;
    cr_assert(group_open(&g, AF_INET, 2));
    struct steer *s = steer_new(AF_INET, 2);
    cr_assert(steer_attach(s, g.fd[0]));
    threadinfo_pin(cpu[0]);
    unsigned landed[2] = {0, 0};
    for (int i = 0; i < 32; i++) {
        int c = dial(&g, (struct sockaddr *)&from, sizeof from), conn = -1;
        int got = group_accept(&g, &conn);
        cr_assert(got == 0 || got == 1, "every connection is accepted");
        landed[got]++;
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        cr_assert_eq(getpeername(conn, (struct sockaddr *)&peer, &plen), 0);
        cr_expect_eq(steer_thread_of(s, conn, (struct sockaddr *)&peer), -1, "not steered");
        close(conn);
        close(c);
    }
    cr_expect(landed[0] > 0 && landed[1] > 0, "spread over both: %u and %u", landed[0], landed[1]);
    steer_free(s);
    group_close(&g);
}

Test(steer, steers_nothing_with_one_thread_or_more_threads_than_cpus)
{
    int cpu[CPU_SETSIZE];
    unsigned ncpus = usable(cpu);
    cr_expect_null(steer_new(AF_INET, 1), "one thread: every connection is its");
    cr_expect_null(steer_new(AF_INET, ncpus + 1), "a thread would get no local connection");
    cr_expect_null(steer_new(AF_UNIX, 2), "TCP over IPv4 or IPv6 only");
    if (ncpus >= 2) {
        struct steer *s = steer_new(AF_INET, ncpus);
        cr_expect_not_null(s);
        steer_free(s);
    }
}
