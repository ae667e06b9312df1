/* body/: task objects, touch grids and Merkel rates, proprioceptors, physics
 * health, on small purpose-built models and on the mouse. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "brainbody/body.h"
#include "flow_value.h"
#include "gait_log.h"
#include "posture.h"
#include "stretch_reflex.h"

#define MOUSE BB_SOURCE_DIR "/models/mouse_853muscle/mouse.xml"
#define FORELIMB BB_SOURCE_DIR "/models/forelimb_demo/forelimb.xml"

/* text written to /tmp/bb_test_PID_FILE (FILE with its extension: a model
 * "x.xml", a pose "x.tsv"); the path, valid until the next call. */
static const char *write_text(const char *file, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/bb_test_%d_%s", (int)getpid(), file);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static bb_body *open_world(const char *path, const bb_world_spec *w)
{
    char err[2048];
    bb_body *b = bb_body_open_world(path, w, err, sizeof err);
    cr_assert(b, "%s", err);
    return b;
}

/* The mouse held by its head, nothing under it: the default world otherwise. */
static bb_body *head_fixed_mouse(void)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1;
    return open_world(MOUSE, &w);
}

static void run(bb_body *b, double seconds)
{
    char err[512];
    uint32_t steps = (uint32_t)lround(seconds / (bb_body_timestep_ms(b) * 1e-3));
    float *none = calloc(bb_body_n_muscles(b) + 1, sizeof *none);
    cr_assert_eq(bb_body_step(b, none, steps, err, sizeof err), 0, "%s", err);
    free(none);
}

/* A 10 g pad on a vertical slide, tilted so that its (+x, -y) corner is
 * lowest: all its weight rests on that corner. The touch site is turned
 * upside down (z out of the sole), so body -y is site +y: the corner is
 * taxel (x = 7, y = 7) of an 8 x 8 grid. */
static const char *tilted_pad =
    "<mujoco><option timestep=\"0.0005\"/><worldbody>"
    "<body name=\"paw\" pos=\"0 0 0.01\" euler=\"3 5 0\"><joint name=\"drop\" type=\"slide\" axis=\"0 0 1\"/>"
    "<geom name=\"pad\" type=\"box\" size=\"0.004 0.004 0.0005\" mass=\"0.01\" contype=\"2\" conaffinity=\"1\"/>"
    "<site name=\"paw_touch\" type=\"box\" pos=\"0 0 -0.0005\" quat=\"0 1 0 0\" size=\"0.004 0.004 0.00001\"/>"
    "</body></worldbody></mujoco>";

Test(touch, force_lands_in_the_taxel_under_the_contact)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(write_text("pad.xml", tilted_pad), &w);
    cr_assert_eq(bb_body_n_touch_grids(b), 1);
    cr_assert_eq(bb_body_n_taxels(b), 64);
    cr_assert_str_eq(bb_body_touch_grid_name(b, 0), "paw_touch");
    run(b, 0.5);
    float f[64];
    bb_body_taxel_forces(b, f);
    double total = 0;
    for (int i = 0; i < 64; i++) total += f[i];
    cr_assert_float_eq(total, 0.01 * 9.81, 0.01 * 9.81 * 0.02, "weight on the pad: %g N", total);
    cr_assert_gt(f[7 * 8 + 7], 0.98 * total, "corner taxel %g of %g N", f[63], total);
    uint8_t touching;
    bb_body_paw_contacts(b, &touching);
    cr_assert_eq(touching, 1);
    bb_body_close(b);
}

/* Merkel afferents adapt slowly: the onset of pressure fires faster than the
 * same pressure held for a second, which fires at the sustained rate of a
 * saturated taxel (50 Hz at 10 kPa and above, body/touch.c). */
Test(touch, merkel_rate_adapts_to_sustained_pressure)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(write_text("pad.xml", tilted_pad), &w);
    float rate[64], peak = 0;
    for (int k = 0; k < 400; k++) { /* 0.2 s in 0.5 ms steps: the drop and the first contact */
        run(b, 0.0005);
        bb_body_merkel_rates(b, rate);
        peak = fmaxf(peak, rate[63]);
    }
    run(b, 1.0);
    bb_body_merkel_rates(b, rate);
    cr_assert_gt(rate[63], 45.f, "sustained %g Hz", rate[63]);
    cr_assert_lt(rate[63], 55.f, "sustained %g Hz", rate[63]);
    cr_assert_gt(peak, 1.5f * rate[63], "onset %g Hz vs sustained %g Hz", peak, rate[63]);
    for (int i = 0; i < 63; i++) cr_assert_eq(rate[i], 0.f, "taxel %d without pressure fires %g Hz", i, rate[i]);
    bb_body_close(b);
}

Test(treadmill, belt_carries_a_block_backwards)
{
    const char *xml = "<mujoco><option timestep=\"0.0005\"/><worldbody>"
                      "<body name=\"block\" pos=\"0 0 0.003\"><freejoint/>"
                      "<geom type=\"box\" size=\"0.005 0.005 0.002\" mass=\"0.01\" contype=\"2\" conaffinity=\"1\"/>"
                      "</body></worldbody></mujoco>";
    bb_world_spec w;
    bb_world_defaults(&w);
    w.floor = 0;
    w.treadmill = 1;
    w.treadmill_speed = 0.2;
    bb_body *b = open_world(write_text("block.xml", xml), &w);
    run(b, 0.5);
    double vx = bb_body_qvel(b)[0];
    cr_assert_float_eq(vx, -0.2, 0.01, "block moves at %g m/s", vx);
    bb_task_state t;
    bb_body_task(b, &t);
    cr_assert_float_eq(t.belt_speed, 0.2, 1e-12);
    bb_body_close(b);
}

/* A 10 g block on the floor with gravity tilted 11 degrees from the
 * vertical (a pull of 0.2 g along x), well inside its friction cone (mu 1):
 * a Coulomb contact holds it still. MuJoCo's soft friction lets it creep;
 * the elliptic cone with an impedance ratio of 10 makes the friction
 * constraint harder and the creep smaller. */
static double creep_on_a_slope(int elliptic, double impratio)
{
    const char *xml = "<mujoco><option timestep=\"0.0005\" gravity=\"1.962 0 -9.81\"/><worldbody>"
                      "<body name=\"block\" pos=\"0 0 0.002\"><freejoint/>"
                      "<geom type=\"box\" size=\"0.005 0.005 0.002\" mass=\"0.01\" contype=\"2\" conaffinity=\"1\"/>"
                      "</body></worldbody></mujoco>";
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(write_text("slope.xml", xml), &w);
    char err[256];
    cr_assert_eq(bb_body_set_friction_cone(b, elliptic, impratio, err, sizeof err), 0, "%s", err);
    run(b, 0.2); /* settle onto the floor */
    double x0 = bb_body_qpos(b)[0];
    run(b, 1.0);
    double creep = bb_body_qpos(b)[0] - x0;
    bb_body_close(b);
    return creep;
}

Test(contact, the_elliptic_cone_with_a_high_impedance_ratio_creeps_less)
{
    double pyramidal = creep_on_a_slope(0, 1), elliptic = creep_on_a_slope(1, 10);
    cr_assert_gt(pyramidal, 0, "the soft pyramidal contact creeps downhill: %g m in 1 s", pyramidal);
    cr_assert_lt(fabs(elliptic), 0.1 * pyramidal, "elliptic, impratio 10: %g m against %g m", elliptic, pyramidal);
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(MOUSE, &w);
    char err[256];
    cr_assert_eq(bb_body_set_friction_cone(b, 0, 10, err, sizeof err), -1);
    cr_assert(strstr(err, "needs the elliptic cone"), "%s", err);
    cr_assert_eq(bb_body_set_friction_cone(b, 1, 0.5, err, sizeof err), -1);
    cr_assert(strstr(err, "below 1"), "%s", err);
    bb_body_close(b);
}

static const char *block_over_lever =
    "<mujoco><option timestep=\"0.0005\"/><worldbody>"
    "<body name=\"block\" pos=\"-0.008 0 0.013\"><freejoint/>"
    "<geom type=\"box\" size=\"0.0015 0.0015 0.0015\" mass=\"0.005\" contype=\"2\" conaffinity=\"1\"/></body>"
    "</worldbody></mujoco>";

/* A lever hinged 10 mm above the origin, no floor, around the given model. */
static bb_body *with_lever(const char *file, const char *xml, bb_world_spec *w)
{
    bb_world_defaults(w);
    w->floor = 0;
    w->lever = 1;
    w->lever_pos[2] = 0.01;
    return open_world(write_text(file, xml), w);
}

