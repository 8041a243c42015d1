/* encoding: content-coding negotiation and gzip (RFC 9110 12.5.3). */
#ifndef ARTICLED_ENCODING_H
#define ARTICLED_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

/* Bodies smaller than this are sent as they are: gzip would save little and
 * cost a header and CPU. */
#define ENCODING_MIN_BYTES 1024

/* True when an Accept-Encoding value (NULL: header absent) accepts gzip:
 * `gzip` or `x-gzip` with q > 0, or `*` with q > 0 and gzip not refused. */
bool encoding_accepts_gzip(const char *accept_encoding);

/* gzip (RFC 1952) of data; a new buffer the caller frees, NULL on failure. */
char *encoding_gzip(const char *data, size_t len, size_t *out_len);

/* The out_len bytes that the gzip data inflates to, in a new NUL-terminated
 * buffer the caller frees; NULL when data is not gzip of exactly out_len bytes
 * or memory runs out. */
char *encoding_gunzip(const char *data, size_t len, size_t out_len);

#endif
