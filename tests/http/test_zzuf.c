/* Mutated requests against a real articled process: zzuf flips bits in valid
 * requests (the .http files of tests/abuse/requests: GET, a list with a query, HEAD, POSTs
 * with JSON and chunked bodies, a CORS preflight, a conditional GET), and each
 * mutation is sent on its own connection, 64 at a time. The server must never
 * crash, answer every request or close it within its deadlines, answer no 5xx
 * but 501 (a mutated method) and 505 (a mutated version), and afterwards be healthy and serve the
 * seed article byte for byte as before. The figures are printed for docs/abuse.md. zzuf missing is
 * a failure, not a skip (tools/deps.sh test). */
#include "tests/support/proc.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEED "/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"
#define REQUESTS 3000
#define PARALLEL 64
#define GIVE_UP_MS 4000 /* the server's own deadlines (2 s) close a stuck request first */

static double
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The bytes of one mutation: `zzuf -s seed -r ratio < file`. */
static char *
mutate(const char *file, int seed, double ratio, size_t *len)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "zzuf -s %d -r %g < '%s'", seed, ratio, file);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    char *buf = malloc(65536);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, 65536, f);
    cr_assert_eq(pclose(f), 0, "zzuf failed: %s", cmd);
    return buf;
}

struct slot {
    int fd;
    char head[1024]; /* the start of the response */
    size_t len, body, want;
    bool headed, bodiless;
    double started, last;
};

enum outcome { O_1XX, O_2XX, O_3XX, O_4XX, O_5XX, O_CLOSED, O_GAVE_UP, O_N };
static const char *const outcome_names[] = {
    "1xx", "2xx", "3xx", "4xx", "5xx", "closed without a response", "given up by the client"};

static enum outcome
classify(const struct slot *s, bool gave_up)
{
    if (s->len >= 12 && strncmp(s->head, "HTTP/1.", 7) == 0 && s->head[9] >= '1' &&
        s->head[9] <= '5')
        return (enum outcome)(O_1XX + (s->head[9] - '1'));
    return gave_up ? O_GAVE_UP : O_CLOSED;
}

/* Takes response bytes; true once one whole response (head and body) is in. */
static bool
take(struct slot *s, const char *buf, size_t n, bool head_request)
{
    size_t i = 0;
    while (i < n && !s->headed) {
        if (s->len < sizeof s->head - 1)
            s->head[s->len++] = buf[i];
        s->head[s->len] = '\0';
        i++;
        const char *end = strstr(s->head, "\r\n\r\n");
        if (end) {
            s->headed = true;
            const char *cl = strcasestr(s->head, "\r\nContent-Length:");
            s->want = cl ? strtoul(cl + 17, NULL, 10) : 0;
            s->bodiless = head_request || strncmp(s->head + 9, "304", 3) == 0 ||
                          strncmp(s->head + 9, "204", 3) == 0 || s->head[9] == '1';
        } else if (s->len == sizeof s->head - 1) {
            s->headed = true; /* a head this long: take it as done */
            s->bodiless = true;
        }
    }
    s->body += n - i;
    return s->headed && (s->bodiless || s->body >= s->want);
}

