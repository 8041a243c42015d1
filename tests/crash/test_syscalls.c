/* The durable-write protocol, seen from the kernel's side. A SIGKILL test
 * cannot see a missing fsync (the page cache outlives the process), so this
 * traces a running articled (ARTICLED_BIN, default ./articled) with strace
 * during one PUT and one DELETE and checks the order of the system calls:
 *
 *   PUT:    openat(.tmp-*) -> write(fd)... -> fsync(fd) -> rename(.tmp-*, {id}.json)
 *           -> fsync(directory fd) -> the send carrying "HTTP/1.1 201"
 *   DELETE: unlink({id}.json) -> fsync(directory fd) -> the send carrying "HTTP/1.1 204"
 *
 * "A -> B" means A returned before B was entered: with -f, strace splits a
 * call that another thread interrupts into "<unfinished ...>" and "<... resumed>"
 * lines, and the checker keeps both ends. The order_check tests feed the
 * checker traces with an fsync removed or moved after the response, so the
 * checker is shown to fail where it must.
 *
 * The kill tests use strace's fault injection to SIGKILL the server as it
 * enters one chosen system call of a write, the instants a random kill rarely
 * hits, and check what a restart serves. See docs/durability.md. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* ---- the trace ---- */

/* One system call: entered at line `start`, returned at line `end`. */
struct call {
    int pid;
    char name[32];
    char *text; /* "name(args) = result...", the two halves joined */
    const char *args;
    size_t args_len;
    long result; /* -2 when strace shows none ("?", or unfinished at the end) */
    size_t start, end;
};

struct trace {
    struct call *calls;
    size_t n, cap;
};

static void
trace_free(struct trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->calls[i].text);
    free(t->calls);
    memset(t, 0, sizeof *t);
}

/* Splits "name(args)   = result" into its parts (args point into text); strace
 * pads before the " = " to align the results. */
static void
call_finish(struct call *c)
{
    const char *paren = strchr(c->text, '(');
    const char *eq = NULL;
    for (const char *p = c->text; (p = strstr(p, " = ")); p++)
        eq = p;
    c->result = -2;
    if (!paren) {
        c->args = c->text;
        c->args_len = 0;
        return;
    }
    const char *close = eq;
    while (close && close > paren && *close != ')')
        close--;
    c->args = paren + 1;
    c->args_len = close && close > paren ? (size_t)(close - paren - 1) : strlen(paren + 1);
    if (eq) {
        char *endp;
        long r = strtol(eq + 3, &endp, 0);
        if (endp != eq + 3)
            c->result = r;
    }
}

static struct call *
trace_add(struct trace *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct call *g = realloc(t->calls, cap * sizeof *g);
        cr_assert_not_null(g);
        t->calls = g;
        t->cap = cap;
    }
    struct call *c = &t->calls[t->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Parses strace -f -tt output: "[PID ]HH:MM:SS.uuuuuu call(...) = R", where a
 * call interrupted by another thread is split into "call(... <unfinished ...>"
 * and, later, "<... call resumed>...) = R" on the same pid. */
static void
trace_parse(struct trace *t, const char *buf)
{
    size_t line = 0;
    for (const char *p = buf; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *s = strndup(p, len);
        cr_assert_not_null(s);
        p += len + (nl ? 1 : 0);
        char *q = s;
        int pid = 0;
        if (*q >= '0' && *q <= '9') {
            char *after;
            long n = strtol(q, &after, 10);
            if (*after == ' ') { /* strace pads the pid to a width of 5 */
                pid = (int)n;
                q = after;
                while (*q == ' ')
                    q++;
            }
        }
        if (*q >= '0' && *q <= '9' && strchr(q, ' ')) { /* the -tt timestamp */
            q = strchr(q, ' ');
            while (*q == ' ')
                q++;
        }
        if (strncmp(q, "<... ", 5) == 0) {
            char name[32] = "";
            sscanf(q + 5, "%31[a-z0-9_]", name);
            const char *rest = strstr(q, "resumed>");
            struct call *c = NULL;
            for (size_t i = t->n; i-- > 0;)
                if (t->calls[i].pid == pid && t->calls[i].end == SIZE_MAX &&
                    strcmp(t->calls[i].name, name) == 0) {
                    c = &t->calls[i];
                    break;
                }
            if (c && rest) {
                rest += strlen("resumed>");
                size_t a = strlen(c->text), b = strlen(rest);
                char *joined = realloc(c->text, a + b + 1);
                cr_assert_not_null(joined);
                memcpy(joined + a, rest, b + 1);
                c->text = joined;
                c->end = line;
                call_finish(c);
            }
            free(s);
            continue;
        }
        if (!(*q >= 'a' && *q <= 'z') || !strchr(q, '(')) { /* signals, exits, blanks */
            free(s);
            continue;
        }
        struct call *c = trace_add(t);
        c->pid = pid;
        c->start = line;
        sscanf(q, "%31[a-z0-9_]", c->name);
        const char *unfinished = strstr(q, " <unfinished ...>");
        c->text = strndup(q, unfinished ? (size_t)(unfinished - q) : strlen(q));
        cr_assert_not_null(c->text);
        c->end = unfinished ? SIZE_MAX : line;
        call_finish(c);
        free(s);
    }
}

/* The k-th top-level argument of c (0-based), strings still quoted. */
static bool
call_arg(const struct call *c, int k, char *out, size_t outlen)
{
    int depth = 0, idx = 0;
    bool quoted = false;
    size_t from = 0;
    for (size_t i = 0; i <= c->args_len; i++) {
        char ch = i < c->args_len ? c->args[i] : ',';
        if (quoted) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                quoted = false;
            continue;
        }
        if (ch == '"')
            quoted = true;
        else if (ch == '[' || ch == '{' || ch == '(')
            depth++;
        else if (ch == ']' || ch == '}' || ch == ')')
            depth--;
        else if (ch == ',' && depth == 0) {
            if (idx++ == k) {
                while (c->args[from] == ' ')
                    from++;
                size_t n = i - from < outlen - 1 ? i - from : outlen - 1;
                memcpy(out, c->args + from, n);
                out[n] = '\0';
                return true;
            }
            from = i + 1;
        }
    }
    return false;
}