Test(lever, a_falling_block_presses_it_once)
{
    bb_world_spec w;
    bb_body *b = with_lever("block.xml", block_over_lever, &w);
    bb_task_state t;
    bb_body_task(b, &t);
    cr_assert_eq(t.lever_presses, 0);
    cr_assert_eq(t.last_press_s, -1);
    run(b, 0.4);
    bb_body_task(b, &t);
    /* the block presses the lever down, slides off its end, and the spring
     * brings it back: one press, however much the lever bounced */
    cr_assert_eq(t.lever_presses, 1, "%u presses", t.lever_presses);
    cr_assert(t.last_press_s > 0.01 && t.last_press_s < 0.1, "pressed at %g s", t.last_press_s);
    cr_assert_lt(t.lever_angle, w.lever_threshold / 2, "angle %g rad", t.lever_angle);
    bb_body_close(b);
}

Test(lever, the_spring_holds_it_up_without_a_weight)
{
    bb_world_spec w;
    bb_body *b = with_lever("nothing.xml", "<mujoco><worldbody/></mujoco>", &w);
    run(b, 0.4);
    bb_task_state t;
    bb_body_task(b, &t);
    cr_assert_eq(t.lever_presses, 0);
    cr_assert_lt(t.lever_angle, w.lever_threshold / 2);
    bb_body_close(b);
}

Test(reach_target, distance_is_from_the_nearest_paw_pad)
{
    char err[512];
    bb_body *plain = bb_body_open(MOUSE, err, sizeof err);
    cr_assert(plain, "%s", err);
    bb_world_spec w;
    bb_world_defaults(&w);
    w.reach_target = 1;
    cr_assert_eq(bb_body_body_pos(plain, "L_manus", w.target_pos), 0);
    bb_body_close(plain);
    bb_body *b = open_world(MOUSE, &w);
    bb_task_state t;
    bb_body_task(b, &t);
    /* the left palm's touch site is (2.5, 0, -1.0) mm from the wrist (tables/contacts.tsv) */
    cr_assert_float_eq(t.target_distance, 1e-3 * sqrt(2.5 * 2.5 + 1.0), 1e-9, "%g m", t.target_distance);
    /* the same distance from the grids' recorded positions */
    double pos[3 * 4], best = 1;
    cr_assert_eq(bb_body_n_touch_grids(b), 4);
    bb_body_touch_grid_positions(b, pos);
    for (int g = 0; g < 4; g++) {
        double dx = pos[3 * g] - w.target_pos[0], dy = pos[3 * g + 1] - w.target_pos[1], dz = pos[3 * g + 2] - w.target_pos[2];
        best = fmin(best, sqrt(dx * dx + dy * dy + dz * dz));
    }
    cr_assert_float_eq(best, t.target_distance, 1e-12);
    bb_body_close(b);
}

/* Two bodies fixed in the world at known angles: one turned 30 deg to the
 * left about the vertical, one tipped 20 deg nose-up about its left axis.
 * Each angle is read back, and neither leaks into the others. */
Test(orientation, yaw_pitch_and_roll_are_read_back_apart)
{
    const char *xml = "<mujoco><worldbody>"
                      "<body name=\"turned\" euler=\"0 0 30\"><geom type=\"box\" size=\"0.01 0.005 0.005\"/></body>"
                      "<body name=\"tipped\" pos=\"0.1 0 0\" euler=\"0 -20 0\"><geom type=\"box\" size=\"0.01 0.005 0.005\"/></body>"
                      "</worldbody></mujoco>";
    char err[512];
    bb_body *b = bb_body_open(write_text("orientation.xml", xml), err, sizeof err);
    cr_assert(b, "%s", err);
    run(b, 0.001);
    const double deg = 57.29577951308232;
    cr_assert_float_eq(bb_body_yaw(b, "turned") * deg, 30, 1e-6, "yaw %g", bb_body_yaw(b, "turned") * deg);
    cr_assert_float_eq(bb_body_pitch(b, "turned") * deg, 0, 1e-6);
    cr_assert_float_eq(bb_body_roll(b, "turned") * deg, 0, 1e-6);
    cr_assert_float_eq(bb_body_pitch(b, "tipped") * deg, 20, 1e-6, "pitch %g", bb_body_pitch(b, "tipped") * deg);
    cr_assert_float_eq(bb_body_yaw(b, "tipped") * deg, 0, 1e-6);
    cr_assert(isnan(bb_body_yaw(b, "pelvis")), "no such body: NAN");
    bb_body_close(b);
}

Test(head_fixed, the_skull_stays_where_it_was)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1;
    bb_body *b = open_world(MOUSE, &w);
    double before[3], after[3];
    bb_body_body_pos(b, "skull", before);
    run(b, 0.5);
    bb_body_body_pos(b, "skull", after);
    for (int k = 0; k < 3; k++) cr_assert_lt(fabs(after[k] - before[k]), 1e-4, "axis %d moved %g m", k, after[k] - before[k]);
    bb_body_close(b);
    w.head_fixed = 0;
    b = open_world(MOUSE, &w);
    run(b, 0.5);
    bb_body_body_pos(b, "skull", after);
    cr_assert_gt(before[2] - after[2], 2e-3, "a free mouse's head sinks: it dropped %g m", before[2] - after[2]);
    bb_body_close(b);
}

/* The rig's post set below or above the start pose: the skull follows it
 * over BB_HEAD_POST_RAMP_S, linearly, and then stays there. */
static void skull_under_a_post(double height, double at[2][3], double before[3])
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1, w.floor = 0, w.head_height = height;
    bb_body *b = open_world(MOUSE, &w);
    bb_body_body_pos(b, "skull", before);
    run(b, 0.4 * BB_HEAD_POST_RAMP_S);
    bb_body_body_pos(b, "skull", at[0]);
    run(b, 0.5 - 0.4 * BB_HEAD_POST_RAMP_S);
    bb_body_body_pos(b, "skull", at[1]);
    bb_body_close(b);
}

Test(head_fixed, the_post_holds_the_skull_at_its_height)
{
    const double heights[] = {-0.009, 0.004};
    for (int i = 0; i < 2; i++) {
        double at[2][3], before[3], h = heights[i];
        skull_under_a_post(h, at, before);
        cr_assert_float_eq(at[0][2] - before[2], 0.4 * h, 2e-4, "mid-way down: %g m for a %g m post",
                           at[0][2] - before[2], h);
        cr_assert_float_eq(at[1][2] - before[2], h, 1e-4, "at 0.5 s: %g m for a %g m post", at[1][2] - before[2], h);
        for (int k = 0; k < 2; k++) cr_assert_lt(fabs(at[1][k] - before[k]), 1e-4, "axis %d moved %g m", k, at[1][k] - before[k]);
    }
}

Test(muscles, mouse_fibres_are_optimal_standing)
{
    char err[512];
    bb_body *b = bb_body_open(MOUSE, err, sizeof err);
    cr_assert(b, "%s", err);
    uint32_t n = bb_body_n_muscles(b);
    bb_muscle_state *s = calloc(n, sizeof *s);
    bb_body_muscles(b, s);
    for (uint32_t i = 0; i < n; i++)
        cr_assert_float_eq(s[i].fibre_length, 1.f, 1e-4f, "%s: %g optimal lengths", bb_body_muscle_name(b, i),
                           s[i].fibre_length);
    free(s);
    bb_body_close(b);
}

/* Excite the demo forelimb's elbow flexor: the flexor pulls (tendon organ
 * Ib up) and shortens, the extensor is stretched (spindle Ia up), read as
 * the coupler reads it, after one exchange interval of 10 steps. */
