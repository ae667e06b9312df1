/* Measures every muscle-tendon length on the compiled first-pass model: in
 * the standing posture (qpos0) and its range over joint configurations drawn
 * uniformly within the joint limits. MuJoCo's own length-range computation
 * (about 2000 simulated steps per muscle) would take minutes for 853 muscles;
 * only the ratio of these numbers to the optimal fibre length matters for the
 * force, so a fixed sample is enough. */
#include <stdint.h>
#include <stdlib.h>

#include <mujoco/mujoco.h>

#include "gen.h"

#define SAMPLES 4000

/* splitmix64: a fixed, portable sequence so the output never changes */
static double uniform(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void lengths(const mjModel *m, mjData *d)
{
    mj_kinematics(m, d);
    mj_comPos(m, d);
    mj_tendon(m, d);
}

/* Fills t from the compiled model; 0 or -1 with a message. */
static int measure(const mjModel *m, mjData *d, int nmuscles, gen_tuning *t)
{
    mju_copy(d->qpos, m->qpos0, m->nq);
    lengths(m, d);
    for (int i = 0; i < nmuscles; i++) {
        t->stand[i] = t->lr0[i] = t->lr1[i] = d->ten_length[i];
        if (!(d->ten_length[i] > 1e-4)) {
            fprintf(stderr, "muscles.tsv: %s: origin and insertion are %.3g mm apart in the standing posture\n",
                    mj_id2name(m, mjOBJ_TENDON, i), d->ten_length[i] * 1e3);
            return -1;
        }
    }
    uint64_t seed = 853;
    for (int s = 0; s < SAMPLES; s++) {
        mju_copy(d->qpos, m->qpos0, m->nq);
        for (int j = 0; j < m->njnt; j++) {
            if (m->jnt_type[j] != mjJNT_HINGE) continue;
            const mjtNum *r = m->jnt_range + 2 * j;
            d->qpos[m->jnt_qposadr[j]] = r[0] + (r[1] - r[0]) * uniform(&seed);
        }
        lengths(m, d);
        for (int i = 0; i < nmuscles; i++) {
            double l = d->ten_length[i];
            if (l < t->lr0[i]) t->lr0[i] = l;
            if (l > t->lr1[i]) t->lr1[i] = l;
        }
    }
    return 0;
}

int gen_tune(const char *xml_path, int nmuscles, gen_tuning *t)
{
    char err[1000] = "";
    mjModel *m = mj_loadXML(xml_path, NULL, err, sizeof err);
    if (!m) {
        fprintf(stderr, "%s: MuJoCo cannot compile the first pass: %s\n", xml_path, err);
        return -1;
    }
    if (m->ntendon != nmuscles) {
        fprintf(stderr, "%s: %d tendons, expected %d\n", xml_path, m->ntendon, nmuscles);
        mj_deleteModel(m);
        return -1;
    }
    mjData *d = mj_makeData(m);
    t->lr0 = malloc(sizeof(double) * (size_t)nmuscles);
    t->lr1 = malloc(sizeof(double) * (size_t)nmuscles);
    t->stand = malloc(sizeof(double) * (size_t)nmuscles);
    int rc = -1;
    if (!d || !t->lr0 || !t->lr1 || !t->stand) fprintf(stderr, "mouse_gen: out of memory\n");
    else rc = measure(m, d, nmuscles, t);
    if (d) mj_deleteData(d);
    mj_deleteModel(m);
    return rc;
}
