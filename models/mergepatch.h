/* mergepatch: JSON Merge Patch (RFC 7396). */
#ifndef ARTICLED_MERGEPATCH_H
#define ARTICLED_MERGEPATCH_H

#include <cjson/cJSON.h>

/* Applies patch to target (taken) and returns the result, which the caller
 * owns: a member set to null in the patch is removed, an object is merged
 * member by member, anything else replaces. NULL on allocation failure (target
 * is freed then too). */
cJSON *mergepatch_apply(cJSON *target, const cJSON *patch);

#endif
