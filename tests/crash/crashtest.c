/* crashtest: proves that a write articled acknowledged survives a SIGKILL.
 *
 *   crashtest --bin ./articled --cycles K --clients N [--seconds-per-cycle S] [--seed X]
 *             [--inject lose|tear]
 *
 * Each cycle starts articled on a fresh port over the same content directory (a
 * temp dir made here and removed at the end), lets N client threads create,
 * update and delete articles, and kills the server with SIGKILL after a random
 * delay. Every write that got a 2xx is recorded with the exact version it
 * carried. After the kill every *.json in the directory must parse; after the
 * restart no .tmp-* file may be left, every acknowledged write must be served
 * with its content (or the later version of the same id that was in flight when
 * the server died), every acknowledged delete must stay deleted (unless the
 * in-flight request re-created it) and the list must show exactly the live ids.
 *
 * Each client owns its ids (c{client}-{n}) and sends one request at a time, so
 * at most one request per id is in doubt: the one that got no 2xx. The restart
 * shows which way it went, and the model takes that state before the next cycle.
 *
 * Prints "K cycles, N acknowledged writes, L lost, T torn" and "durable writes
 * per second: X". Exit 0 only when nothing was lost or torn; 1 on loss, tear,
 * a leftover temp file or a refused write; 2 on bad usage; 3 when the server did
 * not start; 130 when stopped by SIGINT or SIGTERM. The server is this process's
 * child only: it is killed by pid and reaped on every path, and PR_SET_PDEATHSIG
 * kills it if crashtest itself dies.
 *
 * --inject exists to prove the checker can fail: after the first kill it deletes
 * (lose) or truncates (tear) one acknowledged file, as a broken server would. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ABSENT, PRESENT };
enum inject { INJECT_NONE, INJECT_LOSE, INJECT_TEAR };

/* Live ids a client keeps before it mostly updates: bounds the start-up time. */
enum { LIVE_TARGET = 40, START_TIMEOUT_MS = 30000, MAX_RESPONSE = 1 << 20 };

struct options {
    const char *bin;
    int cycles;
    int clients;
    double seconds;
    unsigned long seed;
    enum inject inject;
};

/* One id, owned by one client. `acked` is what the server last acknowledged
 * (or what the last restart showed); `pending` is the request that got no 2xx. */
struct doc {
    int n;
    int acked;
    int acked_version;
    bool pending;
    int pending_state;
    int pending_version;
    int next_version;
};

struct client {
    int index; /* 1-based: ids are c{index}-{n} */
    struct doc *docs;
    size_t ndocs, cap;
    int next_n;
    uint64_t rng;
    /* per cycle */
    const char *base;
    const char *token;
    atomic_bool *stop;
    long acked;
    long refused;  /* 4xx: the test or the server is wrong */
    long failed;   /* 5xx */
    long mismatch; /* 201 for a replace or 200 for a create */
    char first_problem[256];
};

struct run {
    struct options opt;
    char root[PATH_MAX]; /* mkdtemp'd */
    char data[PATH_MAX];
    char log[PATH_MAX];
    char token[40];
    pid_t pid; /* the live server, 0 when none */
    int port;
    char base[64];
    uint64_t rng;
    long acked, lost, torn, leftover_tmp, ghosts, refused;
    long in_doubt, in_doubt_applied, temp_after_kill;
    double writing_seconds;
    char **torn_names; /* reported once each, however many scans see them */
    size_t ntorn_names;
};

static uint64_t
rng_next(uint64_t *s)
{
    /* splitmix64: good enough and reproducible from --seed */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double
rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / (double)(1ull << 53);
}

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Set by SIGINT or SIGTERM: the run stops at the next step, kills its server
 * and removes its directory. The one mutable global: a signal handler's flag. */
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Sleeps s seconds, or less when interrupted. */
static void
sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) == -1 && errno == EINTR && !interrupted)
        ;
}

/* ---- the documents written ---- */

static void
doc_id(int client, int n, char *out, size_t len)
{
    snprintf(out, len, "c%d-%d", client, n);
}

static void
doc_headline(int client, int n, char *out, size_t len)
{
    snprintf(out, len, "Crash test c%d n%d", client, n);
}

/* The paragraph of version `v` of c{client}-{n}: names its version and id, then
 * 100-4000 bytes of filler whose length depends on all three, so two versions
 * never share a text and a torn file cannot pass for a whole one. Caller frees. */
