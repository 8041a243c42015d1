#include "models/fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* libcurl's process-wide initialisation, run once by fetch_init: the only
 * state of this module outside a call. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
fetch_init(void)
{
    return pthread_once(&curl_once, curl_init_once) == 0 && curl_init_rc == CURLE_OK ? 0 : -1;
}

/* State shared with the libcurl callbacks during one hop. */
struct fetch_ctx {
    const struct fetch_options *opt;
    bool host_allowed;   /* the URL's host is an allow-listed name */
    const char *refused; /* set when the guard refused an address */
    char *buf;
    size_t len, cap;
    bool too_large, oom;
};

/* Content types taken as a web page, compared up to ';'. */
static const char *const html_types[] = {"text/html", "application/xhtml+xml"};

/* libcurl error codes and the reason they are reported as. */
static const struct {
    CURLcode code;
    const char *why;
} curl_reasons[] = {
    {CURLE_UNSUPPORTED_PROTOCOL, "scheme_forbidden"},
    {CURLE_URL_MALFORMAT, "bad_url"},
    {CURLE_COULDNT_RESOLVE_HOST, "dns_failed"},
    {CURLE_COULDNT_CONNECT, "connect_failed"},
    {CURLE_OPERATION_TIMEDOUT, "timeout"},
    {CURLE_FILESIZE_EXCEEDED, "too_large"},
    {CURLE_TOO_MANY_REDIRECTS, "too_many_redirects"},
    {CURLE_SSL_CONNECT_ERROR, "tls_failed"},
    {CURLE_PEER_FAILED_VERIFICATION, "tls_failed"},
    {CURLE_OUT_OF_MEMORY, "out_of_memory"},
};

void
fetch_options_init(struct fetch_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_redirects = 3;
    o->connect_timeout_ms = 5000;
    o->timeout_ms = 15000;
    o->max_bytes = 5u << 20;
    o->require_html = true;
    o->user_agent = "articled/1.0 (+article import)";
}

void
fetch_result_free(struct fetch_result *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->final_url);
    free(r->content_type);
    memset(r, 0, sizeof *r);
}

static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
    struct fetch_ctx *ctx = clientp;
    const char *why = NULL;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (!ctx->host_allowed && !fetchguard_addr_allowed(&address->addr, ctx->opt->policy, &why)) {
        ctx->refused = why;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

static size_t
write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct fetch_ctx *ctx = userdata;
    size_t n = size * nmemb;
    if (n > ctx->opt->max_bytes - ctx->len) {
        ctx->too_large = true;
        return 0;
    }
    if (ctx->len + n + 1 > ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap : 16384;
        while (cap < ctx->len + n + 1)
            cap *= 2;
        char *grown = realloc(ctx->buf, cap);
        if (!grown) {
            ctx->oom = true;
            return 0;
        }
        ctx->buf = grown;
        ctx->cap = cap;
    }
    memcpy(ctx->buf + ctx->len, data, n);
    ctx->len += n;
    ctx->buf[ctx->len] = '\0';
    return n;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The host of url without brackets, for the name allow-list; NULL when the URL
 * does not parse. Caller frees with curl_free. */
static char *
url_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    if (!u)
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        host = NULL;
    curl_url_cleanup(u);
    return host;
}

static bool
is_html(const char *content_type)
{
    for (size_t i = 0; i < sizeof html_types / sizeof *html_types; i++) {
        size_t n = strlen(html_types[i]);
        if (strncasecmp(content_type, html_types[i], n) == 0 &&
            (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' '))
            return true;
    }
    return false;
}

static const char *
curl_reason(CURLcode rc, const struct fetch_ctx *ctx)
{
    if (ctx->refused)
        return "address_forbidden";
    if (ctx->too_large)
        return "too_large";
    if (ctx->oom)
        return "out_of_memory";
    for (size_t i = 0; i < sizeof curl_reasons / sizeof *curl_reasons; i++)
        if (curl_reasons[i].code == rc)
            return curl_reasons[i].why;
    return "fetch_failed";
}

/* Sets the options that hold for every hop. */
static int
setup(CURL *h, struct fetch_ctx *ctx)
{
    const struct fetch_options *o = ctx->opt;
    CURLcode rc = CURLE_OK;
    rc |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    rc |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    rc |= curl_easy_setopt(h, CURLOPT_PROXY, "");
    rc |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    rc |= curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, ctx);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEDATA, ctx);
    rc |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    rc |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    rc |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* decoded bytes are what we count */
    rc |= curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "articled");
    return rc == CURLE_OK ? 0 : -1;
}

int
fetch_url(const char *url, const struct fetch_options *opt, struct fetch_result *out,
          const char **why)
{
    struct fetch_options defaults;
    if (!opt) {
        fetch_options_init(&defaults);
        opt = &defaults;
    }
    memset(out, 0, sizeof *out);
    struct fetch_ctx ctx = {.opt = opt};
    const char *reason = "out_of_memory";
    char *current = strdup(url ? url : "");
    CURL *h = fetch_init() == 0 ? curl_easy_init() : NULL;
    int64_t deadline = now_ms() + opt->timeout_ms;
    if (!current || !h || setup(h, &ctx) != 0)
        goto fail;
    for (long hops = 0;; hops++) {
        if (!fetchguard_scheme_allowed(current)) {
            reason = "scheme_forbidden";
            goto fail;
        }
        char *host = url_host(current);
        if (!host) {
            reason = "bad_url";
            goto fail;
        }
        ctx.host_allowed = fetchguard_host_allowed(host, opt->policy);
        curl_free(host);
        ctx.refused = NULL;
        ctx.len = 0;
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            reason = "timeout";
            goto fail;
        }
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
        if (curl_easy_setopt(h, CURLOPT_URL, current) != CURLE_OK) {
            reason = "bad_url";
            goto fail;
        }
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            reason = curl_reason(rc, &ctx);
            goto fail;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        char *next = NULL;
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next);
        if (out->status >= 300 && out->status < 400 && next) {
            if (hops >= opt->max_redirects) {
                reason = "too_many_redirects";
                goto fail;
            }
            free(current);
            if (!(current = strdup(next)))
                goto fail;
            continue;
        }
        break;
    }
    out->final_url = current;
    current = NULL;
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct && !(out->content_type = strdup(ct)))
        goto fail;
    if (out->status < 200 || out->status > 299) {
        reason = "http_status";
        goto fail;
    }
    if (opt->require_html && ct && !is_html(ct)) {
        reason = "not_html";
        goto fail;
    }
    if (!ctx.buf && !(ctx.buf = calloc(1, 1)))
        goto fail;
    out->body = ctx.buf;
    out->len = ctx.len;
    curl_easy_cleanup(h);
    return 0;
fail:
    if (!out->final_url)
        out->final_url = current;
    else
        free(current);
    free(ctx.buf);
    curl_easy_cleanup(h);
    if (why)
        *why = reason;
    return -1;
}
