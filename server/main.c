/* main: the articled process: configuration, lifecycle and signals.
 *
 * Builds the service and the HTTP server, loads the content directory, then
 * waits for signals: SIGHUP reloads the content, SIGTERM and SIGINT stop
 * accepting, let in-flight requests finish (shutdown_grace) and exit 0. */
#include "config/config.h"
#include "handlers/routes.h"
#include "handlers/service.h"
#include "models/fetch.h"
#include "server/cli.h"
#include "server/http.h"
#include "server/log.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ARTICLED_VERSION "0.1.0"

extern char **environ;

static size_t
discard(char *ptr, size_t size, size_t n, void *ctx)
{
    (void)ptr;
    (void)ctx;
    return size * n;
}

/* `articled --healthcheck`: GET /healthz on the configured port, for a container
 * HEALTHCHECK that needs no other tool. Exit 0 when it answers 200. */
static int
healthcheck(const struct config *cfg)
{
    const char *host = cfg->bind;
    if (strcmp(host, "0.0.0.0") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    char url[160];
    snprintf(url, sizeof url, strchr(host, ':') ? "http://[%s]:%d/healthz" : "http://%s:%d/healthz",
             host, cfg->port);
    CURL *c = fetch_init() == 0 ? curl_easy_init() : NULL;
    if (!c)
        return 1;
    long status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status != 200) {
        fprintf(stderr, "articled: %s: %s (status %ld)\n", url,
                rc != CURLE_OK ? curl_easy_strerror(rc) : "unhealthy", status);
        return 1;
    }
    return 0;
}

static void
log_start(const struct service *svc, uint16_t port)
{
    const struct config *cfg = &svc->cfg;
    struct log_line l;
    log_begin(&l, LOG_INFO, "listening");
    log_str(&l, "version", ARTICLED_VERSION);
    log_str(&l, "bind", cfg->bind);
    log_int(&l, "port", port);
    log_str(&l, "data", cfg->data);
    log_str(&l, "config_file", cfg->config_file[0] ? cfg->config_file : "none");
    log_int(&l, "threads", cfg->threads ? cfg->threads : sysconf(_SC_NPROCESSORS_ONLN));
    log_int(&l, "max_connections", cfg->max_connections);
    log_int(&l, "max_body_bytes", cfg->max_body_bytes);
    log_str(&l, "mode", "poll, internal thread pool");
    log_end(&svc->log, &l);
    if (!svc->write_token[0])
        log_msg(&svc->log, LOG_WARN, "read_only",
                "no write token is configured (write_token, ARTICLED_WRITE_TOKEN or "
                "ARTICLED_WRITE_TOKEN_FILE): the service is read-only, writes get 403");
    log_msg(&svc->log, LOG_INFO, "reads",
            svc->read_token[0] ? "reads need the read or write token" : "reads are public");
    if (cfg->env_ignored[0]) {
        log_begin(&l, LOG_WARN, "config_ignored");
        log_str(&l, "message", "environment variables that name no setting");
        log_str(&l, "variables", cfg->env_ignored);
        log_end(&svc->log, &l);
    }
}

int
main(int argc, char **argv)
{
    struct config cfg;
    enum config_action action;
    int rest;
    char err[512];
    config_defaults(&cfg);
    if (config_load(&cfg, argc, argv, environ, &action, &rest, err, sizeof err) != 0) {
        fprintf(stderr, "articled: %s (see articled --help)\n", err);
        return 2;
    }
    switch (action) {
    case CONFIG_HELP:
        config_usage(stdout);
        return 0;
    case CONFIG_VERSION:
        printf("articled %s\n", ARTICLED_VERSION);
        return 0;
    case CONFIG_HEALTHCHECK:
        return healthcheck(&cfg);
    case CONFIG_SERVE:
        break;
    }
    if (rest < argc && strcmp(argv[rest], "annotate") == 0)
        return cli_annotate(&cfg, argc - rest - 1, argv + rest + 1);
    if (rest < argc && strcmp(argv[rest], "extract") == 0)
        return cli_extract(&cfg, argc - rest - 1, argv + rest + 1);
    if (rest + 1 < argc && strcmp(argv[rest], "export") == 0)
        return cli_export(&cfg, argv[rest + 1]);
    if (rest < argc) {
        fprintf(stderr, "articled: unexpected argument `%s` (see articled --help)\n", argv[rest]);
        return 2;
    }

    /* Signals are taken by sigwait in this thread only: block them before any
     * thread exists so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* libcurl and libxml2 are initialised by their first use (fetch_init,
     * extract_init): most servers never import a page, and the start-up
     * leaves their TLS and parser tables unmapped. */

    static struct service svc;
    const char *why = NULL;
    if (service_init(&svc, &cfg, &why) != 0) {
        fprintf(stderr, "articled: %s\n", why);
        return 1;
    }
    /* Listen first, so liveness answers while the content loads (readyz says 503). */
    struct http_server *srv = http_start(&svc, routes, routes_count, &why);
    if (!srv) {
        log_msg(&svc.log, LOG_ERROR, "start_failed", why);
        service_destroy(&svc);
        return 1;
    }
    log_start(&svc, http_port(srv));
    if (service_reload(&svc, &why) != 0) {
        http_stop(srv, 0);
        service_destroy(&svc);
        return 1;
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            log_msg(&svc.log, LOG_INFO, "reload", "SIGHUP: reloading the content directory");
            service_reload(&svc, &why); /* on failure the old content stays served */
            continue;
        }
        log_msg(&svc.log, LOG_INFO, "stopping",
                sig == SIGTERM ? "SIGTERM: finishing in-flight requests"
                               : "SIGINT: finishing in-flight requests");
        break;
    }
    http_stop(srv, cfg.shutdown_grace * 1000);
    log_msg(&svc.log, LOG_INFO, "stopped", "all connections closed");
    service_destroy(&svc);
    curl_global_cleanup(); /* both do nothing when never initialised */
    xmlCleanupParser();
    return 0;
}
