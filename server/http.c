#include "server/http.h"

#include "handlers/auth.h"
#include "handlers/problem.h"
#include "handlers/service.h"
#include "models/cpus.h"
#include "models/utf8.h"
#include "server/cache.h"
#include "server/deadline.h"
#include "server/encoding.h"
#include "server/log.h"
#include "server/loop.h"
#include "server/memo.h"
#include "server/negotiate.h"
#include "server/peers.h"
#include "server/proxy.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Requests begun and not completed, counted in lanes: each thread counts in
 * its own lane, 64 bytes from the next, so the HTTP threads do not pass one
 * cache line back and forth twice a request; http_stop sums the lanes. A
 * request is uncounted in the lane that counted it, so a sum is right even
 * when two threads share a lane. */
#define LANES 16
struct lane {
    int active; /* atomic */
    char pad[64 - sizeof(int)];
};

struct http_server {
    struct loop *loop; /* the HTTP threads and their daemons */
    struct service *svc;
    const struct route *routes;
    size_t nroutes;
    unsigned long long next_id; /* request ids handed out, atomic; threads take blocks */
    unsigned boot_id;           /* distinguishes ids across restarts */
    struct lane lanes[LANES];
    struct deadline *deadline;  /* header and body deadlines of every connection */
    char *timeout_body;         /* the 408 problem document, sent by the watchdog */
    size_t timeout_body_len;
    struct memo *memo;          /* NULL when memo_max_bytes is 0 */
    struct peers *peers;        /* NULL when max_connections_per_address is 0 */
    unsigned daemon_flags;      /* what start_daemon needs beyond the config */
    size_t daemon_memory;
    bool *memo_routes; /* by route index: its handler has answered with memo set (atomic) */
};

/* The request headers articled reads. They are picked up in the walk that
 * checks the header block (form_header), so that reading one is an index
 * instead of a walk of libmicrohttpd's list with a caseless compare at each
 * entry (nine such walks a request for an article). The first of repeated
 * headers is kept, as MHD_lookup_connection_value gives. */
enum known_header {
    H_ACCEPT_ENCODING,
    H_ACCESS_CONTROL_REQUEST_METHOD,
    H_AUTHORIZATION,
    H_CONTENT_LENGTH,
    H_CONTENT_TYPE,
    H_HOST,
    H_IF_MATCH,
    H_IF_MODIFIED_SINCE,
    H_IF_NONE_MATCH,
    H_ORIGIN,
    H_TRANSFER_ENCODING,
    H_X_FORWARDED_FOR,
    H_X_FORWARDED_HOST,
    H_X_FORWARDED_PROTO,
    H_X_REQUEST_ID,
    H_KNOWN
};

#define KNOWN(name) {name, sizeof name - 1}
static const struct {
    const char *name;
    size_t len;
} known_headers[H_KNOWN] = {
    [H_ACCEPT_ENCODING] = KNOWN("Accept-Encoding"),
    [H_ACCESS_CONTROL_REQUEST_METHOD] = KNOWN("Access-Control-Request-Method"),
    [H_AUTHORIZATION] = KNOWN("Authorization"),
    [H_CONTENT_LENGTH] = KNOWN("Content-Length"),
    [H_CONTENT_TYPE] = KNOWN("Content-Type"),
    [H_HOST] = KNOWN("Host"),
    [H_IF_MATCH] = KNOWN("If-Match"),
    [H_IF_MODIFIED_SINCE] = KNOWN("If-Modified-Since"),
    [H_IF_NONE_MATCH] = KNOWN("If-None-Match"),
    [H_ORIGIN] = KNOWN("Origin"),
    [H_TRANSFER_ENCODING] = KNOWN("Transfer-Encoding"),
    [H_X_FORWARDED_FOR] = KNOWN("X-Forwarded-For"),
    [H_X_FORWARDED_HOST] = KNOWN("X-Forwarded-Host"),
    [H_X_FORWARDED_PROTO] = KNOWN("X-Forwarded-Proto"),
    [H_X_REQUEST_ID] = KNOWN("X-Request-Id"),
};
#undef KNOWN

/* The known header called name (len bytes, any case); H_KNOWN for none. */
static enum known_header
known_header(const char *name, size_t len)
{
    for (size_t i = 0; i < H_KNOWN; i++)
        if (known_headers[i].len == len && strcasecmp(known_headers[i].name, name) == 0)
            return (enum known_header)i;
    return H_KNOWN;
}

/* Per-request state: created when the request line arrives (uri_log), freed
 * in the completed callback, which also runs for aborted requests. */
struct exchange {
    struct http_server *srv;
    struct timespec start;
    bool headers_seen;
    bool queued;
    bool too_large;
    char *body;
    size_t body_len, body_cap;
    int status;
    size_t bytes;
    /* The routing decision, made in the first call so that a refused request
     * (401, 403, 405) is answered before its body is read. */
    enum router_result match;
    const struct route *route;
    unsigned allowed;
    char *caps;      /* in text: router_match's room for captures */
    size_t caps_cap; /* its size */
    const char *params[REQUEST_MAX_PARAMS];
    size_t nparams;
    char method[12];
    struct proxy_view view;
    char *path;                 /* in text: the raw request target, for the log and the memo key */
    size_t uri_len;             /* its full length as received */
    bool uri_bad;               /* it holds a byte outside visible ASCII, or %00 */
    struct deadline_slot *slot; /* the connection's deadline; NULL when unwatched */
    bool path_whole; /* path holds the whole target (not cut at 2048 bytes) */
    char request_id[72];
    struct catalog *snap;
    struct worker *held; /* the thread whose hold counts snap; NULL: snap is a reference */
    struct lane *lane;   /* where the request is counted */
    struct MHD_Connection *conn;
    /* The known headers' values (NULL: not sent), once headers_known: set
     * when the header block passed check_form's walk. Before that, or when it
     * failed, headers are looked up in libmicrohttpd's list. */
    bool headers_known;
    const char *known[H_KNOWN];
    char text[]; /* path, then caps */
};

