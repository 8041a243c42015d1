#include "server/loop.h"

#include "models/cpus.h"
#include "server/steer.h"

#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum loop_phase { LOOP_RUNNING, LOOP_QUIESCING, LOOP_STOPPING };

struct loop_thread {
    struct loop *loop;
    int listen_fd; /* this thread's own listening socket (SO_REUSEPORT) */
    struct MHD_Daemon *daemon;
    int epoll_fd; /* the daemon's; readable when MHD_run has work */
    pthread_t id;
    bool running;
    unsigned responses;     /* seen by loop_moved */
    long long last_move_ms; /* when loop_moved last said yes */
};

struct loop {
    uint16_t port;
    int phase; /* enum loop_phase, atomic */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned quiesced; /* threads whose daemon has let go of its socket; under lock */
    unsigned started;  /* threads that have asked for their slice; under lock */
    unsigned sliced;   /* threads the scheduler gave the asked slice; under lock */
    unsigned slice_us; /* 0: the kernel's default */
    bool closed;       /* the listening sockets are closed */
    unsigned nthreads;
    unsigned bound;      /* threads bound to a CPU of their own */
    struct steer *steer; /* NULL: connections spread by the kernel's hash */
    struct loop_thread threads[];
};

/* A thread waits at most this long before it looks at the phase again: what
 * a stop waits for a thread to notice, at most. An idle thread wakes this
 * often, and does nothing else then. */
#define TICK_MS 50

/* MHD_epoll (0.9.75) reads events in batches of 128 and calls epoll_wait again
 * after a full batch, blocking with the wait's timeout; when every ready
 * connection is in that full batch nothing more arrives, and the thread stalls
 * (docs/operations.md). A batch holds at most the daemon's connections and its
 * listening socket, so below this many connections it cannot be full. */
#define FEWER_THAN_A_BATCH 120

/* A thread looks at where a local client runs now at every MOVE_SAMPLE-th
 * response (one getsockopt), and closes a connection for having moved at most
 * once in MOVE_GAP_MS: a client that keeps changing CPUs costs a reconnection
 * that often at most, and one that moved once has its connections back with
 * one thread within about MOVE_GAP_MS each. */
#define MOVE_SAMPLE 8
#define MOVE_GAP_MS 10

/* The HTTP thread running here; NULL on other threads. */
static __thread struct loop_thread *self;

/* How long this thread may sleep before its daemon needs MHD_run: 0 when a
 * connection has data pending, at most TICK_MS. */
static int
wait_ms(struct MHD_Daemon *daemon)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(daemon, &ms) != MHD_YES || ms > TICK_MS)
        return TICK_MS;
    return (int)ms;
}

