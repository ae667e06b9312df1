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
