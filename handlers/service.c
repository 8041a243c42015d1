#include "handlers/service.h"

#include "handlers/routes.h"
#include "server/proxy.h"
#include "models/mergepatch.h"
#include "models/store.h"

#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

/* Fills token from file (its first line) when file is set, else from value. */
static int
load_token(char *token, size_t len, const char *value, const char *file, const char **errstr)
{
    snprintf(token, len, "%s", value);
    if (!file[0])
        return 0;
    FILE *f = fopen(file, "r");
    if (!f || !fgets(token, (int)len, f)) {
        if (f)
            fclose(f);
        *errstr = "cannot read a token file (write_token_file or read_token_file)";
        return -1;
    }
    fclose(f);
    token[strcspn(token, "\r\n")] = '\0';
    if (!token[0]) {
        *errstr = "a token file is empty";
        return -1;
    }
    return 0;
}

int
service_init(struct service *svc, const struct config *cfg, const char **errstr)
{
    memset(svc, 0, sizeof *svc);
    svc->cfg = *cfg;
    log_init(&svc->log, cfg->log_level, STDOUT_FILENO);
    catalog_slot_init(&svc->slot);
    pthread_mutex_init(&svc->write_lock, NULL);
    if (load_token(svc->write_token, sizeof svc->write_token, cfg->write_token,
                   cfg->write_token_file, errstr) != 0 ||
        load_token(svc->read_token, sizeof svc->read_token, cfg->read_token, cfg->read_token_file,
                   errstr) != 0) {
        service_destroy(svc);
        return -1;
    }
    svc->start_time = (long long)time(NULL);
    snprintf(svc->trusted_buf, sizeof svc->trusted_buf, "%s", cfg->trusted_proxies);
    const char *bad = NULL;
    int ntrusted = proxy_parse_list(svc->trusted_buf, svc->trusted,
                                    sizeof svc->trusted / sizeof *svc->trusted, &bad);
    if (ntrusted < 0) {
        *errstr = "trusted_proxies holds an entry that is not an address or CIDR range";
        service_destroy(svc);
        return -1;
    }
    svc->trusted_proxies = (struct fetchguard_policy){svc->trusted, (size_t)ntrusted};
    snprintf(svc->fetch_buf, sizeof svc->fetch_buf, "%s", cfg->fetch_allow);
    size_t nfetch = 0;
    for (char *save = NULL, *tok = strtok_r(svc->fetch_buf, ", \t", &save); tok;
         tok = strtok_r(NULL, ", \t", &save)) {
        if (nfetch == sizeof svc->fetch_list / sizeof *svc->fetch_list ||
            !fetchguard_entry_valid(tok)) {
            *errstr = "fetch_allow holds an entry that is not a host, address or CIDR range";
            service_destroy(svc);
            return -1;
        }
        svc->fetch_list[nfetch++] = tok;
    }
    svc->fetch_allow = (struct fetchguard_policy){svc->fetch_list, nfetch};
    size_t blen = strlen(cfg->public_base_url);
    if (blen && ((strncmp(cfg->public_base_url, "http://", 7) != 0 &&
                  strncmp(cfg->public_base_url, "https://", 8) != 0) ||
                 cfg->public_base_url[blen - 1] == '/')) {
        *errstr = "public_base_url must be http:// or https:// and end without a slash";
        service_destroy(svc);
        return -1;
    }
    if (!(svc->metrics = metrics_new(routes, routes_count))) {
        *errstr = "out of memory";
        service_destroy(svc);
        return -1;
    }
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
    metrics_free(svc->metrics);
    svc->metrics = NULL;
    pthread_mutex_destroy(&svc->write_lock);
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
    pthread_mutex_lock(&svc->write_lock);
    size_t temps = store_remove_temp(svc->cfg.data);
    if (temps) {
        struct log_line t;
        log_begin(&t, LOG_WARN, "temp_files_removed");
        log_str(&t, "dir", svc->cfg.data);
        log_int(&t, "files", (long long)temps);
        log_str(&t, "message", "left by an interrupted write; the previous versions stand");
        log_end(&svc->log, &t);
    }
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
        metrics_reload_failed(svc->metrics);
        struct log_line e;
        log_begin(&e, LOG_ERROR, "content_load_failed");
        log_str(&e, "dir", svc->cfg.data);
        log_str(&e, "message", *errstr);
        log_str(&e, "kept", svc->generation ? "the previous content stays served" : "nothing");
        log_end(&svc->log, &e);
    }
    pthread_mutex_unlock(&svc->write_lock);
    return rc;
}


/* True when the If-Match value matches etag: `*`, or a list of entity tags
 * with etag among them (strong comparison, RFC 9110 13.1.1). */
