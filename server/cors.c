#include "server/cors.h"

#include <string.h>
#include <strings.h>

const char *
cors_allow_origin(const char *origins, const char *origin)
{
    if (!origin || !origins[0])
        return NULL;
    if (strcmp(origins, "*") == 0)
        return "*";
    size_t n = strlen(origin);
    for (const char *p = origins; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        /* Scheme and host compare case-insensitively; the list holds exact origins. */
        if (len == n && strncasecmp(p, origin, n) == 0)
            return origin;
        p += len;
    }
    return NULL;
}