static long
call_fd(const struct call *c)
{
    char a[32];
    if (!call_arg(c, 0, a, sizeof a))
        return -1;
    char *end;
    long fd = strtol(a, &end, 10);
    return end == a ? -1 : fd;
}

static bool
is_one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

static const char *const SENDS[] = {"sendto", "sendmsg", "send", "writev", "write", NULL};
static const char *const WRITES[] = {"write", "pwrite64", "writev", "pwritev", "pwritev2", NULL};
static const char *const SYNCS[] = {"fsync", "fdatasync", NULL};
static const char *const RENAMES[] = {"rename", "renameat", "renameat2", NULL};
static const char *const UNLINKS[] = {"unlink", "unlinkat", NULL};

/* The context the paths of a trace are resolved in. */
struct where {
    const char *dir; /* the data directory, absolute, no trailing slash */
    const char *cwd; /* the server's working directory */
    int pid;         /* the server, for /proc/PID/fd; 0 for a trace on paper */
};

static void
normalize(char *path)
{
    size_t n = strlen(path);
    for (;;) {
        if (n > 1 && path[n - 1] == '/')
            path[--n] = '\0';
        else if (n > 2 && strcmp(path + n - 2, "/.") == 0)
            path[n -= 2] = '\0';
        else
            break;
    }
}

static bool fd_path(const struct trace *t, const struct where *w, long fd, size_t before, char *out,
                    size_t outlen);

/* The absolute path named by a (dirfd, "path") pair of arguments of c. */
static bool
resolve(const struct trace *t, const struct where *w, const struct call *c, int dirfd_arg,
        int path_arg, char *out, size_t outlen)
{
    char quoted[PATH_MAX + 8], base[PATH_MAX];
    if (!call_arg(c, path_arg, quoted, sizeof quoted) || quoted[0] != '"')
        return false;
    char *close_q = strrchr(quoted + 1, '"');
    if (!close_q)
        return false;
    *close_q = '\0';
    const char *path = quoted + 1;
    if (path[0] == '/') {
        snprintf(out, outlen, "%s", path);
    } else {
        char d[32] = "AT_FDCWD";
        if (dirfd_arg >= 0 && !call_arg(c, dirfd_arg, d, sizeof d))
            return false;
        if (strcmp(d, "AT_FDCWD") == 0)
            snprintf(base, sizeof base, "%s", w->cwd);
        else if (!fd_path(t, w, strtol(d, NULL, 10), c->start, base, sizeof base))
            return false;
        snprintf(out, outlen, "%s/%s", base, path);
    }
    normalize(out);
    return true;
}

/* What fd referred to just before line `before`: the path of the last openat
 * that returned it, or, when the trace never opened it, what /proc says now
 * (a descriptor the server opened before strace attached). */
static bool
fd_path(const struct trace *t, const struct where *w, long fd, size_t before, char *out,
        size_t outlen)
{
    for (size_t i = t->n; i-- > 0;) {
        const struct call *c = &t->calls[i];
        if (c->end == SIZE_MAX || c->end >= before)
            continue;
        if (c->result == fd && strcmp(c->name, "openat") == 0)
            return resolve(t, w, c, 0, 1, out, outlen);
        if (c->result == fd && strcmp(c->name, "open") == 0)
            return resolve(t, w, c, -1, 0, out, outlen);
        if (strcmp(c->name, "close") == 0 && c->result == 0 && call_fd(c) == fd)
            return false;
    }
    if (w->pid <= 0)
        return false;
    char link[64];
    snprintf(link, sizeof link, "/proc/%d/fd/%ld", w->pid, fd);
    ssize_t n = readlink(link, out, outlen - 1);
    if (n <= 0)
        return false;
    out[n] = '\0';
    normalize(out);
    return true;
}

static bool
done_ok(const struct call *c)
{
    return c->end != SIZE_MAX && c->result == 0;
}

/* The first call after line `after` that sends text containing `needle`. */
static const struct call *
find_send(const struct trace *t, const char *needle, size_t after)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct call *c = &t->calls[i];
        if (c->start > after && is_one_of(c->name, SENDS) && c->args_len &&
            memmem(c->args, c->args_len, needle, strlen(needle)))
            return c;
    }
    return NULL;
}

