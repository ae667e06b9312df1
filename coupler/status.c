/* Rank status for fault messages. The signal handler only uses write(2) and
 * formats integers itself: nothing else is async-signal-safe. */
#include "status.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int g_rank = -1;
static const char *volatile g_role = "?";
static volatile uint64_t g_exchange;
static volatile int g_activity;
static volatile int g_peer = -1;
static volatile int64_t g_exchange_ns;

static const char *const activity_text[] = {
    [BB_SETUP] = "setting up",
    [BB_COMPUTING] = "computing",
    [BB_WAITING_SPIKES] = "waiting for spikes from rank",
    [BB_WAITING_FEEDBACK] = "waiting for feedback from rank",
    [BB_SENDING_FEEDBACK] = "sending feedback",
    [BB_HELD] = "held (paused by a control command)",
    [BB_CHECKPOINTING] = "writing a checkpoint",
    [BB_FINISHING] = "finishing",
};

void bb_status_init(int world_rank, const char *role)
{
    g_rank = world_rank;
    g_role = role;
}

void bb_status_set_interval_ns(int64_t exchange_ns) { g_exchange_ns = exchange_ns; }

void bb_status_set(uint64_t exchange, bb_activity what, int peer_rank)
{
    g_exchange = exchange;
    g_activity = (int)what;
    g_peer = peer_rank;
}

const char *bb_status_where(char *buf, unsigned cap)
{
    snprintf(buf, cap, "rank %d (%s), exchange %llu", g_rank, g_role, (unsigned long long)g_exchange);
    return buf;
}

static size_t put_str(char *dst, size_t at, size_t cap, const char *s)
{
    while (*s && at + 1 < cap) dst[at++] = *s++;
    return at;
}

static size_t put_num(char *dst, size_t at, size_t cap, long long v)
{
    char tmp[24];
    int n = 0;
    unsigned long long u = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
    do tmp[n++] = (char)('0' + u % 10); while ((u /= 10) && n < 23);
    if (v < 0 && at + 1 < cap) dst[at++] = '-';
    while (n && at + 1 < cap) dst[at++] = tmp[--n];
    return at;
}

static void on_signal(int sig)
{
    char m[256];
    size_t n = 0, cap = sizeof m;
    n = put_str(m, n, cap, "brainbody: rank ");
    n = put_num(m, n, cap, g_rank);
    n = put_str(m, n, cap, " (");
    n = put_str(m, n, cap, g_role);
    n = put_str(m, n, cap, ") stopped by signal ");
    n = put_num(m, n, cap, sig);
    n = put_str(m, n, cap, " at exchange ");
    n = put_num(m, n, cap, (long long)g_exchange);
    if (g_exchange_ns > 0) { /* the simulated time at the exchange's start, in ms */
        n = put_str(m, n, cap, " (t = ");
        n = put_num(m, n, cap, (long long)(g_exchange * (uint64_t)g_exchange_ns / 1000000u));
        n = put_str(m, n, cap, " ms)");
    }
    n = put_str(m, n, cap, " while ");
    int a = g_activity;
    n = put_str(m, n, cap, a >= 0 && a <= BB_FINISHING ? activity_text[a] : "?");
    if (a == BB_WAITING_SPIKES || a == BB_WAITING_FEEDBACK) {
        n = put_str(m, n, cap, " ");
        n = put_num(m, n, cap, g_peer);
    }
    if (sig == SIGTERM) n = put_str(m, n, cap, " (a peer rank failed, or the job was cancelled)");
    n = put_str(m, n, cap, "\n");
    ssize_t w = write(STDERR_FILENO, m, n);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

void bb_status_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}
