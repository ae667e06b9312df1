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

int bb_stretch_reflex_reciprocal(bb_stretch_reflex *r, const int32_t *antagonist, const uint32_t *pool_cells,
                                 uint32_t n_pools, double full_hz, double interval_s)
{
    r->antagonist = malloc((r->n + 1) * sizeof *r->antagonist);
    r->full_count = malloc((n_pools + 1) * sizeof *r->full_count);
    if (!r->antagonist || !r->full_count) return -1;
    memcpy(r->antagonist, antagonist, r->n * sizeof *antagonist);
    for (uint32_t p = 0; p < n_pools; p++) r->full_count[p] = full_hz * interval_s * pool_cells[p];
    return 0;
}

void bb_stretch_reflex_add(bb_stretch_reflex *r, const bb_body *b, const uint32_t *counts, float *excitation)
{
    bb_body_muscles(b, r->muscle);
    for (uint32_t i = 0; i < r->n; i++) {
        double s = r->muscle[i].fibre_length - r->rest[i] + r->velocity_s * r->muscle[i].fibre_velocity;
        if (s <= 0) continue;
        double open = 1;
        if (r->antagonist && counts && r->antagonist[i] >= 0) {
            double full = r->full_count[r->antagonist[i]];
            open = full > 0 ? 1 - counts[r->antagonist[i]] / full : 0;
            if (open <= 0) continue;
        }
        double e = excitation[i] + open * r->gain * s;
        excitation[i] = (float)(e > 1 ? 1 : e);
    }
}

void bb_stretch_reflex_free(bb_stretch_reflex *r)
{
    free(r->rest);
    free(r->muscle);
    free(r->antagonist);
    free(r->full_count);
    memset(r, 0, sizeof *r);
}
