/* routes: the one route table, the public surface of the service. */
#ifndef ARTICLED_ROUTES_H
#define ARTICLED_ROUTES_H

#include "server/router.h"

#include <stddef.h>

extern const struct route routes[];
extern const size_t routes_count;

#endif
