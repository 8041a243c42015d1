/* cpus: usable CPUs, binding a thread, the slice a thread asks for (models/cpus.c).
 * Criterion runs each test in a process of its own, so a test may narrow its
 * own affinity or change its own scheduling. */
#include "models/cpus.h"
#include "tests/support/threadinfo.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The n-th CPU (from 0) set in mask. */
static int
nth_cpu(const cpu_set_t *mask, int n)
{
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, mask) && n-- == 0)
            return cpu;
    return -1;
}

Test(cpus, counts_the_cpus_of_the_affinity_mask_not_those_online)
{
    cpu_set_t set = threadinfo_mask();
    cr_assert_eq(cpus_usable(), (unsigned)CPU_COUNT(&set));
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(nth_cpu(&set, 0), &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    cr_assert_eq(cpus_usable(), 1, "a taskset or cpuset of one CPU is one CPU");
}

static void *
park(void *arg)
{
    pthread_barrier_wait(arg);
    return NULL;
}

Test(cpus, binds_a_thread_to_the_nth_usable_cpu_counting_round)
{
    cpu_set_t set = threadinfo_mask();
    int n = CPU_COUNT(&set);
    pthread_barrier_t done;
    pthread_barrier_init(&done, NULL, 2);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, park, &done), 0);
    for (unsigned i = 0; i < (unsigned)n + 2; i++) {
        cr_assert(cpus_bind(t, i));
        cpu_set_t got;
        cr_assert_eq(pthread_getaffinity_np(t, sizeof got, &got), 0);
        cr_assert_eq(CPU_COUNT(&got), 1, "bound to one CPU");
        cr_assert(CPU_ISSET(nth_cpu(&set, (int)(i % (unsigned)n)), &got),
                  "thread %u on the %u-th usable CPU", i, i % (unsigned)n);
    }
    pthread_barrier_wait(&done);
    pthread_join(t, NULL);
    cpu_set_t after = threadinfo_mask();
    cr_assert(CPU_EQUAL(&set, &after), "the caller's own mask is not narrowed");
}

Test(cpus, asks_for_a_short_slice_and_keeps_the_nice_value)
{
    pid_t tid = (pid_t)syscall(SYS_gettid);
    cr_assert_eq(setpriority(PRIO_PROCESS, (id_t)tid, 3), 0);
    /* A kernel with slices for normal threads (Linux 6.12) reports the
     * current one; an older one reports 0 and has nothing to ask. */
    bool has_slices = threadinfo_slice_ns(0, NULL) != 0;
    bool ok = cpus_ask_slice(100);
    cr_assert_eq(ok, has_slices, "reports %s", has_slices ? "the slice" : "no such setting");
    unsigned policy;
    uint64_t slice = threadinfo_slice_ns(0, &policy);
    if (has_slices)
        cr_assert_eq(slice, 100000, "a 100 us slice");
    errno = 0;
    cr_assert_eq(getpriority(PRIO_PROCESS, (id_t)tid), 3, "nice kept");
    cr_assert_eq(policy, SCHED_OTHER);
}

Test(cpus, counts_a_slice_below_the_kernels_floor_as_the_floor)
{
    if (threadinfo_slice_ns(0, NULL) == 0)
        cr_skip("this kernel has no slices for normal threads (Linux 6.12 and later have)");
    cr_assert(cpus_ask_slice(20), "20 us is clamped to 100 us and reported as asked");
    cr_assert_eq(threadinfo_slice_ns(0, NULL), 100000);
}
