/* The OpenAPI description, docs/openapi.json: served as built into the binary,
 * valid by two third-party validators, and true of the real server
 * (tests/openapi/run.sh: the validators, then tests/openapi/contract.mjs).
 * Needs Node.js and npm: without them the test fails and says so. ARTICLED_BIN
 * names the binary the contract test runs (tools/run-tests.sh sets it). */
#include "tests/support/harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    cr_assert(buf, "%s is empty", path);
    buf[len] = '\0';
    return buf;
}

/* True when sh finds cmd on PATH. */
static bool
have(const char *cmd)
{
    char line[128];
    snprintf(line, sizeof line, "command -v %s >/dev/null 2>&1", cmd);
    int rc = system(line);
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

Test(openapi, served_description_is_docs_openapi_json)
{
    struct harness h;
    harness_start(&h, "data/articles", NULL);
    struct http_reply r;
    http_call(&h, "GET", "/openapi.json", NULL, NULL, &r);
    cr_assert_eq(r.status, 200);
    char *ct = http_header(&r, "Content-Type");
    cr_assert(ct && strncmp(ct, "application/json", 16) == 0, "Content-Type %s", ct ? ct : "(none)");
    free(ct);

    char *file = read_file("docs/openapi.json");
    cJSON *want = cJSON_Parse(file);
    cJSON *got = cJSON_Parse(r.body);
    cr_assert(want, "docs/openapi.json is not valid JSON");
    cr_assert(got, "GET /openapi.json is not JSON");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(got, "openapi");
    cr_assert(cJSON_IsString(v) && strcmp(v->valuestring, "3.1.0") == 0,
              "GET /openapi.json: \"openapi\" is not \"3.1.0\"");
    cr_assert(cJSON_Compare(want, got, true),
              "GET /openapi.json differs from docs/openapi.json: rebuild (make articled)");
    cJSON_Delete(want);
    cJSON_Delete(got);
    free(file);
    http_reply_free(&r);
    harness_stop(&h);
}

/* The validators and the contract test; their output goes to a file, shown
 * (its last lines) only when they fail. */
Test(openapi, validators_and_contract_test_pass, .timeout = 600)
{
    cr_assert(have("node"), "node is not installed: the OpenAPI checks (tests/openapi/run.sh) "
                            "need Node.js 20.19+ and npm");
    cr_assert(have("npm"), "npm is not installed: the OpenAPI checks (tests/openapi/run.sh) "
                           "need it to install their packages");
    const char *bin = getenv("ARTICLED_BIN");
    cr_assert(bin && *bin, "ARTICLED_BIN is not set (tools/run-tests.sh sets it)");
    cr_assert(access(bin, X_OK) == 0, "ARTICLED_BIN %s is not an executable", bin);

    char log[] = "/tmp/articled-openapi-XXXXXX";
    int fd = mkstemp(log);
    cr_assert(fd >= 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sh tests/openapi/run.sh > %s 2>&1", log);
    int rc = system(cmd);
    bool ok = rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
    if (!ok) {
        /* The failing checks and the summary, for the test log. */
        snprintf(cmd, sizeof cmd,
                 "grep -E -A6 '^FAIL|run.sh:|error|Error' %s | head -n 80 >&2; tail -n 3 %s >&2", log,
                 log);
        if (system(cmd) == -1)
            perror("system");
    }
    unlink(log);
    cr_assert(ok, "sh tests/openapi/run.sh exited %d (ARTICLED_BIN=%s): see the lines above",
              WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, bin);
}