/* The daemon's open connections, after closed ones are cleaned up. */
static unsigned
open_connections(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

/* Adds n to *counter, a field of loop counted under its lock, and wakes the
 * caller waiting for it in wait_count. */
static void
count_up(struct loop *loop, unsigned *counter, unsigned n)
{
    pthread_mutex_lock(&loop->lock);
    *counter += n;
    pthread_cond_broadcast(&loop->changed);
    pthread_mutex_unlock(&loop->lock);
}

/* Returns once *counter (see count_up) has reached n. */
static void
wait_count(struct loop *loop, const unsigned *counter, unsigned n)
{
    pthread_mutex_lock(&loop->lock);
    while (*counter < n)
        pthread_cond_wait(&loop->changed, &loop->lock);
    pthread_mutex_unlock(&loop->lock);
}

/* With fewer connections than a batch, the thread waits in the daemon's own
 * epoll_wait (MHD_run_wait): one system call a wake-up, as nginx's workers.
 * With more, it waits in poll on the daemon's epoll descriptor and then calls
 * MHD_run, whose epoll_wait has timeout 0 and cannot stall. A daemon at its
 * connection limit takes its listening socket out of its epoll set and puts
 * it back only at the start of a run below the limit: so after a run that
 * closed a connection the next run comes at once, or a client waiting in the
 * backlog would wait for some other event. */
static void *
run_thread(void *arg)
{
    struct loop_thread *t = arg;
    struct loop *loop = t->loop;
    self = t;
    /* sliced before started: loop_start reads it once every thread has started */
    count_up(loop, &loop->sliced, loop->slice_us && cpus_ask_slice(loop->slice_us));
    count_up(loop, &loop->started, 1);
    bool quiesced = false;
    unsigned open = 0;
    bool closed = false; /* the last run closed a connection */
    for (;;) {
        int phase = __atomic_load_n(&loop->phase, __ATOMIC_ACQUIRE);
        if (phase != LOOP_RUNNING && !quiesced) {
            MHD_quiesce_daemon(t->daemon);
            quiesced = true;
            count_up(loop, &loop->quiesced, 1);
        }
        if (phase == LOOP_STOPPING)
            break;
        int ms = closed ? 0 : wait_ms(t->daemon);
        if (ms != 0 && open < FEWER_THAN_A_BATCH) {
            MHD_run_wait(t->daemon, ms);
        } else {
            struct pollfd p = {t->epoll_fd, POLLIN, 0};
            if (ms != 0)
                poll(&p, 1, ms);
            MHD_run(t->daemon);
        }
        unsigned now = open_connections(t->daemon);
        closed = now < open;
        open = now;
    }
    MHD_stop_daemon(t->daemon); /* closes its connections on this thread */
    t->daemon = NULL;
    return NULL;
}

static void
set_phase(struct loop *loop, enum loop_phase phase)
{
    __atomic_store_n(&loop->phase, phase, __ATOMIC_RELEASE);
}

void
loop_quiesce(struct loop *loop)
{
    if (!loop || loop->closed)
        return;
    unsigned running = 0;
    for (unsigned i = 0; i < loop->nthreads; i++)
        running += loop->threads[i].running;
    set_phase(loop, LOOP_QUIESCING);
    wait_count(loop, &loop->quiesced, running);
    for (unsigned i = 0; i < loop->nthreads; i++) {
        struct loop_thread *t = &loop->threads[i];
        /* A daemon no thread runs lets go here, where nothing else touches it. */
        if (!t->running && t->daemon)
            MHD_quiesce_daemon(t->daemon);
        if (t->listen_fd >= 0)
            close(t->listen_fd);
    }
    loop->closed = true;
}

void
loop_stop(struct loop *loop)
{
    if (!loop)
        return;
    loop_quiesce(loop);
    set_phase(loop, LOOP_STOPPING);
    for (unsigned i = 0; i < loop->nthreads; i++) {
        struct loop_thread *t = &loop->threads[i];
        if (t->running)
            pthread_join(t->id, NULL);
        else if (t->daemon)
            MHD_stop_daemon(t->daemon);
    }
    steer_free(loop->steer);
    pthread_cond_destroy(&loop->changed);
    pthread_mutex_destroy(&loop->lock);
    free(loop);
}

/* A TCP socket for addr's family, IPv6 only for IPv6; -1 with *errstr. */
static int
tcp_socket(const struct sockaddr *addr, const char **errstr)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *errstr = "cannot open a socket";
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on); /* as libmicrohttpd does */
    if (addr->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    return fd;
}

static const char *
bind_error(int err)
{
    return err == EADDRINUSE ? "cannot listen: the address is in use"
           : err == EACCES   ? "cannot listen: not permitted on that port"
                             : "cannot listen on that address";
}

/* Opens a listening socket for each thread, all on addr's port (with port 0,
 * the one the kernel chose), so that the kernel spreads new connections over
 * the threads: with one shared socket, whichever thread woke first took a
 * whole burst of connections (libmicrohttpd accepts up to ten a wake-up), and
 * one thread could end up serving every connection while the other idled.
 * SO_REUSEPORT would also let another process of this user bind the port and
 * take a share of the connections; so a plain socket is bound first, and a
 * second articled on the port fails as before. -1 with *errstr. */
