/* The segmental stretch reflex, on the body rank: each muscle's spindle
 * (Ia) afferents excite its own motor pool (Liddell & Sherrington 1924,
 * Proc R Soc B 96:212; monosynaptic, a few ms in the mouse), so a muscle
 * stretched beyond its length in the standing posture is excited in
 * proportion: excitation += gain x max(0, stretch + velocity_s x
 * lengthening velocity), in optimal fibre lengths (and per second), added
 * to what the pathways give and clipped to 1. It stiffens every joint
 * against what moves it, as spindle feedback does in the animal; off (gain
 * 0) by default, and in a deafferented run (feedback.enabled false).
 * With reciprocal inhibition (brain.stretch_reflex.reciprocal_hz > 0) the
 * spinal circuit's half-centres gate it, as they gate the motoneurons and
 * the Ia inhibitory interneurons in fictive locomotion (Pratt & Jordan
 * 1987, J Neurophysiol 57:56; the soleus reflex low in swing: Capaday &
 * Stein 1986, J Neurosci 6:1308): a muscle a half-centre's pool drives
 * keeps (1 - r / reciprocal_hz) of its reflex, r the mean rate of the other
 * half's pool in the interval, floored at 0. So an extensor's reflex is
 * withdrawn in swing and a flexor's in stance.
 * brain.stretch_reflex.* (docs/config.md). */
#ifndef BB_STRETCH_REFLEX_H
#define BB_STRETCH_REFLEX_H

#include <stdint.h>

#include "brainbody/body.h"

typedef struct bb_stretch_reflex {
    uint32_t n;
    float *rest;             /* each muscle's normalised fibre length in the standing posture */
    bb_muscle_state *muscle; /* scratch */
    double gain, velocity_s;
    int32_t *antagonist;     /* per muscle: the pool that withdraws its reflex, or -1; NULL: no reciprocal inhibition */
    double *full_count;      /* per pool: the spike count in one interval that withdraws it fully */
} bb_stretch_reflex;

/* Takes the body's present fibre lengths (call it before the first step:
 * the model's standing posture) as the reflex's set point. -1: out of memory. */
int bb_stretch_reflex_init(bb_stretch_reflex *r, const bb_body *b, double gain, double velocity_s);
/* Reciprocal inhibition from the pools: antagonist per muscle (n entries,
 * -1 for none), each pool's cells, and the rate (Hz per cell) over an
 * interval of interval_s that withdraws the reflex fully. -1: out of memory. */
int bb_stretch_reflex_reciprocal(bb_stretch_reflex *r, const int32_t *antagonist, const uint32_t *pool_cells,
                                 uint32_t n_pools, double full_hz, double interval_s);
/* Adds the reflex for the body's present state to excitation (n_muscles);
 * counts: each pool's spikes in the interval (NULL without reciprocal inhibition). */
void bb_stretch_reflex_add(bb_stretch_reflex *r, const bb_body *b, const uint32_t *counts, float *excitation);
void bb_stretch_reflex_free(bb_stretch_reflex *r);

#endif
