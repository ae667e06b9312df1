/* Polling waits: spin briefly (low latency when the peer is ready), then
 * yield, then sleep with backoff (so an oversubscribed core is given away). */
#include "transport.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "brainbody/proto.h"
#include "status.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One back-off step; returns 0 once timeout_s has passed since t0. Spin for
 * the first 100 us (an exchange round trip is a few us: a system call per
 * poll would cost more than the wait), then yield the core up to 2 ms, then
 * sleep with a growing pause of at most 1 ms. */
static int backoff(unsigned long iter, double t0, double timeout_s)
{
    if (iter < 16) return 1;
    double waited = now_s() - t0;
    if (waited < 100e-6) return 1;
    if (waited > timeout_s) return 0;
    if (waited < 2e-3) {
        sched_yield();
        return 1;
    }
    double pause = waited / 16 < 1e-3 ? waited / 16 : 1e-3;
    struct timespec ts = {0, (long)(pause * 1e9)};
    nanosleep(&ts, NULL);
    return 1;
}

int bb_wait_or_hold(MPI_Request *req, MPI_Status *st, int src, MPI_Comm comm, double timeout_s, int *held,
                    uint64_t *at, char *err, size_t cap)
{
    double t0 = now_s();
    for (unsigned long iter = 0;; iter++) {
        int done = 0, flag = 0;
        MPI_Test(req, &done, st ? st : MPI_STATUS_IGNORE);
        if (done) return 0;
        MPI_Status ps;
        MPI_Iprobe(src, BB_TAG_HOLD, comm, &flag, &ps);
        if (flag) {
            unsigned char m[BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE + 16];
            int len = 0;
            MPI_Get_count(&ps, MPI_BYTE, &len);
            if (len < 0 || (size_t)len > sizeof m) {
                snprintf(err, cap, "hold packet of %d bytes from rank %d", len, src);
                return -1;
            }
            MPI_Recv(m, len, MPI_BYTE, src, BB_TAG_HOLD, comm, MPI_STATUS_IGNORE);
            uint64_t exchange;
            uint32_t state;
            bb_proto_status pst;
            char why[256];
            if (bb_decode_hold(m, (size_t)len, &exchange, &state, &pst)) {
                snprintf(err, cap, "hold packet from rank %d rejected: %s", src, bb_proto_describe(&pst, why, sizeof why));
                return -1;
            }
            if (state == BB_HOLD_STOP) {
                MPI_Cancel(req);
                MPI_Wait(req, MPI_STATUS_IGNORE);
                return 1;
            }
            if (state == BB_HOLD_CHECKPOINT || state == BB_HOLD_COMMAND) {
                *at = exchange;
                return state == BB_HOLD_CHECKPOINT ? 2 : 3;
            }
            if (state != BB_HOLD_PAUSE && state != BB_HOLD_RESUME) {
                snprintf(err, cap, "hold packet from rank %d has state %u, which only brain ranks send", src,
                         (unsigned)state);
                return -1;
            }
            *held = state == BB_HOLD_PAUSE;
            t0 = now_s(), iter = 0; /* the watchdog restarts from a resume */
            continue;
        }
        if (*held) {
            struct timespec ts = {0, 1000000L}; /* held: nothing will come soon */
            nanosleep(&ts, NULL);
        } else if (!backoff(iter, t0, timeout_s)) {
            snprintf(err, cap, "no feedback from coupler rank %d within %g s (watchdog.timeout_s)", src, timeout_s);
            return -1;
        }
    }
}

int bb_wait_all(int n, MPI_Request *reqs, MPI_Status *st, double timeout_s)
{
    double t0 = now_s();
    for (unsigned long iter = 0;; iter++) {
        int done = 0;
        MPI_Testall(n, reqs, &done, st ? st : MPI_STATUSES_IGNORE);
        if (done) return -1;
        if (!backoff(iter, t0, timeout_s)) break;
    }
    for (int i = 0; i < n; i++) {
        int done = 0;
        MPI_Request_get_status(reqs[i], &done, MPI_STATUS_IGNORE);
        if (!done) return i;
    }
    return -1;
}

long bb_recv_any_size(int src, int tag, MPI_Comm comm, unsigned char **buf, size_t *cap, double timeout_s)
{
    double t0 = now_s();
    MPI_Message msg;
    MPI_Status st;
    for (unsigned long iter = 0;; iter++) {
        int found = 0;
        MPI_Improbe(src, tag, comm, &found, &msg, &st);
        if (found) break;
        if (!backoff(iter, t0, timeout_s)) return -1;
    }
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if ((size_t)count > *cap) {
        unsigned char *grown = realloc(*buf, (size_t)count);
        if (!grown) bb_fatal(4, "out of memory for a %d-byte message from rank %d", count, src);
        *buf = grown;
        *cap = (size_t)count;
    }
    MPI_Mrecv(*buf, count, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
    return count;
}

static void (*fatal_cleanup)(void *, const char *);
static void *fatal_ctx;

void bb_fatal_set_cleanup(void (*cleanup)(void *ctx, const char *message), void *ctx)
{
    fatal_cleanup = cleanup;
    fatal_ctx = ctx;
}

void bb_fatal(int code, const char *fmt, ...)
{
    char where[128], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "brainbody: %s: %s\n", bb_status_where(where, sizeof where), msg);
    fflush(stderr);
    if (fatal_cleanup) {
        void (*cleanup)(void *, const char *) = fatal_cleanup;
        fatal_cleanup = NULL; /* once, even if the cleanup fails fatally itself */
        cleanup(fatal_ctx, msg);
    }
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code); /* not reached */
}
