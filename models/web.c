/* web: finds and loads articled-web.so (see web.h). Owns the plugin's handle
 * and the path it came from, both set once and never released: libcurl and
 * OpenSSL are not made to be unloaded, so the plugin stays mapped until exit. */
#include "models/web.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef WEB_PLUGIN_DIR
#define WEB_PLUGIN_DIR "/usr/local/lib/articled"
#endif
#define WEB_PLUGIN_FILE "articled-web.so"

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static char plugin_path[PATH_MAX + sizeof WEB_PLUGIN_FILE];
static char configured[PATH_MAX];

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const struct web_api *api;
static char load_error[PATH_MAX + 512];

/* The first candidate of web.h's list that exists; the build-time one when
 * none does, so the error names where the plugin was expected. */
static void
resolve(void)
{
    if (configured[0]) {
        snprintf(plugin_path, sizeof plugin_path, "%s", configured);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            slash[1] = '\0';
            snprintf(plugin_path, sizeof plugin_path, "%s%s", exe, WEB_PLUGIN_FILE);
            if (access(plugin_path, R_OK) == 0)
                return;
        }
    }
    snprintf(plugin_path, sizeof plugin_path, "%s/%s", WEB_PLUGIN_DIR, WEB_PLUGIN_FILE);
}

void
web_configure(const char *path)
{
    snprintf(configured, sizeof configured, "%s", path ? path : "");
}

const char *
web_plugin_path(void)
{
    pthread_once(&resolve_once, resolve);
    return plugin_path;
}

static void
load(void)
{
    const char *path = web_plugin_path();
    /* RTLD_NOW: a missing symbol is found here, not in the middle of a request. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error,
                 "the page importer (%s) could not be loaded: %s", path, dlerror());
        return;
    }
    const struct web_api *a = dlsym(h, "articled_web");
    if (!a || a->abi != WEB_ABI || a->article_size != sizeof(struct article) ||
        a->options_size != sizeof(struct fetch_options)) {
        snprintf(load_error, sizeof load_error,
                 "the page importer (%s) is not from this build of articled", path);
        dlclose(h);
        return;
    }
    __atomic_store_n(&api, a, __ATOMIC_RELEASE);
}

const struct web_api *
web_load(const char **why)
{
    pthread_once(&load_once, load);
    if (!api && why)
        *why = load_error;
    return api;
}

void
web_unload(void)
{
    const struct web_api *a = __atomic_load_n(&api, __ATOMIC_ACQUIRE);
    if (a)
        a->cleanup();
}