static double
ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    /* One allocation for the state, the target as received (cut at 2048
     * bytes) and the room router_match needs for captures (at most the
     * decoded path, never longer than the target). */
    size_t len = strlen(uri), kept = len < 2048 ? len : 2048;
    struct exchange *x = malloc(sizeof *x + kept + 1 + len + 1);
    if (!x)
        return NULL; /* MHD then answers with an internal error */
    memset(x, 0, sizeof *x);
    x->srv = srv;
    x->conn = conn;
    clock_gettime(CLOCK_MONOTONIC, &x->start);
    x->path = memcpy(x->text, uri, kept);
    x->path[kept] = '\0';
    x->caps = x->text + kept + 1;
    x->caps_cap = len + 1;
    /* The target as received, before libmicrohttpd decodes it in place (where
     * %00 would silently cut it short). RFC 9112: visible ASCII only. */
    unsigned char outside = 0; /* a loop the compiler can vectorise */
    for (size_t i = 0; i < len; i++)
        outside |= (unsigned char)((unsigned char)uri[i] - 0x21u) >= 0x5eu;
    x->uri_bad = outside || strstr(uri, "%00");
    x->uri_len = len;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    x->slot = ci ? ci->socket_context : NULL;
    deadline_phase(x->slot, DEADLINE_HEADERS);
    x->path_whole = len < 2048;
    static unsigned lanes_given;
    static __thread unsigned lane = LANES; /* LANES: none yet */
    if (lane == LANES)
        lane = __atomic_fetch_add(&lanes_given, 1, __ATOMIC_RELAXED) % LANES;
    x->lane = &srv->lanes[lane];
    __atomic_add_fetch(&x->lane->active, 1, __ATOMIC_RELAXED);
    return x;
}

struct worker;
static void snapshot_done(struct exchange *x);

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *srv = cls;
    struct exchange *x = *req_cls;
    if (!x)
        return;
    struct service *svc = srv->svc;
    bool cut = deadline_expired(x->slot);
    if (cut && !x->queued)
        x->status = 408;
    if (svc->cfg.access_log && log_enabled(&svc->log, LOG_INFO)) {
        struct log_line l;
        log_begin(&l, LOG_INFO, "request");
        log_str(&l, "method", x->method);
        log_str(&l, "path", x->path);
        log_int(&l, "status", x->status);
        log_int(&l, "bytes", (long long)x->bytes);
        log_double(&l, "duration_ms", ms_since(&x->start));
        log_str(&l, "request_id", x->request_id);
        log_str(&l, "client", x->view.client);
        if (x->route)
            log_str(&l, "route", x->route->name);
        if (cut)
            log_str(&l, "aborted", "deadline");
        else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            log_str(&l, "aborted",
                    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
                    : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT  ? "client"
                                                                  : "error");
        log_end(&svc->log, &l);
    }
    metrics_request(svc->metrics, x->match == ROUTER_FOUND ? x->route : NULL, x->status, x->bytes,
                    ms_since(&x->start) / 1e3);
    /* A kept-alive connection's next request starts its header deadline now. */
    deadline_arm(x->slot, DEADLINE_WAITING, svc->cfg.header_timeout * 1000);
    snapshot_done(x);
    __atomic_sub_fetch(&x->lane->active, 1, __ATOMIC_RELAXED);
    free(x->body);
    free(x);
    *req_cls = NULL;
}

/* Requests begun and not completed, in all lanes. */
static int
active_requests(struct http_server *srv)
{
    int n = 0;
    for (size_t i = 0; i < LANES; i++)
        n += __atomic_load_n(&srv->lanes[i].active, __ATOMIC_RELAXED);
    return n;
}

/* The next request id number. Each thread takes them from srv in blocks, so
 * the shared counter is touched once in ID_BLOCK requests; ids stay unique,
 * and increase within a thread. */
#define ID_BLOCK 1024
static unsigned long long
next_request_seq(struct http_server *srv)
{
    static __thread struct {
        const struct http_server *srv;
        unsigned long long next, end;
    } ids;
    if (ids.srv != srv || ids.next == ids.end) {
        ids.next = __atomic_fetch_add(&srv->next_id, ID_BLOCK, __ATOMIC_RELAXED) + 1;
        ids.end = ids.next + ID_BLOCK;
        ids.srv = srv;
    }
    return ids.next++;
}

/* The value of the known header h, NULL when it was not sent. */
static const char *
header_of(const struct exchange *x, enum known_header h)
{
    if (x->headers_known)
        return x->known[h];
    return MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, known_headers[h].name);
}

