/* Loading, stepping and sensing a MuJoCo body. Muscles are the actuators whose
 * dynamics type is mjDYN_MUSCLE, in model order. */
#include "brainbody/body.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <mujoco/mujoco.h>

struct bb_body {
    mjModel *m;
    mjData *d;
    uint32_t n_muscles;
    int *muscle_actuator; /* muscle index -> actuator id */
};

bb_body *bb_body_open(const char *path, char *err, size_t errcap)
{
    char mjerr[1000] = "";
    mjModel *m = mj_loadXML(path, NULL, mjerr, sizeof mjerr);
    if (!m) {
        snprintf(err, errcap, "%s: cannot load body model: %s", path, mjerr[0] ? mjerr : "unknown error");
        return NULL;
    }
    bb_body *b = calloc(1, sizeof *b);
    mjData *d = mj_makeData(m);
    int *map = calloc((size_t)m->nu + 1, sizeof *map);
    if (!b || !d || !map) {
        snprintf(err, errcap, "%s: out of memory", path);
        free(b);
        free(map);
        if (d) mj_deleteData(d);
        mj_deleteModel(m);
        return NULL;
    }
    for (int i = 0; i < m->nu; i++)
        if (m->actuator_dyntype[i] == mjDYN_MUSCLE) map[b->n_muscles++] = i;
    b->m = m;
    b->d = d;
    b->muscle_actuator = map;
    mj_forward(m, d);
    return b;
}

void bb_body_close(bb_body *b)
{
    if (!b) return;
    mj_deleteData(b->d);
    mj_deleteModel(b->m);
    free(b->muscle_actuator);
    free(b);
}

uint32_t bb_body_n_muscles(const bb_body *b) { return b->n_muscles; }
uint32_t bb_body_n_taxels(const bb_body *b) { (void)b; return 0; /* touch grids: body issue */ }
double bb_body_timestep_ms(const bb_body *b) { return b->m->opt.timestep * 1e3; }
void bb_body_set_timestep_ms(bb_body *b, double ms) { b->m->opt.timestep = ms * 1e-3; }
double bb_body_time_s(const bb_body *b) { return b->d->time; }

const char *bb_body_muscle_name(const bb_body *b, uint32_t i)
{
    const char *n = mj_id2name(b->m, mjOBJ_ACTUATOR, b->muscle_actuator[i]);
    return n ? n : "(unnamed)";
}

static int state_finite(const mjModel *m, const mjData *d)
{
    for (int i = 0; i < m->nq; i++)
        if (!isfinite(d->qpos[i])) return 0;
    for (int i = 0; i < m->nv; i++)
        if (!isfinite(d->qvel[i])) return 0;
    return 1;
}

int bb_body_step(bb_body *b, const float *excitation, uint32_t nsteps, char *err, size_t errcap)
{
    for (uint32_t i = 0; i < b->n_muscles; i++) b->d->ctrl[b->muscle_actuator[i]] = excitation[i];
    for (uint32_t s = 0; s < nsteps; s++) {
        mj_step(b->m, b->d);
        /* MuJoCo resets the state itself on a bad qacc and counts a warning. */
        if (b->d->warning[mjWARN_BADQACC].number > 0 || !state_finite(b->m, b->d)) {
            snprintf(err, errcap, "physics unstable at t = %.6f s (%s)", b->d->time,
                     b->d->warning[mjWARN_BADQACC].number ? "bad acceleration, MuJoCo reset the state"
                                                           : "non-finite state");
            return -1;
        }
    }
    return 0;
}

void bb_body_sense(const bb_body *b, float *taxels, float *proprio)
{
    (void)taxels;
    for (uint32_t i = 0; i < b->n_muscles; i++) {
        int a = b->muscle_actuator[i];
        proprio[3 * i + 0] = (float)b->d->actuator_length[a];
        proprio[3 * i + 1] = (float)b->d->actuator_velocity[a];
        proprio[3 * i + 2] = (float)-b->d->actuator_force[a]; /* MuJoCo muscle force is negative */
    }
}
