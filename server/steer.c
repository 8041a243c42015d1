#include "server/steer.h"

#include "models/cpus.h"

#include <linux/filter.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the program returns for a connection it leaves alone: an index past
 * the group's sockets, for which the kernel falls back to its hash. */
#define NOT_STEERED 0xffffffffu

struct steer {
    int family;
    unsigned ncpus;
    int cpu[CPU_SETSIZE];         /* the usable CPUs, in order */
    short thread_of[CPU_SETSIZE]; /* by CPU number; -1 outside the mask */
};

struct steer *
steer_new(int family, unsigned threads)
{
    if (threads < 2 || (family != AF_INET && family != AF_INET6))
        return NULL;
    struct steer *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->family = family;
    s->ncpus = cpus_numbers(s->cpu, CPU_SETSIZE);
    if (s->ncpus < threads) {
        free(s);
        return NULL;
    }
    for (int c = 0; c < CPU_SETSIZE; c++)
        s->thread_of[c] = -1;
    for (unsigned i = 0; i < s->ncpus; i++)
        s->thread_of[s->cpu[i]] = (short)(i % threads);
    return s;
}

void
steer_free(struct steer *s)
{
    free(s);
}

/* The program run on each connection's first packet (its SYN), with the
 * network header at SKF_NET_OFF: from a loopback source address, the thread
 * of the CPU the packet is processed on; else NOT_STEERED. A load past the
 * packet would end it returning 0 (the first socket), but the header is
 * always there. Jump offsets count instructions after the jump, and fit the
 * 8 bits they have: the farthest is 6. Returns the instruction count. */
static unsigned
build(const struct steer *s, struct sock_filter *code)
{
    unsigned n = 0;
    if (s->family == AF_INET) {
        /* 127.0.0.0/8: the source address's first byte */
        code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 12);
        code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 127, 1, 0);
    } else {
        /* ::1, the source address's four words at 8..23 */
        for (unsigned w = 0; w < 4; w++) {
            code[n++] =
                (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 8 + 4 * w);
            unsigned to_refusal = 2 * (3 - w); /* the instructions left to the return */
            code[n++] = w < 3 ? (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
                                                             (uint8_t)to_refusal)
                              : (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0);
        }
    }
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NOT_STEERED);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_CPU);
    for (unsigned i = 0; i < s->ncpus; i++) {
        code[n++] =
            (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)s->cpu[i], 0, 1);
        code[n++] =
            (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (uint32_t)s->thread_of[s->cpu[i]]);
    }
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NOT_STEERED);
    return n;
}

bool
steer_attach(const struct steer *s, int listen_fd)
{
    /* at most 8 + 2 + 2 per CPU + 1, under BPF_MAXINSNS (4096) for 1024 CPUs */
    struct sock_filter *code = calloc(12 + 2 * (size_t)s->ncpus, sizeof *code);
    if (!code)
        return false;
    struct sock_fprog prog;
    memset(&prog, 0, sizeof prog); /* its padding reaches the kernel too */
    prog.len = (unsigned short)build(s, code);
    prog.filter = code;
    bool ok = setsockopt(listen_fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) == 0;
    free(code);
    return ok;
}

static bool
loopback(int family, const struct sockaddr *peer)
{
    if (peer->sa_family != family)
        return false;
    if (family == AF_INET)
        return ntohl(((const struct sockaddr_in *)peer)->sin_addr.s_addr) >> 24 == 127;
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)peer)->sin6_addr);
}

int
steer_thread_of(const struct steer *s, int fd, const struct sockaddr *peer)
{
    if (!s || !peer || !loopback(s->family, peer))
        return -1;
    int cpu = -1;
    socklen_t len = sizeof cpu;
    if (getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) != 0 || cpu < 0 ||
        cpu >= CPU_SETSIZE)
        return -1;
    return s->thread_of[cpu];
}
