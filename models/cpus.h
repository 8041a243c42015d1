/* cpus: the CPUs this process may run on, binding a thread to one of them,
 * and the scheduler time slice a thread asks for.
 *
 * "One per core" means the CPUs of the affinity mask a thread was started
 * with, which a container's cpuset or taskset narrows, not every CPU the host
 * has online: a container limited to 2 of 64 cores runs 2 threads, not 64. */
#ifndef ARTICLED_CPUS_H
#define ARTICLED_CPUS_H

#include <pthread.h>
#include <stdbool.h>

/* The CPUs the calling thread may run on; at least 1. */
unsigned cpus_usable(void);

/* The numbers of the CPUs the calling thread may run on, in increasing order,
 * into cpu[0..cap); returns how many (0 when the mask cannot be read). The
 * i-th of them is "the i-th usable CPU" below and in server/steer.h. */
unsigned cpus_numbers(int *cpu, unsigned cap);

/* Binds thread to the i-th CPU (counted from 0, modulo their number) that
 * the calling thread may run on. False when the mask cannot be read or set;
 * the thread then keeps the mask it has. */
bool cpus_bind(pthread_t thread, unsigned i);

/* Asks the scheduler to run the calling thread in slices of about us
 * microseconds (Linux 6.12 and later: sched_setattr's sched_runtime for a
 * normal thread, which the kernel clamps to 100-100,000). A shorter slice
 * than the default (about 1-3 ms) gives the thread an earlier deadline, so
 * when it wakes it is run sooner; its share of the CPU does not change. The
 * thread's nice value is kept; a thread with a real-time policy is left
 * alone. True when the kernel reports the slice back; false when it has no
 * such setting (older kernels), refuses, or the policy is not a normal one. */
bool cpus_ask_slice(unsigned us);

#endif
