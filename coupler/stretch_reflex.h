/* The segmental stretch reflex, on the body rank: each muscle's spindle
 * (Ia) afferents excite its own motor pool (Liddell & Sherrington 1924,
 * Proc R Soc B 96:212; monosynaptic, a few ms in the mouse), so a muscle
 * stretched beyond its length in the standing posture is excited in
 * proportion: excitation += gain x max(0, stretch + velocity_s x
 * lengthening velocity), in optimal fibre lengths (and per second), added
 * to what the pathways give and clipped to 1. It stiffens every joint
 * against what moves it, as spindle feedback does in the animal; off (gain
 * 0) by default, and in a deafferented run (feedback.enabled false).
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
} bb_stretch_reflex;

/* Takes the body's present fibre lengths (call it before the first step:
 * the model's standing posture) as the reflex's set point. -1: out of memory. */
int bb_stretch_reflex_init(bb_stretch_reflex *r, const bb_body *b, double gain, double velocity_s);
/* Adds the reflex for the body's present state to excitation (n_muscles). */
void bb_stretch_reflex_add(bb_stretch_reflex *r, const bb_body *b, float *excitation);
void bb_stretch_reflex_free(bb_stretch_reflex *r);

#endif
