/* store: the content directory, read into articles.
 *
 * The directory holds *.txt (the plain format) and *.json (article documents).
 * Loading never stops at a bad file: each problem is handed to the report
 * callback with the file's name, and the file is skipped. Knows nothing of HTTP. */
#ifndef ARTICLED_STORE_H
#define ARTICLED_STORE_H

#include "models/article.h"

#include <stddef.h>

enum store_level { STORE_WARN, STORE_ERROR };

/* Told about every file that was skipped (STORE_ERROR) or loaded after a repair
 * or rename (STORE_WARN). field may be "" when the problem is the whole file. */
struct store_reporter {
    void (*report)(void *ctx, enum store_level level, const char *file, const char *field,
                   const char *message);
    void *ctx;
};

struct store_result {
    struct article **articles; /* owned by the caller: store_result_free */
    size_t n;
    size_t skipped; /* files refused */
};

/* Loads every *.txt and *.json file of dir in file-name order (so the outcome
 * is deterministic), skipping hidden files and files over max_bytes. Each
 * article's `file` is set. Ids are made unique: a file `ID.json` holding the
 * article ID (what store_put writes) owns that id, and any other file claiming
 * it is superseded: skipped and removed, with a warning (what an interrupted
 * store_put that replaced it leaves behind); otherwise a later file whose id is
 * taken gets `-2`, `-3`, ... and a warning.
 * Returns 0, or -1 with *errstr (static) when the directory cannot be read. */
int store_load(const char *dir, size_t max_bytes, const struct store_reporter *rep,
               struct store_result *out, const char **errstr);

/* Reads the whole regular file name (relative to dirfd, or AT_FDCWD) of at most
 * max bytes into a new NUL-terminated buffer (caller frees). NULL with *why
 * (static) when it cannot be opened, is not a regular file or is too large. */
char *store_read_file(int dirfd, const char *name, size_t max, size_t *len, const char **why);

/* Writes bytes as dir/ID.json durably: a temp file `.tmp-ID-...` in dir,
 * written whole, fsync'd, renamed over the target, then dir fsync'd. Callers
 * serialise writes to one directory. When
 * replaces (may be NULL) names another file of dir that held the article, it is
 * unlinked afterwards and dir fsync'd again. Returns 0 once all of it is on
 * disk, -1 with *why (static) otherwise, leaving no temp file behind. */
int store_put(const char *dir, const char *id, const char *bytes, size_t len,
              const char *replaces, const char **why);

/* Unlinks dir/file and fsyncs dir. 0, or -1 with *why. */
int store_delete(const char *dir, const char *file, const char **why);

/* Removes the `.tmp-*` files a crash may have left in dir; returns how many. */
size_t store_remove_temp(const char *dir);

/* Frees the articles still held by r (those not taken by setting them to NULL). */
void store_result_free(struct store_result *r);

/* Parses one JSON article document from buf[0..len): invalid UTF-8, a syntax error
 * (err->field names the byte offset), trailing data or an invalid document give
 * NULL with err set. Shared by the loader and the write path. */
struct article *store_parse_json(const char *buf, size_t len, struct article_error *err);

/* The JSON step of store_parse_json alone: valid UTF-8, one JSON value and
 * nothing after it. Caller owns the tree; NULL with err set. */
cJSON *store_json_parse(const char *buf, size_t len, struct article_error *err);

#endif
