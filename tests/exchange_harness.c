/* Test-only program: runs the real lockstep loop (bb_coupler_run) with
 * deterministic synthetic brain and body roles, checks every exchange
 * against what the roles must have sent, and logs one line per exchange so
 * runs on different rank counts can be compared byte for byte.
 *
 * usage: exchange_harness EXP.yaml LOG [--set k=v]... [--die-at K] [--bad-id-at K]
 *                         [--hang-at K] [--body-fail-at K] [--partition blocks|round-robin]
 * Faults are injected on brain rank 0 (world rank 1) or the body. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "brainbody/brain.h"
#include "config.h"
#include "loop.h"
#include "plan.h"
#include "status.h"

#define N_MUSCLES 853
#define N_TAXELS 256 /* 4 paws x 8 x 8 */
#define NO_FAULT UINT64_MAX

static uint64_t die_at = NO_FAULT, bad_id_at = NO_FAULT, hang_at = NO_FAULT, body_fail_at = NO_FAULT;
static int round_robin; /* cells dealt to ranks like cards, not in blocks */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The open-loop rule: cell c spikes at global step t about once per 997 steps. */
static int rule_spike(uint64_t seed, uint32_t c, uint64_t t)
{
    return mix(seed ^ mix(((uint64_t)c << 40) ^ t)) % 997 == 0;
}

/* The closed-loop spike: in the last step of interval k, the cell chosen by
 * the feedback of interval k-1 (which carries excitation from interval k-2). */
static int loop_cell(const float *proprio, uint32_t n_cells, uint32_t *cell)
{
    if (proprio[0] <= 0) return 0;
    *cell = (uint32_t)(proprio[0] * 1000.0f) % n_cells;
    return 1;
}

/* ---- synthetic brain */

typedef struct syn_brain {
    uint64_t seed;
    uint32_t first, count, n_cells, steps;
    int index, n_ranks;
} syn_brain;

static int owns(const syn_brain *b, uint32_t c)
{
    if (round_robin) return c % (uint32_t)b->n_ranks == (uint32_t)b->index;
    return c >= b->first && c < b->first + b->count;
}

static long syn_brain_step(void *ctx, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                           char *err, size_t errcap)
{
    syn_brain *b = ctx;
    uint64_t k = iv->exchange;
    if (b->index == 0 && k == die_at) raise(SIGKILL);
    if (b->index == 0 && k == hang_at)
        for (;;) pause();
    if (k > 0) { /* the feedback must be that of interval k-1, intact */
        if (!fb || fb->exchange != k - 1) {
            snprintf(err, errcap, "exchange %llu: feedback missing or for the wrong interval",
                     (unsigned long long)k);
            return -1;
        }
        for (uint32_t i = 0; i < fb->n_taxels; i++)
            if (fb->taxels[i] != (float)((k - 1) % 13 + i)) {
                snprintf(err, errcap, "exchange %llu: taxel %u corrupted", (unsigned long long)k, i);
                return -1;
            }
    }
    size_t n = 0;
    for (uint32_t s = 0; s + 1 < b->steps; s++)
        for (uint32_t c = 0; c < b->n_cells; c++)
            if (owns(b, c) && rule_spike(b->seed, c, iv->start_step + s)) {
                if (n == cap) return -1;
                out[n++] = (bb_spike){c, s};
            }
    uint32_t lc;
    if (fb && loop_cell(fb->proprio, b->n_cells, &lc) && owns(b, lc) && n < cap)
        out[n++] = (bb_spike){lc, b->steps - 1};
    if (b->index == 0 && k == bad_id_at && n < cap) out[n++] = (bb_spike){b->n_cells + 5, 0};
    return (long)n;
}

static int make_brain(const bb_config *cfg, const bb_plan *plan, MPI_Comm comm, const bb_body_sizes *body,
                      bb_brain_role *out, char *err, size_t cap)
{
    (void)comm, (void)body, (void)err, (void)cap;
    syn_brain *b = calloc(1, sizeof *b);
    bb_block blk = bb_partition_block(cfg->output_cells, plan->n_brain, plan->brain_index);
    *b = (syn_brain){cfg->seed, blk.first, blk.count, cfg->output_cells, plan->brain_steps_per_exchange,
                     plan->brain_index, plan->n_brain};
    *out = (bb_brain_role){b, (size_t)(blk.count + 1) * b->steps + 2, syn_brain_step, free, {0}, NULL, NULL};
    return 0;
}

/* ---- synthetic body: taxels count the interval, proprio echoes excitation */

static int syn_body_step(void *ctx, uint64_t k, const float *exc, float *taxels, float *proprio, char *err,
                         size_t errcap)
{
    (void)ctx;
    if (k == body_fail_at) {
        snprintf(err, errcap, "synthetic physics failure at exchange %llu", (unsigned long long)k);
        return -1;
    }
    for (uint32_t i = 0; i < N_TAXELS; i++) taxels[i] = (float)(k % 13 + i);
    for (uint32_t j = 0; j < 3 * N_MUSCLES; j++) proprio[j] = exc[j % N_MUSCLES];
    return 0;
}

