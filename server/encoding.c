#include "server/encoding.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The q-value of one list element `coding;q=0.5` (1 when absent, 0 when malformed). */
static double
qvalue(const char *params, const char *end)
{
    for (const char *p = params; p < end; p++) {
        if (*p != ';')
            continue;
        p++;
        while (p < end && *p == ' ')
            p++;
        if (p + 2 <= end && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char buf[8] = {0};
            size_t n = (size_t)(end - p - 2) < sizeof buf - 1 ? (size_t)(end - p - 2)
                                                              : sizeof buf - 1;
            memcpy(buf, p + 2, n);
            char *stop;
            double q = strtod(buf, &stop);
            return q >= 0 && q <= 1 ? q : 0;
        }
    }
    return 1;
}

bool
encoding_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    double gzip = -1, star = -1;
    for (const char *p = accept_encoding; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        size_t name = strcspn(p, ";, ");
        if (name > (size_t)(end - p))
            name = (size_t)(end - p);
        double q = qvalue(p + name, end);
        if ((name == 4 && strncasecmp(p, "gzip", 4) == 0) ||
            (name == 6 && strncasecmp(p, "x-gzip", 6) == 0))
            gzip = q;
        else if (name == 1 && *p == '*')
            star = q;
        p = end;
    }
    return gzip > 0 || (gzip < 0 && star > 0);
}

char *
encoding_gzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    /* windowBits 15 + 16 writes a gzip header and trailer. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