Test(muscles, proprioceptors_see_the_movement)
{
    char err[512];
    bb_body *b = bb_body_open(FORELIMB, err, sizeof err);
    cr_assert(b, "%s", err);
    float rest[4] = {0}, ex[4] = {0, 0, 1, 0}, r0[12], r[12];
    cr_assert_eq(bb_body_step(b, rest, 400, err, sizeof err), 0, "%s", err);
    bb_body_proprio_rates(b, r0);
    cr_assert_eq(bb_body_step(b, ex, 50, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bb_body_step(b, ex, 10, err, sizeof err), 0, "%s", err);
    bb_body_proprio_rates(b, r);
    enum { IA, II, IB };
    int flexor = 2, extensor = 3;
    cr_assert_gt(r[3 * flexor + IB], r0[3 * flexor + IB] + 10, "flexor Ib %g -> %g Hz", r0[3 * flexor + IB],
                 r[3 * flexor + IB]);
    cr_assert_gt(r[3 * extensor + IA], r0[3 * extensor + IA] + 5, "extensor Ia %g -> %g Hz", r0[3 * extensor + IA],
                 r[3 * extensor + IA]);
    for (int i = 0; i < 12; i++) cr_assert(r[i] >= 0 && r[i] <= 500, "rate %d: %g", i, r[i]);
    bb_body_close(b);
}

/* A muscle's velocity is its mean over the last bb_body_step call (the
 * coupler's exchange interval): the length change over the interval's
 * span, not MuJoCo's velocity at its last step. Sampled at the last step,
 * a small, stiff muscle at full activation chattering at the step rate
 * under the Euler integrator (measured: the mouse's intercostals, +-30 mm/s
 * on alternate steps) aliases into a steady velocity of either sign, and
 * the stretch reflex latched such muscles on at 1 on one side only
 * (docs/body-model.md, "Muscle velocity"). Here the flexor accelerates from
 * rest over the interval, so its velocity at the last step differs from
 * the mean. */
Test(muscles, velocity_is_the_mean_over_the_last_step_call)
{
    char err[512];
    bb_body *b = bb_body_open(FORELIMB, err, sizeof err);
    cr_assert(b, "%s", err);
    float rest[4] = {0}, ex[4] = {0, 0, 1, 0};
    cr_assert_eq(bb_body_step(b, rest, 400, err, sizeof err), 0, "%s", err);
    uint32_t n = bb_body_n_muscles(b);
    bb_muscle_state before[4], after[4];
    cr_assert_eq(n, 4);
    bb_body_muscles(b, before);
    const uint32_t steps = 10;
    cr_assert_eq(bb_body_step(b, ex, steps, err, sizeof err), 0, "%s", err);
    bb_body_muscles(b, after);
    const mjData *d = bb_body_mj_data(b);
    const mjModel *m = bb_body_mj_model(b);
    double span = steps * bb_body_timestep_ms(b) * 1e-3;
    int flexor = 2;
    double mean = (after[flexor].length - before[flexor].length) / span;
    cr_assert_float_eq(after[flexor].velocity, mean, 1e-6 + 1e-3 * fabs(mean), "flexor: %g m/s reported, %g m/s mean",
                       after[flexor].velocity, mean);
    double last = d->actuator_velocity[mj_name2id(m, mjOBJ_ACTUATOR, bb_body_muscle_name(b, flexor))];
    cr_assert_gt(fabs(last - mean), 0.2 * fabs(mean), "the flexor's last-step velocity %g m/s is its mean %g m/s: "
                 "the test does not tell them apart", last, mean);
    bb_body_close(b);
}

Test(health, a_blow_up_is_reported_with_time_and_cause)
{
    const char *xml = "<mujoco><option timestep=\"0.0005\"/><worldbody>"
                      "<site name=\"a\" pos=\"-0.01 0 0.001\"/>"
                      "<body name=\"arm\"><joint name=\"j\" type=\"hinge\" axis=\"0 1 0\"/>"
                      "<geom type=\"capsule\" fromto=\"0 0 0 0.01 0 0\" size=\"0.001\" mass=\"1e-6\"/>"
                      "<site name=\"b\" pos=\"0.005 0 0.001\"/></body></worldbody>"
                      "<tendon><spatial name=\"t\"><site site=\"a\"/><site site=\"b\"/></spatial></tendon>"
                      "<actuator><muscle name=\"m\" tendon=\"t\" force=\"1000\" lengthrange=\"0.005 0.03\" "
                      "ctrllimited=\"true\" ctrlrange=\"0 1\"/></actuator></mujoco>";
    char err[512] = "";
    bb_body *b = bb_body_open(write_text("blowup.xml", xml), err, sizeof err);
    cr_assert(b, "%s", err);
    float one = 1;
    cr_assert_eq(bb_body_step(b, &one, 2000, err, sizeof err), -1, "no blow-up detected");
    cr_assert(strstr(err, "physics unstable") && !strncmp(err, "t = ", 4), "%s", err);
    cr_assert_lt(bb_body_time_s(b), 1.0, "found late, at %g s", bb_body_time_s(b));
    bb_body_close(b);
}

Test(world, bad_inputs_are_named)
{
    char err[2048];
    bb_world_spec w;
    bb_world_defaults(&w);
    cr_assert_null(bb_body_open_world(write_text("noworld.xml", "<mujoco/>"), &w, err, sizeof err));
    cr_assert(strstr(err, "no <worldbody>"), "%s", err);
    w.taxels_x = 0;
    cr_assert_null(bb_body_open_world(MOUSE, &w, err, sizeof err));
    cr_assert(strstr(err, "touch grids must be 1..64"), "%s", err);
    bb_world_defaults(&w);
    w.head_fixed = 1;
    snprintf(w.head_body, sizeof w.head_body, "no_such_head");
    cr_assert_null(bb_body_open_world(MOUSE, &w, err, sizeof err));
    cr_assert(strstr(err, MOUSE) && strstr(err, "no_such_head"), "%s", err);
    cr_assert_null(bb_body_open_world("/nonexistent/mouse.xml", &w, err, sizeof err));
    cr_assert(strstr(err, "/nonexistent/mouse.xml"), "%s", err);
}

/* A free body with a limited hinge and a ball joint: the pose file's joints. */
static const char *posable =
    "<mujoco><option timestep=\"0.0005\" gravity=\"0 0 0\"/><worldbody>"
    "<body name=\"trunk\" pos=\"0 0 0.1\"><freejoint name=\"root\"/><geom size=\"0.01\" mass=\"0.01\"/>"
    "<body name=\"limb\" pos=\"0.02 0 0\"><joint name=\"knee\" axis=\"0 1 0\" limited=\"true\" range=\"-45 45\"/>"
    "<geom size=\"0.005\" mass=\"0.001\"/>"
    "<body name=\"tip\" pos=\"0.01 0 0\"><joint name=\"wrist\" type=\"ball\"/><geom size=\"0.003\" mass=\"0.001\"/>"
    "</body></body></body></worldbody></mujoco>";

Test(pose, the_body_starts_at_rest_in_the_pose_the_file_gives)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(write_text("posable.xml", posable), &w);
    run(b, 0.01); /* moving: the pose must stop it */
    struct mjData_ *d = bb_body_mj_data(b);
    d->qvel[0] = 0.3;
    const double c = cos(0.1), s = sin(0.1); /* 0.2 rad about y, written with a rounding the reader normalises */
    char text[512];
    snprintf(text, sizeof text,
             "# a comment, then a blank line\n\nroot\t0.01 -0.02 0.05\t%.6f 0 %.6f 0\nknee -0.5\n", c, s);
    char err[512] = "";
    cr_assert_eq(bb_body_set_pose_file(b, write_text("good.tsv", text), err, sizeof err), 2, "%s", err);
    const double *q = bb_body_qpos(b);
    cr_assert_float_eq(q[0], 0.01, 1e-12);
    cr_assert_float_eq(q[1], -0.02, 1e-12);
    cr_assert_float_eq(q[2], 0.05, 1e-12);
    cr_assert_float_eq(q[3] * q[3] + q[5] * q[5], 1, 1e-12, "the quaternion is normalised");
    cr_assert_float_eq(bb_body_pitch(b, "trunk"), -0.2, 1e-5, "pitch %g", bb_body_pitch(b, "trunk"));
    cr_assert_float_eq(bb_body_joint_angle(b, "knee"), -0.5, 1e-12);
    cr_assert_float_eq(q[8], 1, 1e-12, "the wrist, not in the file, keeps its value");
    for (uint32_t i = 0; i < bb_body_nv(b); i++) cr_assert_eq(bb_body_qvel(b)[i], 0, "at rest");
    double pos[3];
    cr_assert_eq(bb_body_body_pos(b, "limb", pos), 0);
    cr_assert_float_eq(pos[2], 0.05 - 0.02 * sin(0.2), 1e-7, "positions follow the pose at once (z %g)", pos[2]); /* +x tips down */
    bb_body_close(b);
}

Test(pose, a_bad_pose_file_is_named_by_line_and_changes_nothing)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(write_text("posable.xml", posable), &w);
    run(b, 0.01);
    const uint32_t nq = bb_body_nq(b);
    double before[16];
    cr_assert_leq(nq, 16);
    memcpy(before, bb_body_qpos(b), nq * sizeof *before);
    const double vz = bb_body_qvel(b)[2];
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"knee 0.1\nelbow 0.2\n", ":2: the model has no joint 'elbow'"},
        {"knee 0.1\nknee 0.2\n", ":2: joint 'knee' is given twice"},
        {"root 0 0 0.1 1 0 0\n", ":1: joint 'root': 6 values, expected 7"},
        {"knee 0.1 0.2\n", ":1: joint 'knee': more than 1 value"},
        {"# ok\nknee 0.1x\n", ":2: joint 'knee': '0.1x' is not a finite number"},
        {"knee nan\n", ":1: joint 'knee': 'nan' is not a finite number"},
        {"knee 1.0\n", ":1: joint 'knee': 1 is outside the joint's range"},
        {"wrist 1 1 0 0\n", ":1: joint 'wrist': the quaternion's norm is 1.41421, not 1"},
        {"# nothing\n\n", "no joint is given"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *path = write_text("bad.tsv", bad[i].text);
        cr_assert_eq(bb_body_set_pose_file(b, path, err, sizeof err), -1, "%s", bad[i].text);
        cr_assert(strstr(err, path) && strstr(err, bad[i].says), "'%s' for '%s'", err, bad[i].text);
        for (uint32_t k = 0; k < nq; k++) cr_assert_eq(bb_body_qpos(b)[k], before[k], "%s changed qpos", bad[i].text);
        cr_assert_eq(bb_body_qvel(b)[2], vz, "%s changed qvel", bad[i].text);
    }
    cr_assert_eq(bb_body_set_pose_file(b, "/nonexistent/pose.tsv", err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/pose.tsv") && strstr(err, "cannot read"), "%s", err);
    bb_body_close(b);
}

/* The pose made by run/tune/start_pose.py for the free-floor search fits
 * the mouse as built: every joint it names exists and is in range. */
Test(pose, the_shipped_free_pose_fits_the_mouse)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(MOUSE, &w);
    char err[512] = "";
    cr_assert_eq(bb_body_set_pose_file(b, BB_SOURCE_DIR "/run/poses/free_landed.tsv", err, sizeof err),
                 (int)bb_body_n_hinges(b) + 1, "%s", err);
    cr_assert_float_eq(bb_body_roll(b, "pelvis"), 0, 1e-9, "symmetric: level");
    cr_assert_float_eq(bb_body_joint_angle(b, "L_hip_add"), bb_body_joint_angle(b, "R_hip_add"), 1e-12);
    bb_body_close(b);
}

