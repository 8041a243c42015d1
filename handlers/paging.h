/* paging: the parts every list answer shares: the canonical query string of
 * its links, the Link header and the body's links object, the totals header.
 * Page mode links are self, first, prev, next and last; cursor mode (find.c)
 * passes its own positions. */
#ifndef ARTICLED_PAGING_H
#define ARTICLED_PAGING_H

#include "models/strbuf.h"
#include "server/request.h"

#include <stdint.h>

/* Appends "k=v&" for each of keys (NULL-terminated) present in the request,
 * in that order, values percent-encoded. */
void paging_qs(const struct request *req, const char *const *keys, struct strbuf *qs);

/* Appends one link: `<URL>; rel="REL"` to link (the header value) and
 * `"REL":"URL"` (with a leading comma unless first) to body, where URL is
 * BASE PATH ? QS POS & per_page=N; pos is "page=3", "cursor=..." or "" . */
void paging_link(struct strbuf *link, struct strbuf *body, const char *base, const char *path,
                 const char *qs, const char *rel, const char *pos, long per_page, bool first);

/* The page mode tail of a list body: `"page":P,"per_page":N,"total":T,"pages":S,
 * "links":{self,first,prev?,next?,last}` and the Link header's first, prev, next, last. */
void paging_pages(struct strbuf *link, struct strbuf *body, const char *base, const char *path,
                  const char *qs, long page, long per_page, long total);

/* Finishes a list answer: body (closed by the caller) as a 200 JSON body,
 * Link and X-Total-Count headers, Last-Modified, and memo (the answer depends
 * only on the snapshot and the request). Frees the buffers; a 500 problem on OOM. */
int paging_finish(struct response *resp, struct strbuf *body, struct strbuf *link, long total,
                  int64_t modified);

/* Reads page and per_page (defaults 1 and the configured per_page_default). */
int paging_read(const struct request *req, struct response *resp, long *page, long *per_page);

#endif
