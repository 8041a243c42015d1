#include "handlers/routes.h"

#include "handlers/annotate.h"
#include "handlers/articles.h"
#include "handlers/system.h"

/* Every route of the service. `params` lists the query parameters a
 * route accepts: any other one is a 400 before the handler runs. */
const struct route routes[] = {
    {HTTP_GET, "/v1/articles", articles_list, "page per_page", "articles.list", true},
    {HTTP_GET, "/v1/articles/{id}", articles_get, "", "articles.get", true},
    {HTTP_GET, "/v1/articles/{id}/entities", articles_entities, "", "articles.entities", true},
    {HTTP_GET, "/v1/articles/{id}/quotes", articles_quotes, "", "articles.quotes", true},
    {HTTP_POST, "/v1/annotate", annotate_post, "", "annotate", false},
    {HTTP_GET, "/healthz", system_health, "", "healthz", false},
    {HTTP_GET, "/readyz", system_ready, "", "readyz", false},
};

const size_t routes_count = sizeof routes / sizeof *routes;
