/* The deployment check: articled behind a real nginx reverse proxy, driven by
 * tests/deploy/test_nginx.sh with plain curl (forwarded headers, request ids,
 * 304s and gzip through the proxy). ARTICLED_BIN names the binary under test
 * (tools/run-tests.sh sets it); the script runs from the repository root.
 * nginx missing is a failure, not a skip: install nginx-light. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
have_nginx(void)
{
    if (access("/usr/sbin/nginx", X_OK) == 0 || access("/usr/bin/nginx", X_OK) == 0)
        return 1;
    return system("command -v nginx >/dev/null 2>&1") == 0;
}

Test(deploy, nginx_reverse_proxy, .timeout = 120)
{
    cr_assert(have_nginx(), "nginx is missing: the deployment check needs it "
                            "(apt-get install nginx-light; tools/deps.sh test)");
    cr_assert(access("tests/deploy/test_nginx.sh", R_OK) == 0,
              "tests/deploy/test_nginx.sh not found: run from the repository root");
    if (!getenv("ARTICLED_BIN"))
        setenv("ARTICLED_BIN", "./articled", 1);

    FILE *p = popen("sh tests/deploy/test_nginx.sh 2>&1", "r");
    cr_assert_not_null(p, "cannot run tests/deploy/test_nginx.sh");
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096) {
            cap *= 2;
            char *bigger = realloc(out, cap);
            cr_assert_not_null(bigger);
            out = bigger;
        }
    }
    out[len] = '\0';
    int st = pclose(p);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    /* The failing checks first, so the report shows them without the rest. */
    char failures[8192] = "";
    size_t used = 0;
    for (char *line = out, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        size_t l = next ? (size_t)(next - line) : strlen(line);
        if (next)
            next++;
        if ((l >= 4 && strncmp(line, "FAIL", 4) == 0) || strstr(line, "test_nginx.sh:")) {
            int w = snprintf(failures + used, sizeof failures - used, "%.*s\n", (int)l, line);
            if (w > 0 && (size_t)w < sizeof failures - used)
                used += (size_t)w;
        }
    }
    if (rc != 0)
        fprintf(stderr, "%s", out);
    cr_assert_eq(rc, 0, "the deployment check failed (exit %d):\n%s", rc,
                 used ? failures : "(no failing check printed; see the output above)");
    free(out);
}
