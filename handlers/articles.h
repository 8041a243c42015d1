/* articles: the article routes and the article wire format (docs/api.md). */
#ifndef ARTICLED_ARTICLES_H
#define ARTICLED_ARTICLES_H

#include "models/catalog.h"
#include "server/request.h"

/* The members of a list item in the order they are rendered (docs/find.md). */
extern const char *const articles_summary_fields[];
extern const size_t articles_summary_nfields;

/* GET /v1/articles: summaries, filtered, sorted and paged (find.c). */
int articles_list(const struct request *req, struct response *resp);

/* GET /v1/articles/{id}: the whole article, by id or slug, pre-rendered. */
int articles_get(const struct request *req, struct response *resp);

/* GET /v1/articles/{id}/entities and /quotes: those parts of the annotations. */
int articles_entities(const struct request *req, struct response *resp);
int articles_quotes(const struct request *req, struct response *resp);

/* Renders an entry's full document, list fragment, entities and quotes; base
 * ("" for relative links) prefixes the self links (public_base_url). */
int articles_render(struct catalog_entry *e, const char *base);

/* The article as the API serves it, without annotations: the document plus
 * slug, word_count, reading_time_minutes and links (prefixed with base). Caller
 * owns it; NULL on OOM. */
cJSON *articles_json(const struct article *a, size_t words, const char *base);

#endif
