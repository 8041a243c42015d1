#include "handlers/service.h"

#include "models/store.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

int
service_init(struct service *svc, const struct config *cfg, const char **errstr)
{
    memset(svc, 0, sizeof *svc);
    svc->cfg = *cfg;
    log_init(&svc->log, cfg->log_level, STDOUT_FILENO);
    catalog_slot_init(&svc->slot);
    pthread_mutex_init(&svc->reload_lock, NULL);
    if (!(svc->annotator = annotator_new(errstr))) {
        service_destroy(svc);
        return -1;
    }
    return 0;
}

void
service_destroy(struct service *svc)
{
    catalog_slot_destroy(&svc->slot);
    annotator_free(svc->annotator);
    svc->annotator = NULL;
    pthread_mutex_destroy(&svc->reload_lock);
}

static void
report_file(void *ctx, enum store_level level, const char *file, const char *field,
            const char *message)
{
    const struct service *svc = ctx;
    struct log_line l;
    enum log_level lv = level == STORE_ERROR ? LOG_ERROR : LOG_WARN;
    log_begin(&l, lv, level == STORE_ERROR ? "file_skipped" : "file_repaired");
    log_str(&l, "dir", svc->cfg.data);
    log_str(&l, "file", file);
    if (field && *field)
        log_str(&l, "field", field);
    log_str(&l, "message", message);
    log_end(&svc->log, &l);
}

int
service_reload(struct service *svc, const char **errstr)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&svc->reload_lock);
    struct store_reporter rep = {report_file, svc};
    struct store_result res;
    int rc = -1;
    if (store_load(svc->cfg.data, (size_t)svc->cfg.max_article_bytes, &rep, &res, errstr) != 0)
        goto done;
    struct catalog_renderer r = {service_render_entry, svc};
    struct catalog *c = catalog_build(res.articles, res.n, svc->annotator, &r, svc->generation + 1);
    res.n = 0; /* catalog_build took the articles */
    size_t skipped = res.skipped;
    store_result_free(&res);
    if (!c) {
        *errstr = "out of memory while building the catalog";
        goto done;
    }
    svc->generation++;
    size_t loaded = c->n;
    catalog_slot_publish(&svc->slot, c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct log_line l;
    log_begin(&l, LOG_INFO, "content_loaded");
    log_str(&l, "dir", svc->cfg.data);
    log_int(&l, "articles", (long long)loaded);
    log_int(&l, "skipped", (long long)skipped);
    log_int(&l, "generation", (long long)svc->generation);
    log_double(&l, "duration_ms",
               (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    log_end(&svc->log, &l);
    rc = 0;
done:
    if (rc != 0) {
        svc->reload_failures++;
        struct log_line e;
        log_begin(&e, LOG_ERROR, "content_load_failed");
        log_str(&e, "dir", svc->cfg.data);
        log_str(&e, "message", *errstr);
        log_str(&e, "kept", svc->generation ? "the previous content stays served" : "nothing");
        log_end(&svc->log, &e);
    }
    pthread_mutex_unlock(&svc->reload_lock);
    return rc;
}

int
service_ready(struct service *svc)
{
    struct catalog *c = catalog_slot_acquire(&svc->slot);
    catalog_release(c);
    return c != NULL;
}
