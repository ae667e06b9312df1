/* brain.cpg: the spinal locomotor circuit (brain/cpg.h) on the brain ranks,
 * read out by spinal motor pools: per limb a flexor and an extensor pool of
 * output cells firing as Poisson processes at max_rate_hz x the activity of
 * the limb's flexor or extensor rhythm-generator centre. Their ids follow
 * the cortex's L5B output cells; pools CPG_LH_flexor, CPG_LH_extensor, ...
 * (LH, RH, LF, RF). Every brain rank integrates the whole (tiny) circuit, so
 * they all agree; each emits the spikes of its own block of cells, drawn
 * from counter-based streams, so the spikes do not depend on the rank count. */
#ifndef BB_SPINAL_H
#define BB_SPINAL_H

#include <stdint.h>

#include "brainbody/brain.h"
#include "brainbody/cpg.h"
#include "config.h"
#include "roles.h"

#define BB_SPINAL_POOLS (2 * BB_N_LIMBS)

typedef struct bb_spinal {
    bb_cpg *cpg;
    uint64_t seed;
    uint32_t first_id, cells_per_pool;
    bb_block local; /* this rank's cells, counted from first_id */
    double p_max;   /* spike probability per brain step at activity 1 */
    double dt_ms;
} bb_spinal;

/* Total output cells of the spinal pools (0 when brain.cpg is off). */
uint32_t bb_spinal_cells(const bb_config *cfg);
int bb_spinal_init(bb_spinal *s, const bb_config *cfg, uint32_t first_id, int n_brain, int brain_index, char *err,
                   size_t cap);
void bb_spinal_free(bb_spinal *s);
/* Appends the pools to pools (names and id ranges). */
void bb_spinal_pools(const bb_spinal *s, bb_pools *pools);
/* Advances the circuit through `steps` brain steps from start_step and
 * writes this rank's spikes (offsets from start_step) in (offset, id)
 * order; returns the count, or -1 if cap is too small. */
long bb_spinal_step(bb_spinal *s, uint64_t start_step, uint32_t steps, bb_spike *out, size_t cap);
/* The circuit's state, for checkpoints (the spikes are drawn from
 * counter-based streams: nothing else changes). */
int bb_spinal_state(bb_spinal *s, bb_state_io *io);

#endif
