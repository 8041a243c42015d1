/* auth: bearer tokens for reads and writes (docs/api.md#authentication). */
#ifndef ARTICLED_AUTH_H
#define ARTICLED_AUTH_H

#include "server/request.h"
#include "server/router.h"

struct service;

/* 0 when `authorization` (the header value, NULL when absent) grants `need`.
 * Otherwise fills resp with the problem and returns its status: 401 with
 * WWW-Authenticate when no bearer token was sent, 403 when it is wrong or the
 * service is read-only. Tokens are compared in constant time. */
int auth_check(const struct service *svc, enum route_access need, const char *authorization,
               struct response *resp);

#endif
