/* Slow clients: tests/abuse/slow.sh points slowhttptest's slowloris and slow
 * body attacks (1,500 connections) straight at articled while a normal client
 * keeps asking for the seed article; the script fails when the normal client
 * sees an error or a slow p99, or when articled's deadlines leave attack
 * connections open. ARTICLED_BIN names the binary under test (tools/run-tests.sh
 * sets it); the script runs from the repository root. slowhttptest missing is
 * a failure, not a skip (tools/deps.sh test). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

Test(slow, keeps_serving_a_normal_client_through_slowloris_and_slow_bodies, .timeout = 180)
{
    cr_assert_eq(system("command -v slowhttptest >/dev/null 2>&1"), 0,
                 "slowhttptest is missing (apt-get install slowhttptest; tools/deps.sh test)");
    FILE *p = popen("sh tests/abuse/slow.sh 2>&1", "r");
    cr_assert_not_null(p, "cannot run tests/abuse/slow.sh");
    char line[1024], failures[4096] = "";
    size_t used = 0;
    while (fgets(line, sizeof line, p)) {
        /* The figures go to stdout for the run's summary; failures to the report. */
        if (strncmp(line, "figures: ", 9) == 0)
            fputs(line, stdout);
        else if (strncmp(line, "FAIL", 4) == 0 || strstr(line, "slow.sh:")) {
            int w = snprintf(failures + used, sizeof failures - used, "%s", line);
            if (w > 0 && (size_t)w < sizeof failures - used)
                used += (size_t)w;
        }
    }
    fflush(stdout);
    int st = pclose(p);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    cr_assert_eq(rc, 0, "tests/abuse/slow.sh failed (exit %d):\n%s", rc, failures);
}
