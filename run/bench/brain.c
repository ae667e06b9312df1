/* The engine on a balanced random network (Brunel 2000, model A, with the
 * LIF/exponential-synapse neuron and weights of Potjans & Diesmann 2014:
 * 87.8 pA excitatory, g = -5 relative inhibition, 80 % E / 20 % I, fixed
 * in-degree 10 % of the network up to K, delays 1.5 ms, Poisson drive).
 * Prints synaptic events per second per core, bytes per synapse and the
 * real-time factor. usage: bench_brain N K SIM_MS [EXT_HZ] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "brainbody/brain.h"

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench_brain: %s: %s\n", what, err);
    MPI_Abort(MPI_COMM_WORLD, 2);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 4) {
        if (!rank) fprintf(stderr, "usage: bench_brain N K SIM_MS [EXT_HZ]\n");
        MPI_Finalize();
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[1], NULL, 10), k = (uint32_t)strtoul(argv[2], NULL, 10);
    double sim_ms = strtod(argv[3], NULL), ext_hz = argc > 4 ? strtod(argv[4], NULL) : 9000;
    uint32_t ne = n / 5 * 4, ni = n - ne, ke = k / 5 * 4, ki = k - ke;
    const double h = 0.1, J = 87.8, g = -5.0;
    char err[512];

    double t0 = MPI_Wtime();
    bb_network *net = bb_network_create(12345, h);
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    p.V_init_min = -65, p.V_init_max = -50;
    int e = bb_network_add_population(net, "E", ne, &p, 1000, 1000);
    int i = bb_network_add_population(net, "I", ni, &p, 1000, 1000);
    bb_network_add_poisson_drive(net, e, ext_hz, J);
    bb_network_add_poisson_drive(net, i, ext_hz, J);
    bb_dist d = {.kind = BB_DIST_FIXED, .a = 1.5};
    bb_dist we = {.kind = BB_DIST_FIXED, .a = J}, wi = {.kind = BB_DIST_FIXED, .a = g * J};
    for (int post = e; post <= i; post++) {
        bb_projection pe = {.pre = e, .post = post, .rule = BB_CONN_FIXED_INDEGREE, .indegree = ke, .weight = we,
                            .delay_ms = d};
        bb_projection pi = {.pre = i, .post = post, .rule = BB_CONN_FIXED_INDEGREE, .indegree = ki, .weight = wi,
                            .delay_ms = d};
        if (bb_network_connect(net, &pe, err, sizeof err) || bb_network_connect(net, &pi, err, sizeof err))
            die("connect", err);
    }
    bb_sim *sim = bb_sim_create(net, MPI_COMM_WORLD, err, sizeof err);
    if (!sim) die("build", err);
    MPI_Barrier(MPI_COMM_WORLD);
    double t1 = MPI_Wtime();
    uint64_t steps = (uint64_t)(sim_ms / h + 0.5);
    steps -= steps % bb_sim_min_delay_steps(sim);
    if (bb_sim_run(sim, steps, NULL, NULL, err, sizeof err)) die("run", err);
    MPI_Barrier(MPI_COMM_WORLD);
    double t2 = MPI_Wtime();

    unsigned long long local[3] = {bb_sim_local_events(sim), bb_sim_local_synapses(sim), bb_sim_synapse_bytes(sim)},
                       sum[3];
    MPI_Reduce(local, sum, 3, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (!rank) {
        double sim_s = (double)steps * h * 1e-3, wall = t2 - t1;
        double spikes = (double)(bb_sim_population_spikes(sim, e) + bb_sim_population_spikes(sim, i));
        printf("ranks=%d neurons=%u in-degree=%u synapses=%llu bytes/synapse=%.2f build=%.2fs\n", size, n, k, sum[1],
               (double)sum[2] / (double)sum[1], t1 - t0);
        printf("  simulated=%.2fs wall=%.2fs rate=%.2fHz events=%.3g events/s/core=%.3g real-time-factor=%.1f\n", sim_s,
               wall, spikes / n / sim_s, (double)sum[0], (double)sum[0] / wall / size, wall / sim_s);
    }
    bb_sim_free(sim);
    bb_network_free(net);
    MPI_Finalize();
    return 0;
}