/* An fsync of the data directory entered after line `after`; the first one that
 * returned before line `before`, else the first at all (for the message). */
static const struct call *
find_dir_sync(const struct trace *t, const struct where *w, size_t after, size_t before,
              bool *in_time)
{
    const struct call *first = NULL;
    *in_time = false;
    for (size_t i = 0; i < t->n; i++) {
        const struct call *c = &t->calls[i];
        char path[PATH_MAX];
        if (c->start <= after || !is_one_of(c->name, SYNCS) || !done_ok(c) ||
            !fd_path(t, w, call_fd(c), c->start, path, sizeof path) || strcmp(path, w->dir) != 0)
            continue;
        if (c->end < before) {
            *in_time = true;
            return c;
        }
        if (!first)
            first = c;
    }
    return first;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, whylen, __VA_ARGS__);                                                        \
        return false;                                                                              \
    } while (0)

/* Checks the PUT of `id` (answered put_status) and the DELETE after it. True
 * when the order is the durable one; otherwise false with the reason in why. */
static bool
order_check(const struct trace *t, const struct where *w, const char *id, int put_status, char *why,
            size_t whylen)
{
    char target[PATH_MAX], needle[32];
    snprintf(target, sizeof target, "%s/%s.json", w->dir, id);

    /* PUT: the response, then walk back through the protocol. */
    snprintf(needle, sizeof needle, "HTTP/1.1 %d", put_status);
    const struct call *resp = find_send(t, needle, 0);
    if (!resp)
        FAIL("no send carrying \"%s\" for the PUT", needle);
    const struct call *ren = NULL;
    char tmp[PATH_MAX] = "";
    for (size_t i = 0; i < t->n && !ren; i++) {
        const struct call *c = &t->calls[i];
        char from[PATH_MAX], to[PATH_MAX];
        bool two = strcmp(c->name, "rename") == 0;
        if (!is_one_of(c->name, RENAMES) || !done_ok(c) ||
            !resolve(t, w, c, two ? -1 : 0, two ? 0 : 1, from, sizeof from) ||
            !resolve(t, w, c, two ? -1 : 2, two ? 1 : 3, to, sizeof to) || strcmp(to, target) != 0)
            continue;
        const char *slash = strrchr(from, '/');
        if (strncmp(slash + 1, ".tmp-", 5) == 0 && strncmp(from, w->dir, slash - from) == 0 &&
            strlen(w->dir) == (size_t)(slash - from)) {
            ren = c;
            snprintf(tmp, sizeof tmp, "%s", from);
        }
    }
    if (!ren)
        FAIL("no rename of a %s/.tmp-* file onto %s", w->dir, target);
    if (ren->end >= resp->start)
        FAIL("the rename onto %s returns after the PUT's response is sent", target);

    const struct call *opened = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const struct call *c = &t->calls[i];
        char path[PATH_MAX];
        if (strcmp(c->name, "openat") == 0 && c->end < ren->start && c->result >= 0 &&
            resolve(t, w, c, 0, 1, path, sizeof path) && strcmp(path, tmp) == 0)
            opened = c;
    }
    if (!opened)
        FAIL("no openat of %s before its rename", tmp);
    long fd = opened->result;

    /* The temp file's descriptor lives from the openat to its close. */
    size_t closed = SIZE_MAX;
    for (size_t i = 0; i < t->n; i++) {
        const struct call *c = &t->calls[i];
        if (strcmp(c->name, "close") == 0 && c->start > opened->end && call_fd(c) == fd) {
            closed = c->start;
            break;
        }
    }
    size_t writes = 0, last_write = 0;
    const struct call *sync = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const struct call *c = &t->calls[i];
        if (c->start <= opened->end || c->start >= closed || call_fd(c) != fd)
            continue;
        if (is_one_of(c->name, WRITES)) {
            if (c->end == SIZE_MAX || c->result <= 0)
                FAIL("a write to the temp file (fd %ld) failed or never returned", fd);
            writes++;
            last_write = c->end > last_write ? c->end : last_write;
            sync = NULL; /* an fsync counts only after the last write */
        } else if (is_one_of(c->name, SYNCS) && done_ok(c) && !sync) {
            sync = c;
        }
    }
    if (writes == 0)
        FAIL("no write to the temp file %s (fd %ld)", tmp, fd);
    if (!sync)
        FAIL("no fsync of the temp file %s (fd %ld) after its last write", tmp, fd);
    if (sync->start <= last_write)
        FAIL("the fsync of the temp file overlaps a write to it");
    if (sync->end >= ren->start)
        FAIL("the fsync of the temp file returns after the rename starts");
    bool in_time;
    const struct call *dsync = find_dir_sync(t, w, ren->end, resp->start, &in_time);
    if (!dsync)
        FAIL("no fsync of the directory %s after the rename onto %s", w->dir, target);
    if (!in_time)
        FAIL("the fsync of the directory after the rename returns after the PUT's response is "
             "sent");

    /* DELETE */
    const struct call *resp2 = find_send(t, "HTTP/1.1 204", resp->end);
    if (!resp2)
        FAIL("no send carrying \"HTTP/1.1 204\" for the DELETE");
    const struct call *unl = NULL;
    for (size_t i = 0; i < t->n && !unl; i++) {
        const struct call *c = &t->calls[i];
        char path[PATH_MAX];
        bool plain = strcmp(c->name, "unlink") == 0;
        if (c->start > resp->end && is_one_of(c->name, UNLINKS) && done_ok(c) &&
            resolve(t, w, c, plain ? -1 : 0, plain ? 0 : 1, path, sizeof path) &&
            strcmp(path, target) == 0)
            unl = c;
    }
    if (!unl)
        FAIL("no unlink of %s for the DELETE", target);
    if (unl->end >= resp2->start)
        FAIL("the unlink of %s returns after the DELETE's response is sent", target);
    dsync = find_dir_sync(t, w, unl->end, resp2->start, &in_time);
    if (!dsync)
        FAIL("no fsync of the directory %s after the unlink of %s", w->dir, target);
    if (!in_time)
        FAIL("the fsync of the directory after the unlink returns after the DELETE's response is "
             "sent");
    return true;
}

