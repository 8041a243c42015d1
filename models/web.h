#ifndef ARTICLED_WEB_H
#define ARTICLED_WEB_H
/* web: the page importer (models/fetch.c, models/extract.c), loaded on first use.
 *
 * Fetching pages needs libcurl and extracting articles from HTML needs
 * libxml2; with what they pull in (OpenSSL, Kerberos, LDAP, ICU, libstdc++)
 * they are about 5.7 MB of resident pages from the moment the dynamic linker
 * maps them, in every server, most of which never import a page. So both
 * modules are built into a plugin, articled-web.so, that this module dlopens
 * the first time a request (or `articled extract`) needs it. The plugin holds
 * its own copies of the few pure modules it uses (article, strbuf, utf8, hash,
 * fetchguard) and exports one symbol, `articled_web`. Tests, tools and fuzzers
 * link fetch.c and extract.c directly and do not come through here.
 *
 * Where the plugin is looked for, the first that exists wins:
 *   1. the path given to web_configure (the `web_plugin` setting);
 *   2. articled-web.so beside the running executable (/proc/self/exe);
 *   3. WEB_PLUGIN_DIR/articled-web.so, fixed at build time (make WEBDIR=DIR;
 *      the default is the build directory, so a checkout's ./articled finds it).
 * A plugin from another build is refused (WEB_ABI and struct sizes differ). */
#include "models/article.h"
#include "models/fetch.h"

#include <stddef.h>

/* Bumped whenever struct web_api or a struct it passes changes shape. */
#define WEB_ABI 1u

struct web_api {
    unsigned abi;          /* WEB_ABI of the plugin's build */
    size_t article_size;   /* sizeof (struct article) there */
    size_t options_size;   /* sizeof (struct fetch_options) there */
    void (*fetch_options_init)(struct fetch_options *o);
    int (*fetch_url)(const char *url, const struct fetch_options *opt, struct fetch_result *out,
                     const char **why);
    void (*fetch_result_free)(struct fetch_result *r);
    struct article *(*extract_html)(const char *html, size_t len, const char *url,
                                    const char *declared_charset, struct article_error *err);
    void (*cleanup)(void); /* curl_global_cleanup and xmlCleanupParser, at exit */
};

/* Sets the plugin's path before the first web_load; NULL or "" keeps the
 * search above. Called once, from main. */
void web_configure(const char *path);

/* The plugin's functions, loading it on the first call (thread-safe; later
 * calls return the first outcome). NULL when it cannot be loaded: *why is then
 * a sentence naming the path tried and the loader's error, valid for the life
 * of the process. */
const struct web_api *web_load(const char **why);

/* The path web_load uses (or used): for the start-up log. */
const char *web_plugin_path(void);

/* At exit, after the last import: lets libcurl and libxml2 free their global
 * state (valgrind-clean shutdown). Does nothing when never loaded. */
void web_unload(void);

#endif
