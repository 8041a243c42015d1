/* main: the articled process: configuration, lifecycle and signals.
 *
 * Builds the service and the HTTP server, loads the content directory, then
 * waits for signals: SIGHUP reloads the content, SIGTERM and SIGINT stop
 * accepting, let in-flight requests finish (shutdown_grace) and exit 0. */
#include "config/config.h"
#include "handlers/routes.h"
#include "handlers/service.h"
#include "models/web.h"
#include "server/cli.h"
#include "server/deadline.h"
#include "server/http.h"
#include "server/log.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ARTICLED_VERSION "0.1.0"

extern char **environ;

/* Waits for fd to be ready for events before deadline (deadline_now_ms); 0 or -1. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int64_t left = deadline - deadline_now_ms();
        int rc = poll(&p, 1, left > 0 ? (int)left : 0);
        if (rc >= 0 || errno != EINTR)
            return rc == 1 ? 0 : -1;
    }
}

/* GET /healthz over one plain HTTP/1.0 connection; the status code, or 0 with
 * *why set. A socket of its own, not libcurl: the check runs every few seconds
 * in a container and should not map TLS libraries to ask 127.0.0.1 one thing. */
static int
get_health(const char *host, int port, const char **why)
{
    int64_t deadline = deadline_now_ms() + 3000;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *ai = NULL;
    if (getaddrinfo(host, service, &hints, &ai) != 0 || !ai) {
        *why = "the bind address is not a numeric address";
        return 0;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int connected = fd >= 0 && (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
                                (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0));
    freeaddrinfo(ai);
    int err = 0;
    socklen_t errlen = sizeof err;
    if (!connected || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 || err != 0) {
        *why = "cannot connect";
        if (fd >= 0)
            close(fd);
        return 0;
    }
    static const char ask[] = "GET /healthz HTTP/1.0\r\nUser-Agent: articled-healthcheck\r\n\r\n";
    char got[64];
    size_t have = 0;
    if (send(fd, ask, sizeof ask - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof ask - 1)) {
        *why = "cannot send the request";
        close(fd);
        return 0;
    }
    /* "HTTP/1.x NNN" is all that is read. */
    while (have < 12 && wait_fd(fd, POLLIN, deadline) == 0) {
        ssize_t n = recv(fd, got + have, sizeof got - 1 - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    got[have] = '\0';
    int status = 0;
    if (have < 12 || strncmp(got, "HTTP/1.", 7) != 0 || sscanf(got + 9, "%3d", &status) != 1) {
        *why = have ? "not an HTTP answer" : "no answer within 3 s";
        return 0;
    }
    return status;
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
    const char *why = "unhealthy";
    int status = get_health(host, cfg->port, &why);
    if (status != 200) {
        fprintf(stderr, "articled: http://%s%s%s:%d/healthz: %s (status %d)\n",
                strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", cfg->port,
                status ? "unhealthy" : why, status);
        return 1;
    }
    return 0;
}

static void
log_start(const struct service *svc, const struct http_server *srv)
{
    const struct config *cfg = &svc->cfg;
    struct http_threads threads = http_threads(srv);
    struct log_line l;
    log_begin(&l, LOG_INFO, "listening");
    log_str(&l, "version", ARTICLED_VERSION);
    log_str(&l, "bind", cfg->bind);
    log_int(&l, "port", http_port(srv));
    log_str(&l, "data", cfg->data);
    log_str(&l, "config_file", cfg->config_file[0] ? cfg->config_file : "none");
    log_int(&l, "threads", threads.threads);
    log_int(&l, "threads_bound_to_a_cpu", threads.bound);
    log_int(&l, "threads_in_short_slices", threads.sliced);
    log_str(&l, "local_connections", threads.steered ? "steered" : "hashed");
    log_int(&l, "max_connections", cfg->max_connections);
    log_int(&l, "max_body_bytes", cfg->max_body_bytes);
    log_str(&l, "mode", "epoll, a daemon per thread");
    log_str(&l, "web_plugin", web_plugin_path());
    log_end(&svc->log, &l);
    if (access(web_plugin_path(), R_OK) != 0)
        log_msg(&svc->log, LOG_WARN, "import_unavailable",
                "the page importer (web_plugin, articled-web.so) is not at the path above: "
                "imports and HTML writes will answer 503");
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
    web_configure(cfg.web_plugin);
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
    /* libcurl and libxml2 live in articled-web.so, loaded by the first import
     * (models/web.h): most servers never import a page. */

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
    log_start(&svc, srv);
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
    web_unload(); /* libcurl's and libxml2's globals, when an import loaded them */
    return 0;
}