/* Logs the body's gait for `exchanges` 5 ms intervals, stepping it, and
 * returns the gait: block as run.yaml would have it (the caller frees it). */
/* Not inlined: GCC 12 at -O3 (a Release build) takes the memstream's
 * buffer for the local pointer it was returned through and warns of a
 * dangling pointer in the caller (-Wdangling-pointer, a false positive). */
__attribute__((noinline)) static char *log_gait(bb_gait_log *g, bb_body *b, int exchanges)
{
    for (int k = 0; k < exchanges; k++) {
        run(b, 0.005);
        cr_assert_eq(bb_gait_log_add(g, b), 0);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    bb_gait_log_write_yaml(g, f);
    fclose(f);
    return text;
}

/* The centre of mass is the animal's: a head-fixed mouse over a running 1 kg
 * belt stays where it is (the belt's mass once dragged it 20 mm down and
 * back), so the gait log's speed over the belt is the belt's speed. */
Test(gait_log, a_head_fixed_mouse_over_the_belt_moves_at_belt_speed)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1, w.treadmill = 1, w.treadmill_speed = 0.2;
    bb_body *b = open_world(MOUSE, &w);
    double com[3];
    bb_body_com(b, com);
    cr_assert_gt(com[2], 0.01, "the mouse's centre of mass sits %g m above the floor", com[2]);
    cr_assert_float_eq(bb_body_total_mass(b), 0.025, 0.01, "the animal's mass, not the belt's: %g kg",
                       bb_body_total_mass(b));
    bb_gait_log g;
    cr_assert_eq(bb_gait_log_init(&g, b, 0.005), 0, "the mouse has a left hind paw grid");
    g.stim_on_s = 0.3, g.stim_off_s = 0.45;
    char *text = log_gait(&g, b, 100); /* 0.5 s */
    double speed = line_value(text, "speed_m_per_s");
    cr_assert(!isnan(speed), "%s", text);
    cr_assert_float_eq(speed, 0.2, 0.02, "speed over the belt %g m/s:\n%s", speed, text);
    cr_assert(strstr(text, "com_height_m: {min: 0.0"), "%s", text);
    /* relaxed and held by the head, the hindquarters sag but stay upright */
    double roll = flow_value(text, "pelvis_roll_deg", "max_abs");
    cr_assert(!isnan(roll), "%s", text);
    cr_assert_lt(roll, 5, "pelvis roll %g deg:\n%s", roll, text);
    /* its pitch against a still belt's: gait_log/a_paw_slides_at_the_speed_the_belt_drags_it */
    /* nor turn away from the belt's axis (measured: 0.06 deg mean, 0.35 at most) */
    double yaw_mean = flow_value(text, "pelvis_yaw_deg", "mean_abs");
    double yaw_max = flow_value(text, "pelvis_yaw_deg", "max_abs");
    cr_assert(!isnan(yaw_mean) && !isnan(yaw_max), "%s", text);
    cr_assert(yaw_max < 5, "pelvis yaw mean %g, largest %g deg:\n%s", yaw_mean, yaw_max, text);
    /* the stimulus window and as long a time before it, on the 5 ms grid */
    cr_assert(strstr(text, "window_s: [0.300, 0.450]\n    before_s: [0.150, 0.300]"), "%s", text);
    cr_assert(strstr(text, "step_during_deg: {L_manus: "), "%s", text);
    /* relaxed, the hind knees fold to their flexion limit (measured: 34 % of
     * the 0.5 s; 88 % when the hind paws stood under the hips) while the hips
     * hang in mid-range (0 %): the at_range_end: block tells a limb held at
     * its limits from one that moves */
    for (int side = 0; side < 2; side++) {
        double knee = flow_value(text, "knee_elbow", side ? "R_pes" : "L_pes");
        double hip = flow_value(text, "hip_shoulder", side ? "R_pes" : "L_pes");
        cr_assert_gt(knee, 0.2, "hind knee at a range end %g of the time:\n%s", knee, text);
        cr_assert_lt(hip, 0.1, "hind hip at a range end %g of the time:\n%s", hip, text);
    }
    free(text);
    bb_gait_log_free(&g);
    bb_body_close(b);
}

/* The gait log of a relaxed head-fixed mouse over a belt at speed, 0.5 s. */
static char *relaxed_over_belt(double speed)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1, w.treadmill = 1, w.treadmill_speed = speed;
    bb_body *b = open_world(MOUSE, &w);
    bb_gait_log g;
    cr_assert_eq(bb_gait_log_init(&g, b, 0.005), 0);
    char *text = log_gait(&g, b, 100);
    bb_gait_log_free(&g);
    bb_body_close(b);
    return text;
}

/* slip_m_per_s is how fast a paw slides over what it stands on. Relaxed and
 * held by the head, the mouse's hind paws lie on the belt: over a still belt
 * they stay put (measured: below 0.0005 m/s, the block's last digit), over
 * one running at 0.2 m/s it slides under them at most of its speed
 * (measured: 0.184 and 0.160 m/s), since nothing steps the legs back with it.
 * Nor does the running belt pitch the body: relaxed, the hindquarters sink
 * on their splayed hind limbs (nose up) as far over it as over the still
 * belt (measured: 17.6 deg mean, 20.9 at most, against 16.4 and 19.4). */
Test(gait_log, a_paw_slides_at_the_speed_the_belt_drags_it)
{
    char *still = relaxed_over_belt(0), *running = relaxed_over_belt(0.2);
    for (int side = 0; side < 2; side++) {
        const char *paw = side ? "R_pes" : "L_pes";
        double at_rest = flow_value(still, "slip_m_per_s", paw), dragged = flow_value(running, "slip_m_per_s", paw);
        cr_assert_lt(at_rest, 0.01, "%s slides at %g m/s over a still belt:\n%s", paw, at_rest, still);
        cr_assert_gt(dragged, 0.15, "%s slides at %g m/s over a 0.2 m/s belt:\n%s", paw, dragged, running);
        cr_assert_lt(dragged, 0.25, "%s slides at %g m/s over a 0.2 m/s belt:\n%s", paw, dragged, running);
    }
    double pitch_mean = flow_value(running, "pelvis_pitch_deg", "mean");
    double pitch_max = flow_value(running, "pelvis_pitch_deg", "max_abs");
    double still_mean = flow_value(still, "pelvis_pitch_deg", "mean");
    double still_max = flow_value(still, "pelvis_pitch_deg", "max_abs");
    cr_assert(!isnan(pitch_mean) && !isnan(pitch_max) && !isnan(still_mean) && !isnan(still_max), "%s\n%s", running, still);
    cr_assert(fabs(pitch_mean - still_mean) < 3 && fabs(pitch_max - still_max) < 3,
              "pelvis pitch mean %g, largest %g deg over the running belt, %g and %g over a still one:\n%s", pitch_mean,
              pitch_max, still_mean, still_max, running);
    free(still);
    free(running);
}

/* The belt's travel towards -x after `seconds` of a relaxed head-fixed mouse
 * over a free (self-paced) belt, its left hind paw pushed along x by
 * push_N (and down by 0.05 N) from 0.3 s for 0.1 s, and the gait log's
 * speed over those seconds. */
