/* webplugin: the one symbol articled-web.so exports (models/web.h). Built only
 * into the plugin, with fetch.c and extract.c and its own copies of the pure
 * modules they use; the linker's version script hides everything else. */
#include "models/extract.h"
#include "models/fetch.h"
#include "models/web.h"

#include <curl/curl.h>
#include <libxml/parser.h>

static void
cleanup(void)
{
    curl_global_cleanup(); /* both do nothing when never initialised */
    xmlCleanupParser();
}

const struct web_api articled_web = {
    .abi = WEB_ABI,
    .article_size = sizeof(struct article),
    .options_size = sizeof(struct fetch_options),
    .fetch_options_init = fetch_options_init,
    .fetch_url = fetch_url,
    .fetch_result_free = fetch_result_free,
    .extract_html = extract_html,
    .cleanup = cleanup,
};
