/* Efferent stage: output-cell spike counts of one interval -> muscle excitation. */
#ifndef BB_EFFERENT_H
#define BB_EFFERENT_H

#include <stdint.h>

#include "brainbody/proto.h"

typedef struct bb_efferent {
    uint32_t n_cells, n_muscles;
    float gain_spikes; /* spikes per interval per muscle pool at which excitation saturates */
    int enabled;
    uint32_t *counts;  /* per muscle, scratch */
} bb_efferent;

int bb_efferent_init(bb_efferent *e, uint32_t n_cells, uint32_t n_muscles, double gain_spikes, int enabled);
void bb_efferent_free(bb_efferent *e);
/* Muscle of a cell: contiguous, equal pools in id order (the uniform map). */
uint32_t bb_efferent_muscle_of(const bb_efferent *e, uint32_t cell);
void bb_efferent_apply(bb_efferent *e, const bb_spike *spikes, uint32_t n, float *excitation);

#endif
