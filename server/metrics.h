/* metrics: counters for GET /metrics in the Prometheus text format (0.0.4).
 *
 * Recording is lock-free (relaxed atomics) and safe from any thread; the
 * counters live as long as the service. */
#ifndef ARTICLED_METRICS_H
#define ARTICLED_METRICS_H

#include "models/strbuf.h"
#include "server/router.h"

#include <stddef.h>
#include <stdint.h>

struct metrics;

/* Counters for routes[0..n) (names borrowed) plus one slot for requests that
 * matched no route. NULL on OOM. */
struct metrics *metrics_new(const struct route *routes, size_t n);
void metrics_free(struct metrics *m);

/* Records one finished request: its route (NULL when none matched), status,
 * body bytes sent and duration in seconds. */
void metrics_request(struct metrics *m, const struct route *route, int status, size_t bytes,
                     double seconds);

struct memo;

/* Reports the counters of memo (borrowed; NULL: none) in the exposition, until
 * called again. The transport sets it when it starts and clears it when it stops. */
void metrics_watch_memo(struct metrics *m, const struct memo *memo);

/* Records a failed content reload. */
void metrics_reload_failed(struct metrics *m);

/* Records a connection closed because its local client moved to another HTTP
 * thread's CPU (server/steer.h). */
void metrics_connection_moved(struct metrics *m);

/* The gauges that are read at render time rather than counted. */
struct metrics_gauges {
    size_t articles;
    uint64_t generation;
    double snapshot_age_seconds;
    long long start_time;
};

/* Appends the exposition text to b. */
void metrics_render(const struct metrics *m, const struct metrics_gauges *g, struct strbuf *b);

#endif