static char *
doc_text(int client, int n, int v)
{
    static const char *const words[] = {"harbour", "council", "minister", "river",  "volunteers",
                                        "bridge",  "reopens", "summit",   "talks",  "rates",
                                        "holds",   "central", "bank",     "crowds", "evening"};
    uint64_t s = ((uint64_t)client << 40) ^ ((uint64_t)n << 20) ^ (uint64_t)v;
    size_t want = 100 + (size_t)(rng_next(&s) % 3900);
    char *t = malloc(want + 64);
    if (!t)
        return NULL;
    size_t len = (size_t)sprintf(t, "version %d of c%d-%d payload", v, client, n);
    while (len < want) {
        const char *w = words[rng_next(&s) % (sizeof words / sizeof *words)];
        len += (size_t)sprintf(t + len, " %s", w);
    }
    return t;
}

/* The request body for version v. Caller frees. */
static char *
doc_body(int client, int n, int v)
{
    char headline[64];
    doc_headline(client, n, headline, sizeof headline);
    char *text = doc_text(client, n, v);
    if (!text)
        return NULL;
    size_t len = strlen(text) + 256;
    char *b = malloc(len);
    if (b)
        snprintf(b, len,
                 "{\"headline\": \"%s\", \"body\": [{\"type\": \"paragraph\", \"text\": \"%s\"}]}",
                 headline, text);
    free(text);
    return b;
}

/* ---- HTTP ---- */

struct sink {
    char *data;
    size_t len;
};

static size_t
sink_add(char *ptr, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t add = size * n;
    if (s->len + add > MAX_RESPONSE)
        return 0;
    char *grown = realloc(s->data, s->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->len, ptr, add);
    s->data = grown;
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

/* One request on c (a handle reused for keep-alive). Returns the curl result;
 * on CURLE_OK *status is the HTTP status and *body (caller frees) the body. */
static CURLcode
http_do(CURL *c, const char *method, const char *url, const char *token, const char *body,
        long *status, char **resp)
{
    struct sink s = {0};
    struct curl_slist *h = NULL;
    char auth[128];
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_add);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(h);
    if (resp)
        *resp = s.data ? s.data : calloc(1, 1);
    else
        free(s.data);
    return rc;
}

/* Parses exactly one JSON value that fills buf (cJSON alone would accept
 * trailing garbage). NULL when it does not. */
static cJSON *
json_strict(const char *buf, size_t len)
{
    const char *end = NULL;
    return cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
}

static const char *
json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the clients ---- */

static struct doc *
client_new_doc(struct client *c)
{
    if (c->ndocs == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct doc *d = realloc(c->docs, cap * sizeof *d);
        if (!d)
            return NULL;
        c->docs = d;
        c->cap = cap;
    }
    struct doc *d = &c->docs[c->ndocs++];
    *d = (struct doc){.n = ++c->next_n, .acked = ABSENT, .next_version = 1};
    return d;
}

static void
client_problem(struct client *c, const char *fmt, ...)
{
    if (c->first_problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first_problem, sizeof c->first_problem, fmt, ap);
    va_end(ap);
}

/* Picks the next operation: creates while the client has few live ids, then
 * mostly updates, with deletes and re-creations of deleted ids. */
static struct doc *
client_pick(struct client *c, bool *del)
{
    size_t live = 0;
    for (size_t i = 0; i < c->ndocs; i++)
        live += c->docs[i].acked == PRESENT;
    *del = false;
    double create_p = live < LIVE_TARGET ? 0.4 : 0.02;
    if (c->ndocs == 0 || rng_unit(&c->rng) < create_p)
        return client_new_doc(c);
    struct doc *d = &c->docs[rng_next(&c->rng) % c->ndocs];
    if (d->acked == PRESENT && rng_unit(&c->rng) < 0.12)
        *del = true;
    return d;
}

/* Sends one write. Returns false when the client must stop: the server is gone
 * or answered something other than a 2xx (the request is then in doubt). */
