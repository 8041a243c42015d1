/* annotate (handler): structure and annotate an article without storing it,
 * for POST /v1/annotate and the `articled annotate` command. */
#ifndef ARTICLED_ANNOTATE_HANDLER_H
#define ARTICLED_ANNOTATE_HANDLER_H

#include "models/annotate/annotate.h"
#include "models/article.h"
#include "server/request.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* POST /v1/annotate: text/plain (the plain format) or application/json (an
 * article document) in, {"article": ..., "annotations": ...} out. */
int annotate_post(const struct request *req, struct response *resp);

/* Parses buf as the plain format (json false) or an article document (json
 * true), annotates it and returns {"article": ..., "annotations": ...}, the
 * article as GET /v1/articles/{id} serves it less its annotations. With
 * strict_utf8, text that is not UTF-8 is refused rather than decoded as
 * Windows-1252. NULL with err set on bad input or allocation failure. */
cJSON *annotate_document(const struct annotator *ann, const char *buf, size_t len, bool json,
                         bool strict_utf8, struct article_error *err);

#endif
