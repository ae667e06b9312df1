/* bb_moment_arms: what each muscle does to a joint across the joint's range.
 * For every muscle whose name matches one of the patterns (fnmatch; default
 * every muscle) and every hinge joint whose name matches JOINT (a pattern
 * too), it sets that joint alone to 9 angles from the lower to the upper end
 * of its range (every other joint at the model's reference pose) and prints
 * the torque (mN m) the muscle, fully activated, adds on that joint: the
 * joint torque with activation 1 minus the one with every muscle at 0, so
 * the passive forces of all the muscles the angle stretches cancel. A
 * muscle that crosses the joint (largest |torque| above 1e-4 mN m) and
 * turns it both ways by more than a fifth of that largest torque is marked
 * REVERSES: its path passes over the joint's axis somewhere in the range.
 * Deterministic, no brain, no time stepping.
 * Usage: bb_moment_arms MODEL.xml JOINT [MUSCLE ...] [--reversing]
 *   --reversing: print only the muscles marked REVERSES. */
#include <fnmatch.h>
#include <math.h>
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <string.h>

#define ANGLES 9
#define DEG 57.29577951308232 /* per rad */

/* The torque on joint j's dof, in N m, of muscle actuator a fully activated,
 * with joint j alone at q: every joint at the reference pose otherwise. */
static double torque(const mjModel *m, mjData *d, int a, int j, double q)
{
    int dof = m->jnt_dofadr[j], first_act = m->nu - m->na; /* MuJoCo 2.2: stateful actuators come last */
    mj_resetData(m, d);
    d->qpos[m->jnt_qposadr[j]] = q;
    mj_forward(m, d);
    double passive = d->qfrc_actuator[dof];
    d->act[a - first_act] = 1;
    mj_forward(m, d);
    return d->qfrc_actuator[dof] - passive;
}

static int matches(const char *name, char **patterns, int n)
{
    if (!n) return 1;
    for (int i = 0; i < n; i++)
        if (!fnmatch(patterns[i], name, 0)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int reversing = 0, n_patterns = 0;
    char *patterns[256];
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--reversing")) reversing = 1;
        else if (n_patterns < 256) patterns[n_patterns++] = argv[i];
    }
    if (argc < 3) {
        fprintf(stderr, "usage: bb_moment_arms MODEL.xml JOINT [MUSCLE ...] [--reversing]\n");
        return 2;
    }
    char err[1000];
    mjModel *m = mj_loadXML(argv[1], NULL, err, sizeof err);
    if (!m) {
        fprintf(stderr, "bb_moment_arms: %s: %s\n", argv[1], err);
        return 1;
    }
    mjData *d = mj_makeData(m);
    int joints = 0, reversals = 0;
    for (int j = 0; j < m->njnt; j++) {
        const char *jn = mj_id2name(m, mjOBJ_JOINT, j);
        if (m->jnt_type[j] != mjJNT_HINGE || !m->jnt_limited[j] || !jn || fnmatch(argv[2], jn, 0)) continue;
        joints++;
        double lo = m->jnt_range[2 * j], hi = m->jnt_range[2 * j + 1];
        printf("%s (deg):%*s", jn, (int)(32 - strlen(jn)), "");
        for (int k = 0; k < ANGLES; k++) printf(" %6.0f", (lo + (hi - lo) * k / (ANGLES - 1)) * DEG);
        printf("\n");
        for (int a = 0; a < m->nu; a++) {
            const char *an = mj_id2name(m, mjOBJ_ACTUATOR, a);
            if (m->actuator_dyntype[a] != mjDYN_MUSCLE || !an || !matches(an, patterns, n_patterns)) continue;
            double t[ANGLES], peak = 0;
            for (int k = 0; k < ANGLES; k++) {
                t[k] = 1e3 * torque(m, d, a, j, lo + (hi - lo) * k / (ANGLES - 1));
                peak = fmax(peak, fabs(t[k]));
            }
            if (peak < 1e-4) continue; /* does not cross the joint */
            int pos = 0, neg = 0;
            for (int k = 0; k < ANGLES; k++) pos |= t[k] > 0.2 * peak, neg |= t[k] < -0.2 * peak;
            if (reversing && !(pos && neg)) continue;
            reversals += pos && neg;
            printf("  %-38s", an);
            for (int k = 0; k < ANGLES; k++) printf(" %6.2f", t[k]);
            printf("%s\n", pos && neg ? "  REVERSES" : "");
        }
    }
    if (!joints) {
        fprintf(stderr, "bb_moment_arms: no limited hinge joint of %s matches '%s'\n", argv[1], argv[2]);
        mj_deleteData(d);
        mj_deleteModel(m);
        return 1;
    }
    printf("%d muscle-joint pairs reverse within the range\n", reversals);
    mj_deleteData(d);
    mj_deleteModel(m);
    return 0;
}
