/* The uniform efferent map (coupling.map: uniform): output cells are split
 * into n_muscles equal, contiguous pools; a muscle's excitation is its pool's
 * spike count in the interval over gain_spikes, saturating at 1. Coupling
 * maps (coupling.c) replace it where an experiment names one. */
#include "efferent.h"

#include <stdlib.h>
#include <string.h>

int bb_efferent_init(bb_efferent *e, uint32_t n_cells, uint32_t n_muscles, double gain_spikes, int enabled)
{
    *e = (bb_efferent){n_cells, n_muscles, (float)gain_spikes, enabled, NULL};
    e->counts = calloc(n_muscles ? n_muscles : 1, sizeof *e->counts);
    return e->counts ? 0 : -1;
}

void bb_efferent_free(bb_efferent *e)
{
    free(e->counts);
    e->counts = NULL;
}

uint32_t bb_efferent_muscle_of(const bb_efferent *e, uint32_t cell)
{
    return (uint32_t)(((uint64_t)cell * e->n_muscles) / e->n_cells);
}

void bb_efferent_apply(bb_efferent *e, const bb_spike *spikes, uint32_t n, float *excitation)
{
    if (!e->n_muscles) return;
    memset(e->counts, 0, e->n_muscles * sizeof *e->counts);
    if (e->enabled)
        for (uint32_t i = 0; i < n; i++) e->counts[bb_efferent_muscle_of(e, spikes[i].source)]++;
    const float per_spike = 1.0f / e->gain_spikes;
    for (uint32_t m = 0; m < e->n_muscles; m++) {
        float x = (float)e->counts[m] * per_spike;
        excitation[m] = x < 1.0f ? x : 1.0f;
    }
}
