/* Robustness under load, briefly, as part of the suite: bench/reload.sh (wrk on
 * several endpoints while SIGHUP reloads the content every 200 ms) and a short
 * form of bench/soak.sh (reads, writes and reloads together). The long forms
 * are `make bench-reload` and `make soak` (docs/robustness.md). ARTICLED_BIN
 * names the binary under test (tools/run-tests.sh sets it). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* Runs cmd and keeps the end of what it printed in out. Returns its exit
 * status, or -1 when it could not run or died of a signal. */
static int
run_tail(const char *cmd, char *out, size_t outlen)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t used = 0;
    char chunk[512];
    size_t n;
    out[0] = '\0';
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        if (used + n >= outlen) { /* keep the last bytes: the verdicts come last */
            size_t drop = used + n - (outlen - 1);
            if (drop > used)
                drop = used;
            memmove(out, out + drop, used - drop);
            used -= drop;
            if (n > outlen - 1 - used)
                n = outlen - 1 - used;
        }
        memcpy(out + used, chunk, n);
        used += n;
        out[used] = '\0';
    }
    int st = pclose(p);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(robustness, serves_every_request_while_sighup_reloads_every_200_ms, .timeout = 600)
{
    char out[4096];
    int rc = run_tail("sh bench/reload.sh 12 200 2>&1", out, sizeof out);
    cr_assert_eq(rc, 0,
                 "bench/reload.sh failed (exit %d; 2: a missing tool, apt-get install wrk curl):\n%s",
                 rc, out);
    cr_assert_not_null(strstr(out, "reload: ok"), "%s", out);
}

Test(robustness, a_brief_soak_of_reads_writes_and_reloads_has_no_errors, .timeout = 600)
{
    char out[8192];
    int rc = run_tail("SOAK_SAMPLE=2 SOAK_HUP=2 SOAK_CORPUS_FILES=100 sh bench/soak.sh 20 2>&1", out,
                      sizeof out);
    cr_assert_eq(rc, 0, "bench/soak.sh failed (exit %d):\n%s", rc, out);
    cr_assert_not_null(strstr(out, "- soak: ok"), "%s", out);
}
