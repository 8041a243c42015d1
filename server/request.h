/* request, response: what a handler sees and fills, free of any transport.
 *
 * server/http.c builds a struct request from libmicrohttpd and turns the struct
 * response into bytes; handlers only read the one and fill the other, so they
 * are testable without a socket. */
#ifndef ARTICLED_REQUEST_H
#define ARTICLED_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_PATCH = 1 << 4,
    HTTP_DELETE = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
    HTTP_OTHER = 1 << 7,
};

struct query_param {
    const char *key, *value; /* percent-decoded; value "" for `?flag` */
};

#define REQUEST_MAX_QUERY 32
#define REQUEST_MAX_PARAMS 4

struct service;
struct catalog;

struct request {
    enum http_method method;
    const char *method_name;
    const char *path; /* percent-decoded path, no query */
    struct query_param query[REQUEST_MAX_QUERY];
    size_t nquery;
    const char *params[REQUEST_MAX_PARAMS]; /* route captures, in pattern order */
    size_t nparams;
    const char *body;
    size_t body_len;
    const char *request_id;
    const char *client;   /* the client's address (through trusted proxies) */
    const char *base_url; /* prefix for absolute links: "https://host" or "" (relative) */
    /* Header lookup by case-insensitive name; NULL when absent. */
    const char *(*header)(const struct request *req, const char *name);
    void *transport;      /* for header(): owned by server/http.c */
    struct service *svc;  /* the running service */
    struct catalog *snap; /* the snapshot this request reads, held until it completes */
};

#define RESPONSE_MAX_HEADERS 20

/* Room for header values inside the response itself: a request's headers fit
 * there without a malloc each; a value that does not fit is allocated. */
#define RESPONSE_TEXT_BYTES 512

struct response_header {
    const char *name; /* static string */
    char *value;      /* in the response's text, or allocated when owned */
    bool owned;
};

struct response {
    int status;
    const char *content_type; /* static string; NULL for no body */
    const char *body;
    size_t body_len;
    bool body_owned; /* free(body) when done; else borrowed from the snapshot */
    /* Caching and encoding, for GET and HEAD: a strong ETag ("" = the transport
     * computes one from the body), the time the content last changed (0 when
     * unknown), and a gzip form of the body borrowed from the snapshot (NULL =
     * the transport compresses when it is worth it). */
    char etag[32];
    long long last_modified;
    const char *gzip;
    size_t gzip_len;
    struct response_header headers[RESPONSE_MAX_HEADERS];
    size_t nheaders;
    char text[RESPONSE_TEXT_BYTES]; /* header values, see response_header */
    size_t text_used;
    /* Set by a handler whose 200 answer is a pure function of the snapshot and
     * the request's path and query (lists, searches, corpus indexes): the
     * transport may keep the response and serve it again for the same path and
     * query while the snapshot is current, instead of calling the handler. */
    bool memo;
    /* Set by a handler that checked the client accepts gzip and answers with
     * the gzip form alone (body is gzip bytes; etag names the identity form):
     * the transport sends it with Content-Encoding: gzip and does not encode again. */
    bool pre_gzipped;
};

/* A query value by key, or NULL. */
const char *request_query(const struct request *req, const char *key);

/* True when the request's Content-Type, parameters aside, is media_type
 * (compared case-insensitively). */
bool request_content_type_is(const struct request *req, const char *media_type);

/* Adds a header with a copy of value; -1 when full or out of memory. */
int response_header(struct response *resp, const char *name, const char *value);

/* Sets an owned body (takes buf, which must come from malloc). */
void response_take_body(struct response *resp, int status, const char *content_type, char *buf,
                        size_t len);

/* Sets a borrowed body that outlives the response (the snapshot's bytes). */
void response_borrow_body(struct response *resp, int status, const char *content_type,
                          const char *buf, size_t len);

/* Frees owned body and header values; the response may be reused after it. */
void response_clear(struct response *resp);

#endif