static bool
if_match_ok(const char *if_match, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = if_match; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
        /* The tag of the gzip form, `"...-gzip"`, names the same article. */
        if (strncmp(p, etag, n - 1) == 0 && strncmp(p + n - 1, "-gzip\"", 6) == 0)
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

/* The entry with exactly this id (not a slug), or NULL. */
static const struct catalog_entry *
find_id(const struct catalog *c, const char *id)
{
    const struct catalog_entry *e = c ? catalog_find(c, id) : NULL;
    return e && strcmp(e->article->id, id) == 0 ? e : NULL;
}

/* Checks the preconditions of a change to existing (may be NULL); false with
 * out->outcome set when the write must not happen. */
static bool
preconditions(const struct service *svc, const struct catalog_entry *existing,
              const char *if_match, bool create_only, struct service_write *out)
{
    if (create_only && existing) {
        out->outcome = SERVICE_EXISTS;
        return false;
    }
    if (if_match && (!existing || !if_match_ok(if_match, existing->full.etag))) {
        out->outcome = SERVICE_PRECONDITION_FAILED;
        return false;
    }
    if (!if_match && existing && svc->cfg.require_if_match) {
        out->outcome = SERVICE_PRECONDITION_NEEDED;
        return false;
    }
    return true;
}

/* Publishes the snapshot after a change and hands the caller a reference. */
static void
publish(struct service *svc, struct catalog *next, const char *id, struct service_write *out)
{
    svc->generation = next->generation;
    catalog_retain(next);
    catalog_slot_publish(&svc->slot, next);
    out->snap = next;
    out->entry = id ? find_id(next, id) : NULL;
}

/* The document bytes store_put writes: the article's JSON, indented, so a
 * person can read and diff the content directory. */
static char *
document_bytes(const struct article *a, size_t *len)
{
    cJSON *doc = article_to_json(a);
    char *s = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!s)
        return NULL;
    *len = strlen(s);
    char *out = realloc(s, *len + 2);
    if (!out) {
        free(s);
        return NULL;
    }
    out[(*len)++] = '\n';
    out[*len] = '\0';
    return out;
}

/* Stores a (taken) under the write lock, which the caller holds. */
static void
put_locked(struct service *svc, struct article *a, bool create_only, const char *if_match,
           struct service_write *out)
{
    struct catalog *cur = catalog_slot_acquire(&svc->slot);
    const struct catalog_entry *existing = find_id(cur, a->id);
    size_t len = 0;
    char *bytes = NULL;
    char file[96];
    snprintf(file, sizeof file, "%s.json", a->id);
    struct catalog_renderer r = {service_render_entry, svc};
    struct catalog_entry *e = NULL;
    if (!cur) {
        out->outcome = SERVICE_IO_ERROR;
        out->why = "the content is not loaded yet";
        goto done;
    }
    if (!preconditions(svc, existing, if_match, create_only, out))
        goto done;
    free(a->file);
    if (!(a->file = strdup(file)) || !(bytes = document_bytes(a, &len))) {
        out->outcome = SERVICE_NO_MEMORY;
        goto done;
    }
    bool replacing = existing != NULL;
    if (store_put(svc->cfg.data, a->id, bytes, len, existing ? existing->article->file : NULL,
                  &out->why) != 0) {
        out->outcome = SERVICE_IO_ERROR;
        goto done;
    }
    const char *id = a->id;
    e = catalog_entry_new(a, svc->annotator, &r);
    a = NULL;
    struct catalog *next = e ? catalog_with(cur, e, NULL, svc->generation + 1) : NULL;
    if (!next) {
        /* On disk but not served: a reload (SIGHUP) picks it up. */
        out->outcome = SERVICE_NO_MEMORY;
        goto done;
    }
    out->outcome = replacing ? SERVICE_REPLACED : SERVICE_CREATED;
    publish(svc, next, id, out);
done:
    free(bytes);
    article_free(a);
    catalog_release(cur);
}

void
service_put(struct service *svc, struct article *a, bool create_only, const char *if_match,
            struct service_write *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&svc->write_lock);
    put_locked(svc, a, create_only, if_match, out);
    pthread_mutex_unlock(&svc->write_lock);
}

void
service_patch(struct service *svc, const char *id, const cJSON *patch, const char *if_match,
              struct service_write *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&svc->write_lock);
    struct catalog *cur = catalog_slot_acquire(&svc->slot);
    const struct catalog_entry *existing = find_id(cur, id);
    cJSON *doc = NULL;
    if (!existing) {
        out->outcome = SERVICE_NOT_FOUND;
        goto done;
    }
    if (!preconditions(svc, existing, if_match, false, out))
        goto done;
    doc = mergepatch_apply(article_to_json(existing->article), patch);
    if (!doc) {
        out->outcome = SERVICE_NO_MEMORY;
        goto done;
    }
    struct article *a = article_from_json(doc, &out->err);
    if (!a) {
        out->outcome = SERVICE_INVALID;
        goto done;
    }
    if (strcmp(a->id, id) != 0 || a->nbody == 0) {
        snprintf(out->err.field, sizeof out->err.field, "%s", a->nbody ? "/id" : "/body");
        snprintf(out->err.message, sizeof out->err.message, "%s",
                 a->nbody ? "a patch cannot change the id" : "an article needs at least one block");
        article_free(a);
        out->outcome = SERVICE_INVALID;
        goto done;
    }
    /* Under the same lock the same snapshot is current: the check repeats as it was. */
    put_locked(svc, a, false, if_match, out);
done:
    cJSON_Delete(doc);
    catalog_release(cur);
    pthread_mutex_unlock(&svc->write_lock);
}

void
service_delete(struct service *svc, const char *id, const char *if_match,
               struct service_write *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&svc->write_lock);
    struct catalog *cur = catalog_slot_acquire(&svc->slot);
    const struct catalog_entry *existing = find_id(cur, id);
    if (!existing) {
        out->outcome = SERVICE_NOT_FOUND;
        goto done;
    }
    if (!preconditions(svc, existing, if_match, false, out))
        goto done;
    if (existing->article->file &&
        store_delete(svc->cfg.data, existing->article->file, &out->why) != 0) {
        out->outcome = SERVICE_IO_ERROR;
        goto done;
    }
    struct catalog *next = catalog_with(cur, NULL, id, svc->generation + 1);
    if (!next) {
        out->outcome = SERVICE_NO_MEMORY;
        goto done;
    }
    out->outcome = SERVICE_DELETED;
    publish(svc, next, NULL, out);
done:
    catalog_release(cur);
    pthread_mutex_unlock(&svc->write_lock);
}
