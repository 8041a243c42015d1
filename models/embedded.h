/* embedded: data files compiled into the binary (tools/embed.sh writes the tables).
 *
 * Each table ends with an entry whose name is NULL. Data is NUL-terminated and
 * lives for the whole program. */
#ifndef ARTICLED_EMBEDDED_H
#define ARTICLED_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* base name, e.g. "countries.tsv" */
    const char *data;
    size_t len;
};

/* The files of models/annotate/gazetteers/, in name order. */
extern const struct embedded_file embedded_gazetteers[];

/* docs/openapi.json, the API description served at GET /openapi.json. */
extern const struct embedded_file embedded_openapi[];

#endif
