#include "server/deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct deadline_slot {
    int fd;      /* -1 when free; changed only under the lock */
    int phase;   /* enum deadline_phase, atomic */
    int64_t due; /* CLOCK_MONOTONIC ms; 0 = none; atomic */
    int expired; /* atomic */
    struct deadline_slot *next_free;
};

struct deadline {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running, stopping;
    int tick_ms;
    deadline_expire_fn expire;
    void *cls;
    size_t capacity;
    struct deadline_slot *slots;
    struct deadline_slot *free_list;
};

int64_t
deadline_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void *
watchdog(void *arg)
{
    struct deadline *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)d->tick_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        int rc = 0;
        while (!d->stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&d->wake, &d->lock, &until);
        if (d->stopping)
            break;
        int64_t now = deadline_now_ms();
        for (size_t i = 0; i < d->capacity; i++) {
            struct deadline_slot *s = &d->slots[i];
            if (s->fd < 0)
                continue;
            int64_t due = __atomic_load_n(&s->due, __ATOMIC_ACQUIRE);
            int phase = __atomic_load_n(&s->phase, __ATOMIC_ACQUIRE);
            if (due == 0 || due > now || phase == DEADLINE_NONE)
                continue;
            __atomic_store_n(&s->due, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&s->expired, 1, __ATOMIC_RELEASE);
            d->expire(d->cls, s->fd, (enum deadline_phase)phase);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct deadline *
deadline_start(size_t capacity, int tick_ms, deadline_expire_fn expire, void *cls,
               const char **errstr)
{
    struct deadline *d = calloc(1, sizeof *d);
    if (!d || !(d->slots = calloc(capacity ? capacity : 1, sizeof *d->slots))) {
        free(d);
        *errstr = "out of memory for the deadline table";
        return NULL;
    }
    d->capacity = capacity;
    d->tick_ms = tick_ms > 0 ? tick_ms : 100;
    d->expire = expire;
    d->cls = cls;
    for (size_t i = capacity; i-- > 0;) {
        d->slots[i].fd = -1;
        d->slots[i].next_free = d->free_list;
        d->free_list = &d->slots[i];
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&d->lock, NULL);
    if (pthread_create(&d->thread, NULL, watchdog, d) != 0) {
        deadline_free(d);
        *errstr = "cannot start the deadline thread";
        return NULL;
    }
    d->running = true;
    return d;
}

struct deadline_slot *
deadline_watch(struct deadline *d, int fd, enum deadline_phase phase, int ms)
{
    pthread_mutex_lock(&d->lock);
    struct deadline_slot *s = d->free_list;
    if (s) {
        d->free_list = s->next_free;
        s->fd = fd;
        deadline_arm(s, phase, ms);
    }
    pthread_mutex_unlock(&d->lock);
    return s;
}

void
deadline_arm(struct deadline_slot *slot, enum deadline_phase phase, int ms)
{
    if (!slot)
        return;
    __atomic_store_n(&slot->expired, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&slot->phase, (int)phase, __ATOMIC_RELEASE);
    __atomic_store_n(&slot->due, phase == DEADLINE_NONE ? 0 : deadline_now_ms() + ms, __ATOMIC_RELEASE);
}

void
deadline_phase(struct deadline_slot *slot, enum deadline_phase phase)
{
    if (slot)
        __atomic_store_n(&slot->phase, (int)phase, __ATOMIC_RELEASE);
}

bool
deadline_expired(const struct deadline_slot *slot)
{
    return slot && __atomic_load_n(&slot->expired, __ATOMIC_ACQUIRE);
}

void
deadline_forget(struct deadline *d, struct deadline_slot *slot)
{
    if (!slot)
        return;
    pthread_mutex_lock(&d->lock);
    slot->fd = -1;
    __atomic_store_n(&slot->due, 0, __ATOMIC_RELEASE);
    slot->next_free = d->free_list;
    d->free_list = slot;
    pthread_mutex_unlock(&d->lock);
}

void
deadline_stop(struct deadline *d)
{
    if (!d || !d->running)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    d->running = false;
}

void
deadline_free(struct deadline *d)
{
    if (!d)
        return;
    deadline_stop(d);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d->slots);
    free(d);
}