static double free_belt_travel(double push_N, double seconds, double *speed)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1, w.floor = 0, w.treadmill = 1, w.treadmill_free = 1;
    bb_body *b = open_world(MOUSE, &w);
    char err[256];
    double force[3] = {push_N, 0, -0.05}; /* and 0.05 N down into the belt, as a stance leg presses */
    if (push_N != 0) cr_assert_eq(bb_body_push(b, "L_pes", force, 0.3, 0.1, err, sizeof err), 0, "%s", err);
    bb_gait_log g;
    cr_assert_eq(bb_gait_log_init(&g, b, 0.005), 0);
    char *text = log_gait(&g, b, (int)lround(seconds / 0.005));
    *speed = line_value(text, "speed_m_per_s");
    bb_task_state task;
    bb_body_task(b, &task);
    free(text);
    bb_gait_log_free(&g);
    bb_body_close(b);
    return task.belt_travel;
}

/* A free belt (body.treadmill.drive: free) moves only as what stands on it
 * pushes it: under a relaxed mouse it stays put; a hind paw pushed back
 * (towards -x, as a stance leg pushes) carries it back with it, pushed
 * forward it carries it forward; and the gait log's speed over the belt
 * follows. The push is 0.1 N along the belt, 40 % of the weight, and 0.05 N
 * down into it, as a stance leg presses, for 0.1 s: the relaxed paw bears
 * little (5 % of the weight on the hind paws splayed under the sagging
 * hindquarters), and pushed along the belt alone it slides over it instead
 * (measured: -0.5 mm back, 0.2 N: 7.4 mm back but -3.8 mm forward).
 * Measured: the belt travels -0.36 mm (still), 10.4 mm (back) and -19.5 mm
 * (forward) towards -x in 0.6 s; speeds 0.005, 0.025 and -0.023 m/s (the
 * still mouse's 0.005 is its centre of mass settling forward). */
Test(gait_log, a_free_belt_moves_as_the_paws_push_it)
{
    double speed[3];
    double still = free_belt_travel(0, 0.6, &speed[0]), back = free_belt_travel(-0.1, 0.6, &speed[1]),
           forward = free_belt_travel(0.1, 0.6, &speed[2]);
    cr_assert_lt(fabs(still), 5e-4, "a relaxed mouse moved the free belt %g m", still);
    cr_assert_gt(back, 5e-3, "a paw pushed back moved the free belt %g m towards -x", back);
    cr_assert_lt(forward, -5e-3, "a paw pushed forward moved the free belt %g m towards -x", forward);
    cr_assert_gt(speed[1], speed[0] + 0.01, "speed over the belt %g m/s pushed back, %g still", speed[1], speed[0]);
    cr_assert_lt(speed[2], speed[0] - 0.01, "speed over the belt %g m/s pushed forward, %g still", speed[2], speed[0]);
}

/* load_share is the weight each paw bears. A mouse relaxed on the floor
 * with nothing else holding it rests on its paws, and its tail and belly
 * that sag to the floor: once it has settled, the paws' shares add up to
 * most of its weight and never more (measured: 0.888, forepaws 0.258 each,
 * hind 0.186); held by the head over a still belt, its paws bear less
 * (measured: 0.668), the head post the rest. */
Test(gait_log, the_paws_bear_the_weight_the_head_post_does_not)
{
    double total[2] = {0, 0};
    for (int held = 0; held < 2; held++) {
        bb_world_spec w;
        bb_world_defaults(&w);
        w.head_fixed = held, w.floor = !held, w.treadmill = held, w.treadmill_speed = 0;
        bb_body *b = open_world(MOUSE, &w);
        run(b, 0.3); /* settle */
        bb_gait_log g;
        cr_assert_eq(bb_gait_log_init(&g, b, 0.005), 0);
        char *text = log_gait(&g, b, 40);
        const char *paws[] = {"L_manus", "R_manus", "L_pes", "R_pes"};
        for (int p = 0; p < 4; p++) total[held] += flow_value(text, "load_share", paws[p]);
        free(text);
        bb_gait_log_free(&g);
        bb_body_close(b);
    }
    cr_assert(total[0] > 0.8 && total[0] < 1.02, "free on the floor, the paws bear %g of the weight", total[0]);
    cr_assert_lt(total[1], 0.9 * total[0], "held by the head, the paws bear %g of the weight (free: %g)", total[1], total[0]);
}

/* The push: block on a synthetic log (no body): 5 s at 5 ms rows, a push
 * at 2-2.05 s. The left hind paw steps at 4 Hz (250 ms cycles, 175 ms down)
 * and the centre of mass is at 30 mm until 2.5 s, then at 2 Hz and 15 mm;
 * the right hind stays down. The block's windows are the second before the
 * push and the second from 1 s after its end, so it finds 4 and 2
 * touch-downs per second, 0 for the right, and the two heights; and the
 * recovery: block has no right-hind phase (.nan). */
Test(gait_log, the_push_block_compares_the_second_before_a_push_with_one_after)
{
    bb_gait_log g;
    memset(&g, 0, sizeof g);
    const char *names[] = {"L_manus", "R_manus", "L_pes", "R_pes"};
    g.n_paws = 4, g.ref = 2, g.dt_s = 0.005, g.weight_N = 0.25, g.z_min = 0.015;
    for (int p = 0; p < 4; p++) {
        snprintf(g.name[p], sizeof g.name[p], "%s", names[p]);
        for (int j = 0; j < BB_GAIT_LIMB_JOINTS; j++) g.limit_range[p][j][0] = g.limit_range[p][j][1] = NAN;
    }
    g.n = g.cap = 1000;
    g.contact = calloc((size_t)g.n * 4, 1);
    g.flexion = calloc((size_t)g.n * 4, sizeof *g.flexion);
    g.height = calloc(g.n, sizeof *g.height);
    cr_assert(g.contact && g.flexion && g.height);
    for (uint32_t r = 0; r < g.n; r++) {
        int late = r >= 500;
        g.contact[r * 4 + 2] = late ? r % 100 < 70 : r % 50 < 35;
        g.contact[r * 4 + 3] = 1;
        g.height[r] = late ? 0.015f : 0.030f;
    }
    g.push_on_s = 2.0, g.push_off_s = 2.05;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    bb_gait_log_write_yaml(&g, f);
    fclose(f);
    cr_assert(strstr(text, "  push:"), "%s", text);
    cr_assert_float_eq(flow_value(text, "touchdowns_per_s_before", "L_pes"), 4.0, 1e-9, "%s", text);
    cr_assert_float_eq(flow_value(text, "touchdowns_per_s_after", "L_pes"), 2.0, 1e-9, "%s", text);
    cr_assert_float_eq(flow_value(text, "touchdowns_per_s_after", "R_pes"), 0.0, 1e-9, "%s", text);
    cr_assert_float_eq(line_value(text, "com_height_before_m"), 0.030, 1e-6, "%s", text);
    cr_assert_float_eq(line_value(text, "com_height_after_m"), 0.015, 1e-6, "%s", text);
    cr_assert(strstr(text, "after_s: [3.050, 4.050]"), "%s", text);
    cr_assert(strstr(text, "baseline_R_pes_phase: .nan"), "the right hind never touched down: %s", text);
    free(text);
    bb_gait_log_free(&g);
}

/* The spine's passive stiffness (body.spine_stiffness): the default joints
 * are the 25 vertebrae's flexion and lateral bending and the atlas's axial
 * rotation, 51 hinges; a pattern matching none is refused, naming it. Held
 * by the head and relaxed over a still belt, a mouse pushed sideways at the
 * pelvis rolls about its neck and spine; with 15 mN m/rad on those joints
 * it rolls less (measured, largest roll within 0.5 s of a 0.05 N push for
 * 20 ms: 22.1 deg without, 1.9 deg with). */
static double largest_roll_after_push(double k_Nm_per_rad)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = 1, w.floor = 0, w.treadmill = 1, w.treadmill_speed = 0;
    bb_body *b = open_world(MOUSE, &w);
    char err[256];
    if (k_Nm_per_rad > 0)
        cr_assert_eq(bb_body_set_joint_stiffness(b, BB_MOUSE_SPINE_JOINTS, k_Nm_per_rad, err, sizeof err), 51,
                     "%s", err);
    const double push[3] = {0, 0.05, 0};
    cr_assert_eq(bb_body_push(b, "pelvis", push, 0.1, 0.02, err, sizeof err), 0, "%s", err);
    double largest = 0;
    for (int k = 0; k < 100; k++) {
        run(b, 0.005);
        largest = fmax(largest, fabs(bb_body_roll(b, "pelvis")));
    }
    bb_body_close(b);
    return largest * 57.29577951308232; /* degrees */
}

Test(spine, a_stiffer_spine_rolls_less_when_pushed)
{
    bb_body *b = head_fixed_mouse();
    char err[256] = "";
    cr_assert_eq(bb_body_set_joint_stiffness(b, "C[1-7]_*,T[0-9]*,L_nothing", 0.015, err, sizeof err), -1);
    cr_assert(strstr(err, "'L_nothing' matches no hinge joint of the body"), "%s", err);
    cr_assert_eq(bb_body_set_joint_stiffness(b, "T5_flex", -1, err, sizeof err), -1, "a negative stiffness");
    bb_body_close(b);
    double soft = largest_roll_after_push(0), stiff = largest_roll_after_push(0.015);
    cr_assert_lt(stiff, 0.5 * soft, "largest roll %g deg with the spine's stiffness, %g without", stiff, soft);
}

