/* system: operational routes for orchestrators and operators. */
#ifndef ARTICLED_SYSTEM_H
#define ARTICLED_SYSTEM_H

#include "server/request.h"

/* GET /healthz: 200 while the process serves HTTP at all (liveness). */
int system_health(const struct request *req, struct response *resp);

/* GET /readyz: 200 once content is loaded, else 503 (readiness). */
int system_ready(const struct request *req, struct response *resp);

/* GET /openapi.json: the OpenAPI 3.1 description of the API (docs/openapi.json). */
int system_openapi(const struct request *req, struct response *resp);

/* GET /metrics: the Prometheus text format (docs/operations.md#metrics). */
int system_metrics(const struct request *req, struct response *resp);

#endif
