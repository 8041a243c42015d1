/* harness: a real articled server on 127.0.0.1 port 0 inside the test process,
 * and a small libcurl client to talk to it. For http tests only. */
#ifndef ARTICLED_HARNESS_H
#define ARTICLED_HARNESS_H

#include "config/config.h"

#include <cjson/cJSON.h>

#include <stddef.h>

struct harness {
    struct service *svc;
    struct http_server *http;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
};

/* The factor by which tests stretch their time limits on a slow build: the
 * environment variable ARTICLED_TEST_SLOW (tools/valgrind.sh sets it), 1 when
 * unset or not a whole number from 1 to 100. */
int harness_slow(void);

/* Starts the service on data_dir (loaded before it returns). tweak, if not
 * NULL, adjusts the config first. Aborts the test on failure. */
void harness_start(struct harness *h, const char *data_dir, void (*tweak)(struct config *));
void harness_stop(struct harness *h);

struct http_reply {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *headers; /* the raw response header block */
};

/* Sends METHOD base+path with optional body and extra header lines
 * (NULL-terminated array, may be NULL). Aborts the test on transport errors. */
void http_call(const struct harness *h, const char *method, const char *path, const char *body,
               const char *const *headers, struct http_reply *out);

/* A copy-free pointer to header `name`'s value in r (up to the line end, which
 * is replaced in a private copy): caller frees. NULL when absent. */
char *http_header(const struct http_reply *r, const char *name);
void http_reply_free(struct http_reply *r);

/* The reply body as JSON (caller deletes); fails the test when it is not JSON. */
cJSON *http_json(const struct http_reply *r);

/* Fails the test unless header name is present with exactly the value want. */
void http_expect_header(const struct http_reply *r, const char *name, const char *want);

/* Fails the test unless r is an RFC 9457 problem of this status and code:
 * application/problem+json, type naming the code, status, a detail, and the
 * given field when field is not NULL. */
void http_expect_problem(const struct http_reply *r, long status, const char *code,
                         const char *field);

/* A TCP connection to 127.0.0.1:port (blocking); fails the test when there is none. */
int harness_connect(int port);

/* Sends raw bytes over a plain socket and returns what came back before the
 * server closed or timeout_ms passed (caller frees). For malformed requests. */
char *http_raw(const struct harness *h, const char *bytes, size_t len, int timeout_ms);

/* Inflates a gzip stream on its own (windowBits 31 accepts only the gzip
 * wrapper), not with the server's code under test; a new NUL-terminated
 * buffer the caller frees, NULL when data is not one whole valid gzip stream. */
char *harness_gunzip(const char *data, size_t len, size_t *out_len);

#endif
