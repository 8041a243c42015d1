#include "models/mergepatch.h"

cJSON *
mergepatch_apply(cJSON *target, const cJSON *patch)
{
    if (!cJSON_IsObject(patch)) {
        cJSON_Delete(target);
        return cJSON_Duplicate(patch, 1);
    }
    if (!cJSON_IsObject(target)) {
        cJSON_Delete(target);
        if (!(target = cJSON_CreateObject()))
            return NULL;
    }
    for (const cJSON *m = patch->child; m; m = m->next) {
        cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, m->string);
        if (cJSON_IsNull(m)) {
            cJSON_Delete(old);
            continue;
        }
        cJSON *merged = mergepatch_apply(old, m);
        if (!merged || !cJSON_AddItemToObject(target, m->string, merged)) {
            cJSON_Delete(merged);
            cJSON_Delete(target);
            return NULL;
        }
    }
    return target;
}
