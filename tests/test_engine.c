/* The spiking engine on one rank, against analytic results and the
 * literature. Each test is its own process (Criterion), so each initialises
 * MPI as a singleton. */
#include <criterion/criterion.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/brain.h"

static void mpi_up(void) { MPI_Init(NULL, NULL); }
static void mpi_down(void) { MPI_Finalize(); }
TestSuite(engine, .init = mpi_up, .fini = mpi_down);

static char err[512];

typedef struct spikes_seen {
    uint64_t step[4096];
    uint32_t id[4096];
    size_t n;
} spikes_seen;

static void record(void *ctx, const bb_spike *s, uint32_t n, uint64_t block_start)
{
    spikes_seen *r = ctx;
    for (uint32_t i = 0; i < n && r->n < 4096; i++, r->n++) {
        r->step[r->n] = block_start + s[i].offset;
        r->id[r->n] = s[i].source;
    }
}

/* A neuron that fires once, in update step 0, and never again. */
static int one_shot(bb_network *net)
{
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    p.t_ref = 1e6;
    p.V_init_min = p.V_init_max = p.V_th + 5;
    return bb_network_add_population(net, "source", 1, &p, 1, 1);
}

/* Rotter & Diesmann 1999: with exact integration the grid values of the PSP
 * are the analytic ones, V(tau) = w/C * ts tm/(tm - ts) (e^{-tau/tm} - e^{-tau/ts}). */
Test(engine, iaf_psc_exp_psp_is_exact)
{
    const double h = 0.1, w = (double)(float)87.8; /* synapses store float32 weights */
    bb_network *net = bb_network_create(1, h);
    int src = one_shot(net);
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    int dst = bb_network_add_population(net, "target", 1, &p, 1, 1);
    bb_projection pr = {.pre = src, .post = dst, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 1,
                        .weight = {.kind = BB_DIST_FIXED, .a = w}, .delay_ms = {.kind = BB_DIST_FIXED, .a = 1.0}};
    cr_assert_eq(bb_network_connect(net, &pr, err, sizeof err), 0, "%s", err);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    const uint32_t D = 10; /* 1 ms */
    cr_assert_eq(bb_sim_min_delay_steps(sim), D);
    const double ts = p.tau_syn_ex, tm = p.tau_m, C = p.C_m;
    double peak = 0;
    for (int block = 1; block <= 30; block++) {
        cr_assert_eq(bb_sim_run(sim, D, NULL, NULL, err, sizeof err), 0, "%s", err);
        /* the spike of step 0 enters the current in step D and the membrane from step D + 1 */
        long k = (long)bb_sim_step(sim) - 1 - (long)D;
        double tau = k * h, want = k <= 0 ? 0 : w / C * ts * tm / (tm - ts) * (exp(-tau / tm) - exp(-tau / ts));
        double got = bb_sim_voltage(sim, 1) - p.E_L;
        cr_assert(fabs(got - want) <= 1e-12 * fabs(want) + 1e-13, "tau %.1f ms: %.15g vs %.15g", tau, got, want);
        if (got > peak) peak = got;
    }
    cr_assert(peak > 0.1, "a PSP of %g mV", peak);
    bb_sim_free(sim);
    bb_network_free(net);
}

/* Under a constant current the LIF reaches threshold after
 * t* = -tau_m ln(1 - (V_th - E_L) / (I tau_m / C)); on the grid a spike is
 * detected at the first step end past t*, then t_ref steps of refractoriness. */
Test(engine, iaf_psc_exp_interspike_interval_matches_analytic)
{
    const double h = 0.1, I = 500;
    bb_network *net = bb_network_create(1, h);
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    p.I_e = I;
    bb_network_add_population(net, "lif", 1, &p, 1, 1);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    spikes_seen seen = {0};
    cr_assert_eq(bb_sim_run(sim, 10000, record, &seen, err, sizeof err), 0, "%s", err);
    double tstar = -p.tau_m * log(1 - (p.V_th - p.E_L) / (I * p.tau_m / p.C_m));
    uint64_t isi = (uint64_t)lround(p.t_ref / h) + (uint64_t)ceil(tstar / h - 1e-9);
    cr_assert(seen.n > 10, "%zu spikes", seen.n);
    cr_assert_eq(seen.step[0] + 1, (uint64_t)ceil(tstar / h - 1e-9), "first spike at step %llu",
                 (unsigned long long)seen.step[0]);
    for (size_t i = 1; i < seen.n; i++)
        cr_assert_eq(seen.step[i] - seen.step[i - 1], isi, "ISI %llu steps, analytic %llu",
                     (unsigned long long)(seen.step[i] - seen.step[i - 1]), (unsigned long long)isi);
    bb_sim_free(sim);
    bb_network_free(net);
}

