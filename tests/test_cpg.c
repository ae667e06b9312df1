/* The spinal locomotor circuit alone (brain/cpg.h) against Danner et al.
 * 2017 eLife: raising the brainstem drive alpha gives walk, trot, gallop and
 * bound in that order at rising frequency (their Fig. 2); without V0V there
 * is no trot (walk, then gallop/bound; their Fig. 6); without V0V and V0D
 * only bound remains (their Fig. 7). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "brainbody/cpg.h"

static void gait_at(double alpha, int no_v0v, int no_v0d, bb_gait *g)
{
    bb_cpg_spec s = {alpha, no_v0v, no_v0d, 0};
    bb_cpg *c = bb_cpg_create(&s);
    cr_assert(c, "the circuit's tables are consistent");
    bb_cpg_gait(c, 6000, 4000, g); /* 2 s to settle, 4 s measured */
    bb_cpg_free(c);
    cr_assert_geq(g->cycles, 8, "alpha %g: a rhythm (%u cycles)", alpha, g->cycles);
}

static int rank_of(const char *gait)
{
    const char *order[] = {"walk", "trot", "gallop", "bound"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(gait, order[i])) return i;
    return -1;
}

Test(cpg, rising_drive_gives_walk_trot_gallop_bound)
{
    int seen[4] = {0}, last = 0;
    double last_f = 0;
    for (double a = 0.05; a < 1.06; a += 0.1) {
        bb_gait g;
        gait_at(a, 0, 0, &g);
        int r = rank_of(g.name);
        cr_assert_geq(r, last, "alpha %.2f: %s after a faster gait", a, g.name);
        cr_assert_gt(g.frequency_hz, last_f, "alpha %.2f: frequency %.2f Hz rises with drive", a, g.frequency_hz);
        seen[r] = 1, last = r, last_f = g.frequency_hz;
        if (r <= 1) /* left-right alternation in walk and trot, fore as hind */
            cr_assert(fabs(g.left_right_hind - 0.5) < 0.05 && fabs(g.left_right_fore - 0.5) < 0.05,
                      "alpha %.2f: %s with left-right phases %.2f %.2f", a, g.name, g.left_right_hind,
                      g.left_right_fore);
    }
    for (int i = 0; i < 4; i++) cr_assert(seen[i], "gait %d of walk, trot, gallop, bound was never seen", i);
}

Test(cpg, walk_is_slow_and_lateral_sequence)
{
    bb_gait g;
    gait_at(0.05, 0, 0, &g);
    cr_assert_str_eq(g.name, "walk");
    /* the forelimb follows its hindlimb by about a quarter cycle (lateral-sequence walk) */
    cr_assert(g.homolateral > 0.15 && g.homolateral < 0.35, "homolateral phase %.2f", g.homolateral);
    /* mouse walking: 2-4 Hz (Bellardita & Kiehn 2015; James et al. 1995: 2.87 Hz) */
    cr_assert(g.frequency_hz > 1.5 && g.frequency_hz < 4, "walk at %.2f Hz", g.frequency_hz);
}

Test(cpg, trot_has_diagonal_synchrony)
{
    bb_gait g;
    gait_at(0.5, 0, 0, &g);
    cr_assert_str_eq(g.name, "trot");
    cr_assert(fabs(remainder(g.diagonal, 1.0)) < 0.05, "diagonal phase %.2f", g.diagonal);
    cr_assert(fabs(g.homolateral - 0.5) < 0.05, "homolateral phase %.2f", g.homolateral);
}

Test(cpg, without_v0v_there_is_no_trot)
{
    int trots = 0, bounds = 0;
    for (double a = 0.05; a < 1.06; a += 0.1) {
        bb_gait g;
        gait_at(a, 1, 0, &g);
        trots += !strcmp(g.name, "trot");
        bounds += !strcmp(g.name, "bound");
    }
    cr_assert_eq(trots, 0);
    cr_assert_geq(bounds, 6, "bound takes over from low drive on (%d of 11)", bounds);
}

Test(cpg, without_v0v_and_v0d_only_bound_remains)
{
    for (double a = 0.05; a < 1.06; a += 0.1) {
        bb_gait g;
        gait_at(a, 1, 1, &g);
        cr_assert_str_eq(g.name, "bound", "alpha %.2f", a);
    }
}

Test(cpg, flexor_and_extensor_alternate)
{
    bb_cpg_spec s = {0.3, 0, 0, 0};
    bb_cpg *c = bb_cpg_create(&s);
    bb_cpg_run(c, 1000);
    int both = 0, n = 0;
    for (int k = 0; k < 2000; k++) {
        bb_cpg_run(c, 0.5);
        both += bb_cpg_flexor(c, BB_LIMB_LH) > 0.3 && bb_cpg_extensor(c, BB_LIMB_LH) > 0.3;
        n++;
    }
    cr_assert_lt(both, n / 20, "flexor and extensor centres are rarely active together (%d of %d)", both, n);
    cr_assert_eq(bb_cpg_population(c, "V0D_L_hind"), 12);
    cr_assert_eq(bb_cpg_population(c, "nope"), -1);
    bb_cpg_free(c);
}
