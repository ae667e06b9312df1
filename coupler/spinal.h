/* brain.cpg: the spinal locomotor circuit (brain/cpg.h) on the brain ranks,
 * read out by spinal motor pools: per limb a flexor and an extensor pool of
 * output cells firing as Poisson processes at max_rate_hz x the activity of
 * the limb's flexor or extensor rhythm-generator centre, the rate rising
 * linearly from 0 over the first onset_s seconds (the circuit itself runs
 * from the start). Their ids follow
 * the cortex's L5B output cells; pools CPG_LH_flexor, CPG_LH_extensor, ...
 * (LH, RH, LF, RF). Every brain rank integrates the whole (tiny) circuit, so
 * they all agree; each emits the spikes of its own block of cells, drawn
 * from counter-based streams, so the spikes do not depend on the rank count. */
#ifndef BB_SPINAL_H
#define BB_SPINAL_H

#include <stdint.h>

#include "brainbody/body.h"
#include "brainbody/brain.h"
#include "brainbody/cpg.h"
#include "config.h"
#include "roles.h"

#define BB_SPINAL_POOLS (2 * BB_N_LIMBS)

/* The spinal afferents the body sends (BB_SPINAL_CHANNELS after the task
 * channels of the feedback): per limb, its load (the paw's contact force
 * over a quarter of the body weight, clipped to 1: ankle- and
 * wrist-extensor load, Duysens & Pearson 1980) and its extension (0 until
 * the hip or shoulder is within the most extended fifth of its range,
 * rising to 1 at the range's end: Grillner & Rossignol 1978's
 * hip-position signal, which starts the swing near full extension). Read
 * on the coupler rank from the body each exchange. */
typedef struct bb_spinal_sense {
    int grid[BB_N_LIMBS];    /* touch grid of the limb's paw, -1 if none */
    double on[BB_N_LIMBS], full[BB_N_LIMBS]; /* hip / shoulder flexion (rad) where extension starts and is full; on = full: no joint */
    double quarter_weight_N; /* a quarter of the animal's weight */
    float *force;            /* scratch: every taxel's force */
    uint32_t per_grid;
} bb_spinal_sense;

int bb_spinal_sense_init(bb_spinal_sense *s, const bb_body *b);
void bb_spinal_sense_read(bb_spinal_sense *s, const bb_body *b, float out[BB_SPINAL_CHANNELS]);
void bb_spinal_sense_free(bb_spinal_sense *s);

typedef struct bb_spinal {
    bb_cpg *cpg;
    double gain_load_nS, gain_hip_nS; /* brain.cpg.feedback_*: 0 = deafferented */
    uint64_t seed;
    uint32_t first_id, cells_per_pool;
    bb_block local; /* this rank's cells, counted from first_id */
    double p_max;   /* spike probability per brain step at activity 1 */
    double onset_steps; /* brain steps over which p_max rises from 0; 0: at once */
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
/* The afferents of the last interval (BB_SPINAL_CHANNELS values, or NULL:
 * none) onto the circuit, scaled by the feedback gains, for the next. */
void bb_spinal_feel(bb_spinal *s, const float *afferents);
/* The circuit's state, for checkpoints (the spikes are drawn from
 * counter-based streams: nothing else changes). */
int bb_spinal_state(bb_spinal *s, bb_state_io *io);

#endif
