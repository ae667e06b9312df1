/* models/mouse_853muscle: the whole-body mouse passes its sanity checks.
 * Expected muscle actions follow the standard rodent anatomy texts (Greene
 * 1935, Anatomy of the Rat; Popesko et al. 1992, Colour Atlas of the Anatomy
 * of Small Laboratory Animals vol. 2) in this model's sign conventions
 * (tables/joints.tsv): elbow, wrist, digits, hip and shoulder positive =
 * flexion (shoulder: humerus forward), knee positive = extension, ankle
 * positive = dorsiflexion, vertebral joints positive = ventral flexion. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "brainbody/body.h"
#include "spawn.h"

#define MOUSE BB_SOURCE_DIR "/models/mouse_853muscle/mouse.xml"
#define TABLES BB_SOURCE_DIR "/models/mouse_853muscle/tables"
#define MOUSE_GEN BB_BINARY_DIR "/models/mouse_853muscle/generator/mouse_gen"

static mjModel *load(void)
{
    char err[1000] = "";
    mjModel *m = mj_loadXML(MOUSE, NULL, err, sizeof err);
    cr_assert(m, "%s", err);
    return m;
}

Test(mouse, has_853_bilateral_muscles)
{
    mjModel *m = load();
    cr_assert_eq(m->nu, 853);
    int left = 0, right = 0, mid = 0;
    for (int a = 0; a < m->nu; a++) {
        cr_assert_eq(m->actuator_dyntype[a], mjDYN_MUSCLE);
        cr_assert_eq(m->actuator_trntype[a], mjTRN_TENDON);
        const char *n = mj_id2name(m, mjOBJ_ACTUATOR, a);
        if (!strncmp(n, "L_", 2)) {
            char mirror[256];
            snprintf(mirror, sizeof mirror, "R_%s", n + 2);
            cr_assert_geq(mj_name2id(m, mjOBJ_ACTUATOR, mirror), 0, "%s has no right-side twin", n);
            left++;
        } else if (!strncmp(n, "R_", 2)) {
            right++;
        } else {
            mid++;
        }
        /* an explicit length range, so that MuJoCo computes none at load */
        cr_assert_gt(m->actuator_lengthrange[2 * a + 1], m->actuator_lengthrange[2 * a], "%s", n);
        cr_assert_gt(m->actuator_gainprm[a * mjNGAIN + 2], 0, "%s: Fmax", n);
    }
    cr_assert_eq(left, 426);
    cr_assert_eq(right, 426);
    cr_assert_eq(mid, 1);
    mj_deleteModel(m);
}

Test(mouse, total_mass_is_an_adult_mouse)
{
    char err[512];
    bb_body *b = bb_body_open(MOUSE, err, sizeof err);
    cr_assert(b, "%s", err);
    double g = bb_body_total_mass(b) * 1e3;
    cr_assert(g > 20 && g < 30, "total mass %.2f g, expected 20-30 g", g);
    bb_body_close(b);
}

/* Torque of muscle a, fully activated alone, on every DoF, in the standing posture. */
static void torque_alone(const mjModel *m, mjData *d, int a, double *tau)
{
    mj_resetData(m, d);
    for (int i = 0; i < m->na; i++) d->act[i] = 0;
    d->act[a - (m->nu - m->na)] = 1;
    mj_forward(m, d);
    mju_copy(tau, d->qfrc_actuator, m->nv);
}

Test(mouse, every_muscle_activated_alone_turns_a_joint_it_crosses)
{
    mjModel *m = load();
    mjData *d = mj_makeData(m);
    double *tau = calloc((size_t)m->nv, sizeof *tau);
    for (int a = 0; a < m->nu; a++) {
        torque_alone(m, d, a, tau);
        double best = 0;
        for (int j = 0; j < m->njnt; j++)
            if (m->jnt_type[j] == mjJNT_HINGE) best = fmax(best, fabs(tau[m->jnt_dofadr[j]]));
        /* 1e-7 N m: a 0.1 mm moment arm at 1 mN */
        cr_assert_gt(best, 1e-7, "%s moves no hinge joint (largest torque %g N m)", mj_id2name(m, mjOBJ_ACTUATOR, a),
                     best);
    }
    free(tau);
    mj_deleteData(d);
    mj_deleteModel(m);
}

