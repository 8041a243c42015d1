#include "server/cache.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool
cache_etag_matches(const char *if_none_match, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = if_none_match; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

long long
cache_parse_date(const char *s)
{
    struct tm tm = {0};
    const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0')
        return -1;
    return (long long)timegm(&tm);
}

/* Formats t as an IMF-fixdate into out (at least CACHE_DATE_LEN + 1 bytes);
 * its length, which is CACHE_DATE_LEN for the years 1000 to 9999. */
static size_t
imf_fixdate(long long t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void
cache_format_date(long long t, char *out, size_t len)
{
    /* Most answers carry the date of one snapshot: each thread keeps the
     * last one it formatted. */
    static __thread struct {
        long long t;
        char s[40];
    } last;
    if (!last.s[0] || last.t != t) {
        imf_fixdate(t, last.s, sizeof last.s);
        last.t = t;
    }
    size_t n = strlen(last.s);
    if (len == 0)
        return;
    if (n >= len)
        n = len - 1;
    memcpy(out, last.s, n);
    out[n] = '\0';
}

const char *
cache_date_now(void)
{
    /* Formatted once a second per thread: gmtime_r takes glibc's time zone
     * lock, a cache line every HTTP thread would otherwise pass around on
     * every request. time() is the vDSO's coarse clock. */
    static __thread struct {
        time_t t;
        char s[CACHE_DATE_LEN + 1];
    } now;
    time_t t = time(NULL);
    if (t != now.t || !now.s[0]) {
        if (imf_fixdate(t, now.s, sizeof now.s) != CACHE_DATE_LEN)
            memcpy(now.s, "Thu, 01 Jan 1970 00:00:00 GMT", sizeof now.s); /* a year past 9999 */
        now.t = t;
    }
    return now.s;
}

bool
cache_not_modified(const char *if_none_match, const char *if_modified_since, const char *etag,
                   long long last_modified)
{
    if (if_none_match)
        return etag[0] && cache_etag_matches(if_none_match, etag);
    if (if_modified_since && last_modified > 0) {
        long long since = cache_parse_date(if_modified_since);
        return since >= 0 && last_modified <= since;
    }
    return false;
}
