/* service: the running service's state, built by main.c and handed to the
 * transport and to every handler: settings, logger, the published catalog and
 * the annotator. Also the glue that loads the content directory into a snapshot
 * and renders articles for the wire. */
#ifndef ARTICLED_SERVICE_H
#define ARTICLED_SERVICE_H

#include "config/config.h"
#include "models/annotate/annotate.h"
#include "models/catalog.h"
#include "models/fetchguard.h"
#include "server/log.h"
#include "server/metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct service {
    struct config cfg;
    struct logger log;
    struct catalog_slot slot;
    struct annotator *annotator;
    pthread_mutex_t write_lock; /* serialises writes and reloads; readers never take it */
    uint64_t generation;        /* of the last published snapshot */
    struct metrics *metrics; /* owned */
    long long start_time;    /* seconds since the epoch */
    char trusted_buf[1024]; /* the trusted_proxies setting, split in place */
    const char *trusted[32];
    struct fetchguard_policy trusted_proxies;
    char fetch_buf[1024]; /* the fetch_allow setting, split in place */
    const char *fetch_list[32];
    struct fetchguard_policy fetch_allow;
    char write_token[256]; /* "" = read-only service */
    char read_token[256];  /* "" = public reads */
};

/* What a write did, or why it did not happen. */
enum service_outcome {
    SERVICE_CREATED,
    SERVICE_REPLACED,
    SERVICE_DELETED,
    SERVICE_NOT_FOUND,           /* delete or patch of an unknown id */
    SERVICE_EXISTS,              /* create of an id that is taken */
    SERVICE_PRECONDITION_FAILED, /* If-Match did not match */
    SERVICE_PRECONDITION_NEEDED, /* require_if_match and no If-Match */
    SERVICE_INVALID,             /* the patched document is not a valid article: see err */
    SERVICE_IO_ERROR,            /* the disk refused: see why */
    SERVICE_NO_MEMORY,
};

/* The result of a write: the snapshot it published (held: release it with
 * catalog_release) and the written entry in it (NULL for a delete). */
struct service_write {
    enum service_outcome outcome;
    struct catalog *snap;
    const struct catalog_entry *entry;
    const char *why;
    struct article_error err;
};

/* Creates or replaces article a (taken). create_only refuses an existing id;
 * if_match (NULL when absent) is the client's If-Match value. The file is on
 * disk before the new snapshot is published and before this returns. */
void service_put(struct service *svc, struct article *a, bool create_only, const char *if_match,
                 struct service_write *out);

/* Applies a JSON Merge Patch to the stored document of id, validates the
 * result as an article and stores it, all under the write lock. */
void service_patch(struct service *svc, const char *id, const cJSON *patch, const char *if_match,
                   struct service_write *out);

/* Deletes the article with id id. */
void service_delete(struct service *svc, const char *id, const char *if_match,
                    struct service_write *out);

/* Copies cfg, sets up the logger, reads the tokens (settings or token files)
 * and builds the annotator. Loads nothing yet (readiness stays false until the
 * first successful service_reload). -1 with *errstr. */
int service_init(struct service *svc, const struct config *cfg, const char **errstr);
void service_destroy(struct service *svc);

/* Reads the content directory into a new snapshot and publishes it. Every
 * skipped or repaired file is logged with its name. On failure the old snapshot
 * stays published and -1 is returned with *errstr. */
int service_reload(struct service *svc, const char **errstr);

/* The catalog renderer: fills an entry's full and summary bytes (handlers/articles.c). */
int service_render_entry(void *ctx, struct catalog_entry *e);

#endif
