#include "server/peers.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An open-addressing table with linear probing, twice the capacity and a
 * power of two, so a probe always ends at an empty entry; entries leave by
 * backward shift, so there are no tombstones. Allocated once: counting a
 * connection never needs memory. */
struct peer {
    unsigned char addr[16]; /* IPv6, or IPv4-mapped */
    unsigned count;         /* 0: empty */
};

struct peers {
    pthread_mutex_t lock;
    unsigned limit;
    unsigned capacity; /* connections counted at most */
    unsigned counted;  /* connections counted now */
    size_t mask;       /* entries - 1 */
    uint64_t seed;     /* keys the hash: addresses are the clients' choice */
    struct peer table[];
};

struct peers *
peers_new(unsigned limit, unsigned capacity)
{
    size_t entries = 16;
    while (entries < (size_t)capacity * 2)
        entries *= 2;
    struct peers *p = calloc(1, sizeof *p + entries * sizeof p->table[0]);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    p->limit = limit;
    p->capacity = capacity;
    p->mask = entries - 1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    p->seed = ((uint64_t)now.tv_nsec << 32 ^ (uint64_t)now.tv_sec ^ (uintptr_t)p) | 1;
    return p;
}

void
peers_free(struct peers *peers)
{
    if (!peers)
        return;
    pthread_mutex_destroy(&peers->lock);
    free(peers);
}

/* addr as 16 bytes: IPv4 in its IPv4-mapped IPv6 form; other families all zero. */
static void
key_of(const struct sockaddr *addr, unsigned char key[16])
{
    memset(key, 0, 16);
    if (addr->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
    } else if (addr->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)addr)->sin_addr, 4);
    }
}

static size_t
hash_of(const struct peers *p, const unsigned char key[16])
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    uint64_t h = (a ^ p->seed) * 0x9e3779b97f4a7c15u;
    h = (h ^ (h >> 29) ^ b) * 0xbf58476d1ce4e5b9u;
    return (size_t)(h ^ (h >> 32)) & p->mask;
}

/* The entry holding key, or the empty one where it would go. Under the lock. */
static struct peer *
find(struct peers *p, const unsigned char key[16])
{
    size_t i = hash_of(p, key);
    while (p->table[i].count && memcmp(p->table[i].addr, key, 16) != 0)
        i = (i + 1) & p->mask;
    return &p->table[i];
}

bool
peers_room(struct peers *peers, const struct sockaddr *addr)
{
    unsigned char key[16];
    key_of(addr, key);
    pthread_mutex_lock(&peers->lock);
    bool room = find(peers, key)->count < peers->limit;
    pthread_mutex_unlock(&peers->lock);
    return room;
}

bool
peers_enter(struct peers *peers, const struct sockaddr *addr)
{
    unsigned char key[16];
    key_of(addr, key);
    pthread_mutex_lock(&peers->lock);
    struct peer *e = find(peers, key);
    if (e->count == 0 && peers->counted >= peers->capacity) {
        /* Past the server's connection limit, which cannot be: not counted,
         * so the table always has an empty entry to end a probe. */
        pthread_mutex_unlock(&peers->lock);
        return false;
    }
    if (e->count == 0)
        memcpy(e->addr, key, 16);
    e->count++;
    peers->counted++;
    bool within = e->count <= peers->limit;
    pthread_mutex_unlock(&peers->lock);
    return within;
}

void
peers_leave(struct peers *peers, const struct sockaddr *addr)
{
    unsigned char key[16];
    key_of(addr, key);
    pthread_mutex_lock(&peers->lock);
    struct peer *e = find(peers, key);
    if (e->count > 0) {
        peers->counted--;
        if (--e->count == 0) {
            /* Backward shift: move up each later entry of the run whose home
             * is not between the hole and it, so every probe still finds it. */
            size_t hole = (size_t)(e - peers->table);
            for (size_t i = (hole + 1) & peers->mask; peers->table[i].count;
                 i = (i + 1) & peers->mask) {
                size_t home = hash_of(peers, peers->table[i].addr);
                if (((i - home) & peers->mask) >= ((i - hole) & peers->mask)) {
                    peers->table[hole] = peers->table[i];
                    peers->table[i].count = 0;
                    hole = i;
                }
            }
        }
    }
    pthread_mutex_unlock(&peers->lock);
}
