#include "handlers/query.h"

#include "handlers/problem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int
query_int(const struct request *req, struct response *resp, const char *key, long min, long max,
          long def, long *out)
{
    const char *v = request_query(req, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno || n < min || n > max) {
        char detail[160];
        snprintf(detail, sizeof detail, "`%s` must be a whole number from %ld to %ld", key, min,
                 max);
        problem(resp, 400, "invalid-parameter", detail, key);
        return -1;
    }
    *out = n;
    return 0;
}