static bool
client_step(struct client *c, CURL *curl)
{
    bool del;
    struct doc *d = client_pick(c, &del);
    if (!d) {
        client_problem(c, "out of memory");
        return false;
    }
    char id[32], url[160];
    doc_id(c->index, d->n, id, sizeof id);
    snprintf(url, sizeof url, "%s/v1/articles/%s", c->base, id);
    int version = del ? 0 : d->next_version++;
    char *body = del ? NULL : doc_body(c->index, d->n, version);
    if (!del && !body) {
        client_problem(c, "out of memory");
        return false;
    }
    /* In doubt from the moment it is sent until a 2xx says otherwise. */
    d->pending = true;
    d->pending_state = del ? ABSENT : PRESENT;
    d->pending_version = version;
    long status = 0;
    char *resp = NULL;
    CURLcode rc = http_do(curl, del ? "DELETE" : "PUT", url, c->token, body, &status, &resp);
    free(body);
    bool ok = rc == CURLE_OK && status >= 200 && status < 300;
    if (ok && !del) {
        long want = d->acked == PRESENT ? 200 : 201;
        cJSON *j = json_strict(resp, strlen(resp));
        const char *got = json_str(j, "id");
        if (!got || strcmp(got, id) != 0) {
            c->refused++;
            client_problem(c, "PUT %s answered %ld without the stored article: %.120s", id, status,
                           resp);
            ok = false;
        } else if (status != want) {
            c->mismatch++;
            client_problem(c, "PUT %s answered %ld, expected %ld", id, status, want);
        }
        cJSON_Delete(j);
    } else if (ok && status != 204) {
        c->mismatch++;
        client_problem(c, "DELETE %s answered %ld, expected 204", id, status);
    } else if (rc == CURLE_OK && !ok) {
        if (status >= 400 && status < 500)
            c->refused++;
        else
            c->failed++;
        client_problem(c, "%s %s answered %ld: %.160s", del ? "DELETE" : "PUT", id, status, resp);
    }
    free(resp);
    if (!ok)
        return false;
    d->pending = false;
    d->acked = del ? ABSENT : PRESENT;
    d->acked_version = version;
    c->acked++;
    return true;
}

static void *
client_main(void *arg)
{
    struct client *c = arg;
    CURL *curl = curl_easy_init();
    if (!curl) {
        client_problem(c, "curl_easy_init failed");
        return NULL;
    }
    while (!atomic_load(c->stop) && client_step(c, curl))
        ;
    curl_easy_cleanup(curl);
    return NULL;
}

/* ---- the server ---- */

/* Kills the server (SIGKILL, by its pid) and reaps it. Safe when none runs. */
static void
server_kill(struct run *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGKILL);
        while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
            ;
    }
    r->pid = 0;
}

