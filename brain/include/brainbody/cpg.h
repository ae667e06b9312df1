/* brain/: the spinal locomotor circuit of Danner et al. 2017 (eLife
 * 6:e31050, "Computational modeling of spinal circuits controlling limb
 * coordination and gaits in quadrupeds", Figure 1 and its model file;
 * neuron model from Danner et al. 2016, J Physiol 594:6947). Four limbs,
 * each with a flexor and an extensor rhythm-generator half-centre of
 * persistent-sodium (NaP) neurons and their inhibitory interneurons, linked
 * by commissural (V0D, V0V, V3) and long propriospinal neurons; brainstem
 * drive alpha moves the gait from walk through trot and gallop to bound.
 * Each neuron stands for a population (activity-based model: its output
 * f(V) in [0, 1] is the population's mean activity). Tables: cpg_tables.c. */
#ifndef BRAINBODY_CPG_H
#define BRAINBODY_CPG_H

#include <stdint.h>

#include "brainbody/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bb_limb { BB_LIMB_LH, BB_LIMB_RH, BB_LIMB_LF, BB_LIMB_RF, BB_N_LIMBS } bb_limb; /* left/right hind/fore */

typedef struct bb_cpg_spec {
    double alpha;  /* brainstem drive (Danner 2017: 0.02 .. 1.05) */
    int no_v0v;    /* remove every V0V population (left-right and diagonal), as the genetic ablation */
    int no_v0d;    /* remove every V0D population */
    int no_v3;     /* remove the V3 populations */
} bb_cpg_spec;

typedef struct bb_cpg bb_cpg;

/* The network at its published initial state. NULL only when out of memory. */
bb_cpg *bb_cpg_create(const bb_cpg_spec *spec);
void bb_cpg_free(bb_cpg *c);
void bb_cpg_set_alpha(bb_cpg *c, double alpha);
/* Afferent feedback onto a limb's rhythm generator, as excitatory
 * conductances (nS) held until changed: `load` onto the extensor centre
 * (the limb bears weight: stance is kept, Duysens & Pearson 1980, Brain Res
 * 187:321, ankle-extensor load inhibits the flexor burst) and
 * `hip_extension` onto the flexor centre (the hip is extended: swing
 * starts, Grillner & Rossignol 1978, Brain Res 146:269). These are the two
 * stance-to-swing rules of Ekeberg & Pearson 2005 (J Neurophysiol 94:4256),
 * as inputs to the half-centres rather than as switches. 0, 0 (the
 * default) is the deafferented circuit of Danner et al. */
void bb_cpg_set_feedback(bb_cpg *c, bb_limb limb, double load_nS, double hip_extension_nS);
/* Saves or restores the circuit's changing state (drive, time, membrane
 * potentials, NaP inactivation; brainbody/state.h). */
int bb_cpg_state(bb_cpg *c, bb_state_io *io);
/* Advances dt_ms (split into internal steps of at most 0.1 ms). */
void bb_cpg_run(bb_cpg *c, double dt_ms);
double bb_cpg_time_ms(const bb_cpg *c);
/* Activity (0..1) of a limb's flexor and extensor rhythm-generator centres:
 * what drives its flexor and extensor motor pools. */
double bb_cpg_flexor(const bb_cpg *c, bb_limb limb);
double bb_cpg_extensor(const bb_cpg *c, bb_limb limb);
/* Any population by its published name (e.g. "V0D_L_hind"), -1 if none. */
int bb_cpg_population(const bb_cpg *c, const char *name);
double bb_cpg_activity(const bb_cpg *c, int population);
int bb_cpg_n_populations(void);
const char *bb_cpg_population_name(int population);

/* Gait of a run: the flexor bursts of each limb (onsets where its activity
 * rises through 0.5), their frequency and the phase of each limb's onsets
 * in the left-hind cycle, averaged over the cycles in [t0, t1) ms. */
typedef struct bb_gait {
    uint32_t cycles;    /* complete left-hind cycles measured */
    double frequency_hz;
    double phase[BB_N_LIMBS]; /* 0..1, left hind = 0 */
    /* the usual interlimb phases (Danner 2017 Fig. 2): 0..1 */
    double left_right_hind, left_right_fore, homolateral, diagonal;
    const char *name; /* walk, trot, gallop, bound, or "none" (no rhythm) */
} bb_gait;

/* Runs the CPG from now for `ms` and measures the gait over the last
 * `measure_ms` of it. */
void bb_cpg_gait(bb_cpg *c, double ms, double measure_ms, bb_gait *out);

#ifdef __cplusplus
}
#endif
#endif
