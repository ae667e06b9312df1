/* The cortex model: its structure (populations, sizes, pools, ports, spec
 * errors) and the seed result, gamma under DC stimulation of one voxel's
 * L2/3 cells (run/gamma/protocol.c holds the experiment and the criteria). */
#include <criterion/criterion.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "brainbody/cortex.h"
#include "protocol.h"

static void mpi_up(void) { MPI_Init(NULL, NULL); }
static void mpi_down(void) { MPI_Finalize(); }
TestSuite(cortex, .init = mpi_up, .fini = mpi_down);

static char err[512];

Test(cortex, default_model_has_every_layer_type_area_and_hemisphere)
{
    bb_cortex_spec s = bb_cortex_defaults();
    bb_cortex c;
    cr_assert_eq(bb_cortex_build(&s, &c, err, sizeof err), 0, "%s", err);
    /* 2 hemispheres x 2 areas x 5 layers x 3 types, and 2 thalamic relays */
    cr_assert_eq(bb_network_n_populations(c.net), 62);
    for (int h = 0; h < 2; h++)
        for (int a = 0; a < 2; a++)
            for (int l = 0; l < BB_N_LAYERS; l++)
                for (int t = 0; t < BB_N_TYPES; t++) {
                    int pop = c.pop[h][a][l][t];
                    cr_assert_geq(pop, 0);
                    char name[64];
                    snprintf(name, sizeof name, "%s_%s_%s_%s", bb_area_name((bb_area)a),
                             bb_hemisphere_name((bb_hemisphere)h), bb_layer_name((bb_layer)l),
                             bb_cell_type_name((bb_cell_type)t));
                    cr_assert_str_eq(bb_network_population_name(c.net, pop), name);
                }
    /* M1 L5B exc: 5 x 3 voxels of 0.01 mm^2, 0.3 mm thick, 10^5/mm^3, 84 %, 10 % density */
    uint32_t l5b = bb_network_population_size(c.net, c.pop[BB_LEFT][BB_M1][BB_L5B][BB_EXC]);
    cr_assert_eq(l5b, (uint32_t)lround(1e5 * 0.1 * 0.15 * 0.3 * 0.84));
    /* L4 is thin in M1, thick in S1 (per mm^2 of sheet) */
    double m1_l4 = bb_network_population_size(c.net, c.pop[0][BB_M1][BB_L4][BB_EXC]) / 0.15;
    double s1_l4 = bb_network_population_size(c.net, c.pop[0][BB_S1][BB_L4][BB_EXC]) / 0.09;
    cr_assert_gt(s1_l4, 3 * m1_l4);
    cr_assert_eq(bb_network_afferent_channels(c.net, c.afferent_port[BB_LEFT]), s.afferent_channels);
    cr_assert_eq(bb_network_n_afferents(c.net), 2);
    bb_cortex_free(&c);
}

Test(cortex, output_pools_tile_l5b_medial_to_lateral)
{
    bb_cortex_spec s = bb_cortex_defaults();
    bb_cortex c;
    cr_assert_eq(bb_cortex_build(&s, &c, err, sizeof err), 0, "%s", err);
    for (int h = 0; h < 2; h++) {
        int pop = c.pop[h][BB_M1][BB_L5B][BB_EXC];
        uint32_t first = bb_network_population_first(c.net, pop), n = bb_network_population_size(c.net, pop);
        const double *xy = bb_network_positions(c.net, pop);
        uint32_t next = first;
        double last_x = -1;
        for (int a = 0; a < BB_N_BODY_AREAS; a++) {
            cr_assert_eq(c.pool_first[h][a], next, "pool %s does not follow the previous one", bb_body_area_name((bb_body_area)a));
            cr_assert_gt(c.pool_count[h][a], 0, "pool %s is empty", bb_body_area_name((bb_body_area)a));
            for (uint32_t i = c.pool_first[h][a]; i < c.pool_first[h][a] + c.pool_count[h][a]; i++) {
                double x = xy[2 * (size_t)(i - first)];
                cr_assert_geq(x, last_x, "cells are not ordered medial to lateral");
                last_x = x;
            }
            next += c.pool_count[h][a];
        }
        cr_assert_eq(next, first + n, "the pools do not cover L5B");
        /* the forelimb pool is the largest (35 % of the sheet) */
        for (int a = 0; a < BB_N_BODY_AREAS; a++)
            cr_assert_geq(c.pool_count[h][BB_FORELIMB], c.pool_count[h][a]);
    }
    bb_cortex_free(&c);
}

Test(cortex, bad_spec_names_the_field)
{
    bb_cortex c;
    bb_cortex_spec s = bb_cortex_defaults();
    s.hemispheres = 3;
    cr_assert_eq(bb_cortex_build(&s, &c, err, sizeof err), -1);
    cr_assert(strstr(err, "cortex.hemispheres"), "%s", err);
    s = bb_cortex_defaults();
    s.density_scale = 0;
    cr_assert_eq(bb_cortex_build(&s, &c, err, sizeof err), -1);
    cr_assert(strstr(err, "cortex.density_scale"), "%s", err);
    s = bb_cortex_defaults();
    s.weight_gain[BB_FS][BB_EXC] = NAN;
    cr_assert_eq(bb_cortex_build(&s, &c, err, sizeof err), -1);
    cr_assert(strstr(err, "cortex.weight_gain"), "%s", err);
}

/* The seed result (docs/brain-model.md, "Gamma"): a 30-50 Hz spectrum peak,
 * FS with the excitatory cells, LTS later, phase later from L2/3 to L6. */
Test(cortex, dc_to_one_voxel_of_l23_gives_gamma_with_the_published_phase_order, .timeout = 300)
{
    bb_gamma_setup g = bb_gamma_default_setup();
    bb_gamma_result r;
    cr_assert_eq(bb_gamma_run(&g, MPI_COMM_SELF, &r, err, sizeof err), 0, "%s", err);
    char why[1024];
    int failed = bb_gamma_check(&r, why, sizeof why);
    cr_assert_eq(failed, 0, "peak %.0f Hz: %s", r.peak_hz, why);
    cr_assert_gt(r.rate_hz[BB_L23][BB_EXC], 0.2, "the stimulated cells hardly fired");
    bb_gamma_result_free(&r);
}

/* The control: without the DC the same network shows no gamma and its
 * excitatory cells stay near silent, so the criteria above can fail. */
Test(cortex, without_the_dc_there_is_no_gamma, .timeout = 300)
{
    bb_gamma_setup g = bb_gamma_default_setup();
    g.dc = 0;
    bb_gamma_result r;
    cr_assert_eq(bb_gamma_run(&g, MPI_COMM_SELF, &r, err, sizeof err), 0, "%s", err);
    char why[1024];
    cr_assert_gt(bb_gamma_check(&r, why, sizeof why), 0, "gamma without stimulation (peak %.0f Hz)", r.peak_hz);
    for (int l = 0; l < BB_N_LAYERS; l++)
        cr_assert_lt(r.rate_hz[l][BB_EXC], 0.5, "%s exc fire %.2f Hz at rest", bb_layer_name((bb_layer)l),
                     r.rate_hz[l][BB_EXC]);
    bb_gamma_result_free(&r);
}
