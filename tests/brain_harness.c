/* Test-only: a mixed network (or, with "cortex", the default cortex model
 * at a small size) on however many ranks mpirun gives; rank 0 writes every
 * spike (step, id) to LOG so rank counts can be compared.
 * usage: brain_harness LOG [cortex] */
#include <mpi.h>
#include <stdio.h>

#include <string.h>

#include "brainbody/cortex.h"

static void log_spikes(void *ctx, const bb_spike *s, uint32_t n, uint64_t block_start)
{
    FILE *f = ctx;
    for (uint32_t i = 0; f && i < n; i++)
        fprintf(f, "%llu %u\n", (unsigned long long)(block_start + s[i].offset), s[i].source);
}

static void connect(bb_network *net, bb_projection p)
{
    char err[256];
    if (bb_network_connect(net, &p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

/* Runs 200 ms, setting both afferent ports every block as a coupler would. */
static int run(bb_network *net, int rate_port, int current_port, const char *log, int rank)
{
    char err[512];
    bb_sim *sim = bb_sim_create(net, MPI_COMM_WORLD, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "rank %d: %s\n", rank, err);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    FILE *f = rank == 0 ? fopen(log, "w") : NULL;
    uint64_t steps = 2000; /* 200 ms */
    steps -= steps % bb_sim_min_delay_steps(sim);
    uint32_t block = bb_sim_min_delay_steps(sim);
    for (uint64_t done = 0; done < steps; done += block) {
        double rates[7], currents[7]; /* what a coupler would send: changes every block */
        for (int k = 0; k < 7; k++) rates[k] = 100.0 * (double)((done / block + (uint64_t)k) % 9);
        for (int k = 0; k < 7; k++) currents[k] = (double)((done / block) % 5 + (uint64_t)k);
        if (bb_sim_set_afferent(sim, rate_port, rates, 7) || bb_sim_set_afferent(sim, current_port, currents, bb_network_afferent_channels(net, current_port)) ||
            bb_sim_run(sim, block, log_spikes, f, err, sizeof err)) {
            fprintf(stderr, "rank %d: afferent or run failed: %s\n", rank, err);
            MPI_Abort(MPI_COMM_WORLD, 5);
        }
    }
    unsigned long long syn = bb_sim_local_synapses(sim), all = 0;
    MPI_Reduce(&syn, &all, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (f) {
        fclose(f);
        printf("brain_harness: synapses=%llu steps=%llu\n", all, (unsigned long long)steps);
    }
    bb_sim_free(sim);
    bb_network_free(net);
    MPI_Finalize();
    return 0;
}

/* Both hemispheres, M1 and S1, thalamic ports: every kind of projection. */
static bb_network *cortex(int *port0, int *port1)
{
    bb_cortex_spec spec = bb_cortex_defaults();
    spec.m1_nx = 3, spec.m1_ny = 2, spec.s1_nx = spec.s1_ny = 2;
    spec.background_hz = 3000;
    spec.afferent_channels = 7;
    bb_cortex c;
    char err[512];
    if (bb_cortex_build(&spec, &c, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    bb_region voxel = {100, 0, 200, 100};
    double t[] = {50}, v[] = {12};
    bb_network_add_step_current(c.net, c.pop[BB_LEFT][BB_M1][BB_L23][BB_EXC], &voxel, 1, t, v, err, sizeof err);
    *port0 = c.afferent_port[BB_LEFT];
    *port1 = c.afferent_port[BB_RIGHT];
    return c.net;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc > 2 && !strcmp(argv[2], "cortex")) {
        int a, b;
        bb_network *net = cortex(&a, &b);
        return run(net, a, b, argv[1], rank);
    }
    bb_network *net = bb_network_create(20261123, 0.1);
    bb_neuron_params lif = bb_iaf_psc_exp_defaults();
    lif.V_init_min = -65, lif.V_init_max = -51; /* random initial states */
    bb_neuron_params rs = bb_izhikevich_preset_params(BB_IZH_RS), cond = bb_iaf_cond_exp_defaults();
    cond.V_init_min = -70, cond.V_init_max = -56;
    int e = bb_network_add_population(net, "E", 800, &lif, 400, 400);
    int i = bb_network_add_population(net, "I", 200, &lif, 400, 400);
    int z = bb_network_add_population(net, "Izh", 101, &rs, 400, 400);
    int c = bb_network_add_population(net, "Cond", 99, &cond, 400, 400);
    bb_network_add_poisson_drive(net, e, 8000, 87.8);
    bb_network_add_poisson_drive(net, i, 8000, 87.8);
    bb_network_add_poisson_drive(net, z, 1000, 3.0);
    bb_network_add_poisson_drive(net, c, 10000, 6.0); /* mean g_ex 12 nS: V_inf about -41 mV */
    bb_dist d_uni = {.kind = BB_DIST_UNIFORM, .a = 1.0, .b = 3.0};
    bb_dist w_e = {.kind = BB_DIST_NORMAL_REDRAW, .a = 87.8, .b = 8.8, .lo = 0, .hi = 1e9};
    bb_dist w_i = {.kind = BB_DIST_NORMAL_REDRAW, .a = -351.2, .b = 35.1, .lo = -1e9, .hi = 0};
    connect(net, (bb_projection){.pre = e, .post = e, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 80, .weight = w_e, .delay_ms = d_uni});
    connect(net, (bb_projection){.pre = e, .post = i, .rule = BB_CONN_BERNOULLI, .p = 0.1, .weight = w_e, .delay_ms = d_uni});
    connect(net, (bb_projection){.pre = i, .post = e, .rule = BB_CONN_GAUSSIAN_2D, .p0 = 0.5, .sigma_um = 100, .periodic = 1, .weight = w_i, .delay_ms = d_uni});
    connect(net, (bb_projection){.pre = i, .post = i, .rule = BB_CONN_FIXED_TOTAL, .total = 4000, .weight = w_i, .delay_ms = d_uni});
    connect(net, (bb_projection){.pre = e, .post = z, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 20, .multapses = 1,
                                 .weight = {.kind = BB_DIST_LOGNORMAL, .a = 0.0, .b = 0.5}, .delay_ms = d_uni});
    connect(net, (bb_projection){.pre = e, .post = c, .rule = BB_CONN_BERNOULLI, .p = 0.05,
                                 .weight = {.kind = BB_DIST_UNIFORM, .a = 0.5, .b = 2.0}, .delay_ms = d_uni});
    char err[512];
    /* inputs whose per-cell work depends on the partition: a step current on
     * a region of the sheet, and both kinds of afferent port */
    bb_region left_half = {0, 0, 200, 400};
    double t_ms[] = {20, 120}, amp[] = {150, 0};
    if (bb_network_add_step_current(net, i, &left_half, 2, t_ms, amp, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    int rate_port = bb_network_add_afferent(net, z, 7, BB_AFFERENT_RATE, 4.0);
    int current_port = bb_network_add_afferent(net, e, 3, BB_AFFERENT_CURRENT, 10.0);
    return run(net, rate_port, current_port, argv[1], rank);
}
