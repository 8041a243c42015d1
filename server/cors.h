/* cors: cross-origin resource sharing for browser clients (Fetch standard). */
#ifndef ARTICLED_CORS_H
#define ARTICLED_CORS_H

#include <stddef.h>

/* Response headers a browser script may read besides the safelisted ones. */
#define CORS_EXPOSE_HEADERS "ETag, Link, Location, X-Total-Count, X-Request-Id"
/* Request headers a browser script may send. */
#define CORS_ALLOW_HEADERS                                                                         \
    "Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, X-Request-Id"

/* The Access-Control-Allow-Origin value for a request's Origin under the
 * setting `origins` ("" = CORS off, "*" = any origin, else a comma-separated
 * list of origins such as "https://app.example.com"): "*", the origin itself,
 * or NULL when it is not allowed (or there is no Origin). */
const char *cors_allow_origin(const char *origins, const char *origin);

#endif
