/* corpus: the routes over the whole corpus's entities and quotes:
 * GET /v1/entities, /v1/entities/{id}, /v1/entities/{id}/articles and
 * GET /v1/quotes (docs/find.md). Answers are assembled from the snapshot's
 * corpus index (models/corpus.h) with strbuf, not cJSON. */
#ifndef ARTICLED_HANDLERS_CORPUS_H
#define ARTICLED_HANDLERS_CORPUS_H

#include "server/request.h"

int corpus_entities(const struct request *req, struct response *resp);
int corpus_entity_get(const struct request *req, struct response *resp);
int corpus_entity_articles(const struct request *req, struct response *resp);
int corpus_quotes_list(const struct request *req, struct response *resp);

#endif
