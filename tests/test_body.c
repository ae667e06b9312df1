/* body/: loading, muscles, stepping and sensing, on the demo forelimb. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "brainbody/body.h"

#define FORELIMB BB_SOURCE_DIR "/models/forelimb_demo/forelimb.xml"

Test(body, loads_and_lists_muscles)
{
    char err[512];
    bb_body *b = bb_body_open(FORELIMB, err, sizeof err);
    cr_assert(b, "%s", err);
    cr_assert_eq(bb_body_n_muscles(b), 4);
    cr_assert_str_eq(bb_body_muscle_name(b, 2), "R_elbow_flexor");
    bb_body_close(b);
}

Test(body, bad_model_names_the_file)
{
    char err[512];
    cr_assert_null(bb_body_open("/nonexistent/mouse.xml", err, sizeof err));
    cr_assert(strstr(err, "/nonexistent/mouse.xml"), "%s", err);
}

/* Muscle 2 is the elbow flexor. */
Test(body, elbow_flexor_shortens_when_excited)
{
    char err[512];
    bb_body *b = bb_body_open(FORELIMB, err, sizeof err);
    cr_assert(b, "%s", err);
    float rest[4] = {0}, flex[4] = {0, 0, 1, 0}, prop1[12];
    bb_muscle_state m0[4], m1[4];
    cr_assert_eq(bb_body_step(b, rest, 200, err, sizeof err), 0, "%s", err);
    bb_body_muscles(b, m0);
    cr_assert_eq(bb_body_step(b, flex, 400, err, sizeof err), 0, "%s", err);
    bb_body_muscles(b, m1);
    bb_body_sense(b, NULL, prop1);
    cr_assert(m1[2].length < m0[2].length - 1e-4f, "length %g -> %g", m0[2].length, m1[2].length);
    cr_assert(m1[2].force > 0.01f, "excited muscle pulls: force %g N", m1[2].force);
    cr_assert(m1[2].activation > 0.9f, "activation %g", m1[2].activation);
    /* the feedback is afferent rates: the pulling flexor's tendon organ fires */
    cr_assert_gt(prop1[2 * 3 + 2], 10.f, "flexor Ib %g Hz", prop1[8]);
    for (int i = 0; i < 12; i++) cr_assert(isfinite(prop1[i]) && prop1[i] >= 0);
    cr_assert_float_eq(bb_body_time_s(b), 0.3, 1e-9);
    bb_body_close(b);
}

/* ---- footfalls (body/gait.c) on synthetic gaits with known answers */

/* n paws stepping at f Hz with duty d, paw p touching down at phase ph[p]. */
static void synth(uint8_t *c, uint32_t n, double dt, double f, double d, const double *ph, uint32_t paws)
{
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t p = 0; p < paws; p++) {
            double x = k * dt * f - ph[p];
            c[k * paws + p] = x - floor(x) < d;
        }
}

Test(footfalls, trot_and_walk_are_measured)
{
    static uint8_t c[600 * 4];
    bb_footfalls g;
    double trot[4] = {0, 0.5, 0.5, 0}; /* LH, RH, LF, RF: diagonal pairs together */
    synth(c, 600, 0.005, 4, 0.6, trot, 4);
    cr_assert_eq(bb_footfalls_measure(c, 600, 4, 0.005, 0, &g), 0);
    cr_assert_float_eq(g.frequency_hz, 4, 0.05);
    cr_assert_geq(g.strides, 10);
    for (int p = 0; p < 4; p++) {
        cr_assert_float_eq(g.duty[p], 0.6, 0.02, "paw %d duty %g", p, g.duty[p]);
        double e = fabs(g.phase[p] - trot[p]);
        cr_assert(fmin(e, 1 - e) < 0.02, "paw %d phase %g, expected %g", p, g.phase[p], trot[p]);
    }
    double walk[4] = {0, 0.5, 0.25, 0.75}; /* lateral sequence */
    synth(c, 600, 0.005, 2.5, 0.75, walk, 4);
    cr_assert_eq(bb_footfalls_measure(c, 600, 4, 0.005, 0, &g), 0);
    cr_assert_float_eq(g.frequency_hz, 2.5, 0.05);
    for (int p = 0; p < 4; p++) {
        double e = fabs(g.phase[p] - walk[p]);
        cr_assert(fmin(e, 1 - e) < 0.02, "paw %d phase %g, expected %g", p, g.phase[p], walk[p]);
    }
}