/* ---- the checker on paper ---- */

/* A trace of a correct server: writer thread 101, another thread 103. */
enum line {
    L_OPEN,
    L_WRITE1,
    L_WRITE2,
    L_FSYNC_A,
    L_OTHER,
    L_FSYNC_B,
    L_CLOSE,
    L_RENAME,
    L_DIROPEN,
    L_DIRSYNC,
    L_DIRCLOSE,
    L_RESP201,
    L_UNLINK,
    L_DIROPEN2,
    L_DIRSYNC2_A,
    L_DIRSYNC2_B,
    L_DIRCLOSE2,
    L_RESP204,
    L_RESP201_OTHER,
    L_DIRSYNC_A,
    L_DIRSYNC_B,
    L_END = -1
};

static const char *const paper[] = {
    [L_OPEN] = "101 10:00:00.000001 openat(AT_FDCWD, \"/d/.tmp-sys-probe-100\", "
               "O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0644) = 7",
    [L_WRITE1] =
        "101 10:00:00.000002 write(7, \"{\\\"id\\\": \\\"sys-probe\\\", \"..., 4096) = 4096",
    [L_WRITE2] = "101   10:00:00.000003 write(7, \"]}\", 2) = 2",
    [L_FSYNC_A] = "101 10:00:00.000004 fsync(7 <unfinished ...>",
    [L_OTHER] =
        "103 10:00:00.000005 sendto(11, \"HTTP/1.1 200 OK\\r\\nContent-Length: 15\\r\\n\"..., "
        "120, MSG_NOSIGNAL, NULL, 0) = 120",
    [L_FSYNC_B] = "101 10:00:00.000006 <... fsync resumed>) = 0",
    [L_CLOSE] = "101 10:00:00.000007 close(7)          = 0",
    [L_RENAME] = "101 10:00:00.000008 rename(\"/d/.tmp-sys-probe-100\", \"/d/sys-probe.json\") = 0",
    [L_DIROPEN] =
        "101 10:00:00.000009 openat(AT_FDCWD, \"/d\", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 8",
    [L_DIRSYNC] = "101 10:00:00.000010 fsync(8)          = 0",
    [L_DIRCLOSE] = "101 10:00:00.000011 close(8) = 0",
    [L_RESP201] = "101 10:00:00.000012 sendto(10, \"HTTP/1.1 201 Created\\r\\nConnection: "
                  "Keep-Alive\\r\\n\"..., 300, MSG_NOSIGNAL|MSG_MORE, NULL, 0) = 300",
    [L_UNLINK] = "101 10:00:00.000013 unlink(\"/d/sys-probe.json\") = 0",
    [L_DIROPEN2] =
        "101 10:00:00.000014 openat(AT_FDCWD, \"/d\", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 8",
    [L_DIRSYNC2_A] = "101 10:00:00.000015 fsync(8 <unfinished ...>",
    [L_DIRSYNC2_B] = "101 10:00:00.000016 <... fsync resumed>) = 0",
    [L_DIRCLOSE2] = "101 10:00:00.000017 close(8) = 0",
    [L_RESP204] = "101 10:00:00.000018 sendto(10, \"HTTP/1.1 204 No Content\\r\\n\"..., 90, "
                  "MSG_NOSIGNAL, NULL, 0) = 90",
    [L_RESP201_OTHER] = "103 10:00:00.000019 writev(10, [{iov_base=\"HTTP/1.1 201 "
                        "Created\\r\\n\"..., iov_len=200}], 1) = 200",
    [L_DIRSYNC_A] = "101 10:00:00.000020 fsync(8 <unfinished ...>",
    [L_DIRSYNC_B] = "101 10:00:00.000021 <... fsync resumed>) = 0",
};

#define GOOD_PUT                                                                                   \
    L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_RENAME, L_DIROPEN,       \
        L_DIRSYNC, L_DIRCLOSE, L_RESP201
#define GOOD_DELETE L_UNLINK, L_DIROPEN2, L_DIRSYNC2_A, L_DIRSYNC2_B, L_DIRCLOSE2, L_RESP204

struct paper_case {
    const char *what;
    enum line lines[32];
    const char *reason; /* NULL: the checker must pass it */
};

