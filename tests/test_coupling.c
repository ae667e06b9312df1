/* coupler/coupling.c: the efferent coupling map read from YAML, checked
 * against a body's muscles, and applied to spike counts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "coupling.h"

static const char *names[] = {"L_biceps", "L_triceps", "R_biceps", "R_triceps", "diaphragma"};
static const char *regions[] = {"forelimb", "forelimb", "forelimb", "forelimb", "trunk"};
static const char *name_of(void *ctx, uint32_t i) { (void)ctx; return names[i]; }
static const char *region_of(void *ctx, uint32_t i) { (void)ctx; return regions[i]; }
static const bb_body_role body = {NULL, {5, 0, 15, NULL, NULL}, NULL, NULL, name_of, region_of, NULL, NULL};
/* 20 output cells: pool A = cells 0..9, pool B = cells 10..19 */
static const bb_pools pools = {2, {{"A", 0, 10}, {"B", 10, 10}}};

static const char *write_map(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/bb_coupling_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* n spikes from each of the given cells */
static uint32_t spikes_of(bb_spike *s, const uint32_t *cells, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) s[i] = (bb_spike){cells[i], 0};
    return n;
}

Test(coupling, pools_drive_their_muscles_with_weights_gains_and_delays)
{
    const char *map = "gain_spikes: 4\n"
                      "pathways:\n"
                      "  - {pool: A, muscles: [\"R_*\"], regions: [forelimb]}\n"
                      "  - {pool: A, muscles: [diaphragma], weight: 0.5}\n"
                      "  - {pool: B, muscles: [L_triceps], gain_spikes: 2, delay_intervals: 2}\n";
    bb_coupling c;
    char err[512];
    cr_assert_eq(bb_coupling_load(&c, write_map(map), &pools, 20, &body, "", err, sizeof err), 0, "%s", err);
    bb_spike s[16];
    float ex[5];
    uint32_t cells[] = {1, 2, 12}; /* two A spikes, one B spike */
    bb_coupling_apply(&c, s, spikes_of(s, cells, 3), ex);
    cr_assert_float_eq(ex[2], 0.5f, 1e-6); /* 2 spikes / gain 4 */
    cr_assert_float_eq(ex[3], 0.5f, 1e-6);
    cr_assert_float_eq(ex[4], 0.25f, 1e-6); /* weight 0.5 */
    cr_assert_eq(ex[0], 0.f);
    cr_assert_eq(ex[1], 0.f, "B -> L_triceps is delayed by 2 intervals");
    bb_coupling_apply(&c, s, 0, ex);
    cr_assert_eq(ex[1], 0.f);
    cr_assert_eq(ex[2], 0.f, "no spikes, no excitation");
    bb_coupling_apply(&c, s, 0, ex);
    cr_assert_float_eq(ex[1], 0.5f, 1e-6, "the B spike arrives two intervals late: 1 / gain 2");
    uint32_t many[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    bb_coupling_apply(&c, s, spikes_of(s, many, 10), ex);
    cr_assert_eq(ex[2], 1.f, "saturates at 1");
    bb_coupling_free(&c);
}

/* Reciprocal inhibition's wiring: a muscle an X_flexor pool drives has
 * X_extensor as its antagonist and the other way round; a muscle both
 * halves drive, or a pool with no other half, has none. The last
 * interval's counts are what bb_coupling_apply read. */
Test(coupling, each_half_centre_muscle_has_the_other_half_as_antagonist)
{
    static const bb_pools cpg = {3, {{"LF_flexor", 0, 10}, {"LF_extensor", 10, 10}, {"M1", 20, 5}}};
    const char *map = "pathways:\n"
                      "  - {pool: LF_flexor, muscles: [L_biceps, diaphragma]}\n"
                      "  - {pool: LF_extensor, muscles: [L_triceps, diaphragma]}\n"
                      "  - {pool: M1, muscles: [R_biceps]}\n";
    bb_coupling c;
    char err[512];
    cr_assert_eq(bb_coupling_load(&c, write_map(map), &cpg, 25, &body, "", err, sizeof err), 0, "%s", err);
    int32_t antagonist[5];
    uint32_t cells[3];
    bb_coupling_antagonists(&c, antagonist, cells);
    cr_assert_eq(antagonist[0], 1, "L_biceps (flexor pool) -> the extensor pool");
    cr_assert_eq(antagonist[1], 0, "L_triceps (extensor pool) -> the flexor pool");
    cr_assert_eq(antagonist[2], -1, "R_biceps: M1 has no other half");
    cr_assert_eq(antagonist[3], -1, "R_triceps: no pathway");
    cr_assert_eq(antagonist[4], -1, "diaphragma: both halves drive it");
    cr_assert(cells[0] == 10 && cells[1] == 10 && cells[2] == 5, "pool sizes %u %u %u", cells[0], cells[1], cells[2]);
    bb_spike s[16];
    float ex[5];
    uint32_t fired[] = {1, 2, 3, 11};
    bb_coupling_apply(&c, s, spikes_of(s, fired, 4), ex);
    const uint32_t *counts = bb_coupling_last_counts(&c);
    cr_assert(counts[0] == 3 && counts[1] == 1 && counts[2] == 0, "counts %u %u %u", counts[0], counts[1], counts[2]);
    bb_coupling_apply(&c, s, 0, ex);
    cr_assert_eq(bb_coupling_last_counts(&c)[0], 0u, "the next interval's");
    bb_coupling_free(&c);
}

Test(coupling, a_lesion_cuts_a_pools_pathways)
{
    const char *map = "pathways:\n  - {pool: A, muscles: [R_biceps]}\n  - {pool: B, muscles: [L_biceps]}\n";
    bb_coupling c;
    char err[512];
    cr_assert_eq(bb_coupling_load(&c, write_map(map), &pools, 20, &body, "A", err, sizeof err), 0, "%s", err);
    bb_spike s[4];
    float ex[5];
    uint32_t cells[] = {1, 11};
    bb_coupling_apply(&c, s, spikes_of(s, cells, 2), ex);
    cr_assert_eq(ex[2], 0.f);
    cr_assert_float_eq(ex[0], 0.1f, 1e-6);
    bb_coupling_free(&c);
    cr_assert_eq(bb_coupling_load(&c, write_map(map), &pools, 20, &body, "A,C", err, sizeof err), -1);
    cr_assert(strstr(err, "coupling.lesion: the brain has no pool 'C'"), "%s", err);
}

static void expect_error(const char *map, const char *message)
{
    bb_coupling c;
    char err[512];
    const char *path = write_map(map);
    cr_assert_eq(bb_coupling_load(&c, path, &pools, 20, &body, "", err, sizeof err), -1, "accepted:\n%s", map);
    cr_assert(strstr(err, path) && strstr(err, message), "expected \"%s\" in: %s", message, err);
}

Test(coupling, bad_maps_name_file_line_column_and_field)
{
    expect_error("pathways:\n  - {pool: A, muscles: [R_bicep]}\n",
                 ":2:25: pathways[0]: 'R_bicep' matches no muscle of the body (nearest: R_biceps, L_biceps, R_triceps)");
    expect_error("pathways:\n  - {pool: A, muscles: [\"X_*\"]}\n", "pathways[0]: 'X_*' matches no muscle");
    expect_error("pathways:\n  - {pool: A, muscles: [L_biceps], regions: [hindlimb]}\n",
                 "'L_biceps' matches no muscle of the body in these regions");
    expect_error("pathways:\n  - {pool: Z, muscles: [L_biceps]}\n", ":2:12: pathways[0]: the brain has no pool 'Z' (its pools: A, B)");
    expect_error("pathways:\n  - {pool: A, muscles: [L_biceps], wieght: 2}\n", "pathways[0]: unknown key 'wieght'");
    expect_error("pathways:\n  - {pool: A, muscles: [L_biceps], delay_intervals: 1.5}\n",
                 "delay_intervals: a whole number");
    expect_error("gain_spikes: -1\npathways: []\n", ":1:14: gain_spikes: '-1' is not a number");
    expect_error("pathways: [\n", "YAML syntax error");
    expect_error("- just a list\n", "map: expected a mapping");
}

/* ---- the afferent map */

#include "afferent.h"
#include "brainbody/cortex.h"

/* 4 taxels on the right forepaw, then muscles: L hindlimb, R hindlimb,
 * midline trunk; 10 channels: two per body area. */
static const uint8_t area[] = {BB_FORELIMB, BB_FORELIMB, BB_FORELIMB, BB_FORELIMB, BB_HINDLIMB, BB_HINDLIMB, BB_TRUNK};
static const uint8_t side[] = {'R', 'R', 'R', 'R', 'L', 'R', 'M'};
static const bb_body_sizes layout = {3, 4, 9, area, side};

Test(afferent, crossed_somatotopic_channels)
{
    bb_afferent_map m;
    char err[256];
    cr_assert_eq(bb_afferent_map_build(&m, &layout, 10, "none", 2, err, sizeof err), 0, "%s", err);
    /* left hemisphere: the right forepaw's taxels in the forelimb block's
     * touch channel (6), the right hindlimb muscle's three rates in the
     * hindlimb block (2, 3), the midline muscle in the trunk block (4, 5) */
    for (int t = 0; t < 4; t++) cr_assert_eq(m.channel[BB_LEFT][t], 6, "taxel %d -> %d", t, m.channel[BB_LEFT][t]);
    for (int j = 0; j < 3; j++) cr_assert_eq(m.channel[BB_LEFT][4 + j], -1, "the left hindlimb is not heard on the left");
    for (int j = 0; j < 3; j++) cr_assert(m.channel[BB_LEFT][7 + j] == 2 || m.channel[BB_LEFT][7 + j] == 3);
    for (int j = 0; j < 3; j++) cr_assert(m.channel[BB_LEFT][10 + j] == 4 || m.channel[BB_LEFT][10 + j] == 5);
    for (int t = 0; t < 4; t++) cr_assert_eq(m.channel[BB_RIGHT][t], -1, "the right paw is not heard on the right");
    for (int j = 0; j < 3; j++) cr_assert(m.channel[BB_RIGHT][10 + j] >= 4, "the midline reaches both sides");
    /* values: mean rate of a channel's entries x convergence 2 */
    float taxels[4] = {10, 20, 30, 40}, proprio[9] = {0};
    bb_feedback fb = {0, taxels, 4, proprio, 9, NULL, 1, 0};
    double v[10];
    bb_afferent_map_rates(&m, BB_LEFT, &fb, v);
    cr_assert_float_eq(v[6], 2 * 25.0, 1e-9);
    bb_afferent_map_rates(&m, BB_LEFT, NULL, v);
    for (int c = 0; c < 10; c++) cr_assert_eq(v[c], 0.0, "no feedback, silent channels");
    bb_afferent_map_free(&m);
    cr_assert_eq(bb_afferent_map_build(&m, &layout, 10, "touch", 2, err, sizeof err), 0, "%s", err);
    for (int t = 0; t < 4; t++) cr_assert_eq(m.channel[BB_LEFT][t], -1, "touch cut");
    bb_afferent_map_free(&m);
    cr_assert_eq(bb_afferent_map_build(&m, &layout, 10, "trunk", 2, err, sizeof err), 0, "%s", err);
    for (int j = 0; j < 3; j++) cr_assert_eq(m.channel[BB_LEFT][10 + j], -1, "trunk cut");
    bb_afferent_map_free(&m);
    cr_assert_eq(bb_afferent_map_build(&m, &layout, 10, "toes", 2, err, sizeof err), -1);
    cr_assert(strstr(err, "feedback.lesion: 'toes'"), "%s", err);
}

Test(afferent, a_delay_hands_on_the_feedback_of_earlier_intervals)
{
    bb_afferent_map m;
    char err[256];
    cr_assert_eq(bb_afferent_map_build(&m, &layout, 10, "none", 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bb_afferent_map_set_delay(&m, 2, 4, 9), 0);
    float taxels[4], proprio[9] = {0};
    for (uint64_t k = 0; k < 5; k++) {
        for (int t = 0; t < 4; t++) taxels[t] = (float)(10 * k);
        bb_feedback fb = {k, taxels, 4, proprio, 9, NULL, 1, 0};
        const bb_feedback *out = bb_afferent_map_delay(&m, &fb);
        if (k < 2) {
            cr_assert_null(out, "nothing has arrived yet at interval %llu", (unsigned long long)k);
        } else {
            cr_assert_not_null(out);
            cr_assert_eq(out->exchange, k - 2);
            cr_assert_eq(out->taxels[0], (float)(10 * (k - 2)), "interval %llu hears %g", (unsigned long long)k,
                         out->taxels[0]);
        }
    }
    bb_afferent_map_free(&m);
}
