/* query: validated query parameters. Each reader either yields a value in range
 * or fills resp with a 400 problem naming the parameter and returns -1. */
#ifndef ARTICLED_QUERY_H
#define ARTICLED_QUERY_H

#include "server/request.h"

/* The whole decimal integer of parameter key in [min, max]; def when absent. */
int query_int(const struct request *req, struct response *resp, const char *key, long min, long max,
              long def, long *out);

#endif
