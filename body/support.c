/* A body-weight support: the robotic harness of rodent locomotion rigs
 * (Fong et al. 2005, J Neurosci 25:11738, mice; Dominici et al. 2012, Nat
 * Med 18:1142, rats). A constant upward force, a fraction of the animal's
 * weight, shared equally among harness points fixed on trunk bodies a
 * little above their centres of mass, as a vest strapped to the back is:
 * vertical whatever the body does (the rig's trolley follows the animal),
 * so it adds no horizontal force, but a point above the centre of mass
 * rights a tilted trunk as a pendulum's pivot does. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bb_body_support(bb_body *b, const char *bodies, double fraction, double above_m, char *err, size_t cap)
{
    bb_support_state s = {0};
    if (!(fraction >= 0 && fraction <= 1) || !(above_m >= 0)) {
        snprintf(err, cap, "a support needs a fraction in 0..1 and a height >= 0 (got %g, %g m)", fraction, above_m);
        return -1;
    }
    char list[512];
    if (snprintf(list, sizeof list, "%s", bodies) >= (int)sizeof list) {
        snprintf(err, cap, "the support's body list is longer than %zu characters", sizeof list - 1);
        return -1;
    }
    char *save = NULL;
    for (char *name = strtok_r(list, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        int id = mj_name2id(b->m, mjOBJ_BODY, name);
        if (id <= 0) {
            snprintf(err, cap, "the support's body '%s' is not a body of the model", name);
            return -1;
        }
        for (int k = 0; k < s.n; k++)
            if (s.body[k] == id) {
                snprintf(err, cap, "the support's body '%s' is listed twice", name);
                return -1;
            }
        if (s.n == BB_SUPPORT_MAX) {
            snprintf(err, cap, "the support holds at most %d bodies", BB_SUPPORT_MAX);
            return -1;
        }
        if (s.n && b->m->body_rootid[id] != b->m->body_rootid[s.body[0]]) {
            snprintf(err, cap, "the support's body '%s' is not part of the same animal as '%s'", name,
                     mj_id2name(b->m, mjOBJ_BODY, s.body[0]));
            return -1;
        }
        /* the harness point: `above_m` up from the centre of mass in the
         * body's present posture, fixed in the body's frame */
        const mjtNum *R = b->d->ximat + 9 * id;
        for (int k = 0; k < 3; k++) s.local[s.n][k] = R[3 * 2 + k] * above_m; /* R^T (0, 0, h) */
        s.body[s.n++] = id;
    }
    if (!s.n) {
        snprintf(err, cap, "the support lists no body");
        return -1;
    }
    mjtNum weight = b->m->body_subtreemass[b->m->body_rootid[s.body[0]]] * -b->m->opt.gravity[2];
    s.force_each = fraction * weight / s.n;
    b->support = s;
    return 0;
}

void bb_support_clear(bb_body *b)
{
    for (int k = 0; k < b->support.n; k++) memset(b->d->xfrc_applied + 6 * b->support.body[k], 0, 6 * sizeof(mjtNum));
}

/* Adds each point's share as a force at the body's centre of mass and the
 * moment of its offset (xfrc_applied's convention). */
void bb_support_add(bb_body *b)
{
    const bb_support_state *s = &b->support;
    for (int k = 0; k < s->n; k++) {
        const mjtNum *R = b->d->ximat + 9 * s->body[k];
        mjtNum r[3], *f = b->d->xfrc_applied + 6 * s->body[k];
        mju_rotVecMat(r, s->local[k], R);
        f[2] += s->force_each;
        f[3] += r[1] * s->force_each; /* r x (0, 0, F) */
        f[4] -= r[0] * s->force_each;
    }
}
