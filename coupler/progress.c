#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void bb_progress_start(bb_progress *p, double total_s)
{
    *p = (bb_progress){.on = isatty(STDERR_FILENO), .t0 = wall(), .total_s = total_s};
}

void bb_progress_update(bb_progress *p, double sim_s)
{
    if (!p->on) return;
    double now = wall();
    if (now - p->last < 0.25 && sim_s < p->total_s) return;
    p->last = now;
    double elapsed = now - p->t0, rtf = elapsed > 0 ? sim_s / elapsed : 0;
    double eta = rtf > 0 ? (p->total_s - sim_s) / rtf : 0;
    fprintf(stderr, "\r  %.2f / %.2f s simulated, %.3fx real time, %.0f s to go   ", sim_s, p->total_s, rtf, eta);
    fflush(stderr);
}

void bb_progress_end(bb_progress *p)
{
    if (!p->on) return;
    fprintf(stderr, "\r%72s\r", "");
    fflush(stderr);
}
