#include "server/router.h"

#include <stdio.h>
#include <string.h>

static const struct {
    enum http_method bit;
    const char *name;
} methods[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};

enum http_method
router_method(const char *name)
{
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (strcmp(methods[i].name, name) == 0)
            return methods[i].bit;
    return HTTP_OTHER;
}

void
router_allow_header(unsigned bits, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (bits & methods[i].bit)
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? ", " : "",
                                  methods[i].name);
}

bool
router_param_allowed(const char *params, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = params; p && *p;) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n == klen && memcmp(p, key, n) == 0)
            return true;
        p = sp ? sp + 1 : p + n;
    }
    return false;
}

/* Matches one pattern; captures are copied into caps and pointed to by req. */
static bool
match(const char *pattern, const char *path, struct request *req, char *caps)
{
    size_t ncap = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (!close || n == 0 || ncap == REQUEST_MAX_PARAMS)
                return false;
            memcpy(caps, s, n);
            caps[n] = '\0';
            req->params[ncap++] = caps;
            caps += n + 1;
            p = close + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    if (*p || *s)
        return false;
    req->nparams = ncap;
    return true;
}

enum router_result
router_match(const struct route *routes, size_t n, enum http_method method, const char *path,
             struct request *req, char *caps_buf, const struct route **out, unsigned *allowed)
{
    unsigned found = 0;
    enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
    /* A path that a pattern without captures names exactly belongs to those
     * patterns alone: /v1/articles/import is not the article "import". */
    bool literal = false;
    for (size_t i = 0; i < n && !literal; i++)
        literal = strcmp(routes[i].pattern, path) == 0 && !strchr(routes[i].pattern, '{');
    for (size_t i = 0; i < n; i++) {
        if (literal && strchr(routes[i].pattern, '{'))
            continue;
        if (!match(routes[i].pattern, path, req, caps_buf))
            continue;
        if (routes[i].methods & want) {
            *out = &routes[i];
            return ROUTER_FOUND;
        }
        found |= routes[i].methods;
    }
    if (!found)
        return ROUTER_NO_PATH;
    if (found & HTTP_GET)
        found |= HTTP_HEAD;
    *allowed = found | HTTP_OPTIONS;
    return ROUTER_NO_METHOD;
}