static const struct paper_case paper_cases[] = {
    {"the durable order", {GOOD_PUT, GOOD_DELETE, L_END}, NULL},
    {"no fsync of the temp file",
     {L_OPEN, L_WRITE1, L_WRITE2, L_OTHER, L_CLOSE, L_RENAME, L_DIROPEN, L_DIRSYNC, L_DIRCLOSE,
      L_RESP201, GOOD_DELETE, L_END},
     "no fsync of the temp file"},
    {"the temp file's fsync before its last write",
     {L_OPEN, L_WRITE1, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_WRITE2, L_CLOSE, L_RENAME, L_DIROPEN,
      L_DIRSYNC, L_DIRCLOSE, L_RESP201, GOOD_DELETE, L_END},
     "no fsync of the temp file"},
    {"the temp file's fsync after the rename",
     {L_OPEN, L_WRITE1, L_WRITE2, L_RENAME, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_DIROPEN,
      L_DIRSYNC, L_DIRCLOSE, L_RESP201, GOOD_DELETE, L_END},
     "returns after the rename starts"},
    {"the temp file's fsync after the response",
     {L_OPEN, L_WRITE1, L_WRITE2, L_RENAME, L_DIROPEN, L_DIRSYNC, L_DIRCLOSE, L_RESP201, L_FSYNC_A,
      L_OTHER, L_FSYNC_B, L_CLOSE, GOOD_DELETE, L_END},
     "returns after the rename starts"},
    {"no fsync of the directory after the rename",
     {L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_RENAME, L_RESP201,
      GOOD_DELETE, L_END},
     "fsync of the directory after the rename"},
    {"the directory fsync before the rename",
     {L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_DIROPEN, L_DIRSYNC,
      L_RENAME, L_DIRCLOSE, L_RESP201, L_UNLINK, L_DIROPEN2, L_DIRSYNC2_A, L_DIRSYNC2_B,
      L_DIRCLOSE2, L_RESP204, L_END},
     "fsync of the directory after the rename"},
    {"the directory fsync after the PUT's response",
     {L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_RENAME, L_DIROPEN,
      L_RESP201, L_DIRSYNC, L_DIRCLOSE, GOOD_DELETE, L_END},
     "returns after the PUT's response"},
    {"the directory fsync still running when another thread sends the response",
     {L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_RENAME, L_DIROPEN,
      L_DIRSYNC_A, L_RESP201_OTHER, L_DIRSYNC_B, L_DIRCLOSE, GOOD_DELETE, L_END},
     "returns after the PUT's response"},
    {"the rename after the response",
     {L_OPEN, L_WRITE1, L_WRITE2, L_FSYNC_A, L_OTHER, L_FSYNC_B, L_CLOSE, L_RESP201, L_RENAME,
      L_DIROPEN, L_DIRSYNC, L_DIRCLOSE, GOOD_DELETE, L_END},
     "returns after the PUT's response"},
    {"no fsync of the directory after the unlink",
     {GOOD_PUT, L_UNLINK, L_RESP204, L_END},
     "after the unlink"},
    {"the directory fsync after the DELETE's response",
     {GOOD_PUT, L_UNLINK, L_DIROPEN2, L_RESP204, L_DIRSYNC2_A, L_DIRSYNC2_B, L_DIRCLOSE2, L_END},
     "returns after the DELETE's response"},
    {"the unlink after the DELETE's response",
     {GOOD_PUT, L_DIROPEN2, L_DIRSYNC2_A, L_DIRSYNC2_B, L_RESP204, L_UNLINK, L_DIRCLOSE2, L_END},
     "returns after the DELETE's response"},
};