/* A request id from the client is kept when it is short and plain; otherwise one is made. */
static void
assign_request_id(struct exchange *x)
{
    const char *given = header_of(x, H_X_REQUEST_ID);
    size_t n = given ? strlen(given) : 0;
    bool ok = n > 0 && n < sizeof x->request_id;
    for (size_t i = 0; ok && i < n; i++) {
        char c = given[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == ':';
    }
    if (ok) {
        memcpy(x->request_id, given, n + 1);
        return;
    }
    unsigned long long seq = next_request_seq(x->srv);
    /* "%08x-%llx" by hand: this runs for every request */
    static const char hex[] = "0123456789abcdef";
    char *p = x->request_id;
    for (int shift = 28; shift >= 0; shift -= 4)
        *p++ = hex[(x->srv->boot_id >> shift) & 15];
    *p++ = '-';
    char digits[16];
    int nd = 0;
    do
        digits[nd++] = hex[seq & 15];
    while ((seq >>= 4) != 0);
    while (nd)
        *p++ = digits[--nd];
    *p = '\0';
}

/* A request answered with one of these was malformed, too large or too slow:
 * nothing more is read from its connection, which might hold anything. */
static bool
closes_connection(int status)
{
    return status == 400 || status == 408 || status == 413 || status == 414 || status == 431;
}

static void
release_memo(void *cls)
{
    memo_release(cls);
}

/* ---- Responses kept for reuse, per thread ----
 *
 * Even for a prepared body, libmicrohttpd 0.9.75 allocates a response object
 * and, for every header, an entry and copies of its name and value: about 20
 * allocations a request. A thread that sends the same borrowed body with the
 * same status and headers again (a popular article, its 304) reuses the
 * response object it made the first time and only rewrites X-Request-Id and
 * Date. It writes them in place, into the values MHD_get_response_header
 * returns (0.9.75 keeps each value in a block of its own, with its length
 * beside it): Date always has the same length, and so does an id as long as
 * the previous one; only an id of another length is swapped with
 * MHD_del_response_header and MHD_add_response_header.
 *
 * Why that is safe: 0.9.75 reads a response's header list only while it
 * builds the connection's header block, and it does so in the same pass that
 * called the handler which queued the response (connection.c,
 * MHD_CONNECTION_FULL_REQ_RECEIVED -> START_REPLY -> build_header_response),
 * before this thread runs any other handler; afterwards only the body is
 * read, and it never changes. A connection still sending from a kept response
 * holds its own reference. tests/http/test_headers.c sends concurrent requests
 * for one article, each with its own id, and checks each gets its id back.
 * Only the final call's 200 and 304 answers with a body borrowed from the
 * snapshot are kept; the key includes the snapshot's generation and the body
 * pointer, which the request matching it is itself holding. */

#define KEPT_RESPONSES 4

struct kept_response {
    struct MHD_Response *r; /* one reference, the thread's */
    unsigned long long generation;
    const char *body;
    size_t len;
    int status;
    const char *content_type;
    size_t nheaders;
    const char *names[RESPONSE_MAX_HEADERS];
    unsigned short at[RESPONSE_MAX_HEADERS]; /* each value's offset in text */
    char text[RESPONSE_TEXT_BYTES];
    char *id_at;   /* r's X-Request-Id value, inside r */
    size_t id_len; /* its length */
    char *date_at; /* r's Date value, inside r: CACHE_DATE_LEN bytes */
};

/* ---- The snapshot a thread serves from ----
 *
 * Taking the published snapshot for each request means the slot's mutex and
 * the snapshot's reference count: cache lines that both HTTP threads would
 * pass back and forth on every request. Instead each thread holds one
 * reference to the snapshot it last served and counts its own requests on it,
 * and takes the mutex only when the slot's version has moved. A snapshot
 * replaced while requests of the thread still use it waits in `retired` until
 * they complete: a request completes on the thread that began it, as each
 * connection is served by one thread (server/loop.h). The cost: a
 * thread that gets no request after a reload or a write keeps the previous
 * snapshot until its next request, or its exit. */
#define RETIRED_MAX 8

struct held_snapshot {
    struct catalog *snap;
    long uses; /* this thread's requests on it */
};

/* Per-thread state of an HTTP thread (a pthread key: freed at the thread's exit). */
struct worker {
    struct kept_response slot[KEPT_RESPONSES];
    unsigned next;
    struct catalog *snap; /* one reference, the thread's */
    uint64_t version;     /* the slot's version when snap was current */
    long uses;
    struct held_snapshot retired[RETIRED_MAX];
};

static pthread_key_t worker_key;
static pthread_once_t worker_once = PTHREAD_ONCE_INIT;

/* At the exit of an HTTP thread, whose connections are closed by then. */
static void
drop_worker(void *p)
{
    struct worker *w = p;
    for (size_t i = 0; i < KEPT_RESPONSES; i++)
        if (w->slot[i].r)
            MHD_destroy_response(w->slot[i].r);
    catalog_release(w->snap);
    for (size_t i = 0; i < RETIRED_MAX; i++)
        catalog_release(w->retired[i].snap);
    free(w);
}

static bool worker_key_ok;

static void
make_worker_key(void)
{
    worker_key_ok = pthread_key_create(&worker_key, drop_worker) == 0;
}

/* This thread's state, made on first use; NULL when out of memory. */
static struct worker *
worker_here(void)
{
    pthread_once(&worker_once, make_worker_key);
    if (!worker_key_ok)
        return NULL;
    struct worker *w = pthread_getspecific(worker_key);
    if (!w && (w = calloc(1, sizeof *w)) && pthread_setspecific(worker_key, w) != 0) {
        free(w);
        w = NULL;
    }
    return w;
}

/* The current snapshot for x, counted in this thread's hold (x->held) or,
 * when the hold cannot take it, with a reference of its own. NULL before the
 * first load. */
static struct catalog *
snapshot_for(struct exchange *x, struct catalog_slot *slot)
{
    struct worker *w = worker_here();
    if (!w)
        return catalog_slot_acquire(slot);
    if (!w->snap || catalog_slot_version(slot) != w->version) {
        size_t free_at = RETIRED_MAX;
        for (size_t i = 0; i < RETIRED_MAX && w->uses > 0; i++)
            if (!w->retired[i].snap) {
                free_at = i;
                break;
            }
        if (w->uses > 0 && free_at == RETIRED_MAX)
            return catalog_slot_acquire(slot); /* no room to retire: a reference of its own */
        uint64_t version;
        struct catalog *c = catalog_slot_acquire_version(slot, &version);
        if (!c)
            return NULL;
        if (w->uses > 0)
            w->retired[free_at] = (struct held_snapshot){w->snap, w->uses};
        else
            catalog_release(w->snap);
        w->snap = c;
        w->version = version;
        w->uses = 0;
    }
    w->uses++;
    x->held = w;
    return w->snap;
}

/* Gives back what snapshot_for took for x. */
static void
snapshot_done(struct exchange *x)
{
    struct worker *w = x->held;
    if (!w) {
        catalog_release(x->snap);
        return;
    }
    if (x->snap == w->snap) {
        w->uses--;
        return;
    }
    for (size_t i = 0; i < RETIRED_MAX; i++)
        if (w->retired[i].snap == x->snap) {
            if (--w->retired[i].uses == 0) {
                catalog_release(w->retired[i].snap);
                w->retired[i].snap = NULL;
            }
            return;
        }
}

/* True when resp may be kept: a borrowed body and every header value inside resp. */
static bool
keepable(const struct response *resp)
{
    if ((resp->status != 200 && resp->status != 304) || resp->body_owned || !resp->body)
        return false;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (resp->headers[i].owned)
            return false;
    return true;
}

/* Points e at the values of its response's X-Request-Id and Date headers.
 * False when either is missing or Date is not an IMF-fixdate. */
static bool
kept_locate(struct kept_response *e)
{
    e->id_at = (char *)MHD_get_response_header(e->r, "X-Request-Id");
    e->date_at = (char *)MHD_get_response_header(e->r, MHD_HTTP_HEADER_DATE);
    e->id_len = e->id_at ? strlen(e->id_at) : 0;
    return e->id_at && e->date_at && strlen(e->date_at) == CACHE_DATE_LEN;
}

/* Forgets e's response, which is in an unknown state. */
static void
kept_drop(struct kept_response *e)
{
    MHD_destroy_response(e->r);
    e->r = NULL;
}

static bool
same_response(const struct kept_response *k, unsigned long long generation,
              const struct response *resp)
{
    if (!k->r || k->generation != generation || k->body != resp->body ||
        k->len != resp->body_len || k->status != resp->status ||
        k->content_type != resp->content_type || k->nheaders != resp->nheaders)
        return false;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (k->names[i] != resp->headers[i].name ||
            strcmp(k->text + k->at[i], resp->headers[i].value) != 0)
            return false;
    return true;
}

/* The kept response for resp, X-Request-Id set to id and Date to date;
 * NULL when none. */
static struct MHD_Response *
kept_find(struct worker *k, unsigned long long generation, const struct response *resp,
          const char *id, const char *date)
{
    for (size_t i = 0; i < KEPT_RESPONSES; i++) {
        struct kept_response *e = &k->slot[i];
        if (!same_response(e, generation, resp))
            continue;
        memcpy(e->date_at, date, CACHE_DATE_LEN);
        size_t n = strlen(id);
        if (n == e->id_len) {
            memcpy(e->id_at, id, n);
            return e->r;
        }
        /* e->id_at is compared before libmicrohttpd frees it */
        if (MHD_del_response_header(e->r, "X-Request-Id", e->id_at) != MHD_YES ||
            MHD_add_response_header(e->r, "X-Request-Id", id) != MHD_YES || !kept_locate(e)) {
            kept_drop(e);
            return NULL;
        }
        return e->r;
    }
    return NULL;
}

/* Keeps r (taking over the caller's reference) as the answer for resp. */
static void
kept_store(struct worker *k, unsigned long long generation, const struct response *resp,
           struct MHD_Response *r)
{
    struct kept_response *e = &k->slot[k->next++ % KEPT_RESPONSES];
    if (e->r)
        MHD_destroy_response(e->r);
    *e = (struct kept_response){.r = r,
                                .generation = generation,
                                .body = resp->body,
                                .len = resp->body_len,
                                .status = resp->status,
                                .content_type = resp->content_type,
                                .nheaders = resp->nheaders};
    size_t used = 0;
    for (size_t i = 0; i < resp->nheaders; i++) {
        size_t n = strlen(resp->headers[i].value) + 1; /* fits: the values fit resp->text */
        e->names[i] = resp->headers[i].name;
        e->at[i] = (unsigned short)used;
        memcpy(e->text + used, resp->headers[i].value, n);
        used += n;
    }
    if (!kept_locate(e))
        kept_drop(e);
}

/* Queues resp. held (may be NULL) is a memo entry reference taken over by
 * this call: when resp's body is the entry's, libmicrohttpd sends it without
 * a copy and the reference is dropped when it is done with the bytes. reuse:
 * the handler's final answer, which may come from or go to the thread's kept
 * responses (see above). */
static enum MHD_Result
send_response(struct exchange *x, struct MHD_Connection *conn, struct response *resp,
              struct memo_entry *held, bool reuse)
{
    /* When conn's client now runs on a CPU another HTTP thread serves, the
     * response closes the connection and the client's next one goes to that
     * thread (loop_moved, server/steer.h); only a final 200 or 304 does, the
     * answer to a request that can be sent again. */
    bool keep = reuse && keepable(resp);
    bool moved = keep && loop_moved(x->srv->loop, conn);
    struct worker *k = keep && !moved && !held && x->snap ? worker_here() : NULL;
    unsigned long long generation = x->snap ? x->snap->generation : 0;
    const char *date = cache_date_now();
    struct MHD_Response *r = k ? kept_find(k, generation, resp, x->request_id, date) : NULL;
    bool from_kept = r != NULL;
    if (from_kept) {
        /* body and headers as they were, X-Request-Id and Date rewritten */
    } else if (held && !resp->body_owned && memo_owns(held, resp->body)) {
        r = MHD_create_response_from_buffer_with_free_callback_cls(
            resp->body_len, (void *)resp->body, release_memo, held);
        if (r)
            held = NULL; /* MHD releases it now */
    } else if (resp->body_owned) {
        r = MHD_create_response_from_buffer(resp->body_len, (void *)resp->body,
                                            MHD_RESPMEM_MUST_FREE);
        if (r)
            resp->body_owned = false; /* MHD frees it now */
    } else {
        r = MHD_create_response_from_buffer(resp->body_len, (void *)resp->body,
                                            MHD_RESPMEM_PERSISTENT);
    }
    memo_release(held);
    if (!r) {
        response_clear(resp);
        return MHD_NO;
    }
    if (!from_kept) {
        /* Date first, where libmicrohttpd puts its own; given one there, it
         * adds none (and skips its gmtime_r, see cache_date_now). A
         * Connection header goes first of all (0.9.75 inserts it at the
         * head), and libmicrohttpd then adds a Date of its own: so a closing
         * response leaves the Date to it, or it would carry two. */
        bool closes = moved || closes_connection(resp->status);
        if (!closes)
            MHD_add_response_header(r, MHD_HTTP_HEADER_DATE, date);
        if (resp->content_type)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
        for (size_t i = 0; i < resp->nheaders; i++)
            MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
        MHD_add_response_header(r, "X-Request-Id", x->request_id);
        if (closes)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    if (moved)
        metrics_connection_moved(x->srv->svc->metrics);
    deadline_arm(x->slot, DEADLINE_NONE, 0);
    x->status = resp->status;
    x->bytes = resp->body_len;
    x->queued = true;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp->status, r);
    if (!from_kept) { /* a kept response's reference stays the thread's */
        if (k && ok == MHD_YES)
            kept_store(k, generation, resp, r);
        else
            MHD_destroy_response(r);
    }
    response_clear(resp);
    return ok;
}

static const char *lookup_header(const struct request *req, const char *name);

/* Sends a refusal made before the handler ran (framing, size, auth) with the
 * headers every response gets: CORS, so a browser script can read it, and
 * Cache-Control: no-store. */
static enum MHD_Result
send_refusal(struct exchange *x, struct MHD_Connection *conn, struct response *resp)
{
    struct request req = {0};
    req.method = router_method(x->method);
    req.header = lookup_header;
    req.transport = x;
    negotiate_response(&req, resp, &x->srv->svc->cfg, false, false);
    return send_response(x, conn, resp, NULL, false);
}

static enum MHD_Result
send_problem(struct exchange *x, struct MHD_Connection *conn, int status, const char *code,
             const char *detail)
{
    struct response resp = {0};
    problem(&resp, status, code, detail, NULL);
    return send_refusal(x, conn, &resp);
}

struct header_scan {
    int content_length;
    int transfer_encoding;
    bool chunked_only;
    long long length;
};

/* Counts a Content-Length or Transfer-Encoding header (h) into s. */
static void
scan_framing(struct header_scan *s, enum known_header h, const char *value)
{
    if (h == H_CONTENT_LENGTH) {
        s->content_length++;
        char *end;
        s->length = strtoll(value, &end, 10);
        if (*end != '\0' || s->length < 0)
            s->length = -1;
    } else if (h == H_TRANSFER_ENCODING) {
        s->transfer_encoding++;
        s->chunked_only = strcasecmp(value, "chunked") == 0;
    }
}

/* The request's wire form, walked in libmicrohttpd's read buffer.
 *
 * libmicrohttpd 0.9.75 parses the request line and headers in place: it cuts
 * the buffer with NULs (at the spaces of the request line, the colons, the line
 * ends) and hands out pointers into it. A well-formed request therefore lies
 * there as method, target, version and one `name:value` line after another,
 * each exactly where the previous one ended, and the whole block is as long as
 * MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE says. What 0.9.75 accepts and
 * silently rewrites breaks that layout: a folded header (obs-fold) is moved
 * elsewhere and glued to its name, a NUL byte hides the rest of its line, a
 * space before a colon or inside the request line leaves a gap. So the layout
 * is checked, reading only inside the block, and every header name must be a
 * token and every value free of control characters and valid UTF-8. */
struct form {
    struct exchange *x; /* its known headers are filled in */
    const char *p, *end; /* the next byte expected, and the end of the block */
    long max_line;
    int hosts;
    struct header_scan scan;
    int status; /* 0 while well-formed */
    const char *code, *detail;
    char text[96]; /* room for a detail with a number in it */
};

static void
form_fail(struct form *f, int status, const char *code, const char *detail)
{
    if (!f->status) {
        f->status = status;
        f->code = code;
        f->detail = detail;
    }
}

/* Steps over a line end (CR LF or LF, both overwritten with NULs). */
static bool
form_eol(struct form *f)
{
    if (f->p >= f->end || *f->p != '\0')
        return false;
    f->p++;
    if (f->p < f->end && *f->p == '\0')
        f->p++;
    return true;
}

static bool
is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum MHD_Result
form_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct form *f = cls;
    if (f->status)
        return MHD_NO;
    static const char *const broken = "a header line is folded, holds a NUL byte or is not "
                                      "`name: value`";
    if (key != f->p || !value || value <= key || value >= f->end) {
        form_fail(f, 400, "malformed-request", broken);
        return MHD_NO;
    }
    size_t klen = strnlen(key, (size_t)(f->end - key));
    const char *q = key + klen;
    if (klen == 0 || q >= value || *q != '\0') {
        form_fail(f, 400, "malformed-request", broken);
        return MHD_NO;
    }
    for (size_t i = 0; i < klen; i++)
        if (!is_tchar((unsigned char)key[i])) {
            form_fail(f, 400, "malformed-request",
                      "a header name holds a character that is not "
                      "allowed (a space before the colon?)");
            return MHD_NO;
        }
    for (q++; q < value && (*q == ' ' || *q == '\t'); q++)
        ;
    if (q != value) {
        form_fail(f, 400, "malformed-request", broken);
        return MHD_NO;
    }
    size_t vlen = strnlen(value, (size_t)(f->end - value));
    unsigned char high = 0; /* any byte past ASCII: then UTF-8 is checked */
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < ' ' && c != '\t') || c == 0x7f) {
            form_fail(f, 400, "malformed-request", "a header value holds a control character");
            return MHD_NO;
        }
        high |= c;
    }
    if ((high & 0x80) && !utf8_valid(value, vlen, NULL)) {
        form_fail(f, 400, "malformed-request", "a header value is not valid UTF-8");
        return MHD_NO;
    }
    if ((long)(value + vlen - key) > f->max_line) {
        form_fail(f, 431, "header-too-large", "a header line is longer than the limit");
        return MHD_NO;
    }
    enum known_header h = known_header(key, klen);
    if (h == H_HOST)
        f->hosts++;
    if (h != H_KNOWN && !f->x->known[h])
        f->x->known[h] = value;
    scan_framing(&f->scan, h, value);
    f->p = value + vlen;
    if (!form_eol(f)) {
        form_fail(f, 400, "malformed-request", broken);
        return MHD_NO;
    }
    return MHD_YES;
}

