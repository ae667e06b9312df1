/* The spinal locomotor circuit alone (brain/cpg.h) against Danner et al.
 * 2017 eLife: raising the brainstem drive alpha gives walk, trot, gallop and
 * bound in that order at rising frequency (their Fig. 2); without V0V there
 * is no trot (walk, then gallop/bound; their Fig. 6); without V0V and V0D
 * only bound remains (their Fig. 7). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/cpg.h"

#define TWO_PI 6.283185307179586

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

/* ---- the circuit's motor pools on the brain ranks (coupler/spinal.c) ---- */

#include "config.h"
#include "spinal.h"

/* Afferent feedback in a trot pattern (limb phases LH 0, RH 0.5, LF 0.5, RF
 * 0): load onto the extensor centre in the first half of each limb's
 * cycle (stance), hip extension onto the flexor centre in the second
 * (swing), g nS each, at drive_hz (0: none). Returns the left-hind
 * frequency over 2-6 s and the right-hind phase. */
static double forced(double alpha, double drive_hz, double g, double *rh_phase)
{
    static const double trot[BB_N_LIMBS] = {0, 0.5, 0.5, 0};
    bb_cpg_spec s = {alpha, 0, 0, 0};
    bb_cpg *c = bb_cpg_create(&s);
    cr_assert(c);
    double prev[2] = {0, 0}, on[2][64];
    int n[2] = {0, 0};
    for (int k = 0; k < 6000; k++) { /* 1 ms steps */
        double t = k * 1e-3;
        for (int l = 0; l < BB_N_LIMBS; l++) {
            double ph = drive_hz * t - trot[l];
            ph -= floor(ph);
            int stance = drive_hz > 0 && ph < 0.5;
            bb_cpg_set_feedback(c, (bb_limb)l, stance ? g : 0, drive_hz > 0 && !stance ? g : 0);
        }
        bb_cpg_run(c, 1.0);
        for (int l = 0; l < 2; l++) { /* left and right hind flexor onsets */
            double f = bb_cpg_flexor(c, l ? BB_LIMB_RH : BB_LIMB_LH);
            if (k >= 2000 && prev[l] < 0.5 && f >= 0.5 && n[l] < 64) on[l][n[l]++] = t;
            prev[l] = f;
        }
    }
    bb_cpg_free(c);
    cr_assert_geq(n[0], 5, "a rhythm");
    double sx = 0, sy = 0, T = (on[0][n[0] - 1] - on[0][0]) / (n[0] - 1);
    for (int j = 0; j < n[1]; j++) {
        double ph = (on[1][j] - on[0][0]) / T;
        sx += cos(TWO_PI * ph), sy += sin(TWO_PI * ph);
    }
    double p = atan2(sy, sx) / TWO_PI;
    *rh_phase = p - floor(p);
    return 1 / T;
}

/* Sensory feedback entrains the rhythm (the spinal cat on a treadmill
 * steps at the belt's pace, Grillner & Rossignol 1978; Duysens & Pearson
 * 1980): at trot drive (alpha 0.4, 5.35 Hz alone here) feedback of 1.6 nS
 * in a trot pattern 30 % slower or faster than the circuit's own rhythm
 * sets its frequency, and keeps the hind limbs alternating; without
 * feedback the circuit keeps its own frequency; weak feedback (0.2 nS)
 * cannot slow it by 30 %. */
Test(cpg, afferent_feedback_entrains_the_rhythm)
{
    double rh, own = forced(0.4, 0, 0, &rh);
    cr_expect(own > 4.5 && own < 6.5, "own trot rhythm %.2f Hz", own);
    for (int k = 0; k < 2; k++) {
        double drive = own * (k ? 1.3 : 0.7), f = forced(0.4, drive, 1.6, &rh);
        cr_expect(fabs(f - drive) < 0.02 * drive, "feedback at %.2f Hz: the rhythm is at %.2f Hz", drive, f);
        cr_expect(fabs(rh - 0.5) < 0.1, "feedback at %.2f Hz: right-hind phase %.2f, not alternating", drive, rh);
    }
    double weak = forced(0.4, own * 0.7, 0.2, &rh);
    cr_expect(fabs(weak - own * 0.7) > 0.1 * own, "0.2 nS entrained the rhythm to %.2f Hz", weak);
}

static void load_gait(bb_config *cfg)
{
    char err[1024];
    cr_assert_eq(bb_config_load(BB_SOURCE_DIR "/run/cpg_gait.yaml", NULL, 0, cfg, err, sizeof err), 0, "%s", err);
}

/* Spikes of 1 s from n_brain ranks, concatenated rank by rank per interval
 * and sorted as the coupler would; returns the count. */
