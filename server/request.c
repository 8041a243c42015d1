#include "server/request.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
request_query(const struct request *req, const char *key)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].value;
    return NULL;
}

bool
request_content_type_is(const struct request *req, const char *media_type)
{
    const char *ct = req->header ? req->header(req, "Content-Type") : NULL;
    size_t n = strlen(media_type);
    return ct && strncasecmp(ct, media_type, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
response_header(struct response *resp, const char *name, const char *value)
{
    if (resp->nheaders == RESPONSE_MAX_HEADERS)
        return -1;
    size_t n = strlen(value) + 1;
    if (n <= sizeof resp->text - resp->text_used) {
        char *copy = memcpy(resp->text + resp->text_used, value, n);
        resp->text_used += n;
        resp->headers[resp->nheaders++] = (struct response_header){name, copy, false};
        return 0;
    }
    char *copy = strdup(value);
    if (!copy)
        return -1;
    resp->headers[resp->nheaders++] = (struct response_header){name, copy, true};
    return 0;
}

static void
drop_body(struct response *resp)
{
    if (resp->body_owned)
        free((char *)resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    resp->body_owned = false;
}

void
response_take_body(struct response *resp, int status, const char *content_type, char *buf,
                   size_t len)
{
    drop_body(resp);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = buf;
    resp->body_len = len;
    resp->body_owned = true;
}

void
response_borrow_body(struct response *resp, int status, const char *content_type, const char *buf,
                     size_t len)
{
    drop_body(resp);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = buf;
    resp->body_len = len;
}

void
response_clear(struct response *resp)
{
    drop_body(resp);
    for (size_t i = 0; i < resp->nheaders; i++)
        if (resp->headers[i].owned)
            free(resp->headers[i].value);
    memset(resp, 0, offsetof(struct response, text));
    resp->text_used = 0;
}
