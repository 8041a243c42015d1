#include "server/metrics.h"

#include "server/memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The status codes counted one by one; anything else counts as "other". */
static const int codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 409, 412,
                            413, 414, 415, 428, 431, 500, 501, 503};
#define NCODES (sizeof codes / sizeof *codes + 1)

/* Latency histogram bounds, seconds (Prometheus' defaults shifted down: this is a fast service). */
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                0.01,   0.025,   0.05,   0.1,   0.25,   1};
#define NBOUNDS (sizeof bounds / sizeof *bounds)

struct route_counters {
    uint64_t by_status[NCODES];
    uint64_t buckets[NBOUNDS + 1]; /* the last one is +Inf */
    uint64_t micros;               /* sum of durations, microseconds */
    uint64_t bytes;
};

/* Each worker thread counts in its own shard, so that two threads serving
 * requests do not take turns owning the same cache lines; a scrape sums them. */
#define SHARDS 8

struct metrics {
    const struct route *routes;
    size_t n;
    struct route_counters *per_route; /* SHARDS x (n + 1): the last of each is "no route" */
    uint64_t reload_failures;
    uint64_t connections_moved;
    const struct memo *memo; /* atomic pointer */
};

struct metrics *
metrics_new(const struct route *routes, size_t n)
{
    struct metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->routes = routes;
    m->n = n;
    if (!(m->per_route = calloc(SHARDS * (n + 1), sizeof *m->per_route))) {
        free(m);
        return NULL;
    }
    return m;
}

void
metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free(m->per_route);
    free(m);
}

static size_t
code_index(int status)
{
    for (size_t i = 0; i < NCODES - 1; i++)
        if (codes[i] == status)
            return i;
    return NCODES - 1;
}

void
metrics_request(struct metrics *m, const struct route *route, int status, size_t bytes,
                double seconds)
{
    size_t r = route ? (size_t)(route - m->routes) : m->n;
    if (r > m->n)
        r = m->n;
    static unsigned next_shard;
    static __thread unsigned shard = SHARDS; /* SHARDS: none yet */
    if (shard == SHARDS)
        shard = __atomic_fetch_add(&next_shard, 1, __ATOMIC_RELAXED) % SHARDS;
    struct route_counters *c = &m->per_route[shard * (m->n + 1) + r];
    size_t b = 0;
    while (b < NBOUNDS && seconds > bounds[b])
        b++;
    __atomic_add_fetch(&c->by_status[code_index(status)], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->micros, (uint64_t)(seconds * 1e6), __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->bytes, (uint64_t)bytes, __ATOMIC_RELAXED);
}

void
metrics_watch_memo(struct metrics *m, const struct memo *memo)
{
    __atomic_store_n(&m->memo, memo, __ATOMIC_RELEASE);
}

void
metrics_reload_failed(struct metrics *m)
{
    __atomic_add_fetch(&m->reload_failures, 1, __ATOMIC_RELAXED);
}

void
metrics_connection_moved(struct metrics *m)
{
    __atomic_add_fetch(&m->connections_moved, 1, __ATOMIC_RELAXED);
}