static size_t spinal_spikes(const bb_config *cfg, int n_brain, bb_spike *all, size_t cap, uint32_t *first)
{
    bb_spinal s[4];
    char err[256];
    for (int r = 0; r < n_brain; r++) cr_assert_eq(bb_spinal_init(&s[r], cfg, 1000, n_brain, r, err, sizeof err), 0);
    *first = s[0].first_id;
    size_t n = 0;
    uint32_t steps = 50; /* 5 ms at 0.1 ms */
    static bb_spike buf[100000];
    for (uint64_t k = 0; k < 200; k++)
        for (int r = 0; r < n_brain; r++) {
            long m = bb_spinal_step(&s[r], k * steps, steps, buf, 100000);
            cr_assert_geq(m, 0);
            for (long i = 0; i < m && n < cap; i++)
                all[n++] = (bb_spike){buf[i].source, (uint32_t)(k * steps + buf[i].offset)};
        }
    for (int r = 0; r < n_brain; r++) bb_spinal_free(&s[r]);
    return n;
}

static int by_time_then_id(const void *a, const void *b)
{
    const bb_spike *x = a, *y = b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return (x->source > y->source) - (x->source < y->source);
}

Test(spinal, pools_alternate_and_do_not_depend_on_rank_count)
{
    static bb_config cfg;
    load_gait(&cfg);
    cr_assert(cfg.cpg.enabled);
    static bb_spike one[200000], three[200000];
    uint32_t first;
    size_t n1 = spinal_spikes(&cfg, 1, one, 200000, &first);
    size_t n3 = spinal_spikes(&cfg, 3, three, 200000, &first);
    qsort(one, n1, sizeof *one, by_time_then_id);
    qsort(three, n3, sizeof *three, by_time_then_id);
    cr_assert_eq(n1, n3);
    cr_assert_arr_eq(one, three, n1 * sizeof *one, "the same spikes on 1 and 3 ranks");
    /* left-hind flexor (pool 0) and extensor (pool 1) in 25 ms bins: anti-correlated */
    double f[40] = {0}, e[40] = {0};
    uint32_t per = cfg.cpg.cells_per_pool;
    for (size_t i = 0; i < n1; i++) {
        uint32_t pool = (one[i].source - first) / per, bin = one[i].offset / 250;
        if (bin < 40 && pool == 0) f[bin]++;
        if (bin < 40 && pool == 1) e[bin]++;
    }
    double mf = 0, me = 0, cov = 0, vf = 0, ve = 0;
    for (int b = 0; b < 40; b++) mf += f[b] / 40, me += e[b] / 40;
    for (int b = 0; b < 40; b++) cov += (f[b] - mf) * (e[b] - me), vf += (f[b] - mf) * (f[b] - mf), ve += (e[b] - me) * (e[b] - me);
    double r = cov / sqrt(vf * ve);
    cr_assert_lt(r, -0.5, "flexor and extensor pools alternate: correlation %.2f", r);
    cr_assert_gt(mf, 1, "the flexor pool fires (%.1f spikes per 25 ms)", mf);
}

/* brain.cpg.onset_s: the pools' rate rises from 0 over the onset while the
 * circuit runs unchanged, so (the spikes drawn from the same counter-based
 * streams) the ramped run's spikes are a subset of the unramped run's: a
 * quarter of them, in expectation, over the first half of a 0.5 s onset,
 * and all of them after it. Ramped on 3 ranks, to check the ramp follows
 * the global step, not a rank's own. */
Test(spinal, onset_ramps_the_pools_rate_up_from_zero)
{
    static bb_config cfg;
    load_gait(&cfg);
    static bb_spike full[200000], ramped[200000];
    uint32_t first;
    size_t nf = spinal_spikes(&cfg, 1, full, 200000, &first);
    cfg.cpg.onset_s = 0.5;
    size_t nr = spinal_spikes(&cfg, 3, ramped, 200000, &first);
    qsort(full, nf, sizeof *full, by_time_then_id);
    qsort(ramped, nr, sizeof *ramped, by_time_then_id);
    size_t early_f = 0, early_r = 0, late_f = 0, late_r = 0, j = 0;
    for (size_t i = 0; i < nr; i++) {
        while (j < nf && by_time_then_id(&full[j], &ramped[i]) < 0) j++;
        cr_assert(j < nf && !by_time_then_id(&full[j], &ramped[i]), "ramped spike %zu (cell %u, step %u) is one of the unramped run's",
                  i, ramped[i].source, ramped[i].offset);
    }
    for (size_t i = 0; i < nf; i++) early_f += full[i].offset < 2500, late_f += full[i].offset >= 5000;
    for (size_t i = 0; i < nr; i++) early_r += ramped[i].offset < 2500, late_r += ramped[i].offset >= 5000;
    cr_assert_gt(early_f, 1000, "the unramped pools fire in the first 0.25 s (%zu spikes)", early_f);
    double share = (double)early_r / (double)early_f;
    cr_assert(share > 0.15 && share < 0.35, "over the onset's first half the pools fire %.2f of their spikes (expected about 0.25)", share);
    cr_assert_eq(late_r, late_f, "after the onset every spike is there (%zu of %zu)", late_r, late_f);
}
