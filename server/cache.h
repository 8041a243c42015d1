/* cache: validators and conditional requests (RFC 9110 8.8, 13; RFC 9111 5.2). */
#ifndef ARTICLED_CACHE_H
#define ARTICLED_CACHE_H

#include <stdbool.h>
#include <stddef.h>

/* True when an If-None-Match value matches etag: `*`, or a list holding it
 * (weak comparison: a `W/` prefix is ignored). */
bool cache_etag_matches(const char *if_none_match, const char *etag);

/* Parses an HTTP date (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`). -1 when it is not one. */
long long cache_parse_date(const char *s);

/* Writes t as an IMF-fixdate into out (at least 30 bytes). */
void cache_format_date(long long t, char *out, size_t len);

/* The length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
#define CACHE_DATE_LEN 29

/* The current time as an IMF-fixdate (CACHE_DATE_LEN bytes and a NUL), for
 * the Date header. The string is the calling thread's and is rewritten once
 * a second, by its next call. */
const char *cache_date_now(void);

/* True when the request's validators say the client's copy is current:
 * If-None-Match against etag when sent, else If-Modified-Since against
 * last_modified (0: unknown, never current). */
bool cache_not_modified(const char *if_none_match, const char *if_modified_since,
                        const char *etag, long long last_modified);

#endif
