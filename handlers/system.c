#include "handlers/system.h"

#include "handlers/problem.h"
#include "handlers/service.h"
#include "models/embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char health_body[] = "{\"status\":\"ok\"}";

int
system_health(const struct request *req, struct response *resp)
{
    (void)req;
    response_borrow_body(resp, 200, "application/json", health_body, sizeof health_body - 1);
    return 200;
}

int
system_openapi(const struct request *req, struct response *resp)
{
    (void)req;
    response_borrow_body(resp, 200, "application/json", embedded_openapi[0].data,
                         embedded_openapi[0].len);
    return 200;
}

int
system_metrics(const struct request *req, struct response *resp)
{
    const struct service *svc = req->svc;
    const struct catalog *c = req->snap;
    struct metrics_gauges g = {
        .articles = c ? c->n : 0,
        .generation = c ? c->generation : 0,
        .snapshot_age_seconds = c ? (double)(time(NULL) - c->built_at) : 0,
        .start_time = svc->start_time,
    };
    struct strbuf b;
    strbuf_init(&b, 8192);
    metrics_render(svc->metrics, &g, &b);
    size_t len;
    char *body = strbuf_take(&b, &len);
    if (!body)
        return problem(resp, 500, "internal", "out of memory", NULL);
    response_take_body(resp, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
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
