/* The crash test's short form in the suite: tests/crash/crashtest.c kills
 * articled (ARTICLED_BIN, default ./articled) with SIGKILL under concurrent
 * writers and checks every acknowledged write after each restart. The crash
 * tester is ARTICLED_CRASHTEST, by default tests/crash/crashtest next to
 * ARTICLED_BIN in its build directory, else build/tests/crash/crashtest.
 * The inject tests damage one acknowledged file the way a broken server would,
 * so the tester is shown to report a loss and a tear, not only to pass. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The tester of the running test, killed by the suite's fini if an assertion
 * left it running (it takes its server down with it: PR_SET_PDEATHSIG). */
static pid_t live_child;

static void
kill_leftover(void)
{
    if (live_child > 0 && waitpid(live_child, NULL, WNOHANG) == 0) {
        kill(live_child, SIGKILL);
        waitpid(live_child, NULL, 0);
    }
    live_child = 0;
}

static const char *
bin(void)
{
    const char *b = getenv("ARTICLED_BIN");
    return b ? b : "./articled";
}

static const char *
crashtest(char *buf, size_t len)
{
    const char *c = getenv("ARTICLED_CRASHTEST");
    if (c)
        return c;
    const char *b = bin();
    const char *slash = strrchr(b, '/');
    snprintf(buf, len, "%.*s/tests/crash/crashtest", slash ? (int)(slash - b) : 1, slash ? b : ".");
    if (access(buf, X_OK) == 0)
        return buf;
    return "build/tests/crash/crashtest";
}

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs the crash tester with args (NULL-terminated, after --bin BIN) for at
 * most timeout_s; returns its exit code and its stdout and stderr in *out
 * (caller frees). */
static int
run(const char *const *args, double timeout_s, char **out)
{
    char path[PATH_MAX];
    const char *tester = crashtest(path, sizeof path);
    cr_assert_eq(access(tester, X_OK), 0, "crash tester %s: %s (make %s)", tester, strerror(errno),
                 tester);
    const char *argv[32] = {tester, "--bin", bin()};
    for (size_t i = 0; args[i] && i < 28; i++)
        argv[i + 3] = args[i];
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t parent = getpid();
    live_child = fork();
    cr_assert(live_child >= 0);
    if (live_child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(tester, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cr_assert_not_null(m);
    double deadline = now_s() + timeout_s;
    bool timed_out = false;
    for (;;) {
        int left = (int)((deadline - now_s()) * 1000);
        struct pollfd p = {fds[0], POLLIN, 0};
        if (left <= 0) {
            timed_out = true;
            break;
        }
        if (poll(&p, 1, left) <= 0)
            continue;
        char chunk[4096];
        ssize_t r = read(fds[0], chunk, sizeof chunk);
        if (r <= 0)
            break;
        fwrite(chunk, 1, (size_t)r, m);
    }
    close(fds[0]);
    fclose(m);
    *out = buf;
    if (timed_out) {
        kill_leftover();
        cr_assert_fail("%s did not finish within %.0f s:\n%s", tester, timeout_s, buf);
    }
    int status = 0;
    waitpid(live_child, &status, 0);
    live_child = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct summary {
    int cycles;
    long acked, lost, torn;
};

/* The "K cycles, N acknowledged writes, L lost, T torn" line. */
static bool
summary_of(const char *out, struct summary *s)
{
    for (const char *line = out; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (sscanf(line, "%d cycles, %ld acknowledged writes, %ld lost, %ld torn", &s->cycles,
                   &s->acked, &s->lost, &s->torn) == 4)
            return true;
    }
    return false;
}

TestSuite(crash, .fini = kill_leftover, .timeout = 240);

Test(crash, keeps_every_acknowledged_write_over_five_sigkill_cycles)
{
    const char *args[] = {"--cycles", "5", "--clients", "4", NULL};
    char *out = NULL;
    int rc = run(args, 200, &out);
    struct summary s;
    cr_assert(summary_of(out, &s), "no summary line in:\n%s", out);
    cr_expect_eq(rc, 0, "crashtest exited %d:\n%s", rc, out);
    cr_expect_eq(s.cycles, 5, "%s", out);
    cr_expect_eq(s.lost, 0, "%s", out);
    cr_expect_eq(s.torn, 0, "%s", out);
    /* Enough writes that a kill lands among them, not after the last one. */
    cr_expect_geq(s.acked, 50, "too few acknowledged writes to prove anything:\n%s", out);
    cr_expect_not_null(strstr(out, ", 0 lost, 0 torn\n"), "%s", out);
    cr_expect_not_null(strstr(out, "durable writes per second: "), "%s", out);
    free(out);
}

Test(crash, reports_a_loss_when_an_acknowledged_file_vanishes)
{
    const char *args[] = {"--cycles", "2", "--clients", "2", "--inject", "lose", NULL};
    char *out = NULL;
    int rc = run(args, 120, &out);
    struct summary s;
    cr_assert(summary_of(out, &s), "no summary line in:\n%s", out);
    cr_expect_eq(rc, 1, "crashtest exited %d:\n%s", rc, out);
    cr_expect_eq(s.lost, 1, "%s", out);
    cr_expect_eq(s.torn, 0, "%s", out);
    free(out);
}

Test(crash, reports_a_tear_when_an_acknowledged_file_is_cut_short)
{
    const char *args[] = {"--cycles", "2", "--clients", "2", "--inject", "tear", NULL};
    char *out = NULL;
    int rc = run(args, 120, &out);
    struct summary s;
    cr_assert(summary_of(out, &s), "no summary line in:\n%s", out);
    cr_expect_eq(rc, 1, "crashtest exited %d:\n%s", rc, out);
    cr_expect_geq(s.torn, 1, "%s", out);
    free(out);
}

Test(crash, fails_when_the_server_cannot_start)
{
    /* A later --bin wins: a "server" that exits at once. */
    const char *args[] = {"--cycles", "1", "--clients", "1", "--bin", "/bin/false", NULL};
    char *out = NULL;
    int rc = run(args, 60, &out);
    cr_expect_eq(rc, 3, "crashtest exited %d:\n%s", rc, out);
    free(out);
}
