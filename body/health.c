/* Physics trouble, found at the step where it happens: a new MuJoCo warning
 * (MuJoCo itself resets the state after a bad acceleration), a non-finite
 * position or velocity, or a kinetic energy no mouse can have. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A blow-up: the whole body moving faster than 20 m/s, twenty times a
 * mouse's top running speed (about 1 m/s, Bellardita & Kiehn 2015). */
#define BLOWUP_SPEED 20.0

static const char *warning_text[mjNWARNING] = {
    "inertia too small", "contact buffer full",       "constraint buffer full", "visual geom buffer full",
    "bad qpos (MuJoCo reset the state)", "bad qvel (MuJoCo reset the state)",
    "bad qacc (MuJoCo reset the state)", "bad ctrl",
};

void bb_health_init(bb_body *b)
{
    double mass = 0; /* everything that moves, task objects too: the kinetic energy covers them all */
    for (int i = 1; i < b->m->nbody; i++) mass += b->m->body_mass[i];
    b->energy_limit = 0.5 * mass * BLOWUP_SPEED * BLOWUP_SPEED;
    for (int w = 0; w < mjNWARNING; w++) b->warnings[w] = b->d->warning[w].number;
}

int bb_health_check(bb_body *b, char *err, size_t errcap)
{
    const mjModel *m = b->m;
    const mjData *d = b->d;
    for (int w = 0; w < mjNWARNING; w++)
        if (d->warning[w].number != b->warnings[w]) {
            b->warnings[w] = d->warning[w].number;
            snprintf(err, errcap, "t = %.6f s: physics unstable: MuJoCo warning: %s", d->time, warning_text[w]);
            return -1;
        }
    for (int i = 0; i < m->nq; i++)
        if (!isfinite(d->qpos[i])) {
            snprintf(err, errcap, "t = %.6f s: physics unstable: non-finite position (qpos[%d])", d->time, i);
            return -1;
        }
    for (int i = 0; i < m->nv; i++)
        if (!isfinite(d->qvel[i])) {
            snprintf(err, errcap, "t = %.6f s: physics unstable: non-finite velocity (qvel[%d])", d->time, i);
            return -1;
        }
    double e = bb_body_kinetic_energy(b);
    if (e > b->energy_limit) {
        snprintf(err, errcap, "t = %.6f s: physics unstable: kinetic energy %.3g J above %.3g J (the whole body at %g m/s)",
                 d->time, e, b->energy_limit, BLOWUP_SPEED);
        return -1;
    }
    return 0;
}
