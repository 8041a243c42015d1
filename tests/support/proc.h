/* proc: the articled binary as a child process, for tests that need a real
 * process (crashes count, signals, external tools pointed at it). ARTICLED_BIN
 * names the binary (tools/run-tests.sh sets it; default ./articled). */
#ifndef ARTICLED_PROC_H
#define ARTICLED_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc {
    pid_t pid;
    char log[64]; /* the child's stdout, a temp file */
    int status;   /* its wait status once it has exited */
    bool exited;
};

/* Starts articled with args (NULL-terminated, after argv[0]) and env
 * ("KEY=value" strings, NULL-terminated, may be NULL) added to the
 * environment; stdout goes to p->log, stderr to the test's stderr. */
void proc_spawn(struct proc *p, const char *const *args, const char *const *env);

/* Waits for the listening and content_loaded log lines; returns the port.
 * Fails the test after timeout_ms. */
int proc_port(struct proc *p, int timeout_ms);

/* True while the child runs; once it has exited, p->status tells how. */
bool proc_alive(struct proc *p);

/* SIGTERM, then SIGKILL after timeout_ms; returns the exit code, or 128 plus
 * the signal that ended it. Removes the log. */
int proc_stop(struct proc *p, int timeout_ms);

#endif
