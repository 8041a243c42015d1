/* How the HTTP threads are placed and scheduled (server/loop.c, models/cpus.c):
 * how many there are by default, the CPU each is bound to (cpu_affinity) and
 * the slice each asks for (sched_slice_us). Read back from the kernel, through
 * /proc/self/task and sched_getattr, for the threads named articled-httpN.
 * And the steering of local connections (server/steer.c): a client that
 * moves to another CPU has its connection closed, once, and its next one
 * stays. */
#include "tests/support/harness.h"
#include "tests/support/threadinfo.h"

#include "handlers/service.h"
#include "models/cpus.h"
#include "server/http.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_FOUND = 64 };

struct http_thread {
    pid_t tid;
    cpu_set_t mask;
};

/* The live threads of this process named articled-http*, in any order. */
static size_t
find_http_threads(struct http_thread *out)
{
    DIR *d = opendir("/proc/self/task");
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FOUND) {
        if (e->d_name[0] == '.')
            continue;
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue; /* a thread that has just exited */
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
        if (strncmp(comm, "articled-http", 13) != 0)
            continue;
        out[n].tid = (pid_t)atoi(e->d_name);
        cr_assert_eq(sched_getaffinity(out[n].tid, sizeof out[n].mask, &out[n].mask), 0);
        n++;
    }
    closedir(d);
    return n;
}

static void
two_threads(struct config *cfg)
{
    cfg->threads = 2;
    cfg->cpu_affinity = true;
}

Test(scheduling, binds_each_http_thread_to_a_cpu_of_its_own, .timeout = 60)
{
    cpu_set_t all = threadinfo_mask();
    bool can_bind = CPU_COUNT(&all) >= 2; /* 2 threads: one CPU each, or none bound */
    struct harness h;
    harness_start(&h, "data/articles", two_threads);
    struct http_thread t[MAX_FOUND];
    size_t n = find_http_threads(t);
    cr_assert_eq(n, 2, "two threads named articled-http*, found %zu", n);
    struct http_threads counts = http_threads(h.http);
    cr_expect_eq(counts.threads, 2);
    cr_expect_eq(counts.bound, can_bind ? 2u : 0u);
    for (size_t i = 0; i < n; i++) {
        if (!can_bind) {
            cr_expect(CPU_EQUAL(&t[i].mask, &all), "more threads than CPUs: left unbound");
            continue;
        }
        cr_expect_eq(CPU_COUNT(&t[i].mask), 1, "thread %d bound to one CPU", (int)t[i].tid);
        cpu_set_t inside;
        CPU_AND(&inside, &t[i].mask, &all);
        cr_expect(CPU_EQUAL(&inside, &t[i].mask), "a CPU the process may use");
    }
    if (can_bind)
        cr_expect(!CPU_EQUAL(&t[0].mask, &t[1].mask), "the two threads on different CPUs");
    harness_stop(&h);
}

static void
unbound(struct config *cfg)
{
    cfg->threads = 2; /* and cpu_affinity as by default */
}

/* Bound threads of two servers on the same CPUs starved for 11 s under load
 * (docs/operations.md, "Scheduling"): binding is asked for, never assumed. */
Test(scheduling, leaves_the_threads_unbound_by_default, .timeout = 60)
{
    cpu_set_t all = threadinfo_mask();
    struct harness h;
    harness_start(&h, "data/articles", unbound);
    struct http_thread t[MAX_FOUND];
    size_t n = find_http_threads(t);
    cr_assert_eq(n, 2);
    cr_expect_eq(http_threads(h.http).bound, 0);
    for (size_t i = 0; i < n; i++)
        cr_expect(CPU_EQUAL(&t[i].mask, &all), "thread %d may run on every CPU", (int)t[i].tid);
    harness_stop(&h);
}

static void
one_per_cpu(struct config *cfg)
{
    cfg->threads = 0;
}

/* In a container limited to some CPUs (a cpuset, or taskset here), "one per
 * core" counts those, not every CPU the host has online. */
