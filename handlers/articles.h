/* articles: the article routes and the article wire format (docs/api.md). */
#ifndef ARTICLED_ARTICLES_H
#define ARTICLED_ARTICLES_H

#include "models/catalog.h"
#include "server/request.h"

/* GET /v1/articles: summaries, newest first, paged with page and per_page. */
int articles_list(const struct request *req, struct response *resp);

/* GET /v1/articles/{id}: the whole article, by id or slug, pre-rendered. */
int articles_get(const struct request *req, struct response *resp);

/* Renders an entry's full document and list fragment (a catalog_renderer). */
int articles_render(struct catalog_entry *e);

#endif
