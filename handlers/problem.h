/* problem: every error response, as RFC 9457 application/problem+json.
 *
 * {"type": "urn:articled:problem:<code>", "title": ..., "status": ..., "detail": ...,
 *  "code": "<code>"[, "field": "<JSON Pointer or parameter>"]}. `code` and `type`
 * are stable: clients may branch on them (docs/api.md lists them). */
#ifndef ARTICLED_PROBLEM_H
#define ARTICLED_PROBLEM_H

#include "server/request.h"

/* Fills resp with a problem; field may be NULL. Returns status, so a handler can
 * `return problem(...)`. On allocation failure the body is empty, the status kept. */
int problem(struct response *resp, int status, const char *code, const char *detail,
            const char *field);

#endif