static bool
check_paper(const struct paper_case *pc, char *why, size_t whylen)
{
    char buf[8192];
    size_t len = 0;
    for (size_t i = 0; pc->lines[i] != L_END; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\n", paper[pc->lines[i]]);
    struct trace t = {0};
    trace_parse(&t, buf);
    struct where w = {.dir = "/d", .cwd = "/", .pid = 0};
    bool ok = order_check(&t, &w, "sys-probe", 201, why, whylen);
    trace_free(&t);
    return ok;
}

Test(order_check, passes_the_durable_order_and_fails_each_broken_one)
{
    for (size_t i = 0; i < sizeof paper_cases / sizeof *paper_cases; i++) {
        const struct paper_case *pc = &paper_cases[i];
        char why[512] = "";
        bool ok = check_paper(pc, why, sizeof why);
        if (!pc->reason) {
            cr_expect(ok, "%s: rejected: %s", pc->what, why);
        } else {
            cr_expect(!ok, "%s: accepted", pc->what);
            cr_expect(strstr(why, pc->reason), "%s: rejected for another reason: %s", pc->what,
                      why);
        }
    }
}

Test(order_check, joins_calls_split_across_unfinished_and_resumed_lines)
{
    struct trace t = {0};
    trace_parse(&t, "101   10:00:00.000001 fsync(7 <unfinished ...>\n"
                    "102   10:00:00.000002 close(9)          = 0\n"
                    "101 10:00:00.000003 <... fsync resumed>) = 0\n"
                    "101 10:00:00.000004 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
                    "101 10:00:00.000005 unlink(\"/d/x.json\") = -1 ENOENT (No such file)\n");
    cr_assert_eq(t.n, 3);
    cr_expect_str_eq(t.calls[0].name, "fsync");
    cr_expect_eq(t.calls[0].start, 0);
    cr_expect_eq(t.calls[0].end, 2);
    cr_expect_eq(t.calls[0].result, 0);
    cr_expect_eq(call_fd(&t.calls[0]), 7);
    cr_expect_eq(t.calls[1].pid, 102);
    cr_expect_eq(t.calls[2].result, -1);
    trace_free(&t);
}

/* ---- the running server ---- */

/* The children of the running test, killed by the suite's fini if an assertion
 * left them running. */
static pid_t live_server, live_strace;

static void
reap(pid_t *pid, int sig)
{
    if (*pid > 0) {
        kill(*pid, sig);
        for (int i = 0; i < 300 && waitpid(*pid, NULL, WNOHANG) == 0; i++)
            usleep(10000);
        if (waitpid(*pid, NULL, WNOHANG) == 0) {
            kill(*pid, SIGKILL);
            waitpid(*pid, NULL, 0);
        }
    }
    *pid = 0;
}

/* The scratch directory of the running test, removed by the fini too. */
static char live_root[32];

static void
remove_dir(const char *dir)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void
kill_leftovers(void)
{
    reap(&live_strace, SIGINT);
    reap(&live_server, SIGKILL);
    if (live_root[0])
        remove_dir(live_root);
    live_root[0] = '\0';
}

static const char *
bin(void)
{
    const char *b = getenv("ARTICLED_BIN");
    return b ? b : "./articled";
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return calloc(1, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* Forks argv[0] with stdout and stderr into `out`; the child dies with us. */
static pid_t
spawn(const char *const *argv, const char *out, bool search_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (search_path)
            execvp(argv[0], (char *const *)argv);
        else
            execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static long
http(const char *method, const char *url, const char *token, const char *body)
{
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    struct curl_slist *h = NULL;
    char auth[128];
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    fclose(sink);
    return status;
}

/* Starts articled on dir with stdout and stderr in log and waits until it has
 * loaded the content; returns its port. */
static int
start_server(const char *dir, const char *log, const char *token)
{
    const char *argv[] = {bin(), "--bind",        "127.0.0.1", "--port",       "0",     "--data",
                          dir,   "--write-token", token,       "--access-log", "false", NULL};
    unlink(log); /* never read the previous start's lines */
    live_server = spawn(argv, log, false);
    int port = 0;
    for (int waited = 0; waited < 10000 && !port; waited += 20) {
        char *out = slurp(log);
        const char *listen = strstr(out, "\"event\":\"listening\"");
        const char *p = listen ? strstr(listen, "\"port\":") : NULL;
        if (p && strstr(listen, "\"event\":\"content_loaded\""))
            port = atoi(p + 7);
        free(out);
        cr_assert_eq(waitpid(live_server, NULL, WNOHANG), 0, "%s exited at start-up", bin());
        usleep(20000);
    }
    cr_assert_gt(port, 0, "%s did not report listening and content_loaded", bin());
    return port;
}

/* Fails the test when strace has exited: it could not attach. */
static void
assert_strace_alive(const char *strace_log)
{
    int st;
    if (waitpid(live_strace, &st, WNOHANG) != live_strace)
        return;
    live_strace = 0;
    char *err = slurp(strace_log);
    cr_assert_fail("strace could not attach to articled (pid %d): %s%s", (int)live_server, err,
                   strstr(err, "Operation not permitted")
                       ? "ptrace is not permitted here (needs CAP_SYS_PTRACE, or "
                         "kernel.yama.ptrace_scope 0 or 1, or a container without a "
                         "seccomp filter on ptrace)"
                   : WIFEXITED(st) && WEXITSTATUS(st) == 127
                       ? "strace is not installed (apt-get install strace)"
                       : "");
}

/* Attaches strace to the server: -f -p PID, the given -e options, output in
 * trace_file, its own messages in strace_log. */
static void
attach_strace(const char *const *opts, const char *trace_file, const char *strace_log)
{
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)live_server);
    const char *argv[24] = {"strace", "-f", "-tt", "-s", "80"};
    size_t n = 5;
    for (size_t i = 0; opts[i] && n < 18; i++)
        argv[n++] = opts[i];
    argv[n++] = "-o";
    argv[n++] = trace_file;
    argv[n++] = "-p";
    argv[n++] = pid;
    argv[n] = NULL;
    live_strace = spawn(argv, strace_log, true);
}

struct scratch {
    char root[32];
    char dir[PATH_MAX]; /* the content directory, absolute */
    char log[PATH_MAX], trace[PATH_MAX], strace_log[PATH_MAX];
};

static void
scratch_make(struct scratch *s)
{
    snprintf(s->root, sizeof s->root, "/tmp/articled-sys-XXXXXX");
    cr_assert_not_null(mkdtemp(s->root));
    snprintf(live_root, sizeof live_root, "%s", s->root);
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/data", s->root);
    snprintf(s->log, sizeof s->log, "%s/server.log", s->root);
    snprintf(s->trace, sizeof s->trace, "%s/trace", s->root);
    snprintf(s->strace_log, sizeof s->strace_log, "%s/strace.log", s->root);
    cr_assert_eq(mkdir(data, 0700), 0);
    cr_assert_not_null(realpath(data, s->dir));
}

TestSuite(syscalls, .fini = kill_leftovers, .timeout = 60);

Test(syscalls, put_and_delete_reach_the_disk_before_their_response)
{
    struct scratch s;
    scratch_make(&s);
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    const char *token = "syscall-order-token";
    int port = start_server(s.dir, s.log, token);
    char url[128], readyz[128];
    snprintf(readyz, sizeof readyz, "http://127.0.0.1:%d/readyz", port);
    cr_assert_eq(http("GET", readyz, NULL, NULL), 200);

    const char *opts[] = {
        "-e",
        "trace=openat,write,pwrite64,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,"
        "sendto,sendmsg,writev,close",
        NULL};
    attach_strace(opts, s.trace, s.strace_log);
    /* Attached once a probe's response shows up in the trace. */
    bool attached = false;
    for (int waited = 0; waited < 10000 && !attached; waited += 50) {
        assert_strace_alive(s.strace_log);
        http("GET", readyz, NULL, NULL);
        usleep(50000);
        char *tr = slurp(s.trace);
        attached = strstr(tr, "HTTP/1.1 200") != NULL;
        free(tr);
    }
    if (!attached) {
        char *err = slurp(s.strace_log);
        cr_assert_fail("strace did not trace articled within 10 s (ptrace not permitted?): %s",
                       err);
    }

    const char *id = "sys-probe";
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
    long put = http("PUT", url, token,
                    "{\"headline\": \"System call order probe\", \"body\": [{\"type\": "
                    "\"paragraph\", \"text\": \"Written once, fsynced, renamed, fsynced.\"}]}");
    long del = http("DELETE", url, token, NULL);
    reap(&live_strace, SIGINT);
    cr_assert_eq(put, 201, "PUT %s answered %ld", url, put);
    cr_assert_eq(del, 204, "DELETE %s answered %ld", url, del);

    char *text = slurp(s.trace);
    struct trace t = {0};
    trace_parse(&t, text);
    struct where w = {.dir = s.dir, .cwd = cwd, .pid = (int)live_server};
    char why[1024] = "";
    bool ok = order_check(&t, &w, id, (int)put, why, sizeof why);
    if (!ok)
        fprintf(stderr, "the trace:\n%s\n", text);
    trace_free(&t);
    free(text);
    reap(&live_server, SIGTERM);
    remove_dir(s.root);
    cr_assert(ok, "%s", why);
}

/* A PUT that replaces an article kept in another file (a plain-format .txt)
 * writes {id}.json, then unlinks the old file. strace kills the server with
 * SIGKILL as it enters that unlink: both files are left, as after a crash at
 * that instant. The article is then deleted (204): it must stay deleted after
 * the next restart, and not come back from the old file. */
Test(syscalls, keeps_a_deleted_article_deleted_after_a_kill_before_the_old_file_is_unlinked)
{
    struct scratch s;
    scratch_make(&s);
    const char *token = "syscall-kill-token", *id = "kill-probe";
    char old[PATH_MAX + 32], url[128];
    snprintf(old, sizeof old, "%s/%s.txt", s.dir, id);
    FILE *f = fopen(old, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "---\nid: %s\n---\nThe old headline\n\nThe old standfirst.\n\n"
            "the old paragraph, from before the update.\n",
            id);
    cr_assert_eq(fclose(f), 0);

    int port = start_server(s.dir, s.log, token);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
    cr_assert_eq(http("GET", url, NULL, NULL), 200, "the old .txt article is not served");
    const char *opts[] = {"-e", "trace=unlink,unlinkat", "-e",
                          "inject=unlink,unlinkat:signal=SIGKILL", NULL};
    attach_strace(opts, s.trace, s.strace_log);
    bool attached = false;
    for (int waited = 0; waited < 10000 && !attached; waited += 20) {
        assert_strace_alive(s.strace_log);
        usleep(20000);
        char *err = slurp(s.strace_log);
        attached = strstr(err, "attached") != NULL;
        free(err);
    }
    cr_assert(attached, "strace did not attach within 10 s");
    long put = http("PUT", url, token,
                    "{\"headline\": \"The new headline\", \"body\": [{\"type\": \"paragraph\", "
                    "\"text\": \"The new paragraph.\"}]}");
    int st = 0;
    for (int waited = 0; waited < 5000 && waitpid(live_server, &st, WNOHANG) == 0; waited += 10)
        usleep(10000);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
              "the PUT (answered %ld) never unlinked a file, so the kill never came", put);
    live_server = 0;
    reap(&live_strace, SIGINT);

    /* The acknowledged delete. */
    port = start_server(s.dir, s.log, token);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
    long before = http("GET", url, NULL, NULL);
    long del = http("DELETE", url, token, NULL);
    long after = http("GET", url, NULL, NULL);
    reap(&live_server, SIGTERM);
    cr_assert_eq(before, 200, "the article was not served after the kill");
    cr_assert_eq(del, 204, "DELETE answered %ld", del);
    cr_assert_eq(after, 404);

    port = start_server(s.dir, s.log, token);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
    long restarted = http("GET", url, NULL, NULL);
    reap(&live_server, SIGTERM);
    struct stat ignored;
    bool old_left = stat(old, &ignored) == 0;
    remove_dir(s.root);
    cr_assert_eq(restarted, 404,
                 "the deleted article came back after a restart (GET answered %ld)%s", restarted,
                 old_left ? ": the old .txt, left by the kill beside the .json, was never removed"
                          : "");
}

/* Each step of a write, killed on entry with SIGKILL (strace inject). */
struct crash_point {
    const char *what;
    const char *inject;
    bool del; /* the step belongs to the DELETE, not the PUT */
};

static const struct crash_point crash_points[] = {
    {"the openat of the temp file", "inject=openat:signal=SIGKILL:when=1", false},
    {"the first write to the temp file", "inject=write,pwrite64,writev:signal=SIGKILL:when=1",
     false},
    {"the fsync of the temp file", "inject=fsync,fdatasync:signal=SIGKILL:when=1", false},
    {"the rename onto the article's file", "inject=rename,renameat,renameat2:signal=SIGKILL:when=1",
     false},
    {"the fsync of the directory after the rename", "inject=fsync,fdatasync:signal=SIGKILL:when=2",
     false},
    {"the send of the PUT's response", "inject=sendto,sendmsg:signal=SIGKILL:when=1", false},
    {"the unlink of the article's file", "inject=unlink,unlinkat:signal=SIGKILL:when=1", true},
    {"the fsync of the directory after the unlink", "inject=fsync,fdatasync:signal=SIGKILL:when=1",
     true},
};

/* Every *.json in dir parses and no .tmp-* is left. False with the reason. */
static bool
dir_is_clean(const char *dir, char *why, size_t whylen)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (strncmp(e->d_name, ".tmp-", 5) == 0) {
            snprintf(why, whylen, "%s survived the start-up", e->d_name);
            ok = false;
        } else if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
            char *text = slurp(path);
            const char *end = NULL;
            cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
            if (!cJSON_IsObject(j)) {
                snprintf(why, whylen, "%s is torn: %.80s", e->d_name, text);
                ok = false;
            }
            cJSON_Delete(j);
            free(text);
        }
    }
    closedir(d);
    return ok;
}