static const struct {
    const char *muscle, *joint;
    int sign;
} actions[] = {
    {"L_biceps_brachii_long", "L_elbow", +1},        {"R_biceps_brachii_short", "R_elbow", +1},
    {"L_brachialis", "L_elbow", +1},                 {"L_triceps_brachii_long", "L_elbow", -1},
    {"L_triceps_brachii_lateral", "L_elbow", -1},    {"R_anconeus", "R_elbow", -1},
    {"L_flexor_carpi_radialis", "L_wrist_flex", +1}, {"L_flexor_carpi_ulnaris_humeral", "L_wrist_flex", +1},
    {"L_extensor_carpi_radialis_brevis", "L_wrist_flex", -1}, {"R_extensor_carpi_ulnaris", "R_wrist_flex", -1},
    {"L_flexor_digitorum_profundus_ulnar", "L_fdigits_flex", +1},
    {"L_extensor_digitorum_communis", "L_fdigits_flex", -1},
    {"L_pronator_teres", "L_pronation", +1},         {"L_supinator", "L_pronation", -1},
    {"L_latissimus_dorsi_middle", "L_shoulder_flex", -1}, {"L_supraspinatus", "L_shoulder_flex", +1},
    {"L_iliacus", "L_hip_flex", +1},                 {"L_psoas_major_L3", "L_hip_flex", +1},
    {"L_gluteus_medius_cranial", "L_hip_flex", -1},  {"L_adductor_longus", "L_hip_add", +1},
    {"L_gluteus_superficialis", "L_hip_add", -1},
    {"L_vastus_lateralis", "L_knee", +1},            {"R_rectus_femoris", "R_knee", +1},
    {"R_rectus_femoris", "R_hip_flex", +1},          {"L_semitendinosus", "L_knee", -1},
    {"L_semitendinosus", "L_hip_flex", -1},          {"L_biceps_femoris_posterior_caudal", "L_knee", -1},
    {"R_gastrocnemius_medial", "R_ankle_flex", -1},  {"R_gastrocnemius_medial", "R_knee", -1},
    {"L_soleus", "L_ankle_flex", -1},                {"L_tibialis_anterior", "L_ankle_flex", +1},
    {"L_extensor_digitorum_longus", "L_hdigits_flex", -1}, {"L_flexor_digitorum_longus", "L_ankle_flex", -1},
    {"L_flexor_digitorum_longus", "L_hdigits_flex", +1},
    {"L_masseter_superficialis", "mandible_open", -1}, {"L_digastricus", "mandible_open", +1},
    {"L_multifidus_L3_d2", "L4_flex", -1},           {"L_rectus_abdominis_medial", "L3_flex", +1},
    {"L_sternomastoideus", "C5_flex", +1},           {"L_multifidus_T5_d2", "T5_lat", +1},
    {"L_extensor_caudae_medialis_Ca9", "Ca9_12_pitch", +1}, {"L_flexor_caudae_longus_Ca9", "Ca9_12_pitch", -1},
};

Test(mouse, sampled_muscles_act_as_anatomy_says)
{
    mjModel *m = load();
    mjData *d = mj_makeData(m);
    double *tau = calloc((size_t)m->nv, sizeof *tau);
    for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++) {
        int a = mj_name2id(m, mjOBJ_ACTUATOR, actions[k].muscle), j = mj_name2id(m, mjOBJ_JOINT, actions[k].joint);
        cr_assert(a >= 0 && j >= 0, "%s / %s not in the model", actions[k].muscle, actions[k].joint);
        torque_alone(m, d, a, tau);
        double t = tau[m->jnt_dofadr[j]];
        cr_expect(t * actions[k].sign > 1e-7, "%s on %s: torque %g N m, expected sign %+d", actions[k].muscle,
                  actions[k].joint, t, actions[k].sign);
    }
    free(tau);
    mj_deleteData(d);
    mj_deleteModel(m);
}

/* Left and right halves are mirror images: each right muscle turns the
 * mirrored joints by the same torque as its left twin. */