/* Checks the request's form into *f (f->status 0: well-formed) and, when the
 * header block is walked to its end, fills x's known headers. Sends nothing:
 * the caller answers f->status once the request id and the client are known. */
static void
check_form(struct exchange *x, struct MHD_Connection *conn, const char *method, const char *url,
           const char *version, struct form *f)
{
    const struct config *cfg = &x->srv->svc->cfg;
    *f = (struct form){.x = x, .max_line = cfg->max_header_line_bytes};
    if ((long)x->uri_len > cfg->max_uri_bytes) {
        snprintf(f->text, sizeof f->text, "the request target is longer than %ld bytes",
                 cfg->max_uri_bytes);
        form_fail(f, 414, "uri-too-long", f->text);
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    size_t size = ci ? ci->header_size : 0;
    if ((long)size > cfg->max_header_bytes) {
        snprintf(f->text, sizeof f->text, "the request line and headers are longer than %ld bytes",
                 cfg->max_header_bytes);
        form_fail(f, 431, "headers-too-large", f->text);
        return;
    }
    f->p = method;
    f->end = method + size;
    size_t mlen = strnlen(method, size);
    /* METHOD SP target SP version line-end, each part where the last ended. */
    if (size == 0 || x->uri_bad || url != method + mlen + 1 || url + x->uri_len >= f->end ||
        version != url + x->uri_len + 1 || version >= f->end)
        form_fail(f, 400, "malformed-request",
                  "the request line is not `METHOD target HTTP/1.x` in visible ASCII, with "
                  "single spaces and no %00");
    if (!f->status) {
        f->p = version + strnlen(version, (size_t)(f->end - version));
        if (!form_eol(f))
            form_fail(f, 400, "malformed-request", "the request line holds a NUL byte");
    }
    if (!f->status) {
        MHD_get_connection_values(conn, MHD_HEADER_KIND, form_header, f);
        x->headers_known = !f->status; /* every header line was walked */
    }
    /* The blank line: its NUL may already have been taken as a CR LF's second. */
    if (!f->status && f->p != f->end && (!form_eol(f) || f->p != f->end))
        form_fail(f, 400, "malformed-request", "the header block holds a NUL byte");
    if (!f->status && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && f->hosts != 1)
        form_fail(f, 400, "malformed-request", "an HTTP/1.1 request needs one Host header");
    if (!f->status && !utf8_valid(url, strlen(url), NULL))
        form_fail(f, 400, "malformed-request", "the decoded path is not valid UTF-8");
}

/* The first call, with headers only: refuse what must not be read further.
 * libmicrohttpd 0.9.75 accepts ambiguous framing (PITFALLS.md), so it is
 * checked here, before any body byte is consumed. */
static enum MHD_Result
check_headers(struct exchange *x, struct MHD_Connection *conn, const struct header_scan *s)
{
    if (s->content_length > 1 || (s->content_length && s->transfer_encoding) ||
        s->transfer_encoding > 1 || (s->transfer_encoding && !s->chunked_only) ||
        (s->content_length && s->length < 0))
        return send_problem(x, conn, 400, "bad-framing",
                            "ambiguous or invalid Content-Length / Transfer-Encoding");
    if (s->content_length && s->length > x->srv->svc->cfg.max_body_bytes) {
        char detail[96];
        snprintf(detail, sizeof detail, "the body is larger than %ld bytes",
                 x->srv->svc->cfg.max_body_bytes);
        return send_problem(x, conn, 413, "body-too-large", detail);
    }
    /* The headers are in; a body, if one comes, has body_timeout to arrive. */
    if (s->transfer_encoding || s->length > 0)
        deadline_arm(x->slot, DEADLINE_BODY, x->srv->svc->cfg.body_timeout * 1000);
    else
        deadline_arm(x->slot, DEADLINE_NONE, 0);
    return MHD_YES;
}

/* Keeps body bytes up to the limit; beyond it, counts and discards them so a
 * chunked body can still be answered 413 at the end. */
static void
take_body(struct exchange *x, const char *data, size_t n)
{
    size_t max = (size_t)x->srv->svc->cfg.max_body_bytes;
    if (x->too_large || x->body_len + n > max) {
        x->too_large = true;
        return;
    }
    if (x->body_len + n + 1 > x->body_cap) {
        size_t cap = x->body_cap ? x->body_cap : 4096;
        while (cap < x->body_len + n + 1)
            cap *= 2;
        char *grown = realloc(x->body, cap);
        if (!grown) {
            x->too_large = true;
            return;
        }
        x->body = grown;
        x->body_cap = cap;
    }
    memcpy(x->body + x->body_len, data, n);
    x->body_len += n;
    x->body[x->body_len] = '\0';
}

struct query_scan {
    struct request *req;
    bool too_many, duplicate;
    const char *dup_key;
};

static enum MHD_Result
scan_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query_scan *q = cls;
    struct request *req = q->req;
    if (request_query(req, key)) {
        q->duplicate = true;
        q->dup_key = key;
        return MHD_YES;
    }
    if (req->nquery == REQUEST_MAX_QUERY) {
        q->too_many = true;
        return MHD_NO;
    }
    req->query[req->nquery++] = (struct query_param){key, value ? value : ""};
    return MHD_YES;
}

