/* Polling waits: spin briefly (low latency when the peer is ready), then
 * yield, then sleep with backoff (so an oversubscribed core is given away). */
#include "transport.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
