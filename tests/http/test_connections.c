/* Many concurrent keep-alive connections must all be served: libmicrohttpd's
 * epoll mode stalls when a multiple of 128 connections are ready at once
 * (docs/operations.md), so the shipped mode is driven at 128, 256, 384 and 512
 * connections, each sending its request in the same instant, round after round
 * on the same connections. A stall shows as responses missing when a round's
 * deadline passes, not as a slow figure. */
#include "tests/support/harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATH "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"

struct conn {
    int fd;
    char head[1024];
    size_t head_len;
    size_t body_want, body_got;
    bool have_head, done;
};

static double
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Consumes bytes of one HTTP/1.1 response; sets done at its end. */
static void
feed(struct conn *c, const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && !c->have_head) {
        if (c->head_len < sizeof c->head - 1)
            c->head[c->head_len++] = buf[i];
        i++;
        c->head[c->head_len] = '\0';
        char *end = strstr(c->head, "\r\n\r\n");
        if (end) {
            c->have_head = true;
            const char *cl = strstr(c->head, "Content-Length: ");
            c->body_want = cl ? strtoul(cl + 16, NULL, 10) : 0;
        }
    }
    c->body_got += n - i;
    if (c->have_head && c->body_got >= c->body_want)
        c->done = strncmp(c->head, "HTTP/1.1 200", 12) == 0;
}

/* Returns the number of complete 200 responses over `rounds` rounds. */
static size_t
burst(int port, int nconn, int rounds, int deadline_ms)
{
    struct conn *cs = calloc((size_t)nconn, sizeof *cs);
    struct pollfd *pf = calloc((size_t)nconn, sizeof *pf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < nconn; i++) {
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        cr_assert(cs[i].fd >= 0);
        cr_assert_eq(connect(cs[i].fd, (struct sockaddr *)&a, sizeof a), 0);
    }
    static const char req[] = "GET " PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    size_t served = 0;
    char buf[16384];
    for (int r = 0; r < rounds; r++) {
        size_t left = (size_t)nconn;
        for (int i = 0; i < nconn; i++) {
            cs[i].head_len = cs[i].body_got = 0;
            cs[i].have_head = cs[i].done = false;
            if (send(cs[i].fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
                cs[i].done = true; /* the server closed it: this request is lost */
                left--;
            }
        }
        double deadline = now_ms() + deadline_ms;
        while (left > 0 && now_ms() < deadline) {
            int n = 0;
            for (int i = 0; i < nconn; i++)
                if (!cs[i].done)
                    pf[n++] = (struct pollfd){cs[i].fd, POLLIN, 0};
            if (poll(pf, (nfds_t)n, 100) <= 0)
                continue;
            for (int k = 0; k < n; k++) {
                if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                int i = 0;
                while (cs[i].fd != pf[k].fd)
                    i++;
                ssize_t got = recv(cs[i].fd, buf, sizeof buf, 0);
                if (got <= 0) { /* closed: this connection's request is lost */
                    cs[i].done = true;
                    left--;
                    continue;
                }
                feed(&cs[i], buf, (size_t)got);
                if (cs[i].done) {
                    left--;
                    served++;
                }
            }
        }
    }
    for (int i = 0; i < nconn; i++)
        close(cs[i].fd);
    free(cs);
    free(pf);
    return served;
}

static void
many_connections(struct config *cfg)
{
    cfg->max_connections = 2000;
}

Test(connections, serves_every_request_at_128_256_384_and_512_connections, .timeout = 240)
{
    struct harness h;
    harness_start(&h, "data/articles", many_connections);
    /* ARTICLED_TEST_PORT points the test at another server, to show it catches a stall. */
    const char *other = getenv("ARTICLED_TEST_PORT");
    int port = other ? atoi(other) : h.port;
    static const int levels[] = {128, 256, 384, 512};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
        size_t ok = burst(port, levels[i], 5, 10000);
        cr_assert_eq(ok, (size_t)levels[i] * 5, "%d connections: %zu of %d requests served",
                     levels[i], ok, levels[i] * 5);
    }
    harness_stop(&h);
}

/* ---- connection limits (issue 6 point 6) ---- */

static struct harness lim;

/* A connection to the server with one request answered on it, kept open;
 * -1 when the server closed it without an answer (refused at accept). */
static int
open_served(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)lim.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        close(fd);
        return -1;
    }
    char buf[2048];
    size_t got = 0;
    double deadline = now_ms() + 5000;
    while (got < sizeof buf - 1 && now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    buf[got] = '\0';
    if (strncmp(buf, "HTTP/1.1 200", 12) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
two_per_address(struct config *cfg)
{
    cfg->threads = 1;
    cfg->max_connections_per_address = 2;
}

/* The same limit with two threads: libmicrohttpd keeps the per-address count
 * in the pool's master daemon, so it holds across the threads; a count kept
 * per thread would let one address have the limit once per thread. */
static void
two_per_address_on_two_threads(struct config *cfg)
{
    cfg->threads = 2;
    cfg->max_connections_per_address = 2;
}

static void
two_in_total(struct config *cfg)
{
    cfg->threads = 1; /* with a pool, libmicrohttpd splits the total between the threads */
    cfg->max_connections = 2;
}

/* With a limit of two, a third connection is closed unanswered, and a new one
 * is served again once one of the two has gone. */
static void
check_limit_of_two(void (*tweak)(struct config *))
{
    harness_start(&lim, "data/articles", tweak);
    int a = open_served(), b = open_served();
    cr_assert(a >= 0 && b >= 0, "the first two connections are served");
    cr_expect_eq(open_served(), -1, "a third connection is refused");
    close(a);
    int c = -1;
    for (int tries = 0; c < 0 && tries < 50; tries++) { /* the close reaches the server */
        usleep(20000);
        c = open_served();
    }
    cr_expect_geq(c, 0, "served again once a connection has gone");
    close(b);
    if (c >= 0)
        close(c);
    harness_stop(&lim);
}

Test(connection_limits, refuses_a_third_connection_from_one_address_at_a_limit_of_two,
     .timeout = 60)
{
    check_limit_of_two(two_per_address);
}

Test(connection_limits, counts_one_address_across_threads, .timeout = 60)
{
    /* Several rounds: each connection lands on whichever thread accepts it first. */
    for (int round = 0; round < 3; round++)
        check_limit_of_two(two_per_address_on_two_threads);
}

Test(connection_limits, refuses_a_third_connection_at_a_total_of_two, .timeout = 60)
{
    check_limit_of_two(two_in_total);
}

/* Per address is off by default: behind a proxy every connection comes from
 * the proxy's address. */
Test(connection_limits, has_no_per_address_limit_by_default, .timeout = 60)
{
    harness_start(&lim, "data/articles", NULL);
    int fds[12];
    for (size_t i = 0; i < 12; i++)
        cr_assert_geq(fds[i] = open_served(), 0, "connection %zu", i);
    for (size_t i = 0; i < 12; i++)
        close(fds[i]);
    harness_stop(&lim);
}