/* A push is Newton's second law: a free-falling mouse (no floor: nothing
 * else acts sideways) pushed with F for dt gains F dt of momentum along F
 * over an unpushed twin. */
static void com_velocity(bb_body *b, double v[3])
{
    double a[3], c[3];
    bb_body_com(b, a);
    run(b, 0.001);
    bb_body_com(b, c);
    for (int k = 0; k < 3; k++) v[k] = (c[k] - a[k]) / 0.001;
}

/* Two mice falling free (no floor); the caller acts on the second. */
static void twins_in_free_fall(bb_body **plain, bb_body **acted)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.floor = 0;
    *plain = open_world(MOUSE, &w);
    *acted = open_world(MOUSE, &w);
}

/* The centre-of-mass velocity the acted twin has gained over the plain one
 * after TWIN_FALL_S (com_velocity's mean over the next 1 ms: at
 * TWIN_FALL_S + 0.5 ms). */
#define TWIN_FALL_S 0.03
static void velocity_gained(bb_body *plain, bb_body *acted, double dv[3])
{
    double v0[3], v1[3];
    run(plain, TWIN_FALL_S);
    run(acted, TWIN_FALL_S);
    com_velocity(plain, v0);
    com_velocity(acted, v1);
    for (int k = 0; k < 3; k++) dv[k] = v1[k] - v0[k];
}

Test(perturb, a_push_gives_the_animal_its_impulse)
{
    bb_body *still, *pushed;
    twins_in_free_fall(&still, &pushed);
    char err[512];
    const double force[3] = {0, 0.02, 0}; /* N, to the mouse's left */
    cr_assert_eq(bb_body_push(pushed, "pelvis", force, 0.005, 0.02, err, sizeof err), 0, "%s", err);
    double dv[3];
    velocity_gained(still, pushed, dv);
    double mass = bb_body_total_mass(pushed), want = 0.02 * 0.02 / mass;
    cr_assert_float_eq(dv[1], want, 0.03 * want, "sideways velocity gained %g m/s, F dt / m = %g m/s", dv[1], want);
    cr_assert_lt(fabs(dv[0]), 0.1 * want, "forward: %g m/s", dv[0]);
    bb_body_close(still);

    cr_assert_eq(bb_body_push(pushed, "tailbone", force, 0.005, 0.02, err, sizeof err), -1);
    cr_assert(strstr(err, "the push's body 'tailbone' is not a body of the model"), "%s", err);
    bb_body_close(pushed);
}

/* A body-weight support takes its fraction of the weight: a free-falling
 * mouse held up by half its weight falls at g / 2 against its unheld twin
 * (its muscles' forces are internal and cancel). */
Test(support, holds_up_its_fraction_of_the_weight_and_pushes_no_way_but_up)
{
    bb_body *free_fall, *held;
    twins_in_free_fall(&free_fall, &held);
    char err[512];
    cr_assert_eq(bb_body_support(held, "L3,T5", 0.5, 0.005, err, sizeof err), 0, "%s", err);
    double dv[3];
    velocity_gained(free_fall, held, dv);
    double want = 0.5 * 9.81 * (TWIN_FALL_S + 0.0005); /* half of g over the fall */
    cr_assert_float_eq(dv[2], want, 0.03 * want, "upward velocity gained %g m/s, g t / 2 = %g m/s", dv[2], want);
    cr_assert_lt(fabs(dv[0]) + fabs(dv[1]), 0.01 * want, "sideways %g, forward %g m/s", dv[1], dv[0]);
    bb_body_close(free_fall);
    bb_body_close(held);
}

/* The harness is strapped on a level trunk; held at a point above its
 * centre of mass, the trunk rolled afterwards rolls back, as a pendulum
 * from its pivot; held at the centre of mass it does not. */
static double roll_after_held(double above_m)
{
    const char *xml = "<mujoco><option timestep=\"0.0005\"/><worldbody>"
                      "<body name=\"trunk\"><freejoint/>"
                      "<geom type=\"box\" size=\"0.02 0.01 0.005\" mass=\"0.02\"/></body>"
                      "</worldbody></mujoco>";
    char err[512];
    bb_body *b = bb_body_open(write_text("trunk.xml", xml), err, sizeof err);
    cr_assert(b, "%s", err);
    cr_assert_eq(bb_body_support(b, "trunk", 1, above_m, err, sizeof err), 0, "%s", err);
    const double rolled[7] = {0, 0, 0, cos(10 / 57.29577951308232), sin(10 / 57.29577951308232), 0, 0}; /* 20 deg */
    bb_body_set_state(b, rolled, NULL, NULL, NULL);
    double before[3], after[3];
    bb_body_com(b, before);
    run(b, 0.05);
    bb_body_com(b, after);
    cr_assert_lt(fabs(after[2] - before[2]), 1e-9, "the whole weight is held: the centre of mass fell %g m",
                 before[2] - after[2]);
    double roll = bb_body_roll(b, "trunk");
    bb_body_close(b);
    return roll * 57.29577951308232;
}

Test(support, a_point_above_the_centre_of_mass_rights_a_rolled_trunk)
{
    double at_com = roll_after_held(0), above = roll_after_held(0.01);
    cr_assert_float_eq(at_com, 20, 1e-6, "held at its centre of mass: %g deg", at_com);
    cr_assert_lt(above, 15, "held 10 mm above it: %g deg after 50 ms", above);
}

Test(support, bad_settings_are_named)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(MOUSE, &w);
    char err[512];
    cr_assert_eq(bb_body_support(b, "L3,tailbone", 0.5, 0.005, err, sizeof err), -1);
    cr_assert(strstr(err, "the support's body 'tailbone' is not a body of the model"), "%s", err);
    cr_assert_eq(bb_body_support(b, "T5, T5", 0.5, 0.005, err, sizeof err), -1);
    cr_assert(strstr(err, "'T5' is listed twice"), "%s", err);
    cr_assert_eq(bb_body_support(b, "T5", 1.5, 0.005, err, sizeof err), -1);
    cr_assert(strstr(err, "fraction in 0..1"), "%s", err);
    cr_assert_eq(bb_body_support(b, " , ", 0.5, 0.005, err, sizeof err), -1);
    cr_assert(strstr(err, "lists no body"), "%s", err);
    bb_body_close(b);
}

/* The stretch reflex excites exactly the muscles stretched beyond their
 * standing length, by gain x (stretch + velocity_s x velocity), adds to
 * what is there and clips at 1; at the standing posture it adds nothing. */
Test(stretch_reflex, excites_what_is_stretched_beyond_standing)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(MOUSE, &w);
    uint32_t n = bb_body_n_muscles(b);
    bb_stretch_reflex r;
    cr_assert_eq(bb_stretch_reflex_init(&r, b, 5, 0.02), 0);
    float *e = calloc(n, sizeof *e);
    bb_stretch_reflex_add(&r, b, NULL, e); /* still at rest: the set point itself */
    for (uint32_t i = 0; i < n; i++) cr_assert_eq(e[i], 0, "%s excited at its own set point", bb_body_muscle_name(b, i));
    run(b, 0.1); /* relaxed on the floor, the body sags: some muscles lengthen, some shorten */
    bb_muscle_state *m = calloc(n, sizeof *m);
    bb_body_muscles(b, m);
    uint32_t stretched = 0, shortened = 0;
    memset(e, 0, n * sizeof *e);
    bb_stretch_reflex_add(&r, b, NULL, e);
    for (uint32_t i = 0; i < n; i++) {
        double s = m[i].fibre_length - r.rest[i] + 0.02 * m[i].fibre_velocity;
        double want = s > 0 ? (5 * s > 1 ? 1 : 5 * s) : 0;
        cr_assert_float_eq(e[i], want, 1e-5, "%s: %g, want %g", bb_body_muscle_name(b, i), e[i], want);
        stretched += s > 0.01, shortened += s < -0.01;
    }
    cr_assert_gt(stretched, 10, "the sagging body stretches muscles (%u)", stretched);
    cr_assert_gt(shortened, 10, "and shortens others (%u)", shortened);
    for (uint32_t i = 0; i < n; i++) e[i] = 0.999f; /* adds to the pathways' excitation, clipped at 1 */
    bb_stretch_reflex_add(&r, b, NULL, e);
    for (uint32_t i = 0; i < n; i++) cr_assert_leq(e[i], 1.0f);
    free(m);
    free(e);
    bb_stretch_reflex_free(&r);
    bb_body_close(b);
}

/* Reciprocal inhibition: a muscle keeps (1 - r / reciprocal_hz) of its
 * reflex, r its antagonist pool's rate; none at or above it; a muscle with
 * no antagonist keeps all of it. */
