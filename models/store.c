#include "models/store.h"

#include "models/textformat.h"
#include "models/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct article *
store_parse_json(const char *buf, size_t len, struct article_error *err)
{
    memset(err, 0, sizeof *err);
    size_t bad;
    if (!utf8_valid(buf, len, &bad)) {
        snprintf(err->field, sizeof err->field, "byte %zu", bad);
        snprintf(err->message, sizeof err->message, "not valid UTF-8");
        return NULL;
    }
    /* cJSON needs a NUL-terminated copy to report trailing data (PITFALLS.md). */
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    memcpy(copy, buf, len);
    copy[len] = '\0';
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    if (!doc) {
        size_t at = end && end >= copy ? (size_t)(end - copy) : 0;
        snprintf(err->field, sizeof err->field, "byte %zu", at);
        snprintf(err->message, sizeof err->message,
                 at >= len ? "invalid JSON: the document ends too soon"
                           : "invalid JSON (syntax error or trailing data)");
        free(copy);
        return NULL;
    }
    struct article *a = article_from_json(doc, err);
    cJSON_Delete(doc);
    free(copy);
    return a;
}

static bool
has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int
cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
report(const struct store_reporter *rep, enum store_level level, const char *file,
       const char *field, const char *message)
{
    if (rep && rep->report)
        rep->report(rep->ctx, level, file, field, message);
}

char *
store_read_file(int dirfd, const char *name, size_t max, size_t *len, const char **why)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *why = strerror(errno);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        goto done;
    }
    if ((size_t)st.st_size > max) {
        *why = "larger than the configured limit (max_article_bytes)";
        goto done;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        *why = "out of memory";
        goto done;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *len = got;
done:
    if (fd >= 0)
        close(fd);
    return buf;
}

static bool
id_taken(struct article **arts, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arts[i]->id, id) == 0)
            return true;
    return false;
}

/* Gives a an id no earlier article has. -1 on OOM. */
static int
make_unique(struct article **arts, size_t n, struct article *a, const struct store_reporter *rep,
            const char *file)
{
    if (!id_taken(arts, n, a->id))
        return 0;
    char id[96];
    for (unsigned k = 2;; k++) {
        /* Shorten the base so base + "-k" is still a valid id of at most 80. */
        char suffix[16];
        int slen = snprintf(suffix, sizeof suffix, "-%u", k);
        int base = (int)strlen(a->id);
        if (base > 80 - slen)
            base = 80 - slen;
        while (base > 1 && a->id[base - 1] == '-')
            base--;
        snprintf(id, sizeof id, "%.*s%s", base, a->id, suffix);
        if (!id_taken(arts, n, id))
            break;
    }
    char msg[192];
    snprintf(msg, sizeof msg, "id `%s` is taken by an earlier file; served as `%s`", a->id, id);
    report(rep, STORE_WARN, file, "id", msg);
    char *copy = strdup(id);
    if (!copy)
        return -1;
    free(a->id);
    a->id = copy;
    return 0;
}

int
store_load(const char *dir, size_t max_bytes, const struct store_reporter *rep,
           struct store_result *out, const char **errstr)
{
    memset(out, 0, sizeof *out);
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    int rc = -1;
    DIR *d = opendir(dir);
    if (!d) {
        *errstr = "cannot open the content directory";
        return -1;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' ||
            !(has_suffix(e->d_name, ".txt") || has_suffix(e->d_name, ".json")))
            continue;
        if (nnames == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!grown)
                goto oom;
            names = grown;
        }
        if (!(names[nnames] = strdup(e->d_name)))
            goto oom;
        nnames++;
    }
    if (nnames > 1)
        qsort(names, nnames, sizeof *names, cmp_names);
    out->articles = calloc(nnames ? nnames : 1, sizeof *out->articles);
    if (!out->articles)
        goto oom;
    for (size_t i = 0; i < nnames; i++) {
        const char *why = NULL;
        size_t len = 0;
        char *buf = store_read_file(dirfd(d), names[i], max_bytes, &len, &why);
        if (!buf) {
            report(rep, STORE_ERROR, names[i], "", why);
            out->skipped++;
            continue;
        }
        struct article_error err;
        struct article *a = has_suffix(names[i], ".json") ? store_parse_json(buf, len, &err)
                                                          : textformat_parse(buf, len, &err);
        free(buf);
        if (!a) {
            report(rep, STORE_ERROR, names[i], err.field, err.message);
            out->skipped++;
            continue;
        }
        if (err.warning[0])
            report(rep, STORE_WARN, names[i], "", err.warning);
        if (make_unique(out->articles, out->n, a, rep, names[i]) != 0) {
            article_free(a);
            goto oom;
        }
        out->articles[out->n++] = a;
    }
    rc = 0;
    goto done;
oom:
    *errstr = "out of memory while loading the content directory";
    store_result_free(out);
done:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

void
store_result_free(struct store_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        article_free(r->articles[i]);
    free(r->articles);
    memset(r, 0, sizeof *r);
}
