/* Coupling efficiency (run/bench/loop): the same experiment (run/demo.yaml
 * by default: the cortex and the 853-muscle mouse) three ways in one mpirun,
 * with the product's own brain and body:
 *   brain alone - the brain ranks integrate every interval, no body;
 *   body alone  - the body rank steps every interval, no brain (at the same
 *                 time as the brain alone, so both share the machine as in
 *                 the coupled run);
 *   coupled     - the lockstep loop, brain and body exchanging every interval.
 * Efficiency = max(brain alone, body alone) / coupled: 1 when the pipeline
 * hides the coupling entirely. The coupler's time per exchange is what the
 * coupled run takes beyond the slower side, per exchange.
 * Usage: mpirun -np N bench_loop EXPERIMENT.yaml [--set key=value]... */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "loop.h"
#include "plan.h"

static double seconds_alone(const bb_config *cfg, const bb_plan *plan, MPI_Comm brain_comm)
{
    char err[1024];
    double t0 = MPI_Wtime(), t = 0;
    if (plan->role == BB_ROLE_BODY) {
        bb_body_role body;
        if (bb_product_roles.make_body(cfg, plan, &body, err, sizeof err)) {
            fprintf(stderr, "bench_loop: %s\n", err);
            MPI_Abort(MPI_COMM_WORLD, 5);
        }
        float *ex = calloc(body.sizes.n_muscles + 1, sizeof *ex), *tx = calloc(body.sizes.n_taxels + 1, sizeof *tx),
              *pr = calloc(body.sizes.n_proprio + 1, sizeof *pr);
        t0 = MPI_Wtime();
        for (uint64_t k = 0; k < plan->n_exchanges; k++)
            if (body.step(body.ctx, k, ex, tx, pr, err, sizeof err)) MPI_Abort(MPI_COMM_WORLD, 5);
        t = MPI_Wtime() - t0;
        body.destroy(body.ctx);
        free(ex), free(tx), free(pr);
    } else {
        bb_brain_role brain;
        bb_body_sizes none = {0};
        if (bb_product_roles.make_brain(cfg, plan, brain_comm, &none, &brain, err, sizeof err)) {
            fprintf(stderr, "bench_loop: %s\n", err);
            MPI_Abort(MPI_COMM_WORLD, 5);
        }
        bb_spike *out = calloc(brain.max_spikes + 1, sizeof *out);
        MPI_Barrier(brain_comm);
        t0 = MPI_Wtime();
        for (uint64_t k = 0; k < plan->n_exchanges; k++) {
            uint64_t n = plan->brain_steps_per_exchange;
            bb_interval iv = {k, k * n, (k + 1) * n};
            if (brain.step(brain.ctx, &iv, NULL, out, brain.max_spikes, err, sizeof err) < 0) {
                fprintf(stderr, "bench_loop: %s\n", err);
                MPI_Abort(MPI_COMM_WORLD, 5);
            }
        }
        t = MPI_Wtime() - t0;
        brain.destroy(brain.ctx);
        free(out);
    }
    return t;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    static bb_config cfg;
    static char err[8192];
    bb_override ov[32];
    int n_ov = 0;
    for (int i = 2; i + 1 < argc && n_ov < 32; i += 2)
        if (!strcmp(argv[i], "--set")) ov[n_ov++].text = argv[i + 1];
    bb_plan plan;
    if (argc < 2 || bb_config_load(argv[1], ov, n_ov, &cfg, err, sizeof err) ||
        bb_plan_make(&cfg, size, rank, &plan, err, sizeof err)) {
        if (!rank) fprintf(stderr, "bench_loop: %s\n", argc < 2 ? "usage: bench_loop EXPERIMENT.yaml" : err);
        MPI_Finalize();
        return 2;
    }
    if (plan.single_process) {
        if (!rank) fprintf(stderr, "bench_loop: needs at least 2 ranks (body and brain apart)\n");
        MPI_Finalize();
        return 2;
    }
    cfg.record_spikes = cfg.record_body = 0; /* time the computing, not the disk */
    MPI_Comm brain_comm;
    MPI_Comm_split(MPI_COMM_WORLD, plan.role == BB_ROLE_BRAIN, rank, &brain_comm);
    double mine = seconds_alone(&cfg, &plan, brain_comm), body_s = 0, brain_s = 0;
    MPI_Reduce(plan.role == BB_ROLE_BODY ? &mine : &(double){0}, &body_s, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(plan.role == BB_ROLE_BRAIN ? &mine : &(double){0}, &brain_s, 1, MPI_DOUBLE, MPI_MAX, 0,
               MPI_COMM_WORLD);
    MPI_Comm_free(&brain_comm);
    bb_run_result res;
    MPI_Barrier(MPI_COMM_WORLD);
    if (bb_coupler_run(&cfg, &plan, &bb_product_roles, NULL, &res, err, sizeof err)) {
        fprintf(stderr, "bench_loop: rank %d: %s\n", rank, err);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (!rank) {
        double slower = body_s > brain_s ? body_s : brain_s, sim = cfg.duration_s;
        printf("bench_loop: %s, %g s simulated, %llu exchanges, %d ranks (1 body+coupler, %d brain)\n", argv[1], sim,
               (unsigned long long)plan.n_exchanges, size, plan.n_brain);
        printf("  brain alone   %.3f s wall (real-time factor %.3f)\n", brain_s, sim / brain_s);
        printf("  body alone    %.3f s wall (real-time factor %.3f)\n", body_s, sim / body_s);
        printf("  coupled       %.3f s wall (real-time factor %.3f)\n", res.wall_s, sim / res.wall_s);
        printf("  coupling efficiency  %.3f  (slower side alone / coupled; target >= 0.9)\n", slower / res.wall_s);
        printf("  beyond the slower side: %.1f us per exchange\n",
               (res.wall_s - slower) / (double)plan.n_exchanges * 1e6);
    }
    MPI_Finalize();
    return 0;
}