/* Without input the conductance-based neuron relaxes to E_L with time
 * constant C / g_L; the exponential-Euler step is exact for it. */
Test(engine, iaf_cond_exp_relaxes_exactly)
{
    const double h = 0.1;
    bb_network *net = bb_network_create(1, h);
    bb_neuron_params p = bb_iaf_cond_exp_defaults();
    p.V_init_min = p.V_init_max = -58;
    bb_network_add_population(net, "cond", 1, &p, 1, 1);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    cr_assert_eq(bb_sim_run(sim, 200, NULL, NULL, err, sizeof err), 0, "%s", err);
    double want = p.E_L + (-58 - p.E_L) * exp(-200 * h * p.g_L / p.C_m);
    cr_assert(fabs(bb_sim_voltage(sim, 0) - want) < 1e-9, "%.12g vs %.12g", bb_sim_voltage(sim, 0), want);
    bb_sim_free(sim);
    bb_network_free(net);
}

static size_t izh_spikes(bb_izhikevich_preset preset, double I, spikes_seen *seen)
{
    bb_network *net = bb_network_create(1, 0.1);
    bb_neuron_params p = bb_izhikevich_preset_params(preset);
    p.I_e = I;
    bb_network_add_population(net, "izh", 1, &p, 1, 1);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    memset(seen, 0, sizeof *seen);
    cr_assert_eq(bb_sim_run(sim, 5000, record, seen, err, sizeof err), 0, "%s", err); /* 500 ms */
    bb_sim_free(sim);
    bb_network_free(net);
    return seen->n;
}

/* Izhikevich 2003, Fig. 2, under a step of I = 10: regular spiking (RS)
 * adapts (its intervals lengthen; measured 23.7 -> 45.1 ms), fast spiking
 * (FS) fires much faster than RS, intrinsically bursting (IB) fires an
 * initial burst and then tonic spikes, chattering (CH) fires in bursts
 * (short intra-burst and long inter-burst intervals). */
Test(engine, izhikevich_presets_fire_as_published)
{
    static spikes_seen rs, fs, ib, ch;
    size_t n_rs = izh_spikes(BB_IZH_RS, 10, &rs), n_fs = izh_spikes(BB_IZH_FS, 10, &fs);
    size_t n_ib = izh_spikes(BB_IZH_IB, 10, &ib), n_ch = izh_spikes(BB_IZH_CH, 10, &ch);
    cr_assert(n_rs >= 5, "RS: %zu spikes", n_rs);
    cr_assert(2 * (rs.step[n_rs - 1] - rs.step[n_rs - 2]) > 3 * (rs.step[1] - rs.step[0]), "RS adapts");
    cr_assert(n_ib >= 6 && ib.step[1] - ib.step[0] < 50 && ib.step[2] - ib.step[1] < 50, "IB: initial burst");
    for (size_t i = 4; i < n_ib; i++) cr_assert(ib.step[i] - ib.step[i - 1] > 200, "IB: then tonic");
    cr_assert(n_fs > 2 * n_rs, "FS %zu spikes vs RS %zu", n_fs, n_rs);
    int short_isi = 0, long_isi = 0;
    for (size_t i = 1; i < n_ch; i++) {
        uint64_t isi = ch.step[i] - ch.step[i - 1];
        short_isi += isi < 100;  /* < 10 ms */
        long_isi += isi > 200;   /* > 20 ms */
    }
    cr_assert(short_isi >= 2 * long_isi && long_isi >= 3, "CH bursts: %d short, %d long intervals", short_isi,
              long_isi);
}

/* ---- connection rules */

static bb_sim *build(bb_network *net) { return bb_sim_create(net, MPI_COMM_SELF, err, sizeof err); }