/* req->header for handlers: req->transport is the exchange. */
static const char *
lookup_header(const struct request *req, const char *name)
{
    const struct exchange *x = req->transport;
    enum known_header h = known_header(name, strlen(name));
    return h != H_KNOWN ? header_of(x, h)
                        : MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, name);
}

/* Validates the query against the route's parameter list: unknown and
 * repeated parameters are errors, never guessed at. */
static int
check_query(const struct query_scan *q, const struct route *route, struct response *resp)
{
    char detail[200];
    if (q->too_many)
        return problem(resp, 400, "too-many-parameters", "more than 32 query parameters", NULL);
    if (q->duplicate) {
        snprintf(detail, sizeof detail, "query parameter `%.64s` is given more than once",
                 q->dup_key);
        return problem(resp, 400, "duplicate-parameter", detail, q->dup_key);
    }
    for (size_t i = 0; i < q->req->nquery; i++) {
        const char *key = q->req->query[i].key;
        if (!router_param_allowed(route->params, key)) {
            snprintf(detail, sizeof detail, "unknown query parameter `%.64s`%s%s", key,
                     route->params[0] ? "; this route accepts: " : "; this route takes none",
                     route->params);
            return problem(resp, 400, "unknown-parameter", detail, key);
        }
    }
    return 0;
}

