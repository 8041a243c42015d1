/* steer: keeps a local client and the HTTP thread that serves it on one CPU.
 *
 * The kernel processes the packets of a connection over loopback on the CPU
 * its sender runs on: a client's request arrives on the client's CPU. Spread
 * by the kernel's hash (SO_REUSEPORT's default), each HTTP thread serves some
 * connections of every client thread, so each client thread wakes every HTTP
 * thread, and the scheduler, which moves a woken thread next to its waker,
 * keeps pulling the HTTP threads onto one CPU (docs/operations.md,
 * "Scheduling"). Steered, a new connection from a loopback address goes to
 * the thread of the CPU its client connected from: the i-th usable CPU's
 * (models/cpus.h) is thread i modulo the thread count, the CPU thread i is
 * bound to with cpu_affinity. Each client thread then talks to one HTTP
 * thread, and the pair shares a CPU.
 *
 * Other connections are spread by the hash as before: from a network card,
 * the CPU a packet is processed on is the card's queue's, and a card with one
 * queue would send every connection to one thread.
 *
 * A client thread that moves to another CPU keeps its connections; the
 * transport closes such a connection after a response (steer_thread_of), and
 * the client's next connection is steered from where it runs now.
 *
 * A struct steer is immutable once made and may be read from any thread. */
#ifndef ARTICLED_STEER_H
#define ARTICLED_STEER_H

#include <stdbool.h>
#include <sys/socket.h>

struct steer;

/* The steering of connections to threads for listening sockets of family
 * (AF_INET or AF_INET6). NULL when there is nothing to steer: one thread,
 * more threads than usable CPUs (some would get no local connection at all),
 * an unreadable CPU mask, or out of memory. */
struct steer *steer_new(int family, unsigned threads);
void steer_free(struct steer *s);

/* Installs the steering on the SO_REUSEPORT group of listen_fd, whose
 * sockets must have been put to listen in thread order (the kernel numbers
 * them so). False when the kernel refuses it; connections are then hashed. */
bool steer_attach(const struct steer *s, int listen_fd);

/* The thread a connection (its socket fd and its client's address) would be
 * steered to now, from the CPU its last packet was processed on; -1 when it
 * is not steered: not from a loopback address, or from a CPU outside the
 * mask. */
int steer_thread_of(const struct steer *s, int fd, const struct sockaddr *peer);

#endif
