#include "server/cli.h"

#include "handlers/annotate.h"
#include "handlers/articles.h"
#include "handlers/service.h"
#include "models/web.h"
#include "models/store.h"
#include "server/encoding.h"

#include <errno.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads standard input whole, up to max bytes. NULL with *why otherwise. */
static char *
read_stdin(size_t max, size_t *len, const char **why)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
        if (r < 0) {
            *why = "cannot read standard input";
            break;
        }
        if (r == 0) {
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        n += (size_t)r;
        if (n > max) {
            *why = "larger than the configured limit (max_article_bytes)";
            break;
        }
        if (n == cap) {
            char *grown = realloc(buf, (cap *= 2) + 1);
            if (!grown)
                break;
            buf = grown;
        }
    }
    if (!*why)
        *why = "out of memory";
    free(buf);
    return NULL;
}

static bool
is_json_name(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Prints {"file": name, "error": {...}} and says it on stderr. */
static void
print_error(const char *name, const char *field, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", name);
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToObject(o, "error", e);
    char *s = cJSON_PrintUnformatted(o);
    if (s)
        puts(s);
    free(s);
    cJSON_Delete(o);
    fprintf(stderr, "articled annotate: %s: %s%s%s\n", name, field, field[0] ? ": " : "", message);
}

int
cli_annotate(const struct config *cfg, int nfiles, char **files)
{
    static char *const stdin_only[] = {"-"};
    const char *why = NULL;
    if (nfiles == 0) {
        nfiles = 1;
        files = (char **)stdin_only;
    }
    const struct annotator *ann = NULL;
    struct annotator *owned = annotator_new(&why);
    if (!(ann = owned)) {
        fprintf(stderr, "articled annotate: %s\n", why);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        const char *name = files[i];
        size_t len = 0;
        why = NULL;
        bool from_stdin = strcmp(name, "-") == 0;
        char *buf = from_stdin ? read_stdin((size_t)cfg->max_article_bytes, &len, &why)
                               : store_read_file(AT_FDCWD, name, (size_t)cfg->max_article_bytes,
                                                 &len, &why);
        if (!buf) {
            print_error(name, "", why);
            rc = 1;
            continue;
        }
        struct article_error err;
        cJSON *doc =
            annotate_document(ann, buf, len, !from_stdin && is_json_name(name), false, &err);
        free(buf);
        if (!doc) {
            print_error(name, err.field, err.message);
            rc = 1;
            continue;
        }
        if (err.warning[0])
            fprintf(stderr, "articled annotate: %s: %s\n", name, err.warning);
        /* {"file"} first, then the document's members, moved rather than copied. */
        cJSON *out = cJSON_CreateObject();
        char *line = NULL;
        if (out && cJSON_AddStringToObject(out, "file", name)) {
            cJSON_AddItemToObject(out, "article", cJSON_DetachItemFromObject(doc, "article"));
            cJSON_AddItemToObject(out, "annotations",
                                  cJSON_DetachItemFromObject(doc, "annotations"));
            line = cJSON_PrintUnformatted(out);
        }
        cJSON_Delete(out);
        cJSON_Delete(doc);
        if (!line) {
            print_error(name, "", "out of memory");
            rc = 1;
            continue;
        }
        puts(line);
        free(line);
    }
    annotator_free(owned);
    return fflush(stdout) == 0 ? rc : 1;
}

/* Writes data[0..len) to root/rel, creating the directories on the way. */
static int
write_out(const char *root, const char *rel, const char *data, size_t len)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        if (f)
            fclose(f);
        fprintf(stderr, "articled export: cannot write %s\n", path);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* Writes a body and its gzip form beside it (`.gz`, as nginx's gzip_static
 * expects) when it is worth compressing. */
static int
write_bytes(const char *root, const char *rel, const char *data, size_t len)
{
    char gz[1200];
    snprintf(gz, sizeof gz, "%s.gz", rel);
    size_t zlen = 0;
    char *z = len >= ENCODING_MIN_BYTES ? encoding_gzip(data, len, &zlen) : NULL;
    int rc = write_out(root, rel, data, len) != 0 || (z && write_out(root, gz, z, zlen) != 0);
    free(z);
    return rc ? -1 : 0;
}

/* Writes what a handler answers a plain GET (no Accept-Encoding) with, for the
 * article id (NULL for none), to root/rel. */
static int
export_one(struct service *svc, struct catalog *c, const char *path, const char *id,
           int (*handler)(const struct request *, struct response *), const char *root,
           const char *rel)
{
    struct request req = {.method = HTTP_GET, .path = path, .svc = svc, .snap = c,
                          .base_url = svc->cfg.public_base_url};
    if (id) {
        req.params[0] = id;
        req.nparams = 1;
    }
    struct response resp = {0};
    int rc = handler(&req, &resp) == 200 ? write_bytes(root, rel, resp.body, resp.body_len) : -1;
    response_clear(&resp);
    return rc;
}

int
cli_export(const struct config *cfg, const char *dir)
{
    static struct service svc;
    const char *why = NULL;
    struct config quiet = *cfg;
    quiet.log_level = LOG_ERROR;
    if (service_init(&svc, &quiet, &why) != 0 || service_reload(&svc, &why) != 0) {
        fprintf(stderr, "articled export: %s\n", why ? why : "cannot load the content");
        return 1;
    }
    struct catalog *c = catalog_slot_acquire(&svc.slot);
    int rc = mkdir(dir, 0755) != 0 && errno != EEXIST;
    for (size_t i = 0; !rc && i < c->n; i++) {
        const struct catalog_entry *e = c->entries[i];
        const char *id = e->article->id;
        char rel[256];
        snprintf(rel, sizeof rel, "v1/articles/%s.json", id);
        rc |= export_one(&svc, c, rel, id, articles_get, dir, rel);
        if (!e->entities.len)
            continue;
        snprintf(rel, sizeof rel, "v1/articles/%s/entities.json", id);
        rc |= export_one(&svc, c, rel, id, articles_entities, dir, rel);
        snprintf(rel, sizeof rel, "v1/articles/%s/quotes.json", id);
        rc |= export_one(&svc, c, rel, id, articles_quotes, dir, rel);
    }
    /* The first list page as GET /v1/articles serves it. */
    rc |= !rc && export_one(&svc, c, "/v1/articles", NULL, articles_list, dir, "v1/articles.json");
    printf("articled export: %zu articles to %s\n", c->n, dir);
    catalog_release(c);
    service_destroy(&svc);
    return rc ? 1 : 0;
}

int
cli_extract(const struct config *cfg, int argc, char **argv)
{
    const char *file = NULL, *url = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strncmp(argv[i], "--url=", 6) == 0)
            url = argv[i] + 6;
        else if (!file)
            file = argv[i];
        else
            file = NULL, i = argc; /* two files: usage error below */
    }
    if (!file) {
        fprintf(stderr, "usage: articled extract FILE.html [--url URL]\n");
        return 2;
    }
    const char *why = NULL;
    size_t len = 0;
    char *html = strcmp(file, "-") == 0
                     ? read_stdin((size_t)cfg->max_article_bytes, &len, &why)
                     : store_read_file(AT_FDCWD, file, (size_t)cfg->max_article_bytes, &len, &why);
    if (!html) {
        print_error(file, "", why);
        return 1;
    }
    const struct web_api *web = web_load(&why);
    if (!web) {
        free(html);
        print_error(file, "", why);
        return 1;
    }
    struct article_error err = {0};
    struct article *a = web->extract_html(html, len, url, NULL, &err);
    free(html);
    if (!a) {
        print_error(file, err.field, err.message);
        return 1;
    }
    /* Annotated and rendered exactly as the server renders a stored article. */
    struct annotator *ann = annotator_new(&why);
    struct catalog_renderer r = {service_render_entry, NULL};
    struct catalog *c = ann ? catalog_build(&a, 1, ann, &r, 0) : NULL;
    if (!ann)
        article_free(a);
    int rc = 1;
    if (c) {
        cJSON *name = cJSON_CreateString(file);
        char *printed = name ? cJSON_PrintUnformatted(name) : NULL;
        if (printed) {
            size_t dlen = 0;
            char *doc = articles_full_copy(c->entries[0], &dlen);
            printf("{\"file\":%s,\"article\":%.*s}\n", printed, (int)dlen, doc ? doc : "null");
            free(doc);
            rc = fflush(stdout) == 0 ? 0 : 1;
        }
        free(printed);
        cJSON_Delete(name);
    } else {
        print_error(file, "", why ? why : "out of memory");
    }
    catalog_release(c);
    annotator_free(ann);
    return rc;
}
