/* deadline: whole-request deadlines on open sockets, enforced by a watchdog thread.
 *
 * An idle timer (libmicrohttpd's) is reset by every byte, so a client that
 * dribbles its headers or body one byte at a time (slowloris) holds a
 * connection for ever. Here each watched socket carries one absolute deadline
 * and a phase; a watchdog thread calls the expire function for every socket
 * whose deadline has passed, then disarms it. The transport moves a socket from
 * phase to phase as its request advances.
 *
 * The socket table is the one lock: deadline_watch and deadline_forget take
 * it, and the expire function runs under it, so a socket forgotten before it is
 * closed is never touched again (a reused descriptor number is safe). Arming
 * and phase changes are atomic stores, cheap enough for every request. */
#ifndef ARTICLED_DEADLINE_H
#define ARTICLED_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The phases the transport uses; the watchdog only passes them on. */
enum deadline_phase {
    DEADLINE_NONE,    /* nothing to wait for (a response is being produced or sent) */
    DEADLINE_WAITING, /* waiting for a request line: a new or kept-alive connection */
    DEADLINE_HEADERS, /* the request line arrived, the headers have not */
    DEADLINE_BODY,    /* the headers arrived, the body has not */
};

struct deadline;
struct deadline_slot;

/* The clock deadlines are kept in: CLOCK_MONOTONIC, in milliseconds. */
int64_t deadline_now_ms(void);

/* Called by the watchdog, under the table lock, for a socket whose deadline
 * has passed while in phase (not DEADLINE_NONE). fd is still open. */
typedef void (*deadline_expire_fn)(void *cls, int fd, enum deadline_phase phase);

/* Starts the watchdog over a table of capacity sockets, checking every tick_ms.
 * Returns NULL with *errstr (static) when memory or a thread cannot be had. */
struct deadline *deadline_start(size_t capacity, int tick_ms, deadline_expire_fn expire, void *cls,
                                const char **errstr);

/* Watches fd, in phase, expiring ms from now. Returns its slot (owned by the
 * table until deadline_forget), or NULL when the table is full (the socket is
 * then not watched). */
struct deadline_slot *deadline_watch(struct deadline *d, int fd, enum deadline_phase phase, int ms);

/* Sets the slot's phase and a new deadline ms from now (DEADLINE_NONE: none).
 * slot may be NULL (an unwatched socket): nothing happens. */
void deadline_arm(struct deadline_slot *slot, enum deadline_phase phase, int ms);

/* Sets the slot's phase and keeps its deadline. slot may be NULL. */
void deadline_phase(struct deadline_slot *slot, enum deadline_phase phase);

/* True once the watchdog has expired the slot, until it is armed again. */
bool deadline_expired(const struct deadline_slot *slot);

/* Stops watching; call before the socket is closed. slot may be NULL. */
void deadline_forget(struct deadline *d, struct deadline_slot *slot);

/* Stops the watchdog thread. Slots may still be forgotten afterwards (the
 * daemon closing its connections); deadline_free then frees the table. */
void deadline_stop(struct deadline *d);
void deadline_free(struct deadline *d);

#endif
