/* router: matching method and path against a route table of our own. */
#include "server/router.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static int
dummy(const struct request *req, struct response *resp)
{
    (void)req;
    (void)resp;
    return 0;
}

static const struct route routes[] = {
    {HTTP_GET, "/healthz", dummy, "", "health", false, ACCESS_PUBLIC},
    {HTTP_GET, "/v1/articles", dummy, "page per_page", "list", true, ACCESS_READ},
    {HTTP_POST, "/v1/articles", dummy, "", "create", true, ACCESS_READ},
    {HTTP_GET, "/v1/articles/{id}", dummy, "", "article", true, ACCESS_READ},
    {HTTP_PUT | HTTP_DELETE, "/v1/articles/{id}", dummy, "", "replace", true, ACCESS_READ},
    {HTTP_GET, "/v1/articles/{id}/annotations", dummy, "", "annotations", true, ACCESS_READ},
    {HTTP_POST, "/v1/reload", dummy, "", "reload", false, ACCESS_PUBLIC},
    {HTTP_GET, "/v1/{a}/pair/{b}", dummy, "", "pair", false, ACCESS_PUBLIC},
};
#define NROUTES (sizeof routes / sizeof *routes)

struct match_case {
    enum http_method method;
    const char *path;
    enum router_result result;
    const char *name;   /* ROUTER_FOUND: the route */
    const char *p0, *p1; /* ROUTER_FOUND: captures */
    unsigned allowed;   /* ROUTER_NO_METHOD */
};

#define GHO (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS)