Test(stretch_reflex, the_antagonist_pool_withdraws_it)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    bb_body *b = open_world(MOUSE, &w);
    uint32_t n = bb_body_n_muscles(b);
    bb_stretch_reflex plain, gated;
    cr_assert_eq(bb_stretch_reflex_init(&plain, b, 5, 0.02), 0);
    cr_assert_eq(bb_stretch_reflex_init(&gated, b, 5, 0.02), 0);
    int32_t *antagonist = calloc(n, sizeof *antagonist);
    for (uint32_t i = 0; i < n; i++) antagonist[i] = i % 3 == 2 ? -1 : (int32_t)(i % 3); /* pools 0, 1, none */
    uint32_t cells[2] = {100, 200};
    cr_assert_eq(bb_stretch_reflex_reciprocal(&gated, antagonist, cells, 2, 20, 0.005), 0);
    run(b, 0.1); /* the sagging body stretches some muscles */
    float *e = calloc(n, sizeof *e), *g = calloc(n, sizeof *g);
    bb_stretch_reflex_add(&plain, b, NULL, e);
    uint32_t counts[2] = {5, 20}; /* pool 0 at 10 Hz per cell (half of 20), pool 1 at 20 Hz (all) */
    bb_stretch_reflex_add(&gated, b, counts, g);
    uint32_t checked = 0;
    for (uint32_t i = 0; i < n; i++) {
        double keep = antagonist[i] == 0 ? 0.5 : antagonist[i] == 1 ? 0 : 1;
        if (e[i] >= 1) continue; /* clipped: the share is not visible */
        cr_assert_float_eq(g[i], keep * e[i], 1e-5, "%s: %g of %g, want share %g", bb_body_muscle_name(b, i), g[i],
                           e[i], keep);
        checked += e[i] > 0.01;
    }
    cr_assert_gt(checked, 10, "stretched, unclipped muscles checked: %u", checked);
    free(e), free(g), free(antagonist);
    bb_stretch_reflex_free(&plain);
    bb_stretch_reflex_free(&gated);
    bb_body_close(b);
}

/* The swing gate: a toned muscle's tone shrinks in proportion to the drive
 * of the gate muscle of its own side and body region, and is gone at
 * full_at; muscles of another side or region keep theirs. A gate pattern
 * matching nothing is refused, naming it. */
Test(posture, the_swing_gate_withdraws_the_tone_of_its_own_limb)
{
    bb_body *b = head_fixed_mouse();
    uint32_t n = bb_body_n_muscles(b);
    char err[256];
    bb_posture p;
    bb_posture_params params = {"*_vastus_lateralis,*_triceps_brachii_long", 0.2, 0, 0.05, 0, 0.005, "*_iliacus_nothing",
                                0.2, NULL, 0};
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), BB_POSTURE_BAD_GATE);
    cr_assert(strstr(err, "'*_iliacus_nothing' matches no muscle of the body"), "%s", err);
    params.gate_muscles = "*_iliacus";
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), 0, "%s", err);
    long il = bb_body_muscle_index(b, "L_iliacus"), ir = bb_body_muscle_index(b, "R_iliacus");
    long vl = bb_body_muscle_index(b, "L_vastus_lateralis"), vr = bb_body_muscle_index(b, "R_vastus_lateralis");
    long tl = bb_body_muscle_index(b, "L_triceps_brachii_long");
    cr_assert(il >= 0 && ir >= 0 && vl >= 0 && vr >= 0 && tl >= 0);
    const float drive[] = {0, 0.05, 0.1, 0.2, 0.5};
    for (int d = 0; d < 5; d++) {
        float *e = calloc(n, sizeof *e);
        e[il] = drive[d]; /* the left hind limb's flexors driven; the right's not */
        bb_posture_add(&p, b, e);
        double open = fmax(0, 1 - drive[d] / 0.2);
        cr_assert_float_eq(e[vl], 0.2 * open, 1e-6, "left vastus at iliacus drive %g: %g", drive[d], e[vl]);
        cr_assert_float_eq(e[vr], 0.2, 1e-6, "right vastus: %g", e[vr]);
        cr_assert_float_eq(e[tl], 0.2, 1e-6, "left triceps (forelimb, no gate there): %g", e[tl]);
        cr_assert_float_eq(e[il], drive[d], 1e-6, "the gate muscle itself is left as driven: %g", e[il]);
        free(e);
    }
    bb_posture_free(&p);
    bb_body_close(b);
}

/* Pushes the pelvis towards the left (0.1 N for 50 ms) and runs 50 ms and
 * one 5 ms exchange interval more: the roll before and after that interval,
 * and the righting drive gain x (roll + velocity_s x rate) over it for the
 * tests' gain 10 and velocity_s 0.05. */
static double push_pelvis_sideways(bb_body *b, double *before, double *roll)
{
    const double push[3] = {0, 0.1, 0};
    char why[256];
    cr_assert_eq(bb_body_push(b, "pelvis", push, 0, 0.05, why, sizeof why), 0, "%s", why);
    run(b, 0.05);
    *before = bb_body_roll(b, "pelvis");
    run(b, 0.005);
    *roll = bb_body_roll(b, "pelvis");
    return 10 * (*roll + 0.05 * (*roll - *before) / 0.005);
}

/* Postural tone goes to exactly the listed muscles, at the tone while the
 * pelvis is level; the righting reflex then scales each side's by 1 + s x
 * gain x (roll + velocity_s x rate), s = +1 right: the side that sinks gets
 * more. A pattern matching nothing is refused, naming it. */
Test(posture, tones_the_listed_muscles_and_extends_the_side_that_sinks)
{
    bb_body *b = head_fixed_mouse();
    uint32_t n = bb_body_n_muscles(b);
    char err[256];
    bb_posture p;
    bb_posture_params params = {"*_vastus_*, *_soleus, L_gluteus_nothing", 0.2, 10, 0.05, 0, 0.005, NULL, 0, NULL, 0};
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), BB_POSTURE_BAD_MUSCLES);
    cr_assert(strstr(err, "'L_gluteus_nothing' matches no muscle of the body"), "%s", err);
    params.muscles = "*_vastus_*, *_soleus";
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), 0, "%s", err);
    cr_assert_eq(p.n, 8, "3 vasti and the soleus, both sides: %u", p.n);
    float *e = calloc(n, sizeof *e);
    bb_posture_add(&p, b, e);
    double roll0 = bb_body_roll(b, "pelvis");
    cr_assert_lt(fabs(roll0), 0.01, "starts level: %g rad", roll0);
    for (uint32_t i = 0; i < n; i++) {
        const char *name = bb_body_muscle_name(b, i);
        int listed = strstr(name, "_vastus_") || strstr(name, "_soleus");
        if (!listed) cr_assert_eq(e[i], 0, "%s toned", name);
        else cr_assert_float_eq(e[i], 0.2 * (1 + (name[0] == 'R' ? 10 : -10) * roll0), 1e-5, "%s: %g", name, e[i]);
    }
    double before, roll, u = push_pelvis_sideways(b, &before, &roll);
    p.roll_prev = before;
    memset(e, 0, n * sizeof *e);
    bb_posture_add(&p, b, e);
    cr_assert_gt(fabs(roll), 0.05, "the push rolls the pelvis: %g rad", roll);
    for (uint32_t k = 0; k < p.n; k++) {
        uint32_t i = p.muscle[k];
        double s = bb_body_muscle_side(b, i) == 'R' ? 1 : -1, want = fmin(1, 0.2 * fmax(0, 1 + s * u));
        cr_assert_float_eq(e[i], want, 1e-5, "%s: %g, want %g", bb_body_muscle_name(b, i), e[i], want);
    }
    long lv = bb_body_muscle_index(b, "L_vastus_lateralis"), rv = bb_body_muscle_index(b, "R_vastus_lateralis");
    cr_assert(roll > 0 ? e[rv] > e[lv] : e[lv] > e[rv], "roll %g: the lower side's vastus gets more (L %g, R %g)", roll,
              e[lv], e[rv]);
    /* no cap below the clip at 1: a strong reflex excites the sinking side fully */
    p.gain = 200, p.roll_prev = roll;
    memset(e, 0, n * sizeof *e);
    bb_posture_add(&p, b, e);
    cr_assert_float_eq(e[roll > 0 ? rv : lv], 1, 1e-6, "the lower side's vastus at %g, not fully excited", e[roll > 0 ? rv : lv]);
    cr_assert_eq(e[roll > 0 ? lv : rv], 0, "the upper side's vastus at %g", e[roll > 0 ? lv : rv]);
    for (uint32_t i = 0; i < n; i++) e[i] = 0.95f; /* adds to the pathways', clipped at 1 */
    bb_posture_add(&p, b, e);
    for (uint32_t i = 0; i < n; i++) cr_assert_leq(e[i], 1.0f);
    free(e);
    bb_posture_free(&p);
    bb_body_close(b);
}