/* Asks the server to stop (SIGTERM), and kills it if it has not within 5 s. */
static void
server_stop(struct run *r)
{
    if (r->pid <= 0)
        return;
    kill(r->pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        pid_t w = waitpid(r->pid, NULL, WNOHANG);
        if (w == r->pid || (w == -1 && errno != EINTR)) {
            r->pid = 0;
            return;
        }
        sleep_s(0.01);
    }
    server_kill(r);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            char *g = realloc(buf, cap);
            if (!g) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void
print_log_tail(const struct run *r)
{
    size_t len = 0;
    char *log = read_file(r->log, &len);
    if (!log)
        return;
    const char *tail = len > 2000 ? log + len - 2000 : log;
    fprintf(stderr, "crashtest: server output (tail):\n%s\n", tail);
    free(log);
}

/* Starts articled on port 0 and waits for content_loaded and /readyz 200.
 * Returns 0, or -1 with the server killed and the reason printed. */
static int
server_start(struct run *r)
{
    int logfd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0) {
        fprintf(stderr, "crashtest: %s: %s\n", r->log, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "crashtest: fork: %s\n", strerror(errno));
        close(logfd);
        return -1;
    }
    if (pid == 0) {
        /* The server must not outlive crashtest, whatever kills crashtest. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(logfd, STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        char *const argv[] = {
            (char *)r->opt.bin, "--bind", "127.0.0.1",    "--port", "0", "--data", r->data,
            "--write-token",    r->token, "--access-log", "false",  NULL};
        execv(r->opt.bin, argv);
        fprintf(stderr, "crashtest: exec %s: %s\n", r->opt.bin, strerror(errno));
        _exit(127);
    }
    close(logfd);
    r->pid = pid;
    r->port = 0;
    double deadline = now_s() + START_TIMEOUT_MS / 1000.0;
    const char *why = "timed out";
    while (now_s() < deadline && !interrupted) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            r->pid = 0;
            why = "the server exited";
            break;
        }
        size_t len = 0;
        char *log = read_file(r->log, &len);
        const char *listen = log ? strstr(log, "\"event\":\"listening\"") : NULL;
        const char *port = listen ? strstr(listen, "\"port\":") : NULL;
        bool loaded = listen && strstr(listen, "\"event\":\"content_loaded\"");
        if (port && r->port == 0)
            r->port = atoi(port + 7);
        free(log);
        if (loaded && r->port > 0) {
            snprintf(r->base, sizeof r->base, "http://127.0.0.1:%d", r->port);
            char url[128];
            snprintf(url, sizeof url, "%s/readyz", r->base);
            CURL *c = curl_easy_init();
            long status = 0;
            if (c)
                http_do(c, "GET", url, NULL, NULL, &status, NULL);
            curl_easy_cleanup(c);
            if (status == 200)
                return 0;
        }
        sleep_s(0.01);
    }
    fprintf(stderr, "crashtest: %s did not become ready: %s\n", r->opt.bin, why);
    print_log_tail(r);
    server_kill(r);
    return -1;
}

/* ---- checks ---- */

static bool
has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Records a torn file's name; false when it was already reported. */
static bool
torn_first_seen(struct run *r, const char *name)
{
    for (size_t i = 0; i < r->ntorn_names; i++)
        if (strcmp(r->torn_names[i], name) == 0)
            return false;
    char **grown = realloc(r->torn_names, (r->ntorn_names + 1) * sizeof *grown);
    char *copy = strdup(name);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            r->torn_names = grown;
        return true;
    }
    r->torn_names = grown;
    r->torn_names[r->ntorn_names++] = copy;
    return true;
}

/* Every *.json in the directory must be one whole JSON object. Returns the
 * number that are not and were not reported before; *tmp gets the number of
 * .tmp-* files. */
static long
scan_dir(struct run *r, long *tmp)
{
    long torn = 0;
    *tmp = 0;
    DIR *d = opendir(r->data);
    if (!d) {
        fprintf(stderr, "crashtest: %s: %s\n", r->data, strerror(errno));
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, ".tmp-", 5) == 0)
            (*tmp)++;
        if (!has_suffix(e->d_name, ".json"))
            continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", r->data, e->d_name);
        size_t len = 0;
        char *buf = read_file(path, &len);
        cJSON *j = buf ? json_strict(buf, len) : NULL;
        if ((!cJSON_IsObject(j) || !json_str(j, "headline")) && torn_first_seen(r, e->d_name)) {
            torn++;
            fprintf(stderr, "TORN  %s (%zu bytes) is not a whole article document\n", e->d_name,
                    len);
        }
        cJSON_Delete(j);
        free(buf);
    }
    closedir(d);
    return torn;
}

static const char *
state_name(int state, int version, char *buf, size_t len)
{
    if (state == ABSENT)
        snprintf(buf, len, "absent");
    else
        snprintf(buf, len, "version %d", version);
    return buf;
}

/* What GET /v1/articles/{id} shows: ABSENT, PRESENT with *version, or -1 when
 * it is neither a 404 nor a whole article with our headline and a known text. */
static int
observe(CURL *curl, const struct run *r, const struct client *c, const struct doc *d, int *version,
        long *torn, char *why, size_t whylen)
{
    char id[32], url[160];
    doc_id(c->index, d->n, id, sizeof id);
    snprintf(url, sizeof url, "%s/v1/articles/%s", r->base, id);
    long status = 0;
    char *resp = NULL;
    CURLcode rc = http_do(curl, "GET", url, NULL, NULL, &status, &resp);
    int state = -1;
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "GET failed: %s", curl_easy_strerror(rc));
    } else if (status == 404) {
        state = ABSENT;
    } else if (status != 200) {
        snprintf(why, whylen, "GET answered %ld", status);
    } else {
        cJSON *j = json_strict(resp, strlen(resp));
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");
        const char *text = json_str(cJSON_GetArrayItem(body, 0), "text");
        const char *hid = json_str(j, "id"), *headline = json_str(j, "headline");
        char want_headline[64];
        doc_headline(c->index, d->n, want_headline, sizeof want_headline);
        int v = 0;
        if (!j) {
            (*torn)++;
            snprintf(why, whylen, "served a document that does not parse");
        } else if (!hid || strcmp(hid, id) != 0 || !headline ||
                   strcmp(headline, want_headline) != 0 || !text ||
                   sscanf(text, "version %d ", &v) != 1) {
            snprintf(why, whylen, "served something else: %.120s", resp);
        } else {
            char *want = doc_text(c->index, d->n, v);
            if (want && strcmp(want, text) == 0 && cJSON_GetArraySize(body) == 1) {
                state = PRESENT;
                *version = v;
            } else {
                (*torn)++;
                snprintf(why, whylen, "served version %d with a damaged body", v);
            }
            free(want);
        }
        cJSON_Delete(j);
    }
    free(resp);
    return state;
}