Test(scheduling, starts_one_thread_per_usable_cpu_by_default, .timeout = 60)
{
    cpu_set_t all = threadinfo_mask(), one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &all)) {
            CPU_SET(cpu, &one);
            break;
        }
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    struct harness h;
    harness_start(&h, "data/articles", one_per_cpu);
    struct http_thread t[MAX_FOUND];
    cr_expect_eq(find_http_threads(t), 1, "one usable CPU, one HTTP thread");
    cr_expect_eq(http_threads(h.http).threads, 1);
    struct http_reply r;
    http_call(&h, "GET", "/healthz", NULL, NULL, &r);
    cr_expect_eq(r.status, 200, "and it serves");
    http_reply_free(&r);
    harness_stop(&h);
}

static void
slice_250(struct config *cfg)
{
    cfg->threads = 2;
    cfg->sched_slice_us = 250;
}

static void
kernel_slice(struct config *cfg)
{
    cfg->threads = 2; /* and sched_slice_us as by default: 0 */
}

Test(scheduling, http_threads_ask_for_the_configured_slice, .timeout = 60)
{
    /* Linux 6.12 and later report a normal thread's slice; older ones 0. */
    bool has_slices = threadinfo_slice_ns(0, NULL) != 0;
    struct harness h;
    harness_start(&h, "data/articles", slice_250);
    struct http_thread t[MAX_FOUND];
    size_t n = find_http_threads(t);
    cr_assert_eq(n, 2);
    cr_expect_eq(http_threads(h.http).sliced, has_slices ? 2u : 0u);
    for (size_t i = 0; i < n && has_slices; i++)
        cr_expect_eq(threadinfo_slice_ns(t[i].tid, NULL), 250000, "thread %d in 250 us slices", (int)t[i].tid);
    harness_stop(&h);

    harness_start(&h, "data/articles", kernel_slice);
    n = find_http_threads(t);
    cr_assert_eq(n, 2);
    cr_expect_eq(h.svc->cfg.sched_slice_us, 0, "the default");
    cr_expect_eq(http_threads(h.http).sliced, 0, "0 asks for nothing");
    for (size_t i = 0; i < n && has_slices; i++)
        cr_expect_neq(threadinfo_slice_ns(t[i].tid, NULL), 250000, "the kernel's own slice");
    harness_stop(&h);
}

/* GET path over the keep-alive connection fd, the whole response read:
 * true when it closes the connection (Connection: close). Fails the test
 * unless it is a 200. */
static bool
get_closes(int fd, const char *path)
{
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
    cr_assert_eq(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    static char buf[1 << 17];
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        cr_assert_lt(got, sizeof buf - 1, "headers fit");
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        cr_assert_gt(r, 0, "a response before the connection closed");
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    cr_assert_eq(strncmp(buf, "HTTP/1.1 200", 12), 0, "%.40s", buf);
    *end = '\0'; /* the header block alone from here */
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    cr_assert_not_null(cl);
    size_t want = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
    cr_assert_leq(want, sizeof buf - 1, "the body fits");
    while (got < want) {
        ssize_t r = recv(fd, buf + got, want - got, 0);
        cr_assert_gt(r, 0, "the whole body");
        got += (size_t)r;
    }
    return strcasestr(buf, "\r\nConnection: close") != NULL;
}

/* The path of the first article of the list. */
static void
first_article(const struct harness *h, char *path, size_t cap)
{
    struct http_reply r;
    http_call(h, "GET", "/v1/articles?per_page=1", NULL, NULL, &r);
    cJSON *list = http_json(&r);
    const cJSON *id =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "items"), 0), "id");
    cr_assert(cJSON_IsString(id));
    snprintf(path, cap, "/v1/articles/%s", id->valuestring);
    cJSON_Delete(list);
    http_reply_free(&r);
}