Test(syscalls, leaves_the_old_or_the_new_article_whole_when_killed_at_each_step)
{
    const char *token = "syscall-kill-token", *id = "step-probe";
    const char *v1 = "The paragraph of version one.", *v2 = "The paragraph of version two.";
    char body1[256], body2[256];
    snprintf(
        body1, sizeof body1,
        "{\"headline\": \"Step probe\", \"body\": [{\"type\": \"paragraph\", \"text\": \"%s\"}]}",
        v1);
    snprintf(
        body2, sizeof body2,
        "{\"headline\": \"Step probe\", \"body\": [{\"type\": \"paragraph\", \"text\": \"%s\"}]}",
        v2);
    for (size_t i = 0; i < sizeof crash_points / sizeof *crash_points; i++) {
        const struct crash_point *cp = &crash_points[i];
        struct scratch s;
        scratch_make(&s);
        int port = start_server(s.dir, s.log, token);
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
        cr_assert_eq(http("PUT", url, token, body1), 201);

        /* strace injects only into the calls it traces: the same set. */
        char trace_set[128];
        snprintf(trace_set, sizeof trace_set, "trace=%.*s",
                 (int)strcspn(cp->inject + strlen("inject="), ":"), cp->inject + strlen("inject="));
        const char *opts[] = {"-e", trace_set, "-e", cp->inject, NULL};
        attach_strace(opts, s.trace, s.strace_log);
        bool attached = false;
        for (int waited = 0; waited < 10000 && !attached; waited += 20) {
            assert_strace_alive(s.strace_log);
            usleep(20000);
            char *err = slurp(s.strace_log);
            attached = strstr(err, "attached") != NULL;
            free(err);
        }
        cr_assert(attached, "strace did not attach within 10 s");
        long status = http(cp->del ? "DELETE" : "PUT", url, token, cp->del ? NULL : body2);
        int st = 0;
        for (int w = 0; w < 5000 && waitpid(live_server, &st, WNOHANG) == 0; w += 10)
            usleep(10000);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                  "killing at %s: the %s (answered %ld) never reached that step", cp->what,
                  cp->del ? "DELETE" : "PUT", status);
        live_server = 0;
        reap(&live_strace, SIGINT);

        port = start_server(s.dir, s.log, token);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/articles/%s", port, id);
        CURL *c = curl_easy_init();
        char *got = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&got, &len);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, m);
        long code = 0;
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(c);
        fclose(m);
        reap(&live_server, SIGTERM);
        char why[512] = "";
        bool clean = dir_is_clean(s.dir, why, sizeof why);
        remove_dir(s.root);
        cr_assert(clean, "killed at %s: %s", cp->what, why);
        bool old = code == 200 && strstr(got, v1),
             new = cp->del ? code == 404 : code == 200 && strstr(got, v2);
        cr_assert(old || new,
                  "killed at %s: the article is neither the old one nor the new (%ld): %.200s",
                  cp->what, code, got);
        free(got);
    }
}
