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

cJSON *
store_json_parse(const char *buf, size_t len, struct article_error *err)
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
    free(copy);
    return doc;
}

struct article *
store_parse_json(const char *buf, size_t len, struct article_error *err)
{
    cJSON *doc = store_json_parse(buf, len, err);
    if (!doc)
        return NULL;
    struct article *a = article_from_json(doc, err);
    cJSON_Delete(doc);
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

/* True when a is what store_put writes: the file ID.json holding id ID. */
static bool
owns_its_id(const struct article *a)
{
    size_t n = strlen(a->id);
    return a->file && strncmp(a->file, a->id, n) == 0 && strcmp(a->file + n, ".json") == 0;
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
    article_free_string(a, a->id);
    a->id = copy;
    return 0;
}

int store_delete(const char *dir, const char *file, const char **why);

/* Makes ids unique as store_load's contract says; drops superseded articles
 * and removes their files. */
static int
resolve_ids(const char *dir, struct store_result *r, const struct store_reporter *rep)
{
    struct article **kept = calloc(r->n ? r->n : 1, sizeof *kept);
    size_t n = 0;
    if (!kept)
        return -1;
    for (size_t i = 0; i < r->n; i++)
        if (owns_its_id(r->articles[i]))
            kept[n++] = r->articles[i];
    for (size_t i = 0; i < r->n; i++) {
        struct article *a = r->articles[i];
        if (owns_its_id(a))
            continue;
        char owner[96];
        snprintf(owner, sizeof owner, "%s.json", a->id);
        bool superseded = false;
        for (size_t k = 0; k < n && !superseded; k++)
            superseded = owns_its_id(kept[k]) && strcmp(kept[k]->id, a->id) == 0;
        if (superseded) {
            /* Left by a write interrupted between its rename and its unlink of
             * the old file: finish that write, or a later delete of the id
             * would bring this older version back. */
            const char *why = NULL;
            bool removed = store_delete(dir, a->file, &why) == 0;
            char msg[192];
            snprintf(msg, sizeof msg, "id `%s` is held by %s, which supersedes this file: %s", a->id,
                     owner, removed ? "removed" : why);
            report(rep, STORE_WARN, a->file, "id", msg);
            article_free(a);
            r->skipped++;
            continue;
        }
        if (make_unique(kept, n, a, rep, a->file) != 0) {
            for (size_t k = i; k < r->n; k++)
                if (!owns_its_id(r->articles[k]))
                    article_free(r->articles[k]);
            for (size_t k = 0; k < n; k++)
                r->articles[k] = kept[k];
            r->n = n;
            free(kept);
            return -1;
        }
        kept[n++] = a;
    }
    free(r->articles);
    r->articles = kept;
    r->n = n;
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
        /* Each article in one block, made before the next file is read, so
         * the pieces it is copied from are reused by that file's. */
        if (!(a->file = strdup(names[i])) || article_compact(a) != 0) {
            article_free(a);
            goto oom;
        }
        out->articles[out->n++] = a;
    }
    if (resolve_ids(dir, out, rep) != 0)
        goto oom;
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

/* fsync of a directory, so a rename or unlink in it is durable. */
static int
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int
store_put(const char *dir, const char *id, const char *bytes, size_t len, const char *replaces,
          const char **why)
{
    /* Writers are serialised by the caller, so id and pid make the name unique. */
    char tmp[1200], target[1200];
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s-%d", dir, id, (int)getpid());
    snprintf(target, sizeof target, "%s/%s.json", dir, id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        *why = "cannot create a file in the content directory";
        return -1;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, bytes + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *why = "cannot write to the content directory (disk full?)";
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        *why = "fsync of the new file failed";
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        *why = "close of the new file failed";
        goto fail;
    }
    fd = -1;
    if (rename(tmp, target) != 0) {
        *why = "rename into place failed";
        goto fail;
    }
    if (sync_dir(dir) != 0) {
        *why = "fsync of the content directory failed";
        return -1;
    }
    if (replaces && strcmp(replaces, target + strlen(dir) + 1) != 0)
        return store_delete(dir, replaces, why);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

int
store_delete(const char *dir, const char *file, const char **why)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (unlink(path) != 0 && errno != ENOENT) {
        *why = "cannot remove the article's file";
        return -1;
    }
    if (sync_dir(dir) != 0) {
        *why = "fsync of the content directory failed";
        return -1;
    }
    return 0;
}

size_t
store_remove_temp(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, ".tmp-", 5) == 0 && unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
    closedir(d);
    if (n)
        sync_dir(dir);
    return n;
}
