/* find: the article lists, GET /v1/articles and GET /v1/entities/{id}/articles:
 * filters, full-text search, sorts, field selection, page and cursor paging
 * (docs/find.md). Items are assembled from each entry's pre-rendered summary
 * members; nothing is printed with cJSON except search snippets. */
#ifndef ARTICLED_FIND_H
#define ARTICLED_FIND_H

#include "server/request.h"

/* The list at path (for links) of the request's snapshot; entity, when not
 * NULL, is a filter fixed by the path (the `entity` parameter is then not
 * accepted by the route). */
int find_articles(const struct request *req, struct response *resp, const char *path,
                  const char *entity);

/* The query parameters of the lists, as the route table lists them. */
#define FIND_PARAMS                                                                               \
    "q person place org speaker section tag source from to sort fields page per_page cursor"

#endif