/* Routes the request and checks its access, in the first call. Returns
 * MHD_YES to go on reading the request, or what queueing a refusal returned. */
static enum MHD_Result
route_early(struct exchange *x, struct MHD_Connection *conn, const char *url)
{
    struct http_server *srv = x->srv;
    struct request req = {0};
    enum http_method method = router_method(x->method);
    if (method == HTTP_OTHER)
        return MHD_YES; /* answered 501 in dispatch */
    if (strlen(url) >= x->caps_cap) /* libmicrohttpd only shortens the target */
        return send_problem(x, conn, 500, "internal", "the decoded path outgrew the target");
    x->match = router_match(srv->routes, srv->nroutes, method, url, &req, x->caps, &x->route,
                            &x->allowed);
    if (x->match != ROUTER_FOUND)
        return MHD_YES;
    x->nparams = req.nparams;
    memcpy(x->params, req.params, sizeof x->params);
    struct response resp = {0};
    const char *authz = header_of(x, H_AUTHORIZATION);
    if (auth_check(srv->svc, x->route->access, authz, &resp) != 0)
        return send_refusal(x, conn, &resp);
    return MHD_YES;
}

/* The memo key of a request whose answer may be kept: every input that shapes
 * a memo-able body besides the snapshot, that is the base URL of absolute
 * links, then (after a NUL, which neither contains) the raw request target,
 * path and query. Its length, or 0 when the request is not eligible. */
static size_t
memo_key(const struct exchange *x, const struct request *req, char *key, size_t cap)
{
    if (!x->srv->memo || !req->snap || !x->path_whole || !x->route->needs_content ||
        !(req->method & (HTTP_GET | HTTP_HEAD)))
        return 0;
    size_t nb = strlen(x->view.base), np = strlen(x->path);
    if (nb + 1 + np > cap)
        return 0;
    memcpy(key, x->view.base, nb);
    key[nb] = '\0';
    memcpy(key + nb + 1, x->path, np);
    return nb + 1 + np;
}

/* True when the route's handler has answered with memo set: only such
 * routes are looked up, so a route that never memos (a single article is
 * already a prepared buffer) pays nothing. */
static bool
route_memos(const struct exchange *x)
{
    return x->srv->memo &&
           __atomic_load_n(&x->srv->memo_routes[x->route - x->srv->routes], __ATOMIC_RELAXED);
}

/* Fills resp with the kept answer e, gzip form included when the client
 * takes it. False on OOM, resp then cleared. */
static bool
answer_from_memo(struct memo_entry *e, const struct request *req, struct response *resp)
{
    if (memo_fill(e, encoding_accepts_gzip(lookup_header(req, "Accept-Encoding")), resp) == 0)
        return true;
    response_clear(resp);
    return false;
}

