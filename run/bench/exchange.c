/* Benchmark: the coupler's time per exchange against a bare MPI exchange of
 * the same bytes in the same pipelined pattern, in one run (run/bench/exchange).
 *
 * Sizes (issue "Foundation"): 1,000 output cells at 20 Hz with 5 ms intervals
 * (about 100 spikes per interval), 853 muscles, 4 paws x 64 taxels, 853 x 3
 * proprioceptive channels. The roles here do no neural or physical work; what
 * is timed is the exchange: packets, checks, merge, efferent map, digest.
 * Benchmark-only roles, not part of the product. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/brain.h"
#include "config.h"
#include "loop.h"
#include "plan.h"

#define N_MUSCLES 853
#define N_TAXELS 256
#define N_PROPRIO (3 * N_MUSCLES)
#define PATTERNS 64

typedef struct spikes_of {
    bb_spike *s;
    long n;
} spikes_of;

static spikes_of pattern[PATTERNS]; /* precomputed spikes, cycled */
static bb_block mine;

static long bench_brain_step(void *ctx, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                             char *err, size_t errcap)
{
    (void)ctx, (void)fb, (void)err, (void)errcap;
    const spikes_of *p = &pattern[iv->exchange % PATTERNS];
    size_t n = 0;
    for (long i = 0; i < p->n && n < cap; i++)
        if (p->s[i].source >= mine.first && p->s[i].source < mine.first + mine.count) out[n++] = p->s[i];
    return (long)n;
}

static int make_brain(const bb_config *cfg, const bb_plan *plan, MPI_Comm comm, const bb_body_sizes *body,
                      bb_brain_role *out, char *err, size_t cap)
{
    (void)comm, (void)body, (void)err, (void)cap;
    mine = bb_partition_block(cfg->output_cells, plan->n_brain, plan->brain_index);
    *out = (bb_brain_role){NULL, (size_t)mine.count * plan->brain_steps_per_exchange, bench_brain_step, NULL, {0}, NULL, NULL};
    return 0;
}

static float fixed_taxels[N_TAXELS], fixed_proprio[N_PROPRIO];

static int bench_body_step(void *ctx, uint64_t k, const float *exc, float *taxels, float *proprio, char *err,
                           size_t errcap)
{
    (void)ctx, (void)k, (void)exc, (void)err, (void)errcap;
    memcpy(taxels, fixed_taxels, sizeof fixed_taxels);
    memcpy(proprio, fixed_proprio, sizeof fixed_proprio);
    return 0;
}

static int make_body(const bb_config *cfg, const bb_plan *plan, bb_body_role *out, char *err, size_t cap)
{
    (void)cfg, (void)plan, (void)err, (void)cap;
    *out = (bb_body_role){NULL, {N_MUSCLES, N_TAXELS, N_PROPRIO, NULL, NULL}, bench_body_step, NULL, NULL, NULL, NULL, NULL};
    return 0;
}

/* The same message pattern with bare MPI: each brain rank sends its share of
 * the spike bytes, the coupler sends the feedback bytes back, pipelined. */