/* articled_connections_moved_total from GET /metrics. */
static long
moved_total(const struct harness *h)
{
    struct http_reply r;
    http_call(h, "GET", "/metrics", NULL, NULL, &r);
    static const char name[] = "\narticled_connections_moved_total ";
    const char *line = strstr(r.body, name);
    cr_assert_not_null(line, "the counter is exported");
    long v = strtol(line + sizeof name - 1, NULL, 10);
    http_reply_free(&r);
    return v;
}

enum { REQUESTS = 64 }; /* a thread looks at one response in 8 (server/loop.c) */

static void
steered(struct config *cfg)
{
    cfg->threads = 2; /* and steer_local_connections as by default */
}

/* Starts h with tweak on a machine of two usable CPUs or more (their numbers
 * into cpu), and puts the path of an article in path; skips the test on one. */
static void
start_on_two_cpus(struct harness *h, void (*tweak)(struct config *), int *cpu, char *path,
                  size_t cap)
{
    if (cpus_numbers(cpu, CPU_SETSIZE) < 2)
        cr_skip_test("one usable CPU: nothing to steer");
    harness_start(h, "data/articles", tweak);
    first_article(h, path, cap);
}

Test(scheduling, closes_the_connection_of_a_client_that_moved_to_another_threads_cpu, .timeout = 60)
{
    int cpu[CPU_SETSIZE];
    char path[256];
    struct harness h;
    start_on_two_cpus(&h, steered, cpu, path, sizeof path);
    cr_assert(http_threads(h.http).steered, "two threads, two CPUs: steered by default");

    threadinfo_pin(cpu[0]);
    int fd = harness_connect(h.port);
    for (int i = 0; i < REQUESTS; i++)
        cr_assert(!get_closes(fd, path), "request %d: a client that stays keeps its connection", i);
    threadinfo_pin(cpu[1]);
    int closed_at = -1;
    for (int i = 0; i < REQUESTS && closed_at < 0; i++)
        if (get_closes(fd, path))
            closed_at = i;
    cr_assert_geq(closed_at, 0, "moved to the other thread's CPU: closed within %d requests",
                  REQUESTS);
    close(fd);
    /* the new connection is steered from where the client runs now */
    for (int c = 0; c < 4; c++) {
        fd = harness_connect(h.port);
        for (int i = 0; i < REQUESTS; i++)
            cr_assert(!get_closes(fd, path), "connection %d, request %d: with its thread", c, i);
        close(fd);
    }
    long moved = moved_total(&h);
    cr_expect_eq(moved, 1, "one connection moved, not %ld", moved);
    harness_stop(&h);
}

static void
not_steered(struct config *cfg)
{
    cfg->threads = 2;
    cfg->steer_local_connections = false;
}

Test(scheduling, leaves_connections_where_they_are_when_steering_is_off, .timeout = 60)
{
    int cpu[CPU_SETSIZE];
    char path[256];
    struct harness h;
    start_on_two_cpus(&h, not_steered, cpu, path, sizeof path);
    cr_assert(!http_threads(h.http).steered);
    for (int c = 0; c < 4; c++) {
        threadinfo_pin(cpu[c % 2]);
        int fd = harness_connect(h.port);
        threadinfo_pin(cpu[(c + 1) % 2]);
        for (int i = 0; i < REQUESTS; i++)
            cr_assert(!get_closes(fd, path), "connection %d, request %d: never moved", c, i);
        close(fd);
    }
    cr_expect_eq(moved_total(&h), 0);
    harness_stop(&h);
}

static unsigned more_than_the_cpus;

static void
more_threads_than_cpus(struct config *cfg)
{
    cfg->threads = (int)more_than_the_cpus;
}

/* Some threads would get no local connection: all are left to the hash. */
Test(scheduling, steers_only_with_no_more_threads_than_cpus, .timeout = 60)
{
    int cpu[CPU_SETSIZE];
    more_than_the_cpus = cpus_numbers(cpu, CPU_SETSIZE) + 1;
    struct harness h;
    harness_start(&h, "data/articles", more_threads_than_cpus);
    cr_expect_eq(http_threads(h.http).threads, more_than_the_cpus);
    cr_expect(!http_threads(h.http).steered);
    harness_stop(&h);
}