static enum MHD_Result
dispatch(struct exchange *x, struct MHD_Connection *conn, const char *url, const char *method)
{
    struct http_server *srv = x->srv;
    struct request req = {0};
    struct response resp = {0};
    req.method = router_method(method);
    req.method_name = method;
    req.path = url;
    req.body = x->body;
    req.body_len = x->body_len;
    req.request_id = x->request_id;
    req.client = x->view.client;
    req.base_url = x->view.base;
    req.header = lookup_header;
    req.transport = x;
    req.svc = srv->svc;
    req.snap = x->snap = snapshot_for(x, &srv->svc->slot);

    const struct route *route = x->route;
    struct memo_entry *held = NULL;
    char allow[96], detail[200], key[sizeof x->view.base + 2048];
    size_t key_len = 0;
    if (req.method == HTTP_OTHER) {
        snprintf(detail, sizeof detail, "method %.20s is not implemented", method);
        problem(&resp, 501, "method-not-implemented", detail, NULL);
        return send_response(x, conn, &resp, NULL, false);
    }
    req.nparams = x->nparams;
    memcpy(req.params, x->params, sizeof req.params);
    switch (x->match) {
    case ROUTER_NO_PATH:
        snprintf(detail, sizeof detail, "no resource at %.150s", url);
        problem(&resp, 404, "not-found", detail, NULL);
        break;
    case ROUTER_NO_METHOD:
        router_allow_header(x->allowed, allow, sizeof allow);
        if (req.method == HTTP_OPTIONS && lookup_header(&req, "Origin") &&
            lookup_header(&req, "Access-Control-Request-Method")) {
            negotiate_preflight(&req, &resp, &srv->svc->cfg, allow);
            return send_response(x, conn, &resp, NULL, false);
        }
        if (req.method == HTTP_OPTIONS) {
            resp.status = 204;
        } else {
            snprintf(detail, sizeof detail, "%.20s is not allowed here; allowed: %s", method,
                     allow);
            problem(&resp, 405, "method-not-allowed", detail, NULL);
        }
        response_header(&resp, "Allow", allow);
        break;
    case ROUTER_FOUND:
        if (route_memos(x) && (key_len = memo_key(x, &req, key, sizeof key)) &&
            (held = memo_get(srv->memo, req.snap->generation, key, key_len))) {
            if (answer_from_memo(held, &req, &resp))
                break;
            memo_release(held);
            held = NULL;
            problem(&resp, 500, "internal", "out of memory", NULL);
            break;
        }
        struct query_scan q = {.req = &req};
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, scan_query, &q);
        if (check_query(&q, route, &resp) != 0)
            break;
        if (route->needs_content && !req.snap) {
            problem(&resp, 503, "not-ready", "the content directory is still loading", NULL);
            response_header(&resp, "Retry-After", "1");
            break;
        }
        route->handler(&req, &resp);
        /* A kept answer is served from the entry, the first time too, so that
         * every copy is the same bytes and headers. */
        if (resp.memo && resp.status == 200 && srv->memo) {
            __atomic_store_n(&srv->memo_routes[route - srv->routes], true, __ATOMIC_RELAXED);
            if (!key_len)
                key_len = memo_key(x, &req, key, sizeof key);
        }
        if (key_len && resp.memo && resp.status == 200 &&
            (held = memo_put(srv->memo, req.snap->generation, key, key_len, &resp))) {
            response_clear(&resp);
            if (!answer_from_memo(held, &req, &resp)) {
                memo_release(held);
                held = NULL;
                problem(&resp, 500, "internal", "out of memory", NULL);
            }
        }
        break;
    }
    bool content = route && route->needs_content && (route->methods & HTTP_GET);
    negotiate_response(&req, &resp, &srv->svc->cfg, content, srv->svc->read_token[0] != '\0');
    return send_response(x, conn, &resp, held, true);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    struct exchange *x = *req_cls;
    if (!x)
        return MHD_NO;
    if (!x->headers_seen) {
        x->headers_seen = true;
        size_t mlen = strnlen(method, sizeof x->method - 1);
        memcpy(x->method, method, mlen);
        x->method[mlen] = '\0';
        struct form f;
        check_form(x, conn, method, url, version, &f);
        assign_request_id(x);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        struct service *svc = x->srv->svc;
        proxy_resolve(ci ? ci->client_addr : NULL, header_of(x, H_X_FORWARDED_FOR),
                      header_of(x, H_X_FORWARDED_PROTO), header_of(x, H_X_FORWARDED_HOST),
                      svc->cfg.public_base_url, &svc->trusted_proxies, &x->view);
        if (f.status)
            return send_problem(x, conn, f.status, f.code, f.detail);
        enum MHD_Result ok = check_headers(x, conn, &f.scan);
        return ok == MHD_YES && !x->queued ? route_early(x, conn, url) : ok;
    }
    if (x->queued) { /* refused in the first call; drain nothing more */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_body(x, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (x->too_large) {
        char detail[96];
        snprintf(detail, sizeof detail, "the body is larger than %ld bytes",
                 x->srv->svc->cfg.max_body_bytes);
        return send_problem(x, conn, 413, "body-too-large", detail);
    }
    return dispatch(x, conn, url, method);
}

/* Watches every connection's deadlines from its first byte to its close. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
    static char refused; /* the socket context of a connection closed at once */
    struct http_server *srv = cls;
    const union MHD_ConnectionInfo *peer =
        srv->peers ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (*socket_context != &refused)
            deadline_forget(srv->deadline, *socket_context);
        *socket_context = NULL;
        if (peer)
            peers_leave(srv->peers, peer->client_addr);
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (peer && !peers_enter(srv->peers, peer->client_addr)) {
        /* on_accept let it in while another thread took this address's last
         * place: the end of the stream makes libmicrohttpd close it unread */
        if (ci)
            shutdown(ci->connect_fd, SHUT_RDWR);
        *socket_context = &refused;
        return;
    }
    *socket_context = ci ? deadline_watch(srv->deadline, ci->connect_fd, DEADLINE_WAITING,
                                          srv->svc->cfg.header_timeout * 1000)
                         : NULL;
}

/* The accept policy: a connection from an address at its limit is closed
 * before libmicrohttpd makes anything of it. */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    struct http_server *srv = cls;
    return !srv->peers || peers_room(srv->peers, addr) ? MHD_YES : MHD_NO;
}

/* The watchdog's verdict on a connection past its deadline (run under the
 * deadline lock, so fd is still this connection's). While only the headers are
 * awaited libmicrohttpd writes nothing, so a request whose line has arrived
 * gets a 408 written here; a connection with no request yet, or one in its
 * body (when libmicrohttpd cannot answer), is just closed. shutdown() makes
 * libmicrohttpd see the end of the stream and close the connection itself. */
