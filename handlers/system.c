#include "handlers/system.h"

#include "handlers/problem.h"
#include "handlers/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char health_body[] = "{\"status\":\"ok\"}";

int
system_health(const struct request *req, struct response *resp)
{
    (void)req;
    response_borrow_body(resp, 200, "application/json", health_body, sizeof health_body - 1);
    return 200;
}

int
system_ready(const struct request *req, struct response *resp)
{
    const struct catalog *c = req->snap;
    if (!c)
        return problem(resp, 503, "not-ready", "the content directory is still loading", NULL);
    char *body = NULL;
    int n = asprintf(&body, "{\"status\":\"ready\",\"articles\":%zu,\"generation\":%llu}", c->n,
                     (unsigned long long)c->generation);
    if (n < 0)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_take_body(resp, 200, "application/json", body, (size_t)n);
    return 200;
}