Test(mouse, right_side_mirrors_left)
{
    mjModel *m = load();
    mjData *d = mj_makeData(m);
    double *tl = calloc((size_t)m->nv, sizeof *tl), *tr = calloc((size_t)m->nv, sizeof *tr);
    for (int a = 0; a < m->nu; a++) {
        const char *n = mj_id2name(m, mjOBJ_ACTUATOR, a);
        if (strncmp(n, "L_", 2)) continue;
        char rn[256];
        snprintf(rn, sizeof rn, "R_%s", n + 2);
        torque_alone(m, d, a, tl);
        torque_alone(m, d, mj_name2id(m, mjOBJ_ACTUATOR, rn), tr);
        for (int j = 0; j < m->njnt; j++) {
            const char *jn = mj_id2name(m, mjOBJ_JOINT, j);
            if (strncmp(jn, "L_", 2)) continue;
            char rj[256];
            snprintf(rj, sizeof rj, "R_%s", jn + 2);
            double l = tl[m->jnt_dofadr[j]], r = tr[m->jnt_dofadr[mj_name2id(m, mjOBJ_JOINT, rj)]];
            cr_assert(fabs(l - r) <= 1e-6 * fabs(l) + 1e-12, /* 1e-12 N m: rounding */ "%s on %s: %g, %s on %s: %g", n, jn, l, rn, rj, r);
        }
    }
    free(tl);
    free(tr);
    mj_deleteData(d);
    mj_deleteModel(m);
}

/* What muscle a, fully activated, adds to the torque on joint j with that
 * joint alone at q (rad): activation 1 minus activation 0, so the passive
 * forces the angle stretches cancel (run/tune/moment_arms.c prints it). */
static double active_torque_at(const mjModel *m, mjData *d, int a, int j, double q)
{
    mj_resetData(m, d);
    d->qpos[m->jnt_qposadr[j]] = q;
    mj_forward(m, d);
    double passive = d->qfrc_actuator[m->jnt_dofadr[j]];
    d->act[a - (m->nu - m->na)] = 1;
    mj_forward(m, d);
    return d->qfrc_actuator[m->jnt_dofadr[j]] - passive;
}

/* The hip flexors of the circuit's flexor pools (run/maps) flex the hip at
 * every angle of its range, -30..+50 deg: iliopsoas, rectus femoris and
 * sartorius are hip flexors (Greene 1935) and their paths (pulley on the
 * ilium's ventral border, origins cranial to the acetabulum) stay on the
 * flexor side of the joint. A path that crosses the axis makes a swing stall
 * where the muscle turns into an extensor. */
Test(mouse, hip_flexors_flex_over_the_whole_range)
{
    static const char *flexors[] = {"L_iliacus",        "L_psoas_major_L1", "L_psoas_major_L3", "L_psoas_major_L6",
                                    "L_rectus_femoris", "L_sartorius",      "R_iliacus",        "R_rectus_femoris"};
    mjModel *m = load();
    mjData *d = mj_makeData(m);
    for (size_t k = 0; k < sizeof flexors / sizeof flexors[0]; k++) {
        int a = mj_name2id(m, mjOBJ_ACTUATOR, flexors[k]);
        int j = mj_name2id(m, mjOBJ_JOINT, flexors[k][0] == 'L' ? "L_hip_flex" : "R_hip_flex");
        cr_assert(a >= 0 && j >= 0, "%s or its hip not in the model", flexors[k]);
        double lo = m->jnt_range[2 * j], hi = m->jnt_range[2 * j + 1];
        for (int s = 0; s <= 8; s++) {
            double q = lo + (hi - lo) * s / 8;
            double t = active_torque_at(m, d, a, j, q);
            /* 1e-6 N m: a 0.01 mm moment arm at this muscle's ~0.1-1 N */
            cr_expect_gt(t, 1e-6, "%s at hip flexion %.0f deg: %g N m, not flexing", flexors[k], q * 57.29577951308232,
                         t);
        }
    }
    mj_deleteData(d);
    mj_deleteModel(m);
}

static bb_body *mouse_on_floor(void)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    char err[1024];
    bb_body *b = bb_body_open_world(MOUSE, &w, err, sizeof err);
    cr_assert(b, "%s", err);
    return b;
}

/* Dropped from 1 mm with every muscle off, the mouse settles: no blow-up,
 * no contact deeper than 1 mm at any step, and still after 3 s. */
Test(mouse, dropped_passive_comes_to_rest, .timeout = 120)
{
    bb_body *b = mouse_on_floor();
    uint32_t n = bb_body_n_muscles(b);
    float *zero = calloc(n, sizeof *zero);
    char err[512];
    double deepest = 0;
    for (int k = 0; k < 600; k++) { /* 600 x 10 steps of 0.5 ms = 3 s */
        cr_assert_eq(bb_body_step(b, zero, 10, err, sizeof err), 0, "%s", err);
        deepest = fmax(deepest, bb_body_max_penetration(b));
    }
    cr_assert_lt(deepest, 1e-3, "penetration %.3f mm", deepest * 1e3);
    double ke = bb_body_kinetic_energy(b);
    /* 1e-7 J: the whole 25 g mouse moving at 3 mm/s; while falling it has ~1e-4 J */
    cr_assert_lt(ke, 1e-7, "still moving after 3 s: kinetic energy %g J", ke);
    double com[3];
    bb_body_com(b, com);
    cr_assert(com[2] > 0 && com[2] < 0.03, "centre of mass at %g m", com[2]);
    free(zero);
    bb_body_close(b);
}

