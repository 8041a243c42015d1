/* threadinfo: what the kernel reports about a thread's scheduling, for tests
 * of models/cpus.c and of the HTTP threads: its CPU mask and its slice; and
 * pinning the calling thread to a CPU, for tests of where connections go. */
#ifndef ARTICLED_THREADINFO_H
#define ARTICLED_THREADINFO_H

#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

/* The calling thread's CPU mask; fails the test when it cannot be read. */
cpu_set_t threadinfo_mask(void);

/* Thread tid's scheduling policy and slice in ns (sched_getattr's
 * sched_runtime: 0 on kernels before Linux 6.12, which have no slice for
 * normal threads). tid 0: the calling thread. Fails the test on error. */
uint64_t threadinfo_slice_ns(pid_t tid, unsigned *policy);

/* Moves the calling thread onto cpu and keeps it there; it is running there
 * when this returns. Fails the test when it cannot. */
void threadinfo_pin(int cpu);

#endif