Test(engine, connection_counts)
{
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    bb_dist w = {.kind = BB_DIST_FIXED, .a = 1}, d = {.kind = BB_DIST_FIXED, .a = 1};
    /* fixed in-degree: exactly K per target */
    bb_network *net = bb_network_create(3, 0.1);
    int a = bb_network_add_population(net, "a", 400, &p, 1, 1), b = bb_network_add_population(net, "b", 300, &p, 1, 1);
    bb_projection pr = {.pre = a, .post = b, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 50, .weight = w, .delay_ms = d};
    bb_network_connect(net, &pr, err, sizeof err);
    bb_projection tot = {.pre = b, .post = a, .rule = BB_CONN_FIXED_TOTAL, .total = 12345, .multapses = 1,
                         .weight = w, .delay_ms = d};
    bb_network_connect(net, &tot, err, sizeof err);
    bb_projection bern = {.pre = a, .post = a, .rule = BB_CONN_BERNOULLI, .p = 0.1, .weight = w, .delay_ms = d};
    bb_network_connect(net, &bern, err, sizeof err);
    bb_sim *sim = build(net);
    cr_assert(sim, "%s", err);
    /* Bernoulli: 400 x 399 pairs (no autapses) at p = 0.1: mean 15960, sd 120; allow 5 sd */
    long bern_n = (long)bb_sim_local_synapses(sim) - 300 * 50 - 12345;
    cr_assert(labs(bern_n - 15960) < 600, "Bernoulli gave %ld synapses", bern_n);
    cr_assert_leq(bb_sim_synapse_bytes(sim), 8 * bb_sim_local_synapses(sim) + 4 * (700 + 1));
    bb_sim_free(sim);
    bb_network_free(net);
}

Test(engine, fixed_indegree_without_multapses_is_an_error_when_impossible)
{
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    bb_network *net = bb_network_create(3, 0.1);
    int a = bb_network_add_population(net, "a", 10, &p, 1, 1);
    bb_projection pr = {.pre = a, .post = a, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 10,
                        .weight = {.kind = BB_DIST_FIXED, .a = 1}, .delay_ms = {.kind = BB_DIST_FIXED, .a = 1}};
    bb_network_connect(net, &pr, err, sizeof err);
    cr_assert_null(build(net));
    cr_assert(strstr(err, "in-degree 10 without multapses exceeds the 9 sources"), "%s", err);
    bb_network_free(net);
}

Test(engine, delays_beyond_the_synapse_limit_are_an_error)
{
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    bb_network *net = bb_network_create(3, 0.1);
    int a = bb_network_add_population(net, "a", 10, &p, 1, 1);
    bb_projection pr = {.pre = a, .post = a, .rule = BB_CONN_FIXED_INDEGREE, .indegree = 1,
                        .weight = {.kind = BB_DIST_FIXED, .a = 1}, .delay_ms = {.kind = BB_DIST_FIXED, .a = 30}};
    bb_network_connect(net, &pr, err, sizeof err);
    cr_assert_null(build(net));
    cr_assert(strstr(err, "delay of 300 steps"), "%s", err);
    bb_network_free(net);
}

Test(distributions, shapes)
{
    uint64_t idx = 0;
    bb_dist redraw = {BB_DIST_NORMAL_REDRAW, 1.0, 2.0, 0.0, INFINITY};
    bb_dist clip = {BB_DIST_NORMAL_CLIPPED, 1.0, 2.0, -0.5, 0.5};
    bb_dist logn = {.kind = BB_DIST_LOGNORMAL, .a = 0.0, .b = 0.5};
    double sum = 0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        cr_assert_geq(bb_dist_draw(&redraw, 1, 2, &idx), 0.0, "redrawn to keep the sign");
        double c = bb_dist_draw(&clip, 1, 3, &idx);
        cr_assert(c >= -0.5 && c <= 0.5);
        sum += bb_dist_draw(&logn, 1, 4, &idx);
    }
    /* lognormal mean exp(mu + sigma^2 / 2) = 1.1331; sd of the mean 0.0019 */
    cr_assert(fabs(sum / n - exp(0.125)) < 0.01, "lognormal mean %f", sum / n);
}