static int make_body(const bb_config *cfg, const bb_plan *plan, bb_body_role *out, char *err, size_t cap)
{
    (void)cfg, (void)plan, (void)err, (void)cap;
    *out = (bb_body_role){NULL, {N_MUSCLES, N_TAXELS, 3 * N_MUSCLES, NULL, NULL}, syn_body_step, NULL, NULL, NULL, NULL, NULL};
    return 0;
}

static const bb_role_factory synthetic = {make_body, make_brain};

/* ---- observer on the coupler rank: check, then log */

typedef struct watch {
    const bb_config *cfg;
    const bb_plan *plan;
    FILE *log;
    float prev_proprio0;
    uint64_t verified;
    bb_spike *expect;
    size_t expect_cap;
} watch;

static int observe(void *ctx, const bb_exchange_record *r, char *err, size_t cap)
{
    (void)err, (void)cap;
    watch *w = ctx;
    const bb_interval *iv = r->interval;
    uint32_t steps = (uint32_t)(iv->end_step - iv->start_step), n = w->cfg->output_cells;
    size_t m = 0;
    for (uint32_t s = 0; s + 1 < steps; s++)
        for (uint32_t c = 0; c < n; c++)
            if (rule_spike(w->cfg->seed, c, iv->start_step + s)) {
                if (m == w->expect_cap) {
                    w->expect_cap = w->expect_cap * 2 + 256;
                    w->expect = realloc(w->expect, w->expect_cap * sizeof *w->expect);
                }
                w->expect[m++] = (bb_spike){c, s};
            }
    uint32_t lc;
    if (iv->exchange > 0 && loop_cell(&w->prev_proprio0, n, &lc)) w->expect[m++] = (bb_spike){lc, steps - 1};
    if (m != r->n_spikes || (m && memcmp(w->expect, r->spikes, m * sizeof *w->expect) != 0)) {
        fprintf(stderr, "harness: exchange %llu: %u spikes arrived, %zu expected (lost, duplicated or changed)\n",
                (unsigned long long)iv->exchange, r->n_spikes, m);
        MPI_Abort(MPI_COMM_WORLD, 9);
    }
    w->prev_proprio0 = r->proprio[0];
    w->verified++;
    uLong a = crc32(0, (const Bytef *)r->spikes, (uInt)(r->n_spikes * sizeof *r->spikes));
    uLong b = crc32(0, (const Bytef *)r->excitation, r->n_muscles * 4u);
    uLong c = crc32(crc32(0, (const Bytef *)r->taxels, r->n_taxels * 4u), (const Bytef *)r->proprio,
                    r->n_proprio * 4u);
    fprintf(w->log, "%llu %u %08lx %08lx %08lx\n", (unsigned long long)iv->exchange, r->n_spikes, a, b, c);
    return 0;
}

static uint64_t arg_u64(const char *s) { return strtoull(s, NULL, 10); }

int main(int argc, char **argv)
{
    static bb_config cfg;
    static char err[8192];
    bb_override ov[32];
    int n_ov = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: exchange_harness EXP.yaml LOG [options]\n");
        return 2;
    }
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--set") == 0 && n_ov < 32) ov[n_ov++].text = argv[i + 1];
        else if (strcmp(argv[i], "--die-at") == 0) die_at = arg_u64(argv[i + 1]);
        else if (strcmp(argv[i], "--bad-id-at") == 0) bad_id_at = arg_u64(argv[i + 1]);
        else if (strcmp(argv[i], "--hang-at") == 0) hang_at = arg_u64(argv[i + 1]);
        else if (strcmp(argv[i], "--body-fail-at") == 0) body_fail_at = arg_u64(argv[i + 1]);
        else if (strcmp(argv[i], "--partition") == 0) round_robin = strcmp(argv[i + 1], "round-robin") == 0;
        else {
            fprintf(stderr, "harness: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    MPI_Init(&argc, &argv);
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    bb_status_install_signal_handlers();
    bb_plan plan;
    if (bb_config_load(argv[1], ov, n_ov, &cfg, err, sizeof err) ||
        bb_plan_make(&cfg, size, rank, &plan, err, sizeof err)) {
        if (rank == 0) fprintf(stderr, "%s\n", err);
        MPI_Finalize();
        return 2;
    }
    watch w = {.cfg = &cfg, .plan = &plan};
    if (plan.role == BB_ROLE_BODY && !(w.log = fopen(argv[2], "w"))) {
        perror(argv[2]);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    bb_run_hooks hooks = {.ctx = &w, .observe = observe};
    bb_run_result res;
    int rc = bb_coupler_run(&cfg, &plan, &synthetic, &hooks, &res, err, sizeof err);
    if (plan.role == BB_ROLE_BODY) {
        fclose(w.log);
        printf("harness: ranks=%d exchanges=%llu verified=%llu spikes=%llu digest=%08x\n", size,
               (unsigned long long)res.exchanges, (unsigned long long)w.verified, (unsigned long long)res.spikes,
               (unsigned)res.digest);
    }
    free(w.expect);
    MPI_Finalize();
    return rc;
}