/* xorshift: a fixed excitation sequence */
static float rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (float)(*s >> 8) / 16777216.f;
}

Test(mouse, random_activation_for_5_s_never_blows_up, .timeout = 300)
{
    bb_body *b = mouse_on_floor();
    uint32_t n = bb_body_n_muscles(b), seed = 853;
    float *ex = calloc(n, sizeof *ex);
    char err[512];
    for (int k = 0; k < 1000; k++) { /* new excitations every 5 ms, 5 s in all */
        for (uint32_t i = 0; i < n; i++) ex[i] = rnd(&seed);
        cr_assert_eq(bb_body_step(b, ex, 10, err, sizeof err), 0, "%s", err);
    }
    cr_assert_float_eq(bb_body_time_s(b), 5.0, 1e-6);
    for (uint32_t i = 0; i < bb_body_nq(b); i++) cr_assert(isfinite(bb_body_qpos(b)[i]));
    free(ex);
    bb_body_close(b);
}

/* ---- the generator */

Test(mouse, regenerating_gives_the_committed_file, .timeout = 120)
{
    const char *out = "/tmp/bb_test_mouse_regen.xml";
    char *argv[] = {MOUSE_GEN, TABLES, (char *)out, NULL};
    spawn_result r;
    spawn_run(argv, 100, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    size_t la = 0, lb = 0;
    char *a = slurp(out, &la), *b = slurp(MOUSE, &lb);
    cr_assert(a && b);
    cr_assert(la == lb && memcmp(a, b, la) == 0,
              "models/mouse_853muscle/mouse.xml is not what the tables generate: regenerate it (README)");
    free(a);
    free(b);
    remove(out);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *s = slurp(from, &n);
    cr_assert(s, "%s", from);
    FILE *f = fopen(to, "wb");
    cr_assert(f);
    fwrite(s, 1, n, f);
    fclose(f);
    free(s);
}

/* A table with a bad field: the generator names file, line and field, exits
 * 2, and leaves the output file as it was. */
Test(mouse, bad_table_names_file_line_and_field)
{
    char dir[] = "/tmp/bb_tables_XXXXXX";
    cr_assert(mkdtemp(dir));
    const char *tables[] = {"bones.tsv", "joints.tsv", "contacts.tsv", "landmarks.tsv", "wraps.tsv", "muscles.tsv"};
    char from[512], to[512];
    for (size_t i = 0; i < 6; i++) {
        snprintf(from, sizeof from, "%s/%s", TABLES, tables[i]);
        snprintf(to, sizeof to, "%s/%s", dir, tables[i]);
        copy_file(from, to);
    }
    snprintf(to, sizeof to, "%s/muscles.tsv", dir);
    FILE *f = fopen(to, "a");
    fprintf(f, "broken_muscle B forelimb - humerus:greater_tubercle>ulna:olecranon many 0.1 est\n");
    fclose(f);
    char out[512];
    snprintf(out, sizeof out, "%s/out.xml", dir);
    f = fopen(out, "w");
    fputs("previous", f);
    fclose(f);
    char *argv[] = {MOUSE_GEN, dir, out, NULL};
    spawn_result r;
    spawn_run(argv, 60, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "muscles.tsv:") && strstr(r.out, ": pcsa: 'many' is not a number"), "%s", r.out);
    char *kept = slurp(out, NULL);
    cr_assert_str_eq(kept, "previous");
    free(kept);
    /* a path to a landmark that does not exist */
    copy_file(from, to);
    f = fopen(to, "a");
    fprintf(f, "broken_muscle B forelimb - humerus:nowhere>ulna:olecranon 0.1 0.1 est\n");
    fclose(f);
    spawn_run(argv, 60, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "path: bone 'humerus' has no landmark 'nowhere'"), "%s", r.out);
    for (size_t i = 0; i < 6; i++) {
        snprintf(to, sizeof to, "%s/%s", dir, tables[i]);
        remove(to);
    }
    remove(out);
    rmdir(dir);
}