static int
open_listeners(struct loop *loop, const struct sockaddr *addr, socklen_t addrlen,
               const char **errstr)
{
    int probe = tcp_socket(addr, errstr);
    if (probe < 0)
        return -1;
    if (bind(probe, addr, addrlen) != 0) {
        *errstr = bind_error(errno);
        close(probe);
        return -1;
    }
    struct sockaddr_storage at;
    socklen_t atlen = sizeof at;
    int got = getsockname(probe, (struct sockaddr *)&at, &atlen);
    close(probe);
    if (got != 0) {
        *errstr = "cannot read the bound address";
        return -1;
    }
    loop->port = ntohs(at.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&at)->sin6_port
                                                : ((struct sockaddr_in *)&at)->sin_port);
    for (unsigned i = 0; i < loop->nthreads; i++) {
        int fd = tcp_socket(addr, errstr);
        if (fd < 0)
            return -1;
        loop->threads[i].listen_fd = fd;
        int on = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
            *errstr = "cannot set SO_REUSEPORT";
            return -1;
        }
        if (bind(fd, (struct sockaddr *)&at, atlen) != 0) {
            *errstr = bind_error(errno);
            return -1;
        }
        if (listen(fd, 1024) != 0) {
            *errstr = "cannot listen on that address";
            return -1;
        }
    }
    return 0;
}

struct loop *
loop_start(const struct sockaddr *addr, socklen_t addrlen, const struct loop_options *opt,
           loop_daemon_fn start, void *cls, const char **errstr)
{
    unsigned threads = opt->threads ? opt->threads : 1, max_connections = opt->max_connections;
    struct loop *loop = calloc(1, sizeof *loop + threads * sizeof loop->threads[0]);
    if (!loop) {
        *errstr = "out of memory";
        return NULL;
    }
    loop->nthreads = threads;
    loop->slice_us = opt->slice_us;
    pthread_mutex_init(&loop->lock, NULL);
    pthread_cond_init(&loop->changed, NULL);
    for (unsigned i = 0; i < threads; i++)
        loop->threads[i] = (struct loop_thread){.loop = loop, .listen_fd = -1, .epoll_fd = -1};
    if (open_listeners(loop, addr, addrlen, errstr) != 0)
        goto fail;
    if (opt->steer && (loop->steer = steer_new(addr->sa_family, threads)) &&
        !steer_attach(loop->steer, loop->threads[0].listen_fd)) {
        steer_free(loop->steer);
        loop->steer = NULL;
    }
    /* Shared as libmicrohttpd's own thread pool shares it: the first
     * max_connections % threads daemons take one more. */
    for (unsigned i = 0; i < threads; i++) {
        struct loop_thread *t = &loop->threads[i];
        unsigned limit = max_connections / threads + (i < max_connections % threads);
        if (!(t->daemon = start(cls, t->listen_fd, limit))) {
            *errstr = "cannot start the HTTP daemon";
            goto fail;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(t->daemon, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info || info->epoll_fd < 0) {
            *errstr = "the HTTP daemon has no epoll descriptor";
            goto fail;
        }
        t->epoll_fd = info->epoll_fd;
    }
    for (unsigned i = 0; i < threads; i++) {
        struct loop_thread *t = &loop->threads[i];
        if (pthread_create(&t->id, NULL, run_thread, t) != 0) {
            *errstr = "cannot start an HTTP thread";
            goto fail;
        }
        t->running = true;
        char name[16]; /* top -H and /proc/PID/task/TID/comm show it */
        snprintf(name, sizeof name, "articled-http%u", i);
        pthread_setname_np(t->id, name);
        if (opt->bind_cpus && cpus_bind(t->id, i))
            loop->bound++;
    }
    wait_count(loop, &loop->started, threads); /* so that loop_sliced is final */
    return loop;
fail:
    loop_stop(loop);
    return NULL;
}

uint16_t
loop_port(const struct loop *loop)
{
    return loop->port;
}

unsigned
loop_threads(const struct loop *loop)
{
    return loop->nthreads;
}

unsigned
loop_bound(const struct loop *loop)
{
    return loop->bound;
}

bool
loop_steered(const struct loop *loop)
{
    return loop->steer != NULL;
}

bool
loop_moved(struct loop *loop, struct MHD_Connection *conn)
{
    struct loop_thread *t = self;
    if (!loop->steer || !t || t->loop != loop || ++t->responses % MOVE_SAMPLE != 0)
        return false;
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *peer =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fd || !peer)
        return false;
    int to = steer_thread_of(loop->steer, fd->connect_fd, peer->client_addr);
    if (to < 0 || (unsigned)to == (unsigned)(t - loop->threads))
        return false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (t->last_move_ms && ms - t->last_move_ms < MOVE_GAP_MS)
        return false;
    t->last_move_ms = ms;
    return true;
}

unsigned
loop_sliced(const struct loop *loop)
{
    return loop->sliced; /* final once loop_start has returned */
}
