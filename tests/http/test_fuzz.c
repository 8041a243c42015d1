/* The fuzz targets, briefly, as part of the suite: fuzz/brief.sh builds them
 * with clang's libFuzzer and runs each on its seed corpus plus a few thousand
 * mutations (docs/fuzzing.md). The long runs are `fuzz/run.sh all 600`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* Runs cmd and keeps the end of what it printed in out (outlen > 512 bytes).
 * Returns its exit status, or -1 when it could not run or died of a signal. */
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
        if (used + n >= outlen) { /* keep the last bytes: the findings come last */
            size_t drop = used + n - (outlen - 1);
            memmove(out, out + drop, used - drop);
            used -= drop;
        }
        memcpy(out + used, chunk, n);
        used += n;
        out[used] = '\0';
    }
    int st = pclose(p);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(fuzz, every_target_survives_its_corpus_and_a_brief_mutation_run, .timeout = 900)
{
    char out[4096];
    int rc = run_tail("sh fuzz/brief.sh 2>&1", out, sizeof out);
    cr_assert_eq(rc, 0,
                 "fuzz/brief.sh failed (exit %d). A missing fuzzer runtime needs "
                 "`apt-get install -y clang libclang-rt-14-dev libfuzzer-14-dev`; a finding is "
                 "a bug (docs/fuzzing.md says how to replay it):\n%s",
                 rc, out);
}