Test(footfalls, chatter_is_debounced_before_measuring)
{
    static uint8_t c[600 * 4], clean[600 * 4];
    double trot[4] = {0, 0.5, 0.5, 0};
    synth(clean, 600, 0.005, 4, 0.6, trot, 4);
    memcpy(c, clean, sizeof c);
    /* one-sample lift-offs in every stance and touches in every swing, as the treadmill's contact flags show */
    for (uint32_t k = 3; k < 600; k += 7)
        for (uint32_t p = 0; p < 4; p++) c[k * 4 + p] ^= 1;
    bb_footfalls g;
    cr_assert_eq(bb_footfalls_measure(c, 600, 4, 0.005, 0, &g), 0);
    cr_assert_gt(g.frequency_hz, 8, "chatter should read as fast stepping before debouncing (%g Hz)", g.frequency_hz);
    bb_footfalls_debounce(c, 600, 4, (uint32_t)(BB_FOOTFALL_MIN_PHASE_S / 0.005));
    cr_assert_eq(bb_footfalls_measure(c, 600, 4, 0.005, 0, &g), 0);
    cr_assert_float_eq(g.frequency_hz, 4, 0.05);
    for (int p = 0; p < 4; p++) cr_assert_float_eq(g.duty[p], 0.6, 0.03, "paw %d duty %g", p, g.duty[p]);
    size_t differ = 0, transitions = 0; /* a flip next to a touch-down or lift-off moves it by a sample */
    for (size_t i = 0; i < sizeof c; i++) differ += c[i] != clean[i];
    for (size_t i = 4; i < sizeof c; i++) transitions += clean[i] != clean[i - 4];
    cr_assert_leq(differ, 2 * transitions, "%zu flags differ from the clean gait (%zu transitions)", differ,
                  transitions);
    /* runs as long as the minimum are kept, a shorter one between others is absorbed, the last run is kept */
    uint8_t one[12] = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0};
    bb_footfalls_debounce(one, 12, 1, 4);
    uint8_t want[12] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    cr_assert_arr_eq(one, want, 12);
}

/* A push-recovery measure on a synthetic record: 4 Hz alternation, then
 * 0.3 s of disorder after a push at 1.0-1.05 s (both hind paws together, at
 * 6 Hz), then alternation again from 1.35 s: recovered 0.3 s after the
 * push's end (the strides begun in between are not); never recovered when
 * the disorder lasts to the end. */
Test(footfalls, recovery_after_a_push_is_measured)
{
    static uint8_t c[600 * 2];
    double alt[2] = {0, 0.5}, sync[2] = {0, 0};
    synth(c, 600, 0.005, 4, 0.5, alt, 2);
    static uint8_t bad[600 * 2];
    synth(bad, 600, 0.005, 6, 0.5, sync, 2);
    for (uint32_t k = 210; k < 270; k++) memcpy(c + 2 * k, bad + 2 * k, 2); /* 1.05-1.35 s */
    bb_recovery r;
    cr_assert_eq(bb_footfalls_recovery(c, 600, 2, 0.005, 0, 1, 1.0, 1.05, &r), 0);
    cr_expect_geq(r.baseline_strides, 3);
    cr_expect_float_eq(r.baseline_period_s, 0.25, 0.006);
    cr_expect_float_eq(r.baseline_phase, 0.5, 0.03);
    cr_assert(r.recovered, "not recovered");
    cr_expect(r.seconds >= 0.29 && r.seconds <= 0.56, "recovered %.3f s after the push", r.seconds);
    for (uint32_t k = 210; k < 600; k++) memcpy(c + 2 * k, bad + 2 * k, 2);
    cr_assert_eq(bb_footfalls_recovery(c, 600, 2, 0.005, 0, 1, 1.0, 1.05, &r), 0);
    cr_expect(!r.recovered, "recovered from a disorder that lasted to the end");
    cr_expect_eq(bb_footfalls_recovery(c, 600, 2, 0.005, 0, 1, 0.5, 0.55, &r), -1, "one stride before the push: no baseline");
    for (uint32_t k = 0; k < 600; k++) c[2 * k + 1] = 1; /* the other paw always down: no touch-down, no phase */
    cr_assert_eq(bb_footfalls_recovery(c, 600, 2, 0.005, 0, 1, 1.0, 1.05, &r), 0);
    cr_expect(isnan(r.baseline_phase), "a baseline phase %g for a paw that never touched down", r.baseline_phase);
}

Test(footfalls, too_few_steps_are_no_gait)
{
    static uint8_t c[100 * 2];
    double ph[2] = {0, 0.5};
    synth(c, 100, 0.005, 2, 0.5, ph, 2); /* 0.5 s at 2 Hz: one touch-down */
    bb_footfalls g;
    cr_assert_eq(bb_footfalls_measure(c, 100, 2, 0.005, 0, &g), -1);
    cr_assert_eq(bb_footfalls_measure(c, 100, BB_MAX_PAWS + 1, 0.005, 0, &g), -1);
    static uint8_t lifted[600 * 2]; /* the second paw never touches: no phase, not 0 */
    synth(lifted, 600, 0.005, 4, 0.6, ph, 2);
    for (int k = 0; k < 600; k++) lifted[k * 2 + 1] = 0;
    cr_assert_eq(bb_footfalls_measure(lifted, 600, 2, 0.005, 0, &g), 0);
    cr_assert(isnan(g.phase[1]), "phase %g", g.phase[1]);
    cr_assert_float_eq(g.duty[1], 0, 1e-12);
    cr_assert_eq(bb_footfalls_measure(c, 100, 2, 0.005, 2, &g), -1, "no such reference paw");
}
