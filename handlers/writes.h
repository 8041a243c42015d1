/* writes: the routes that change articles (docs/api.md#writing-articles). */
#ifndef ARTICLED_WRITES_H
#define ARTICLED_WRITES_H

#include "server/request.h"

/* POST /v1/articles: create; 201 with Location, or 409 when the id is taken. */
int writes_create(const struct request *req, struct response *resp);
/* PUT /v1/articles/{id}: create (201) or replace (200). */
int writes_put(const struct request *req, struct response *resp);
/* PATCH /v1/articles/{id}: JSON Merge Patch (RFC 7396). */
int writes_patch(const struct request *req, struct response *resp);
/* POST /v1/articles/import {"url"}: fetch the page (models/fetch.h, guarded
 * against request forgery), extract the article and create it (201), or with
 * ?dry_run=true return it without storing (200). */
int writes_import(const struct request *req, struct response *resp);
/* DELETE /v1/articles/{id}: 204. */
int writes_delete(const struct request *req, struct response *resp);

#endif