static char *
fetch(int port, const char *path, long *status, size_t *len)
{
    char url[256], *body = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    FILE *out = open_memstream(&body, len);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    *status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    fclose(out);
    return body;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(zzuf, survives_thousands_of_mutated_requests, .timeout = 240)
{
    cr_assert_eq(system("command -v zzuf >/dev/null 2>&1"), 0,
                 "zzuf is missing (apt-get install zzuf; tools/deps.sh test)");
    /* The requests to mutate. */
    char *files[32];
    size_t nfiles = 0;
    DIR *d = opendir("tests/abuse/requests");
    cr_assert_not_null(d, "run from the repository root");
    for (struct dirent *e; (e = readdir(d)) && nfiles < 32;) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".http") == 0) {
            char path[300];
            snprintf(path, sizeof path, "tests/abuse/requests/%s", e->d_name);
            files[nfiles++] = strdup(path);
        }
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, cmp_str);
    cr_assert(nfiles >= 7, "%zu request files", nfiles);

    /* A temporary copy of the content: mutated writes may land. */
    char dir[] = "/tmp/articled-zzuf-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp data/articles/* '%s'/", dir);
    cr_assert_eq(system(cmd), 0);
    struct proc p;
    const char *args[] = {
        "--port",         "0", "--data", dir, "--access-log", "false", "--header-timeout", "2",
        "--body-timeout", "2", NULL};
    const char *env[] = {"ARTICLED_WRITE_TOKEN=zzuf-token", NULL};
    proc_spawn(&p, args, env);
    int port = proc_port(&p, 10000);

    long status;
    size_t seed_len, len;
    char *seed = fetch(port, SEED, &status, &seed_len);
    cr_assert_eq(status, 200);

    static const double ratios[] = {0.001, 0.004, 0.01, 0.03};
    struct slot slots[PARALLEL];
    bool head_req[PARALLEL];
    for (int i = 0; i < PARALLEL; i++)
        slots[i].fd = -1;
    size_t counts[O_N] = {0}, sent = 0, done = 0, crashes = 0;
    size_t not_impl = 0, version = 0, internal = 0; /* the 5xx: 501, 505, others */
    double t0 = now_ms();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buf[16384];
    while (done < REQUESTS) {
        for (int i = 0; i < PARALLEL && sent < REQUESTS; i++) {
            if (slots[i].fd >= 0)
                continue;
            const char *file = files[sent % nfiles];
            size_t n;
            char *req = mutate(file, (int)sent, ratios[(sent / nfiles) % 4], &n);
            struct slot *s = &slots[i];
            memset(s, 0, sizeof *s);
            head_req[i] = strstr(file, "head-") != NULL;
            s->fd = socket(AF_INET, SOCK_STREAM, 0);
            cr_assert(s->fd >= 0);
            cr_assert_eq(connect(s->fd, (struct sockaddr *)&a, sizeof a), 0,
                         "connect failed after %zu requests: is the server down?", sent);
            (void)!send(s->fd, req, n, MSG_NOSIGNAL);
            free(req);
            s->started = s->last = now_ms();
            sent++;
        }
        struct pollfd pf[PARALLEL];
        int idx[PARALLEL], np = 0;
        for (int i = 0; i < PARALLEL; i++)
            if (slots[i].fd >= 0) {
                pf[np] = (struct pollfd){slots[i].fd, POLLIN, 0};
                idx[np++] = i;
            }
        poll(pf, (nfds_t)np, 50);
        double now = now_ms();
        for (int k = 0; k < np; k++) {
            struct slot *s = &slots[idx[k]];
            bool finished = false, gave_up = false;
            if (pf[k].revents) {
                ssize_t r = recv(s->fd, buf, sizeof buf, 0);
                if (r <= 0)
                    finished = true;
                else
                    finished = take(s, buf, (size_t)r, head_req[idx[k]]);
            } else if (now - s->started > GIVE_UP_MS) {
                finished = gave_up = true;
            }
            if (!finished)
                continue;
            enum outcome o = classify(s, gave_up);
            counts[o]++;
            if (o == O_5XX) {
                int code = atoi(s->head + 9);
                not_impl += code == 501;
                version += code == 505;
                internal += code != 501 && code != 505;
            }
            close(s->fd);
            s->fd = -1;
            done++;
        }
        if (!proc_alive(&p)) {
            crashes++;
            break;
        }
    }
    double secs = (now_ms() - t0) / 1e3;
    cr_assert_eq(crashes, 0, "articled died after %zu requests (wait status %d)", sent, p.status);

    char *health = fetch(port, "/healthz", &status, &len);
    cr_assert_eq(status, 200, "/healthz after the mutations: %ld", status);
    free(health);
    size_t after_len;
    char *after = fetch(port, SEED, &status, &after_len);
    cr_assert_eq(status, 200);
    cr_assert(after_len == seed_len && memcmp(after, seed, seed_len) == 0,
              "the seed article is served differently after the mutations");

    printf("figures: zzuf: %zu mutated requests from %zu files in %.1f s (%d at a time), %zu "
           "crashes\n",
           sent, nfiles, secs, PARALLEL, crashes);
    for (int o = 0; o < O_N; o++)
        printf("figures: zzuf:   %-26s %zu\n", outcome_names[o], counts[o]);
    fflush(stdout);
    printf(
        "figures: zzuf:   of the 5xx: %zu 501 (a mutated method), %zu 505 (a mutated version), %zu "
        "other\n",
        not_impl, version, internal);
    cr_assert_eq(internal, 0, "%zu answers were a 5xx other than 501 and 505", internal);
    cr_assert_eq(counts[O_GAVE_UP], 0, "requests the server neither answered nor closed in %d ms",
                 GIVE_UP_MS);

    cr_assert_eq(proc_stop(&p, 10000), 0, "articled did not stop cleanly");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(seed);
    free(after);
}
