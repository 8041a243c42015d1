/* loop: the HTTP threads, each driving one libmicrohttpd daemon.
 *
 * Each thread runs a daemon of its own in epoll mode from a loop of its own
 * (MHD_run_wait, or poll on the daemon's epoll descriptor and MHD_run when a
 * full batch of events is possible: server/loop.c), with a listening
 * socket of its own on the shared port (SO_REUSEPORT), so the kernel spreads
 * new connections over the threads, or sends a local one to the thread of its
 * client's CPU (server/steer.h). This module opens and owns the sockets.
 * libmicrohttpd's own threads would walk every connection of a thread at each
 * wake-up (poll mode), or stall when a multiple of 128 connections are ready
 * at once (its epoll mode, 0.9.75): docs/operations.md, "Concurrency". A
 * connection is served from start to end by the thread that accepted it, and
 * closed by it when the loop stops, so per-thread state may live in
 * thread-local storage.
 *
 * Call loop_quiesce and loop_stop from one thread, not from an HTTP thread. */
#ifndef ARTICLED_LOOP_H
#define ARTICLED_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct MHD_Connection;
struct MHD_Daemon;
struct loop;

/* Starts one daemon, in epoll mode without threads of its own, on listen_fd
 * with at most limit connections; NULL when it cannot. */
typedef struct MHD_Daemon *(*loop_daemon_fn)(void *cls, int listen_fd, unsigned limit);

struct loop_options {
    unsigned threads;         /* 0 counts as 1 */
    unsigned max_connections; /* shared out between the threads */
    /* Thread N is bound to the N-th CPU the caller may run on
     * (models/cpus.h), so that no two share a CPU while there are no more
     * threads than CPUs; a thread that cannot be bound runs unbound. */
    bool bind_cpus;
    /* Each thread asks the scheduler for slices of this many microseconds
     * (cpus_ask_slice); 0: the kernel's default. */
    unsigned slice_us;
    /* New connections from loopback addresses go to the thread of the CPU
     * their client runs on (server/steer.h), when there are at least two
     * threads and no more threads than CPUs. */
    bool steer;
};

/* Listens on addr (a socket a thread, backlog 1024 each; IPv6 only for an
 * IPv6 address) and starts opt->threads daemons with start, sharing
 * opt->max_connections between them, each driven by a thread of its own,
 * named articled-httpN. Returns NULL with *errstr (static) when the port is
 * in use, or a socket, a daemon or a thread cannot be had; nothing is left
 * running. */
struct loop *loop_start(const struct sockaddr *addr, socklen_t addrlen,
                        const struct loop_options *opt, loop_daemon_fn start, void *cls,
                        const char **errstr);

/* The port the sockets are bound to (useful with port 0). */
uint16_t loop_port(const struct loop *loop);

/* The HTTP threads; how many of them are bound to a CPU of their own; how
 * many run in the slice they asked for. */
unsigned loop_threads(const struct loop *loop);
unsigned loop_bound(const struct loop *loop);
unsigned loop_sliced(const struct loop *loop);

/* Whether new local connections are steered (loop_options.steer, and the
 * kernel took the steering). */
bool loop_steered(const struct loop *loop);

/* Called by an HTTP thread of loop as it answers on conn: true when the
 * connection should be closed after this response because its client now
 * runs on a CPU another thread serves, so that it reconnects to that one.
 * Looks at one response in MOVE_SAMPLE (only then at the connection) and says
 * yes at most once in MOVE_GAP_MS a thread (loop.c); always false when
 * connections are not steered. */
bool loop_moved(struct loop *loop, struct MHD_Connection *conn);

/* Stops accepting: returns once every daemon has let go of its listening
 * socket (each thread notices within 50 ms), and the sockets are closed (a connection still in a backlog is
 * reset). Open connections are still served. Again: no-op. */
void loop_quiesce(struct loop *loop);

/* Quiesces if not done, has each thread stop its daemon (closing its
 * connections, whose requests complete on that thread) and exit, then frees
 * loop. NULL: nothing. */
void loop_stop(struct loop *loop);

#endif
