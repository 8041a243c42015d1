#include "tests/support/pages.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pages {
    const struct page *pages;
    size_t n;
    int fd, port, stop;
    pthread_t thread;
};

static void
send_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t w = send(fd, s, len, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        len -= (size_t)w;
    }
}

static void
answer(struct pages *p, int fd)
{
    char req[4096];
    ssize_t got = recv(fd, req, sizeof req - 1, 0);
    if (got <= 0)
        return;
    req[got] = '\0';
    char path[512] = "";
    sscanf(req, "%*s %511s", path);
    const struct page *pg = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->pages[i].path, path) == 0)
            pg = &p->pages[i];
    char head[1024];
    if (!pg) {
        const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        send_all(fd, nf, sizeof nf - 1);
        return;
    }
    if (pg->delay_ms)
        usleep((useconds_t)pg->delay_ms * 1000);
    size_t n = (size_t)snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nConnection: close\r\n",
                                pg->status);
    if (pg->content_type)
        n += (size_t)snprintf(head + n, sizeof head - n, "Content-Type: %s\r\n", pg->content_type);
    if (pg->location) {
        char loc[512];
        snprintf(loc, sizeof loc, pg->location, p->port);
        n += (size_t)snprintf(head + n, sizeof head - n, "Location: %s\r\n", loc);
    }
    size_t blen = pg->body ? strlen(pg->body) : 0;
    if (!pg->repeat)
        n += (size_t)snprintf(head + n, sizeof head - n, "Content-Length: %zu\r\n", blen);
    n += (size_t)snprintf(head + n, sizeof head - n, "\r\n");
    send_all(fd, head, n);
    for (size_t i = 0; i < (pg->repeat ? pg->repeat : 1) && blen; i++)
        send_all(fd, pg->body, blen);
}

static void *
serve(void *arg)
{
    struct pages *p = arg;
    while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
        struct pollfd pf = {p->fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            continue;
        answer(p, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

struct pages *
pages_start(const struct page *pages, size_t n)
{
    struct pages *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->pages = pages;
    p->n = n;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->fd, 16) != 0 ||
        getsockname(p->fd, (struct sockaddr *)&a, &len) != 0) {
        close(p->fd);
        free(p);
        return NULL;
    }
    p->port = ntohs(a.sin_port);
    pthread_create(&p->thread, NULL, serve, p);
    return p;
}

int
pages_port(const struct pages *p)
{
    return p->port;
}

void
pages_stop(struct pages *p)
{
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
    pthread_join(p->thread, NULL);
    close(p->fd);
    free(p);
}