/* After a restart: each id must show its acknowledged state or, if a request
 * on it was in doubt, that request's state. The model then takes what was
 * observed. Adds to r->lost and r->torn. */
static void
verify_docs(struct run *r, struct client *clients, CURL *curl)
{
    for (int k = 0; k < r->opt.clients; k++) {
        struct client *c = &clients[k];
        for (size_t i = 0; i < c->ndocs; i++) {
            struct doc *d = &c->docs[i];
            int version = 0;
            char why[256] = "";
            int got = observe(curl, r, c, d, &version, &r->torn, why, sizeof why);
            bool is_acked = got == d->acked && (got == ABSENT || version == d->acked_version);
            bool is_pending = d->pending && got == d->pending_state &&
                              (got == ABSENT || version == d->pending_version);
            if (!is_acked && !is_pending) {
                char a[32], p[32], o[32];
                r->lost++;
                fprintf(stderr, "LOST  c%d-%d: acknowledged %s%s%s, server shows %s %s\n", c->index,
                        d->n, state_name(d->acked, d->acked_version, a, sizeof a),
                        d->pending ? ", in flight " : "",
                        d->pending ? state_name(d->pending_state, d->pending_version, p, sizeof p)
                                   : "",
                        got < 0 ? "nothing usable:" : state_name(got, version, o, sizeof o), why);
            }
            if (d->pending) {
                r->in_doubt++;
                r->in_doubt_applied += is_pending && !is_acked;
            }
            if (got >= 0) {
                d->acked = got;
                d->acked_version = version;
            }
            d->pending = false;
        }
    }
}

static bool
client_owns_live(const struct client *clients, int nclients, const char *id)
{
    int k, n;
    char tail;
    if (sscanf(id, "c%d-%d%c", &k, &n, &tail) != 2 || k < 1 || k > nclients)
        return false;
    const struct client *c = &clients[k - 1];
    for (size_t i = 0; i < c->ndocs; i++)
        if (c->docs[i].n == n)
            return c->docs[i].acked == PRESENT;
    return false;
}

/* The list must hold exactly the live ids: nothing deleted, nothing temp. */
static void
verify_list(struct run *r, struct client *clients, CURL *curl)
{
    long live = 0, listed = 0;
    for (int k = 0; k < r->opt.clients; k++)
        for (size_t i = 0; i < clients[k].ndocs; i++)
            live += clients[k].docs[i].acked == PRESENT;
    for (int page = 1; page < 10000; page++) {
        char url[192];
        snprintf(url, sizeof url, "%s/v1/articles?per_page=100&page=%d", r->base, page);
        long status = 0;
        char *resp = NULL;
        CURLcode rc = http_do(curl, "GET", url, NULL, NULL, &status, &resp);
        cJSON *j = rc == CURLE_OK && status == 200 ? json_strict(resp, strlen(resp)) : NULL;
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
        if (!cJSON_IsArray(items)) {
            fprintf(stderr, "GHOST the list answered %ld: %.160s\n", status, resp);
            r->ghosts++;
            cJSON_Delete(j);
            free(resp);
            return;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            const char *id = json_str(it, "id");
            listed++;
            if (!id || !client_owns_live(clients, r->opt.clients, id)) {
                r->ghosts++;
                fprintf(stderr, "GHOST the list shows %s, which is not a live article\n",
                        id ? id : "(no id)");
            }
        }
        bool last = cJSON_GetArraySize(items) == 0;
        cJSON_Delete(j);
        free(resp);
        if (last)
            break;
    }
    if (listed != live) {
        r->ghosts++;
        fprintf(stderr, "GHOST the list shows %ld articles, %ld are live\n", listed, live);
    }
}

