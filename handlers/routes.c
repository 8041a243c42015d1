#include "handlers/routes.h"

#include "handlers/annotate.h"
#include "handlers/articles.h"
#include "handlers/corpus.h"
#include "handlers/find.h"
#include "handlers/system.h"
#include "handlers/writes.h"

/* Every route of the service. `params` lists the query parameters a
 * route accepts: any other one is a 400 before the handler runs. */
const struct route routes[] = {
    {HTTP_GET, "/v1/articles", articles_list, "entity " FIND_PARAMS, "articles.list", true,
     ACCESS_READ},
    {HTTP_POST, "/v1/articles", writes_create, "", "articles.create", true, ACCESS_WRITE},
    {HTTP_POST, "/v1/articles/import", writes_import, "dry_run", "articles.import", true,
     ACCESS_WRITE},
    {HTTP_GET, "/v1/articles/{id}", articles_get, "", "articles.get", true, ACCESS_READ},
    {HTTP_PUT, "/v1/articles/{id}", writes_put, "", "articles.put", true, ACCESS_WRITE},
    {HTTP_PATCH, "/v1/articles/{id}", writes_patch, "", "articles.patch", true, ACCESS_WRITE},
    {HTTP_DELETE, "/v1/articles/{id}", writes_delete, "", "articles.delete", true, ACCESS_WRITE},
    {HTTP_GET, "/v1/articles/{id}/entities", articles_entities, "", "articles.entities", true,
     ACCESS_READ},
    {HTTP_GET, "/v1/articles/{id}/quotes", articles_quotes, "", "articles.quotes", true,
     ACCESS_READ},
    {HTTP_GET, "/v1/entities", corpus_entities, "type prefix page per_page", "entities.list", true,
     ACCESS_READ},
    {HTTP_GET, "/v1/entities/{id}", corpus_entity_get, "", "entities.get", true, ACCESS_READ},
    {HTTP_GET, "/v1/entities/{id}/articles", corpus_entity_articles, FIND_PARAMS,
     "entities.articles", true, ACCESS_READ},
    {HTTP_GET, "/v1/quotes", corpus_quotes_list, "speaker article q page per_page", "quotes.list",
     true, ACCESS_READ},
    {HTTP_POST, "/v1/annotate", annotate_post, "", "annotate", false, ACCESS_READ},
    {HTTP_GET, "/healthz", system_health, "", "healthz", false, ACCESS_PUBLIC},
    {HTTP_GET, "/readyz", system_ready, "", "readyz", false, ACCESS_PUBLIC},
    {HTTP_GET, "/metrics", system_metrics, "", "metrics", false, ACCESS_READ},
    {HTTP_GET, "/openapi.json", system_openapi, "", "openapi", false, ACCESS_PUBLIC},
};

const size_t routes_count = sizeof routes / sizeof *routes;
