#include "stretch_reflex.h"

#include <stdlib.h>
#include <string.h>

int bb_stretch_reflex_init(bb_stretch_reflex *r, const bb_body *b, double gain, double velocity_s)
{
    memset(r, 0, sizeof *r);
    r->n = bb_body_n_muscles(b);
    r->rest = calloc(r->n + 1, sizeof *r->rest);
    r->muscle = calloc(r->n + 1, sizeof *r->muscle);
    if (!r->rest || !r->muscle) {
        bb_stretch_reflex_free(r);
        return -1;
    }
    r->gain = gain, r->velocity_s = velocity_s;
    bb_body_muscles(b, r->muscle);
    for (uint32_t i = 0; i < r->n; i++) r->rest[i] = r->muscle[i].fibre_length;
    return 0;
}

void bb_stretch_reflex_add(bb_stretch_reflex *r, const bb_body *b, float *excitation)
{
    bb_body_muscles(b, r->muscle);
    for (uint32_t i = 0; i < r->n; i++) {
        double s = r->muscle[i].fibre_length - r->rest[i] + r->velocity_s * r->muscle[i].fibre_velocity;
        if (s <= 0) continue;
        double e = excitation[i] + r->gain * s;
        excitation[i] = (float)(e > 1 ? 1 : e);
    }
}

void bb_stretch_reflex_free(bb_stretch_reflex *r)
{
    free(r->rest);
    free(r->muscle);
    memset(r, 0, sizeof *r);
}