static void
on_deadline(void *cls, int fd, enum deadline_phase phase)
{
    struct http_server *srv = cls;
    if (phase == DEADLINE_HEADERS && srv->timeout_body) {
        unsigned long long seq = __atomic_add_fetch(&srv->next_id, 1, __ATOMIC_RELAXED);
        char head[384];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 408 Request Timeout\r\nDate: %s\r\nConnection: close\r\n"
                         "Content-Type: application/problem+json\r\nCache-Control: no-store\r\n"
                         "X-Request-Id: %08x-%llx\r\nContent-Length: %zu\r\n\r\n",
                         cache_date_now(), srv->boot_id, seq, srv->timeout_body_len);
        if (n > 0 && (size_t)n < sizeof head &&
            send(fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
            send(fd, srv->timeout_body, srv->timeout_body_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    shutdown(fd, SHUT_RDWR);
}

static void
on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    const struct service *svc = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    log_msg(&svc->log, LOG_WARN, "http_library", msg);
}

/* Frees what http_start made, whatever it got to; stopping the loop first
 * (its threads close their connections and exit, which releases their kept
 * responses and snapshots) also forgets every connection's deadline slot and
 * address. */
static void
free_server(struct http_server *srv)
{
    if (srv->loop) { /* started: /metrics watched the memo */
        loop_stop(srv->loop);
        metrics_watch_memo(srv->svc->metrics, NULL);
    }
    deadline_free(srv->deadline);
    peers_free(srv->peers);
    free(srv->timeout_body);
    memo_free(srv->memo);
    free(srv->memo_routes);
    free(srv);
}

/* One HTTP thread's daemon (loop_daemon_fn). The options are varargs: each
 * value is cast to the exact type MHD reads. Strictness 0, not 1: check_form
 * is stricter than libmicrohttpd's strict mode, and answers in the service's
 * format, where 0.9.75's strict mode refused a missing Host or a space in the
 * target with its own HTML page (its head sent twice) or no answer at all. */
static struct MHD_Daemon *
start_daemon(void *cls, int listen_fd, unsigned limit)
{
    struct http_server *srv = cls;
    const struct config *cfg = &srv->svc->cfg;
    /* clang-format off */
    return MHD_start_daemon(
        srv->daemon_flags, 0, on_accept, srv, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, srv->svc, /* first, or MHD logs to stderr */
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->daemon_memory,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)0,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_END);
    /* clang-format on */
}

struct http_server *
http_start(struct service *svc, const struct route *routes, size_t n, const char **errstr)
{
    struct http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        *errstr = "out of memory";
        return NULL;
    }
    srv->svc = svc;
    srv->routes = routes;
    srv->nroutes = n;
    const struct config *cfg = &svc->cfg;
    char detail[96];
    snprintf(detail, sizeof detail, "the request headers did not arrive within %d s",
             cfg->header_timeout);
    struct response timeout = {0};
    problem(&timeout, 408, "request-timeout", detail, NULL);
    if (timeout.body_owned) {
        srv->timeout_body = (char *)timeout.body;
        srv->timeout_body_len = timeout.body_len;
    }
    /* The watchdog looks a tenth of the shortest deadline after it passes, at most. */
    int shortest =
        cfg->header_timeout < cfg->body_timeout ? cfg->header_timeout : cfg->body_timeout;
    int tick = shortest * 100 < 50 ? 50 : shortest * 100 > 1000 ? 1000 : shortest * 100;
    srv->deadline =
        deadline_start((size_t)cfg->max_connections + 64, tick, on_deadline, srv, errstr);
    if (!srv->deadline) {
        free_server(srv);
        return NULL;
    }
    if (svc->cfg.memo_max_bytes > 0 &&
        (!(srv->memo = memo_new((size_t)svc->cfg.memo_max_bytes)) ||
         !(srv->memo_routes = calloc(n, sizeof *srv->memo_routes)))) {
        *errstr = "out of memory";
        free_server(srv);
        return NULL;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    srv->boot_id = (unsigned)(now.tv_sec ^ now.tv_nsec ^ getpid());

    if (cfg->max_connections_per_address > 0 &&
        !(srv->peers = peers_new((unsigned)cfg->max_connections_per_address,
                                 (unsigned)cfg->max_connections))) {
        *errstr = "out of memory";
        free_server(srv);
        return NULL;
    }

    struct sockaddr_in v4 = {0};
    struct sockaddr_in6 v6 = {0};
    struct sockaddr *addr;
    socklen_t addrlen;
    srv->daemon_flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, cfg->bind, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&v4;
        addrlen = sizeof v4;
    } else if (inet_pton(AF_INET6, cfg->bind, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&v6;
        addrlen = sizeof v6;
        srv->daemon_flags |= MHD_USE_IPv6;
    } else {
        *errstr = "bind is not an IPv4 or IPv6 address";
        free_server(srv);
        return NULL;
    }
    unsigned cpus = cpus_usable();
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : cpus;
    /* cpu_affinity: with no more threads than CPUs, each stays on a CPU of
     * its own. Left to the scheduler, a thread that sleeps between requests
     * is woken onto whichever CPU is free, and two HTTP threads can share one
     * for a while; bound, a thread cannot leave a CPU that other work keeps
     * busy (docs/operations.md, "Scheduling"). */
    struct loop_options opt = {.threads = threads,
                               .max_connections = (unsigned)cfg->max_connections,
                               .bind_cpus = cfg->cpu_affinity && threads <= cpus,
                               .slice_us = (unsigned)cfg->sched_slice_us,
                               .steer = cfg->steer_local_connections};
    /* Room for a request at every configured limit, so that it reaches
     * check_form and is refused there (414 or 431 as problem+json), plus room
     * for the response headers; only a request past this gets libmicrohttpd's
     * own HTML page. No more than that: 0.9.75 zeroes a connection's whole
     * memory pool before every request on it (MHD_pool_reset), which at 80 KiB
     * took 18% of the CPU of serving a prepared article, and at 32 KiB still
     * about 0.5 us a request. The read buffer grows into the whole pool, so a
     * block of `biggest` bytes fits in it with a quarter to spare for the
     * header entries libmicrohttpd allocates from the other end, and 4 KiB for
     * the response's headers (tests/http/test_malformed.c probes each limit
     * just past it). */
    long biggest = cfg->max_header_bytes;
    if (cfg->max_uri_bytes > biggest)
        biggest = cfg->max_uri_bytes;
    if (cfg->max_header_line_bytes > biggest)
        biggest = cfg->max_header_line_bytes;
    srv->daemon_memory = (size_t)biggest * 5 / 4 + 4096;
    srv->loop = loop_start(addr, addrlen, &opt, start_daemon, srv, errstr);
    if (!srv->loop) {
        free_server(srv);
        return NULL;
    }
    metrics_watch_memo(svc->metrics, srv->memo);
    return srv;
}

uint16_t
http_port(const struct http_server *srv)
{
    return loop_port(srv->loop);
}

struct http_threads
http_threads(const struct http_server *srv)
{
    return (struct http_threads){.threads = loop_threads(srv->loop),
                                 .bound = loop_bound(srv->loop),
                                 .sliced = loop_sliced(srv->loop),
                                 .steered = loop_steered(srv->loop)};
}

void
http_stop(struct http_server *srv, int grace_ms)
{
    if (!srv)
        return;
    loop_quiesce(srv->loop);
    struct timespec t0, pause = {0, 5 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (active_requests(srv) > 0 && ms_since(&t0) < grace_ms)
        nanosleep(&pause, NULL);
    deadline_stop(srv->deadline);
    free_server(srv);
}
