#include "handlers/auth.h"

#include "handlers/problem.h"
#include "handlers/service.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Compares without an early exit, so the time taken says nothing of where
 * the strings differ; only whether the lengths differ. */
static bool
same_token(const char *given, size_t glen, const char *want)
{
    size_t wlen = strlen(want);
    unsigned char diff = glen != wlen;
    for (size_t i = 0; i < wlen; i++)
        diff |= (unsigned char)(want[i] ^ (i < glen ? given[i] : 0));
    return diff == 0;
}

static const char challenge[] = "Bearer realm=\"articled\"";

int
auth_check(const struct service *svc, enum route_access need, const char *authorization,
           struct response *resp)
{
    const char *write = svc->write_token, *read = svc->read_token;
    if (need == ACCESS_PUBLIC || (need == ACCESS_READ && !read[0]))
        return 0;
    if (need == ACCESS_WRITE && !write[0])
        return problem(resp, 403, "read-only",
                       "this service is read-only: no write token is configured", NULL);
    const char *token = NULL;
    if (authorization && strncasecmp(authorization, "Bearer ", 7) == 0) {
        token = authorization + 7;
        while (*token == ' ')
            token++;
    }
    if (!token || !*token) {
        problem(resp, 401, "unauthenticated",
                need == ACCESS_WRITE ? "writes need `Authorization: Bearer <token>`"
                                     : "reads need `Authorization: Bearer <token>`",
                NULL);
        response_header(resp, "WWW-Authenticate", challenge);
        return 401;
    }
    size_t n = strlen(token);
    /* The write token also grants reads. */
    bool ok = same_token(token, n, write[0] ? write : "\x01") ||
              (need == ACCESS_READ && same_token(token, n, read));
    if (ok)
        return 0;
    problem(resp, 403, "forbidden", "the bearer token is not valid for this request", NULL);
    response_header(resp, "WWW-Authenticate", "Bearer realm=\"articled\", error=\"invalid_token\"");
    return 403;
}
