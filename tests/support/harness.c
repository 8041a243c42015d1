#include "tests/support/harness.h"

#include "handlers/routes.h"
#include "handlers/service.h"
#include "server/http.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

int
harness_slow(void)
{
    const char *v = getenv("ARTICLED_TEST_SLOW");
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 1;
    return v && (end == v || *end || n < 1 || n > 100) ? 1 : (int)n;
}

void
harness_start(struct harness *h, const char *data_dir, void (*tweak)(struct config *))
{
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.data, sizeof cfg.data, "%s", data_dir);
    cfg.port = 0;
    cfg.threads = 2;
    cfg.log_level = LOG_ERROR;
    cfg.access_log = false;
    if (tweak)
        tweak(&cfg);
    const char *why = NULL;
    h->svc = calloc(1, sizeof *h->svc);
    cr_assert_not_null(h->svc);
    cr_assert_eq(service_init(h->svc, &cfg, &why), 0, "service_init: %s", why);
    h->http = http_start(h->svc, routes, routes_count, &why);
    cr_assert_not_null(h->http, "http_start: %s", why);
    cr_assert_eq(service_reload(h->svc, &why), 0, "load %s: %s", data_dir, why);
    h->port = http_port(h->http);
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%d", h->port);
}

void
harness_stop(struct harness *h)
{
    http_stop(h->http, 1000);
    service_destroy(h->svc);
    free(h->svc);
    h->svc = NULL;
    h->http = NULL;
}

struct sink {
    char *data;
    size_t len;
};

static size_t
collect(char *ptr, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t add = size * n;
    char *grown = realloc(s->data, s->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->len, ptr, add);
    s->data = grown;
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

void
http_call(const struct harness *h, const char *method, const char *path, const char *body,
          const char *const *headers, struct http_reply *out)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", h->base, path);
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    struct sink b = {0}, hd = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = b.data ? b.data : calloc(1, 1);
    out->len = b.len;
    out->headers = hd.data ? hd.data : calloc(1, 1);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
}

char *
http_header(const struct http_reply *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            return strndup(v, len - (size_t)(v - line));
        }
        line = end ? end + 2 : line + len;
    }
    return NULL;
}

void
http_reply_free(struct http_reply *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

static double
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int
harness_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

char *
http_raw(const struct harness *h, const char *bytes, size_t len, int timeout_ms)
{
    int fd = harness_connect(h->port);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    struct sink s = {0};
    double deadline = now_ms() + timeout_ms;
    char buf[4096];
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        collect(buf, 1, (size_t)r, &s);
    }
    close(fd);
    return s.data ? s.data : calloc(1, 1);
}

cJSON *
http_json(const struct http_reply *r)
{
    cJSON *j = cJSON_ParseWithLength(r->body, r->len);
    cr_assert_not_null(j, "not JSON: %.300s", r->body);
    return j;
}

void
http_expect_header(const struct http_reply *r, const char *name, const char *want)
{
    char *v = http_header(r, name);
    cr_assert_not_null(v, "no %s header in:\n%s", name, r->headers);
    cr_assert_str_eq(v, want, "%s: got `%s`, want `%s`", name, v, want);
    free(v);
}

void
http_expect_problem(const struct http_reply *r, long status, const char *code, const char *field)
{
    cr_assert_eq(r->status, status, "status %ld, want %ld: %s", r->status, status, r->body);
    http_expect_header(r, "Content-Type", "application/problem+json");
    cJSON *j = http_json(r);
    cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
    cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
    cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
    cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "detail");
    cr_assert(cJSON_IsString(c) && strcmp(c->valuestring, code) == 0, "code in %s, want %s",
              r->body, code);
    cr_assert(cJSON_IsNumber(s) && s->valuedouble == (double)status, "status in %s", r->body);
    cr_assert(cJSON_IsString(t) && strstr(t->valuestring, code), "type in %s", r->body);
    cr_assert(cJSON_IsString(d) && d->valuestring[0], "detail in %s", r->body);
    if (field) {
        cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "field");
        cr_assert(cJSON_IsString(f) && strcmp(f->valuestring, field) == 0, "field in %s, want %s",
                  r->body, field);
    }
    cJSON_Delete(j);
}

char *
harness_gunzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 31) != Z_OK)
        return NULL;
    size_t cap = len * 4 + 64, n = 0;
    char *out = malloc(cap);
    int rc = Z_OK;
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    while (out && rc == Z_OK) {
        if (n + 1 >= cap) {
            char *grown = realloc(out, cap *= 2);
            if (!grown) {
                free(out);
                out = NULL;
                break;
            }
            out = grown;
        }
        z.next_out = (Bytef *)out + n;
        z.avail_out = (uInt)(cap - n - 1);
        rc = inflate(&z, Z_NO_FLUSH);
        n = z.total_out;
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break; /* truncated input */
        if (rc == Z_BUF_ERROR)
            rc = Z_OK;
    }
    inflateEnd(&z);
    if (!out || rc != Z_STREAM_END || z.avail_in != 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}
