/* The engine's inputs and outputs: step currents (on regions of the sheet),
 * afferent ports (currents and Poisson rates per channel) and population
 * spike counts, against closed-form results. */
#include <criterion/criterion.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/brain.h"

static void mpi_up(void) { MPI_Init(NULL, NULL); }
static void mpi_down(void) { MPI_Finalize(); }
TestSuite(inputs, .init = mpi_up, .fini = mpi_down);

static char err[512];

/* A passive iaf_psc_exp cell: it never reaches threshold. */
static bb_neuron_params passive(void)
{
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    p.V_th = 1e9;
    return p;
}

/* Membrane response to a current step I switched on at step k0, on the grid:
 * V = E_L + I R (1 - e^{-(k - k0) h / tau_m}) after step k - 1 is done. */
static double step_response(const bb_neuron_params *p, double I, double steps_on, double h)
{
    return p->E_L + I * p->tau_m / p->C_m * (1 - exp(-steps_on * h / p->tau_m));
}

static void run(bb_sim *sim, uint64_t steps)
{
    cr_assert_eq(bb_sim_run(sim, steps, NULL, NULL, err, sizeof err), 0, "%s", err);
}

Test(inputs, step_current_follows_its_table_and_its_region)
{
    const double h = 0.1;
    bb_network *net = bb_network_create(3, h);
    bb_neuron_params p = passive();
    int pop = bb_network_add_population(net, "cells", 2, &p, 100, 100);
    double xy[] = {10, 10, 90, 90}; /* cell 0 in the region, cell 1 outside */
    cr_assert_eq(bb_network_set_positions(net, pop, xy), 0);
    bb_region r = {0, 0, 50, 50};
    double t[] = {1.0, 3.0}, v[] = {200.0, 0.0};
    cr_assert_geq(bb_network_add_step_current(net, pop, &r, 2, t, v, err, sizeof err), 0, "%s", err);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    run(sim, 10); /* steps 0..9: before the step, at rest */
    cr_assert_float_eq(bb_sim_voltage(sim, 0), p.E_L, 1e-12);
    run(sim, 20); /* steps 10..29: 20 steps at 200 pA */
    cr_assert_float_eq(bb_sim_voltage(sim, 0), step_response(&p, 200, 20, h), 1e-9);
    cr_assert_float_eq(bb_sim_voltage(sim, 1), p.E_L, 1e-12, "the cell outside the region got current");
    double v_off = bb_sim_voltage(sim, 0) - p.E_L;
    run(sim, 10); /* switched off at step 30: exponential decay */
    cr_assert_float_eq(bb_sim_voltage(sim, 0) - p.E_L, v_off * exp(-10 * h / p.tau_m), 1e-9);
    bb_sim_free(sim);
    bb_network_free(net);
}

Test(inputs, step_current_times_must_increase_by_a_step)
{
    bb_network *net = bb_network_create(3, 0.1);
    bb_neuron_params p = passive();
    int pop = bb_network_add_population(net, "cells", 2, &p, 100, 100);
    double t[] = {1.0, 1.02}, v[] = {1, 2};
    cr_assert_eq(bb_network_add_step_current(net, pop, NULL, 2, t, v, err, sizeof err), -1);
    cr_assert(strstr(err, "1.02") && strstr(err, "cells"), "%s", err);
    double bad[] = {NAN};
    cr_assert_eq(bb_network_add_step_current(net, pop, NULL, 1, bad, v, err, sizeof err), -1);
    cr_assert(strstr(err, "entry 0"), "%s", err);
    bb_network_free(net);
}

