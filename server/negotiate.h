/* negotiate: the HTTP behaviour every response shares, applied after the
 * handler: CORS headers, validators and conditional GET (304), Cache-Control
 * and Vary, and gzip. Transport-free: it reads a struct request and edits a
 * struct response, so it is unit-testable without a socket. */
#ifndef ARTICLED_NEGOTIATE_H
#define ARTICLED_NEGOTIATE_H

#include "config/config.h"
#include "server/request.h"

#include <stdbool.h>

/* Applies the shared behaviour to resp for req under cfg. `content` is true
 * for routes that serve content (cacheable GETs); other responses get
 * `Cache-Control: no-store`. private_reads marks content that needs a read
 * token (Cache-Control: private). */
void negotiate_response(const struct request *req, struct response *resp,
                        const struct config *cfg, bool content, bool private_reads);

/* Fills resp as the answer to a CORS preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) for a path that allows `allow` (an Allow
 * header value): 204 with the Access-Control-* headers when the origin is
 * allowed, a plain 204 with Allow otherwise. */
void negotiate_preflight(const struct request *req, struct response *resp,
                         const struct config *cfg, const char *allow);

#endif
