/* Putting a body into a recorded state, for replay and rendering
 * (brainbody render): positions, velocities and muscle states from body.h5,
 * then mj_forward for everything that follows from them (body poses, tendon
 * paths, contacts and their forces) without advancing time. */
#include <mujoco/mujoco.h>
#include <string.h>

#include "internal.h"

void bb_body_set_state(bb_body *b, const double *qpos, const double *qvel, const float *activation,
                       const float *excitation)
{
    mjModel *m = b->m;
    mjData *d = b->d;
    memcpy(d->qpos, qpos, sizeof *d->qpos * (size_t)m->nq);
    if (qvel) memcpy(d->qvel, qvel, sizeof *d->qvel * (size_t)m->nv);
    else memset(d->qvel, 0, sizeof *d->qvel * (size_t)m->nv);
    for (uint32_t i = 0; i < b->n_muscles; i++) {
        int a = b->muscle_actuator[i];
        d->ctrl[a] = excitation ? excitation[i] : 0;
        if (m->actuator_dyntype[a] != mjDYN_NONE) d->act[a - (m->nu - m->na)] = activation ? activation[i] : 0;
    }
    mj_forward(m, d);
    b->span_s = 0; /* no step behind this state: muscle velocities are MuJoCo's own */
}

int bb_body_muscle_tendon(const bb_body *b, uint32_t i)
{
    int a = b->muscle_actuator[i];
    return b->m->actuator_trntype[a] == mjTRN_TENDON ? b->m->actuator_trnid[2 * a] : -1;
}
