#include "server/encoding.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

static bool
ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses a qvalue (RFC 9110 12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")])
 * spanning exactly p[0..n); -1 when it is not one. */
static double
parse_qvalue(const char *p, size_t n)
{
    while (n && ows(p[n - 1]))
        n--;
    if (n == 0 || (p[0] != '0' && p[0] != '1') || (n > 1 && (p[1] != '.' || n > 5)))
        return -1;
    double q = p[0] - '0', scale = 0.1;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (!isdigit((unsigned char)p[i]) || (p[0] == '1' && p[i] != '0'))
            return -1;
        q += (p[i] - '0') * scale;
    }
    return q;
}

/* The q-value of one list element `coding;q=0.5` (1 when absent, 0 when malformed). */
static double
qvalue(const char *params, const char *end)
{
    for (const char *p = params; p < end; p++) {
        if (*p != ';')
            continue;
        p++;
        while (p < end && ows(*p))
            p++;
        if (p + 2 <= end && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            double q = parse_qvalue(p + 2, (size_t)(end - p - 2));
            return q < 0 ? 0 : q;
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
        while (ows(*p) || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        size_t name = strcspn(p, ";, \t");
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
    /* The output is allocated before deflate's working state (about 260 kB),
     * so that state, freed last, goes back as one piece instead of leaving a
     * hole under a block that lives as long as its snapshot. deflateBound
     * with default parameters: the stream's own bound without its state. */
    size_t cap = compressBound((uLong)len) + 18;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    /* windowBits 15 + 16 writes a gzip header and trailer. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(out);
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
    /* deflateBound is about the input's size: give back what was not used,
     * since pre-rendered forms live as long as their snapshot. */
    char *fit = realloc(out, *out_len ? *out_len : 1);
    return fit ? fit : out;
}

char *
encoding_gunzip(const char *data, size_t len, size_t out_len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return NULL;
    char *out = malloc(out_len + 1);
    if (!out) {
        inflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)out_len + 1;
    int rc = inflate(&z, Z_FINISH);
    size_t got = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || got != out_len) {
        free(out);
        return NULL;
    }
    out[out_len] = '\0';
    return out;
}
