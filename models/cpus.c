#include "models/cpus.h"

#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

unsigned
cpus_usable(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN); /* a mask larger than cpu_set_t */
    return online > 0 ? (unsigned)online : 1;
}

unsigned
cpus_numbers(int *cpu, unsigned cap)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    unsigned n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < cap; c++)
        if (CPU_ISSET(c, &set))
            cpu[n++] = c;
    return n;
}

bool
cpus_bind(pthread_t thread, unsigned i)
{
    int cpu[CPU_SETSIZE];
    unsigned n = cpus_numbers(cpu, CPU_SETSIZE);
    if (n == 0)
        return false;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu[i % n], &one);
    return pthread_setaffinity_np(thread, sizeof one, &one) == 0;
}

/* struct sched_attr as the kernel defines it (SCHED_ATTR_SIZE_VER0); glibc
 * 2.36 has neither the struct nor a wrapper for the calls. */
struct slice_attr {
    uint32_t size;
    uint32_t policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime; /* ns; for a normal thread, its requested slice */
    uint64_t deadline;
    uint64_t period;
};

bool
cpus_ask_slice(unsigned us)
{
    struct slice_attr a = {0};
    if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) != 0 ||
        (a.policy != SCHED_OTHER && a.policy != SCHED_BATCH))
        return false;
    a.size = sizeof a;
    a.flags = 0;
    a.runtime = (uint64_t)us * 1000;
    if (syscall(SYS_sched_setattr, 0, &a, 0) != 0)
        return false;
    uint64_t want = a.runtime < 100000 ? 100000 : a.runtime > 100000000 ? 100000000 : a.runtime;
    struct slice_attr back = {0}; /* a kernel without the setting reports 0 */
    return syscall(SYS_sched_getattr, 0, &back, sizeof back, 0) == 0 && back.runtime == want;
}