Test(inputs, afferent_current_channels_map_to_contiguous_cells)
{
    const double h = 0.1;
    bb_network *net = bb_network_create(5, h);
    bb_neuron_params p = passive();
    int pop = bb_network_add_population(net, "thalamus", 6, &p, 100, 100);
    int port = bb_network_add_afferent(net, pop, 3, BB_AFFERENT_CURRENT, 50.0);
    cr_assert_geq(port, 0);
    cr_assert_eq(bb_network_afferent_channels(net, port), 3);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    double values[] = {1, 2, 4}, wrong[] = {1, 2};
    cr_assert_eq(bb_sim_set_afferent(sim, port, wrong, 2), -1, "a wrong channel count was accepted");
    cr_assert_eq(bb_sim_set_afferent(sim, port, values, 3), 0);
    run(sim, 10);
    for (uint32_t c = 0; c < 6; c++) /* cells 2c' and 2c'+1 share channel c' */
        cr_assert_float_eq(bb_sim_voltage(sim, c), step_response(&p, 50.0 * values[c / 2], 10, h), 1e-9,
                           "cell %u", c);
    bb_sim_free(sim);
    bb_network_free(net);
}

/* Shot noise: a Poisson train of rate nu, each event a current jump w
 * decaying with tau_s, has mean current nu w tau_s (Campbell's theorem);
 * the passive membrane settles at E_L + R nu w tau_s. */
Test(inputs, afferent_rates_drive_poisson_trains_of_the_right_rate)
{
    const double h = 0.1, w = 20.0;
    bb_network *net = bb_network_create(7, h);
    bb_neuron_params p = passive();
    int pop = bb_network_add_population(net, "touch", 2000, &p, 100, 100);
    int port = bb_network_add_afferent(net, pop, 2, BB_AFFERENT_RATE, w);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    double rates[] = {0.0, 3000.0};
    cr_assert_eq(bb_sim_set_afferent(sim, port, rates, 2), 0);
    double negative[] = {-1, 0};
    cr_assert_eq(bb_sim_set_afferent(sim, port, negative, 2), -1, "a negative rate was accepted");
    run(sim, 1000); /* 100 ms = 10 tau_m */
    double mean = 0;
    for (uint32_t c = 0; c < 1000; c++) cr_assert_eq(bb_sim_voltage(sim, c), p.E_L, "channel 0 has rate 0");
    for (uint32_t c = 1000; c < 2000; c++) mean += (bb_sim_voltage(sim, c) - p.E_L) / 1000;
    double expect = p.tau_m / p.C_m * rates[1] * 1e-3 * w * p.tau_syn_ex;
    cr_assert(fabs(mean - expect) < 0.03 * expect, "mean depolarisation %.3f mV, Campbell %.3f mV", mean, expect);
    bb_sim_free(sim);
    bb_network_free(net);
}

typedef struct counts {
    const bb_network *net;
    uint64_t per_pop[4];
} counts;

static void count(void *ctx, const bb_spike *s, uint32_t n, uint64_t block_start)
{
    (void)block_start;
    counts *c = ctx;
    for (uint32_t i = 0; i < n; i++) c->per_pop[bb_network_population_of(c->net, s[i].source)]++;
}

Test(inputs, population_spike_counts_match_the_spikes_delivered)
{
    bb_network *net = bb_network_create(11, 0.1);
    bb_neuron_params p = bb_iaf_psc_exp_defaults();
    int a = bb_network_add_population(net, "a", 50, &p, 100, 100);
    int b = bb_network_add_population(net, "b", 70, &p, 100, 100);
    bb_network_add_poisson_drive(net, a, 10000, 87.8);
    bb_network_add_poisson_drive(net, b, 8000, 87.8);
    cr_assert_eq(bb_network_population_of(net, 49), a);
    cr_assert_eq(bb_network_population_of(net, 50), b);
    cr_assert_eq(bb_network_population_of(net, 120), -1);
    bb_sim *sim = bb_sim_create(net, MPI_COMM_SELF, err, sizeof err);
    cr_assert(sim, "%s", err);
    counts c = {.net = net};
    cr_assert_eq(bb_sim_run(sim, 5000, count, &c, err, sizeof err), 0, "%s", err);
    cr_assert_gt(c.per_pop[a], 100);
    cr_assert_gt(c.per_pop[a], c.per_pop[b], "the stronger drive must fire more");
    cr_assert_eq(bb_sim_population_spikes(sim, a), c.per_pop[a]);
    cr_assert_eq(bb_sim_population_spikes(sim, b), c.per_pop[b]);
    bb_sim_free(sim);
    bb_network_free(net);
}