static double bare_exchange(const bb_plan *p, uint64_t n, size_t spike_bytes, size_t fb_bytes)
{
    unsigned char *sp = calloc(spike_bytes * (size_t)p->n_brain + 1, 1), *fb[2] = {calloc(fb_bytes, 1), calloc(fb_bytes, 1)};
    MPI_Request *req = calloc((size_t)p->n_brain * 2 + 2, sizeof *req);
    for (int i = 0; i < p->n_brain * 2 + 2; i++) req[i] = MPI_REQUEST_NULL;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    if (p->role == BB_ROLE_BODY) {
        for (uint64_t k = 0; k < n; k++) {
            for (int r = 0; r < p->n_brain; r++)
                MPI_Irecv(sp + (size_t)r * spike_bytes, (int)spike_bytes, MPI_BYTE, 1 + r, 1, MPI_COMM_WORLD, &req[r]);
            MPI_Waitall(p->n_brain, req, MPI_STATUSES_IGNORE);
            MPI_Waitall(p->n_brain, req + p->n_brain, MPI_STATUSES_IGNORE);
            if (k + 1 < n)
                for (int r = 0; r < p->n_brain; r++)
                    MPI_Isend(fb[k & 1], (int)fb_bytes, MPI_BYTE, 1 + r, 2, MPI_COMM_WORLD, &req[p->n_brain + r]);
            else
                for (int r = 0; r < p->n_brain; r++) req[p->n_brain + r] = MPI_REQUEST_NULL;
        }
        MPI_Waitall(p->n_brain, req + p->n_brain, MPI_STATUSES_IGNORE);
    } else {
        MPI_Request rx = MPI_REQUEST_NULL, tx = MPI_REQUEST_NULL;
        for (uint64_t k = 0; k < n; k++) {
            MPI_Wait(&rx, MPI_STATUS_IGNORE);
            if (k + 1 < n) MPI_Irecv(fb[k & 1], (int)fb_bytes, MPI_BYTE, 0, 2, MPI_COMM_WORLD, &rx);
            MPI_Wait(&tx, MPI_STATUS_IGNORE);
            MPI_Isend(sp, (int)spike_bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, &tx);
        }
        MPI_Wait(&tx, MPI_STATUS_IGNORE);
    }
    double dt = MPI_Wtime() - t0;
    MPI_Barrier(MPI_COMM_WORLD);
    free(sp), free(fb[0]), free(fb[1]), free(req);
    return dt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static bb_config cfg;
    static char err[4096];
    MPI_Init(&argc, &argv);
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc < 2) {
        if (rank == 0) fprintf(stderr, "usage: mpirun -np N bench_exchange EXP.yaml [--set k=v]... (N >= 2)\n");
        MPI_Finalize();
        return 2;
    }
    bb_override ov[16];
    int n_ov = 0;
    for (int i = 2; i + 1 < argc && n_ov < 16; i += 2) ov[n_ov++].text = argv[i + 1];
    bb_plan plan;
    if (bb_config_load(argv[1], ov, n_ov, &cfg, err, sizeof err) || bb_plan_make(&cfg, size, rank, &plan, err, sizeof err)) {
        if (rank == 0) fprintf(stderr, "%s\n", err);
        MPI_Finalize();
        return 2;
    }
    /* Poisson spikes of all cells for PATTERNS intervals, sorted as a brain rank sends them. */
    long total = 0;
    for (int i = 0; i < PATTERNS; i++) {
        bb_poisson_pop pop = {cfg.seed, 0, {0, cfg.output_cells}, cfg.rate_hz, cfg.brain_dt_ms};
        size_t cap = (size_t)cfg.output_cells * plan.brain_steps_per_exchange;
        pattern[i].s = malloc(cap * sizeof(bb_spike));
        pattern[i].n = bb_poisson_spikes(&pop, (uint64_t)i * plan.brain_steps_per_exchange,
                                         plan.brain_steps_per_exchange, pattern[i].s, cap);
        total += pattern[i].n;
    }
    for (int i = 0; i < N_PROPRIO; i++) fixed_proprio[i] = 0.001f * (float)i;
    double mean_spikes = (double)total / PATTERNS;
    size_t spike_bytes = bb_spikes_packet_size((uint32_t)(mean_spikes / plan.n_brain + 0.5));
    size_t fb_bytes = bb_feedback_packet_size(N_TAXELS, N_PROPRIO, BB_TASK_CHANNELS);
    uint64_t n = plan.n_exchanges;

    static const bb_role_factory roles = {make_body, make_brain};
    enum { REPS = 5 };
    double bare[REPS], coupled[REPS];
    int with_mpi = size > 1; /* one rank: the pipeline's own cost, no transfer */
    if (with_mpi) bare_exchange(&plan, n / 10 + 1, spike_bytes, fb_bytes); /* warm-up */
    for (int rep = 0; rep < REPS; rep++) { /* interleaved, so drift hits both alike */
        bare[rep] = with_mpi ? bare_exchange(&plan, n, spike_bytes, fb_bytes) / (double)n : 0;
        bb_run_result res;
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        if (bb_coupler_run(&cfg, &plan, &roles, NULL, &res, err, sizeof err)) MPI_Abort(MPI_COMM_WORLD, 2);
        coupled[rep] = (MPI_Wtime() - t0) / (double)n;
        MPI_Barrier(MPI_COMM_WORLD);
    }
    if (rank == 0 && !with_mpi) {
        qsort(coupled, REPS, sizeof *coupled, cmp_double);
        printf("exchange benchmark, 1 rank: the coupler pipeline alone (brain and body sides, encode, decode,\n"
               "checks, merge, efferent map, digest; no MPI transfer): %.2f us per exchange (median of %d x %llu)\n",
               coupled[REPS / 2] * 1e6, REPS, (unsigned long long)n);
    } else if (rank == 0) {
        qsort(bare, REPS, sizeof *bare, cmp_double);
        qsort(coupled, REPS, sizeof *coupled, cmp_double);
        printf("exchange benchmark: %d ranks (1 body+coupler, %d brain), %llu exchanges x %d repetitions\n", size,
               plan.n_brain, (unsigned long long)n, REPS);
        printf("  per exchange: %.0f spikes from %u cells at %g Hz, %d muscles, %d taxels, %d proprio channels\n",
               mean_spikes, cfg.output_cells, cfg.rate_hz, N_MUSCLES, N_TAXELS, N_PROPRIO);
        printf("  bytes: %zu per brain rank (spikes) + %zu per brain rank (feedback)\n", spike_bytes, fb_bytes);
        printf("  bare MPI_Isend/MPI_Irecv exchange: %8.2f us per exchange (median; min %.2f, max %.2f)\n",
               bare[REPS / 2] * 1e6, bare[0] * 1e6, bare[REPS - 1] * 1e6);
        printf("  brainbody coupler exchange:        %8.2f us per exchange (median; min %.2f, max %.2f)\n",
               coupled[REPS / 2] * 1e6, coupled[0] * 1e6, coupled[REPS - 1] * 1e6);
        printf("  ratio coupler / bare: %.2f (target <= 1.5)\n", coupled[REPS / 2] / bare[REPS / 2]);
    }
    for (int i = 0; i < PATTERNS; i++) free(pattern[i].s);
    MPI_Finalize();
    return 0;
}