/* The damage a broken server would leave, done to one acknowledged file. */
static void
inject(struct run *r, struct client *clients)
{
    for (int k = 0; k < r->opt.clients; k++) {
        for (size_t i = 0; i < clients[k].ndocs; i++) {
            struct doc *d = &clients[k].docs[i];
            if (d->acked != PRESENT || d->pending)
                continue;
            char id[32], path[PATH_MAX + 64];
            doc_id(clients[k].index, d->n, id, sizeof id);
            snprintf(path, sizeof path, "%s/%s.json", r->data, id);
            struct stat st;
            if (stat(path, &st) != 0)
                continue;
            int rc = r->opt.inject == INJECT_LOSE ? unlink(path) : truncate(path, st.st_size / 2);
            fprintf(stderr, "crashtest: injected: %s %s (rc %d)\n",
                    r->opt.inject == INJECT_LOSE ? "deleted" : "truncated", path, rc);
            return;
        }
    }
}

/* ---- one run ---- */

static int
run_cycle(struct run *r, struct client *clients, int cycle)
{
    atomic_bool stop = false;
    pthread_t *threads = calloc((size_t)r->opt.clients, sizeof *threads);
    if (!threads)
        return -1;
    int started = 0;
    /* The clients inherit a mask without SIGINT and SIGTERM: the main thread's
     * sleep is the one the signal cuts short. */
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    for (int k = 0; k < r->opt.clients; k++) {
        struct client *c = &clients[k];
        c->base = r->base;
        c->token = r->token;
        c->stop = &stop;
        c->acked = 0;
        c->rng ^= (uint64_t)cycle * 0x9E3779B97F4A7C15ull;
        if (pthread_create(&threads[k], NULL, client_main, c) != 0)
            break;
        started++;
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    double t0 = now_s();
    double delay = started == r->opt.clients ? r->opt.seconds * (0.2 + 0.8 * rng_unit(&r->rng)) : 0;
    sleep_s(delay);
    server_kill(r);
    r->writing_seconds += now_s() - t0;
    atomic_store(&stop, true);
    for (int k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    free(threads);
    if (started != r->opt.clients) {
        fprintf(stderr, "crashtest: pthread_create failed\n");
        return -1;
    }
    for (int k = 0; k < r->opt.clients; k++) {
        struct client *c = &clients[k];
        r->acked += c->acked;
        r->refused += c->refused;
        if (c->refused || c->failed || c->mismatch)
            fprintf(stderr,
                    "crashtest: cycle %d client %d: %ld refused, %ld failed, %ld "
                    "unexpected status; first: %s\n",
                    cycle + 1, c->index, c->refused, c->failed, c->mismatch, c->first_problem);
        c->refused = c->failed = c->mismatch = 0;
        c->first_problem[0] = '\0';
    }
    return 0;
}

static void
remove_tree(const struct run *r)
{
    DIR *d = opendir(r->data);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", r->data, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(r->data);
    unlink(r->log);
    rmdir(r->root);
}

static void
usage(void)
{
    fprintf(stderr, "usage: crashtest --bin PATH --cycles K --clients N [--seconds-per-cycle S] "
                    "[--seed X] [--inject lose|tear]\n");
}

static int
parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){.bin = "./articled",
                          .cycles = 5,
                          .clients = 4,
                          .seconds = 1.0,
                          .seed = (unsigned long)time(NULL) ^ (unsigned long)getpid()};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!v)
            return -1;
        errno = 0;
        if (strcmp(a, "--bin") == 0) {
            o->bin = v;
        } else if (strcmp(a, "--cycles") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 100000)
                return -1;
            o->cycles = (int)n;
        } else if (strcmp(a, "--clients") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256)
                return -1;
            o->clients = (int)n;
        } else if (strcmp(a, "--seconds-per-cycle") == 0) {
            double s = strtod(v, &end);
            if (*end || !(s >= 0.01 && s <= 60))
                return -1;
            o->seconds = s;
        } else if (strcmp(a, "--seed") == 0) {
            unsigned long s = strtoul(v, &end, 10);
            if (*end || errno)
                return -1;
            o->seed = s;
        } else if (strcmp(a, "--inject") == 0) {
            if (strcmp(v, "lose") == 0)
                o->inject = INJECT_LOSE;
            else if (strcmp(v, "tear") == 0)
                o->inject = INJECT_TEAR;
            else
                return -1;
        } else {
            return -1;
        }
        i++;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct run r = {0};
    if (parse_args(argc, argv, &r.opt) != 0) {
        usage();
        return 2;
    }
    if (access(r.opt.bin, X_OK) != 0) {
        fprintf(stderr, "crashtest: %s: %s\n", r.opt.bin, strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    r.rng = r.opt.seed;
    for (size_t i = 0; i + 1 < sizeof r.token; i++)
        r.token[i] = "0123456789abcdef"[rng_next(&r.rng) % 16];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(r.root, sizeof r.root, "%s/articled-crash-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(r.root)) {
        fprintf(stderr, "crashtest: mkdtemp %s: %s\n", r.root, strerror(errno));
        return 2;
    }
    snprintf(r.data, sizeof r.data, "%s/data", r.root);
    snprintf(r.log, sizeof r.log, "%s/server.log", r.root);
    if (mkdir(r.data, 0700) != 0) {
        fprintf(stderr, "crashtest: mkdir %s: %s\n", r.data, strerror(errno));
        rmdir(r.root);
        return 2;
    }
    printf("crashtest: seed %lu, %d cycles, %d clients, data %s\n", r.opt.seed, r.opt.cycles,
           r.opt.clients, r.data);
    fflush(stdout);

    struct client *clients = calloc((size_t)r.opt.clients, sizeof *clients);
    CURL *curl = curl_easy_init();
    int status = 0, cycles_done = 0;
    if (!clients || !curl) {
        status = 2;
        goto done;
    }
    for (int k = 0; k < r.opt.clients; k++) {
        clients[k].index = k + 1;
        clients[k].rng = r.opt.seed ^ ((uint64_t)(k + 1) << 32);
    }
    /* Start K+1 times: the restart after the last kill only verifies. */
    for (int cycle = 0; cycle <= r.opt.cycles; cycle++) {
        if (server_start(&r) != 0) {
            status = interrupted ? 130 : 3;
            goto done;
        }
        long tmp = 0;
        r.torn += scan_dir(&r, &tmp);
        if (tmp) {
            r.leftover_tmp += tmp;
            fprintf(stderr, "TEMP  %ld .tmp-* files left in %s after start-up\n", tmp, r.data);
        }
        if (cycle > 0) {
            verify_docs(&r, clients, curl);
            verify_list(&r, clients, curl);
        }
        if (cycle == r.opt.cycles) {
            server_stop(&r);
            break;
        }
        /* A new connection per server: the old one died with it. */
        curl_easy_cleanup(curl);
        curl = curl_easy_init();
        if (!curl || run_cycle(&r, clients, cycle) != 0) {
            status = 2;
            goto done;
        }
        cycles_done++;
        if (interrupted) {
            fprintf(stderr, "crashtest: interrupted after %d cycles\n", cycles_done);
            status = 130;
            goto done;
        }
        long left = 0;
        r.torn += scan_dir(&r, &left);
        r.temp_after_kill += left;
        if (cycle == 0 && r.opt.inject != INJECT_NONE) {
            inject(&r, clients);
            long ignored;
            r.torn += r.opt.inject == INJECT_TEAR ? scan_dir(&r, &ignored) : 0;
        }
    }

done:
    server_kill(&r);
    printf("in flight at the kills: %ld requests, %ld of them had reached the disk; "
           "temp files left by the kills: %ld\n",
           r.in_doubt, r.in_doubt_applied, r.temp_after_kill);
    printf("%d cycles, %ld acknowledged writes, %ld lost, %ld torn\n", cycles_done, r.acked, r.lost,
           r.torn + r.ghosts);
    printf("durable writes per second: %.0f\n",
           r.writing_seconds > 0 ? (double)r.acked / r.writing_seconds : 0.0);
    if (status == 0 && (r.lost || r.torn || r.ghosts || r.leftover_tmp || r.refused))
        status = 1;
    if (status == 0 && r.acked == 0) {
        fprintf(stderr, "crashtest: no write was acknowledged\n");
        status = 1;
    }
    if (r.leftover_tmp)
        fprintf(stderr, "crashtest: %ld temp files survived a start-up\n", r.leftover_tmp);
    if (r.refused)
        fprintf(stderr, "crashtest: %ld writes were refused (4xx)\n", r.refused);
    if (clients)
        for (int k = 0; k < r.opt.clients; k++)
            free(clients[k].docs);
    free(clients);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    for (size_t i = 0; i < r.ntorn_names; i++)
        free(r.torn_names[i]);
    free(r.torn_names);
    remove_tree(&r);
    return status;
}