static uint64_t
load(const uint64_t *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* Resident memory in bytes from /proc/self/statm; 0 when unreadable. */
static long long
resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size = 0, resident = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lld %lld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* Route r's counters summed over the shards. */
static struct route_counters
route_total(const struct metrics *m, size_t r)
{
    struct route_counters t = {0};
    for (size_t s = 0; s < SHARDS; s++) {
        const struct route_counters *c = &m->per_route[s * (m->n + 1) + r];
        for (size_t k = 0; k < NCODES; k++)
            t.by_status[k] += load(&c->by_status[k]);
        for (size_t k = 0; k <= NBOUNDS; k++)
            t.buckets[k] += load(&c->buckets[k]);
        t.micros += load(&c->micros);
        t.bytes += load(&c->bytes);
    }
    return t;
}

void
metrics_render(const struct metrics *m, const struct metrics_gauges *g, struct strbuf *b)
{
    struct route_counters *total = calloc(m->n + 1, sizeof *total);
    if (!total) {
        strbuf_adds(b, "# out of memory\n");
        return;
    }
    for (size_t r = 0; r <= m->n; r++)
        total[r] = route_total(m, r);
    strbuf_adds(b, "# HELP articled_http_requests_total HTTP requests by route and status.\n"
                   "# TYPE articled_http_requests_total counter\n");
    for (size_t r = 0; r <= m->n; r++) {
        const char *name = r < m->n ? m->routes[r].name : "none";
        for (size_t k = 0; k < NCODES; k++) {
            uint64_t v = total[r].by_status[k];
            if (!v)
                continue;
            if (k < NCODES - 1)
                strbuf_addf(b, "articled_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                            name, codes[k], (unsigned long long)v);
            else
                strbuf_addf(b, "articled_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                            name, (unsigned long long)v);
        }
    }
    strbuf_adds(b, "# HELP articled_http_request_duration_seconds Time from the request line to "
                   "the response queued.\n"
                   "# TYPE articled_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= m->n; r++) {
        const struct route_counters *c = &total[r];
        const char *name = r < m->n ? m->routes[r].name : "none";
        uint64_t cum = 0;
        for (size_t k = 0; k <= NBOUNDS; k++) {
            cum += c->buckets[k];
            if (k < NBOUNDS)
                strbuf_addf(b,
                            "articled_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                            "%llu\n",
                            name, bounds[k], (unsigned long long)cum);
            else
                strbuf_addf(b,
                            "articled_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
                            "%llu\n",
                            name, (unsigned long long)cum);
        }
        strbuf_addf(b, "articled_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                    (double)c->micros / 1e6);
        strbuf_addf(b, "articled_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
                    (unsigned long long)cum);
    }
    strbuf_adds(b, "# HELP articled_http_response_bytes_total Response body bytes sent.\n"
                   "# TYPE articled_http_response_bytes_total counter\n");
    for (size_t r = 0; r <= m->n; r++)
        strbuf_addf(b, "articled_http_response_bytes_total{route=\"%s\"} %llu\n",
                    r < m->n ? m->routes[r].name : "none",
                    (unsigned long long)total[r].bytes);
    free(total);
    strbuf_addf(b,
                "# HELP articled_articles Articles in the served snapshot.\n"
                "# TYPE articled_articles gauge\n"
                "articled_articles %zu\n"
                "# HELP articled_snapshot_generation Generation of the served snapshot.\n"
                "# TYPE articled_snapshot_generation gauge\n"
                "articled_snapshot_generation %llu\n"
                "# HELP articled_snapshot_age_seconds Seconds since the served snapshot was built.\n"
                "# TYPE articled_snapshot_age_seconds gauge\n"
                "articled_snapshot_age_seconds %.3f\n"
                "# HELP articled_reload_failures_total Content reloads that failed.\n"
                "# TYPE articled_reload_failures_total counter\n"
                "articled_reload_failures_total %llu\n"
                "# HELP articled_connections_moved_total Connections of local clients closed after a "
                "response, their client having moved to another HTTP thread's CPU.\n"
                "# TYPE articled_connections_moved_total counter\n"
                "articled_connections_moved_total %llu\n"
                "# HELP articled_resident_memory_bytes Resident memory of the process.\n"
                "# TYPE articled_resident_memory_bytes gauge\n"
                "articled_resident_memory_bytes %lld\n"
                "# HELP articled_start_time_seconds Start time of the process since the epoch.\n"
                "# TYPE articled_start_time_seconds gauge\n"
                "articled_start_time_seconds %lld\n",
                g->articles, (unsigned long long)g->generation, g->snapshot_age_seconds,
                (unsigned long long)load(&m->reload_failures),
                (unsigned long long)load(&m->connections_moved), resident_bytes(), g->start_time);
    const struct memo *memo = __atomic_load_n(&m->memo, __ATOMIC_ACQUIRE);
    if (!memo)
        return;
    struct memo_stats st;
    memo_stats(memo, &st);
    strbuf_addf(b,
                "# HELP articled_memo_hits_total Requests answered from the response memo.\n"
                "# TYPE articled_memo_hits_total counter\n"
                "articled_memo_hits_total %llu\n"
                "# HELP articled_memo_misses_total Memo lookups that found nothing.\n"
                "# TYPE articled_memo_misses_total counter\n"
                "articled_memo_misses_total %llu\n"
                "# HELP articled_memo_stores_total Responses stored in the memo.\n"
                "# TYPE articled_memo_stores_total counter\n"
                "articled_memo_stores_total %llu\n"
                "# HELP articled_memo_evictions_total Entries evicted to make room.\n"
                "# TYPE articled_memo_evictions_total counter\n"
                "articled_memo_evictions_total %llu\n"
                "# HELP articled_memo_entries Responses held in the memo.\n"
                "# TYPE articled_memo_entries gauge\n"
                "articled_memo_entries %llu\n"
                "# HELP articled_memo_bytes Bytes held in the memo (bodies, gzip forms, keys).\n"
                "# TYPE articled_memo_bytes gauge\n"
                "articled_memo_bytes %llu\n"
                "# HELP articled_memo_max_bytes The memo's bound (memo_max_bytes).\n"
                "# TYPE articled_memo_max_bytes gauge\n"
                "articled_memo_max_bytes %llu\n",
                (unsigned long long)st.hits, (unsigned long long)st.misses,
                (unsigned long long)st.stores, (unsigned long long)st.evictions,
                (unsigned long long)st.entries, (unsigned long long)st.bytes,
                (unsigned long long)st.max_bytes);
}