Test(router, matches_methods_and_paths_as_the_table_says)
{
    static const struct match_case cases[] = {
        {HTTP_GET, "/healthz", ROUTER_FOUND, "health", NULL, NULL, 0},
        {HTTP_HEAD, "/healthz", ROUTER_FOUND, "health", NULL, NULL, 0},
        {HTTP_GET, "/v1/articles", ROUTER_FOUND, "list", NULL, NULL, 0},
        {HTTP_HEAD, "/v1/articles", ROUTER_FOUND, "list", NULL, NULL, 0},
        {HTTP_POST, "/v1/articles", ROUTER_FOUND, "create", NULL, NULL, 0},
        {HTTP_GET, "/v1/articles/kim-visits", ROUTER_FOUND, "article", "kim-visits", NULL, 0},
        {HTTP_HEAD, "/v1/articles/kim-visits", ROUTER_FOUND, "article", "kim-visits", NULL, 0},
        {HTTP_PUT, "/v1/articles/kim", ROUTER_FOUND, "replace", "kim", NULL, 0},
        {HTTP_DELETE, "/v1/articles/kim", ROUTER_FOUND, "replace", "kim", NULL, 0},
        {HTTP_GET, "/v1/articles/caf\u00e9 x", ROUTER_FOUND, "article", "caf\u00e9 x", NULL, 0},
        {HTTP_GET, "/v1/articles/kim/annotations", ROUTER_FOUND, "annotations", "kim", NULL, 0},
        {HTTP_GET, "/v1/one/pair/two", ROUTER_FOUND, "pair", "one", "two", 0},
        {HTTP_GET, "/v1/articles/", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/healthz/", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/v1/articles/kim/", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/v1/articles//annotations", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/v1/articles/kim/annotations/x", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/v1/one/pair/", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/HEALTHZ", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/healthzz", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/health", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/nope", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "/", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_GET, "", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_DELETE, "/nope", ROUTER_NO_PATH, NULL, NULL, NULL, 0},
        {HTTP_DELETE, "/healthz", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO},
        {HTTP_POST, "/healthz", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO},
        {HTTP_OPTIONS, "/healthz", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO},
        {HTTP_OTHER, "/healthz", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO},
        {HTTP_DELETE, "/v1/articles", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO | HTTP_POST},
        {HTTP_PATCH, "/v1/articles/kim", ROUTER_NO_METHOD, NULL, NULL, NULL,
         GHO | HTTP_PUT | HTTP_DELETE},
        {HTTP_POST, "/v1/articles/kim/annotations", ROUTER_NO_METHOD, NULL, NULL, NULL, GHO},
        {HTTP_HEAD, "/v1/reload", ROUTER_NO_METHOD, NULL, NULL, NULL, HTTP_POST | HTTP_OPTIONS},
        {HTTP_GET, "/v1/reload", ROUTER_NO_METHOD, NULL, NULL, NULL, HTTP_POST | HTTP_OPTIONS},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const struct match_case *c = &cases[k];
        struct request req;
        memset(&req, 0, sizeof req);
        char *caps = malloc(strlen(c->path) + 1); /* exactly what the contract asks for */
        cr_assert_not_null(caps);
        const struct route *out = NULL;
        unsigned allowed = 0;
        enum router_result r =
            router_match(routes, NROUTES, c->method, c->path, &req, caps, &out, &allowed);
        cr_expect_eq(r, c->result, "%d %s gives %d", c->method, c->path, r);
        if (r == ROUTER_FOUND && c->result == ROUTER_FOUND) {
            cr_expect_str_eq(out->name, c->name, "%d %s", c->method, c->path);
            size_t want = c->p1 ? 2 : c->p0 ? 1 : 0;
            cr_expect_eq(req.nparams, want, "%s: %zu captures", c->path, req.nparams);
            if (c->p0 && req.nparams >= 1)
                cr_expect_str_eq(req.params[0], c->p0, "%s", c->path);
            if (c->p1 && req.nparams >= 2)
                cr_expect_str_eq(req.params[1], c->p1, "%s", c->path);
        }
        if (r == ROUTER_NO_METHOD && c->result == ROUTER_NO_METHOD)
            cr_expect_eq(allowed, c->allowed, "%d %s: allowed %#x, want %#x", c->method, c->path,
                         allowed, c->allowed);
        free(caps);
    }
}

Test(router, finds_nothing_in_an_empty_table)
{
    struct request req;
    memset(&req, 0, sizeof req);
    char caps[16];
    const struct route *out = NULL;
    unsigned allowed = 0;
    cr_expect_eq(router_match(routes, 0, HTTP_GET, "/healthz", &req, caps, &out, &allowed),
                 ROUTER_NO_PATH);
}

struct allow_case {
    unsigned bits;
    const char *text;
};

Test(router, writes_the_allow_header_in_a_fixed_order)
{
    static const struct allow_case cases[] = {
        {GHO, "GET, HEAD, OPTIONS"},
        {HTTP_OPTIONS | HTTP_GET | HTTP_HEAD | HTTP_POST, "GET, HEAD, POST, OPTIONS"},
        {HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE | HTTP_OPTIONS,
         "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
        {HTTP_POST | HTTP_OPTIONS, "POST, OPTIONS"},
        {HTTP_DELETE, "DELETE"},
        {0, ""},
        {HTTP_OTHER, ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char buf[128];
        memset(buf, 'Z', sizeof buf);
        router_allow_header(cases[k].bits, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[k].text, "bits %#x", cases[k].bits);
    }
}

Test(router, keeps_the_allow_header_inside_a_small_buffer)
{
    for (size_t len = 1; len <= 20; len++) {
        char *buf = malloc(len); /* ASan catches a write past len */
        cr_assert_not_null(buf);
        router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_DELETE | HTTP_OPTIONS, buf, len);
        cr_expect_lt(strnlen(buf, len), len, "not terminated inside %zu bytes", len);
        free(buf);
    }
}

struct param_case {
    const char *params, *key;
    bool allowed;
};

Test(router, allows_only_the_listed_query_parameters)
{
    static const struct param_case cases[] = {
        {"page per_page", "page", true},
        {"page per_page", "per_page", true},
        {"page per_page", "per", false},
        {"page per_page", "pag", false},
        {"page per_page", "pages", false},
        {"page per_page", "page per_page", false},
        {"page per_page", "", false},
        {"page", "page", true},
        {"", "page", false},
        {NULL, "page", false},
        {"q", "Q", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(router_param_allowed(cases[k].params, cases[k].key), cases[k].allowed,
                     "`%s` in `%s`", cases[k].key, cases[k].params ? cases[k].params : "(null)");
}

struct method_case {
    const char *name;
    enum http_method bit;
};

Test(router, maps_method_names_to_bits)
{
    static const struct method_case cases[] = {
        {"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
        {"PUT", HTTP_PUT},       {"PATCH", HTTP_PATCH},   {"DELETE", HTTP_DELETE},
        {"OPTIONS", HTTP_OPTIONS}, {"get", HTTP_OTHER},   {"TRACE", HTTP_OTHER},
        {"CONNECT", HTTP_OTHER}, {"", HTTP_OTHER},        {"GETX", HTTP_OTHER},
        {"GE", HTTP_OTHER},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        cr_expect_eq(router_method(cases[k].name), cases[k].bit, "`%s`", cases[k].name);
}
