#include "tests/support/proc.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void
proc_spawn(struct proc *p, const char *const *args, const char *const *env)
{
    memset(p, 0, sizeof *p);
    snprintf(p->log, sizeof p->log, "/tmp/articled-proc-XXXXXX");
    int fd = mkstemp(p->log);
    cr_assert(fd >= 0);
    const char *bin = getenv("ARTICLED_BIN") ? getenv("ARTICLED_BIN") : "./articled";
    p->pid = fork();
    cr_assert(p->pid >= 0);
    if (p->pid == 0) {
        dup2(fd, STDOUT_FILENO);
        close(fd);
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        const char *argv[64] = {bin};
        for (size_t i = 0; args[i] && i < 62; i++)
            argv[i + 1] = args[i];
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fd);
}

int
proc_port(struct proc *p, int timeout_ms)
{
    static char buf[1 << 16];
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        FILE *f = fopen(p->log, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        const char *line = strstr(buf, "\"event\":\"listening\"");
        if (line && strstr(buf, "\"event\":\"content_loaded\"")) {
            const char *port = strstr(line, "\"port\":");
            cr_assert_not_null(port);
            return atoi(port + 7);
        }
        cr_assert(proc_alive(p), "articled exited before listening: %s", buf);
        usleep(20000);
    }
    cr_assert_fail("articled did not start within %d ms: %s", timeout_ms, buf);
    return -1;
}

bool
proc_alive(struct proc *p)
{
    if (p->exited)
        return false;
    if (waitpid(p->pid, &p->status, WNOHANG) == p->pid)
        p->exited = true;
    return !p->exited;
}

int
proc_stop(struct proc *p, int timeout_ms)
{
    if (proc_alive(p))
        kill(p->pid, SIGTERM);
    for (int waited = 0; proc_alive(p) && waited < timeout_ms; waited += 10)
        usleep(10000);
    if (proc_alive(p)) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &p->status, 0);
        p->exited = true;
    }
    unlink(p->log);
    return WIFEXITED(p->status) ? WEXITSTATUS(p->status) : 128 + WTERMSIG(p->status);
}
