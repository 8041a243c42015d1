#include "handlers/problem.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *title;
} titles[] = {
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
};

static const char *
title_of(int status)
{
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
        if (titles[i].status == status)
            return titles[i].title;
    return "Error";
}

int
problem(struct response *resp, int status, const char *code, const char *detail, const char *field)
{
    char type[96];
    snprintf(type, sizeof type, "urn:articled:problem:%s", code);
    cJSON *o = cJSON_CreateObject();
    char *body = NULL;
    if (o && cJSON_AddStringToObject(o, "type", type) &&
        cJSON_AddStringToObject(o, "title", title_of(status)) &&
        cJSON_AddNumberToObject(o, "status", status) &&
        cJSON_AddStringToObject(o, "detail", detail) && cJSON_AddStringToObject(o, "code", code) &&
        (!field || cJSON_AddStringToObject(o, "field", field)))
        body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (body)
        response_take_body(resp, status, "application/problem+json", body, strlen(body));
    else
        response_borrow_body(resp, status, "application/problem+json", "", 0);
    return status;
}
