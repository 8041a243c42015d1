/* service: the running service's state, built by main.c and handed to the
 * transport and to every handler: settings, logger, the published catalog and
 * the annotator. Also the glue that loads the content directory into a snapshot
 * and renders articles for the wire. */
#ifndef ARTICLED_SERVICE_H
#define ARTICLED_SERVICE_H

#include "config/config.h"
#include "models/annotate/annotate.h"
#include "models/catalog.h"
#include "server/log.h"

#include <pthread.h>
#include <stdint.h>

struct service {
    struct config cfg;
    struct logger log;
    struct catalog_slot slot;
    struct annotator *annotator;
    pthread_mutex_t reload_lock; /* serialises reloads; readers never take it */
    uint64_t generation;         /* of the last published snapshot */
    uint64_t reload_failures;
};

/* Copies cfg, sets up the logger and builds the annotator. Loads nothing yet
 * (readiness stays false until the first successful service_reload). -1 with *errstr. */
int service_init(struct service *svc, const struct config *cfg, const char **errstr);
void service_destroy(struct service *svc);

/* Reads the content directory into a new snapshot and publishes it. Every
 * skipped or repaired file is logged with its name. On failure the old snapshot
 * stays published and -1 is returned with *errstr. */
int service_reload(struct service *svc, const char **errstr);

/* True once a snapshot has been published. */
int service_ready(struct service *svc);

/* The catalog renderer: fills an entry's full and summary bytes (handlers/articles.c). */
int service_render_entry(void *ctx, struct catalog_entry *e);

#endif