/* Adductors get their own tone and the righting reflex reversed: pushed so
 * that one side sinks, that side's abductor pulls harder and its adductor
 * yields, while the rising side's adductor pulls. An adductor pattern that
 * matches nothing, or names a muscle already toned, is refused, naming it. */
Test(posture, adductors_take_their_own_tone_and_the_righting_reversed)
{
    bb_body *b = head_fixed_mouse();
    uint32_t n = bb_body_n_muscles(b);
    char err[256];
    bb_posture p;
    bb_posture_params params = {"*_gluteus_medius_cranial", 0.2, 10, 0.05, 0, 0.005, NULL, 0, "*_adductor_nothing", 0.1};
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), BB_POSTURE_BAD_ADDUCTORS);
    cr_assert(strstr(err, "'*_adductor_nothing' matches no muscle of the body"), "%s", err);
    params.adductor_muscles = "*_adductor_longus,L_gluteus_medius_cranial";
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), BB_POSTURE_BAD_ADDUCTORS);
    cr_assert(strstr(err, "L_gluteus_medius_cranial is also in brain.posture.muscles"), "%s", err);
    params.adductor_muscles = "*_adductor_longus";
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), 0, "%s", err);
    cr_assert_eq(p.n, 4, "two abductors and two adductors: %u", p.n);
    long al = bb_body_muscle_index(b, "L_adductor_longus"), ar = bb_body_muscle_index(b, "R_adductor_longus");
    long gl = bb_body_muscle_index(b, "L_gluteus_medius_cranial"), gr = bb_body_muscle_index(b, "R_gluteus_medius_cranial");
    cr_assert(al >= 0 && ar >= 0 && gl >= 0 && gr >= 0);
    float *e = calloc(n, sizeof *e);
    double roll0 = bb_body_roll(b, "pelvis");
    bb_posture_add(&p, b, e);
    cr_assert_float_eq(e[ar], 0.1 * (1 - 10 * roll0), 1e-5, "right adductor at level: %g", e[ar]);
    cr_assert_float_eq(e[gr], 0.2 * (1 + 10 * roll0), 1e-5, "right abductor at level: %g", e[gr]);
    double before, roll, u = push_pelvis_sideways(b, &before, &roll);
    cr_assert_gt(fabs(roll), 0.05, "the push rolls the pelvis: %g rad", roll);
    p.roll_prev = before;
    memset(e, 0, n * sizeof *e);
    bb_posture_add(&p, b, e);
    cr_assert_float_eq(e[ar], fmin(1, 0.1 * fmax(0, 1 - u)), 1e-5, "right adductor: %g", e[ar]);
    cr_assert_float_eq(e[al], fmin(1, 0.1 * fmax(0, 1 + u)), 1e-5, "left adductor: %g", e[al]);
    long sinking_abd = roll > 0 ? gr : gl, rising_abd = roll > 0 ? gl : gr;
    long sinking_add = roll > 0 ? ar : al, rising_add = roll > 0 ? al : ar;
    cr_assert_gt(e[sinking_abd], e[rising_abd], "roll %g: the sinking side's abductor pulls harder", roll);
    cr_assert_lt(e[sinking_add], e[rising_add], "roll %g: the sinking side's adductor yields (%g vs %g)", roll,
                 e[sinking_add], e[rising_add]);
    free(e);
    bb_posture_free(&p);
    bb_body_close(b);
}

/* With rate_filter_s the reflex sees the roll rate through a first-order
 * low-pass: a roll of 0.01 rad within one 5 ms interval (2 rad/s) reaches it
 * as a fifth of that with a 20 ms filter, decays by 20/25 per quiet interval
 * afterwards, and a steady rate comes through whole. The tone follows the
 * filtered rate. */
Test(posture, the_roll_rate_is_low_pass_filtered)
{
    bb_body *b = head_fixed_mouse();
    uint32_t n = bb_body_n_muscles(b);
    char err[256];
    bb_posture p;
    const bb_posture_params params = {"*_vastus_lateralis", 0.2, 10, 0.05, 0.02, 0.005, NULL, 0, NULL, 0};
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), 0, "%s", err);
    float *e = calloc(n, sizeof *e);
    double roll = bb_body_roll(b, "pelvis");
    long rv = bb_body_muscle_index(b, "R_vastus_lateralis");
    p.roll_prev = roll - 0.01; /* as if it had just rolled 0.01 rad */
    bb_posture_add(&p, b, e);
    cr_assert_float_eq(p.roll_rate, 2.0 * 5 / 25, 1e-9, "filtered rate %g rad/s after a 2 rad/s interval", p.roll_rate);
    cr_assert_float_eq(e[rv], 0.2 * (1 + 10 * (roll + 0.05 * 0.4)), 1e-6, "R vastus %g", e[rv]);
    bb_posture_add(&p, b, e); /* a quiet interval: the roll is the same */
    cr_assert_float_eq(p.roll_rate, 0.4 * 20 / 25, 1e-9, "decays to %g rad/s", p.roll_rate);
    for (int k = 0; k < 200; k++) {
        p.roll_prev = roll - 0.01;
        bb_posture_add(&p, b, e);
    }
    cr_assert_float_eq(p.roll_rate, 2.0, 1e-9, "a steady 2 rad/s comes through as %g", p.roll_rate);
    p.rate_filter_s = 0, p.roll_prev = roll; /* unfiltered: the raw difference */
    bb_posture_add(&p, b, e);
    cr_assert_eq(p.roll_rate, 0, "unfiltered, a quiet interval gives %g rad/s", p.roll_rate);
    free(e);
    bb_posture_free(&p);
    bb_body_close(b);
}

/* A head-fixed mouse with tone on its antigravity extensors and hip
 * abductors (the default brain.posture.muscles), pushed sideways at its
 * pelvis at 0.5 s (0.15 N, 20 ms; it weighs 0.25 N), with the righting
 * reflex at gain (0: none): the pelvis's mean |roll| (deg) before the push,
 * [0, 0.5) s, and a second after it, [1.5, 2) s. */
static void roll_around_push(double gain, double *before, double *after)
{
    bb_body *b = head_fixed_mouse();
    uint32_t n = bb_body_n_muscles(b);
    char err[256];
    bb_posture p;
    const bb_posture_params params = {"*_vastus_*,*_soleus,*_triceps_brachii_*,*_gluteus_medius_*,*_gluteus_minimus",
                                       0.2, gain, 0.05, 0, 0.005, NULL, 0, NULL, 0};
    cr_assert_eq(bb_posture_init(&p, b, &params, err, sizeof err), 0, "%s", err);
    const double push[3] = {0, 0.15, 0};
    cr_assert_eq(bb_body_push(b, "pelvis", push, 0.5, 0.02, err, sizeof err), 0, "%s", err);
    float *e = calloc(n, sizeof *e);
    double sum[2] = {0, 0};
    uint32_t steps = (uint32_t)lround(5 / bb_body_timestep_ms(b));
    for (int k = 0; k < 400; k++) { /* 5 ms intervals, as the coupler's */
        memset(e, 0, n * sizeof *e);
        bb_posture_add(&p, b, e);
        cr_assert_eq(bb_body_step(b, e, steps, err, sizeof err), 0, "%s", err);
        double roll = fabs(bb_body_roll(b, "pelvis")) * 57.29577951308232;
        if (k < 100) sum[0] += roll;
        if (k >= 300) sum[1] += roll;
    }
    *before = sum[0] / 100, *after = sum[1] / 100;
    free(e);
    bb_posture_free(&p);
    bb_body_close(b);
}

/* Push recovery in the body. The head-fixed mouse standing on its toned
 * extensors is level until pushed. Without the righting reflex a sideways
 * push of 0.15 N for 20 ms (60 % of its weight) leaves it leaning (measured:
 * 20.7 deg a second later); with the reflex at gain 80 it is back to level
 * (measured: 0.10 deg; 0.16 at gain 40). Over its hind paws 22 mm apart it
 * takes that much: a push of 0.05 N leaves it at 1.4 deg without the
 * reflex, 0.10 N at 3.1 deg (docs/experiments.md, "A wider hind stance");
 * with the paws 9 mm apart 0.05 N left it at 30.3 deg. The hip abductors
 * are what does it: without them the reflex on the extensors alone left the
 * narrow mouse at 20-22 deg at any gain (run/tune/README.md). */
Test(posture, righting_reflex_brings_a_pushed_mouse_back_to_level)
{
    double level, none, level_r, righting;
    roll_around_push(0, &level, &none);
    roll_around_push(80, &level_r, &righting);
    cr_assert_lt(level, 0.5, "level before the push: %g deg", level);
    cr_assert_lt(level_r, 0.5, "with the reflex too: %g deg", level_r);
    cr_assert_gt(none, 10, "tone alone: the push leaves the mouse leaning (%g deg)", none);
    cr_assert_lt(righting, 2, "the reflex brings it back to level: %g deg (%g without)", righting, none);
}
