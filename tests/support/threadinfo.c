#include "tests/support/threadinfo.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

cpu_set_t
threadinfo_mask(void)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof set, &set), 0);
    return set;
}

/* struct sched_attr's first fields (SCHED_ATTR_SIZE_VER0), as the kernel has them. */
struct attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
};

uint64_t
threadinfo_slice_ns(pid_t tid, unsigned *policy)
{
    struct attr a = {0};
    cr_assert_eq(syscall(SYS_sched_getattr, tid, &a, sizeof a, 0), 0, "sched_getattr(%d)",
                 (int)tid);
    if (policy)
        *policy = a.policy;
    return a.runtime;
}

void
threadinfo_pin(int cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    cr_assert_eq(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0, "pin to CPU %d", cpu);
    sched_yield(); /* the kernel has moved it before the call returns; this is for certainty */
}
