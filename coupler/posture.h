/* Postural tone and a righting reflex, on the body rank: the brainstem's
 * tonic drive to the antigravity muscles, which lets a standing animal bear
 * its weight (reticulospinal and vestibulospinal tone; Deliagina et al.
 * 2014, Front Integr Neurosci 8:92, review), scaled by a righting reflex
 * from the trunk's roll, as vestibulospinal and neck reflexes excite the
 * extensors of the side that sinks (Wilson & Peterson 1978, Physiol Rev
 * 58:80). For each listed muscle, on side s (+1 right, -1 left):
 *     excitation += tone x max(0, 1 + s x gain x (roll + velocity_s x roll rate)),
 * added to what the pathways give and clipped to 1; roll is the pelvis's,
 * positive with its left side up (bb_body_roll). The sense is read from the
 * body each exchange interval; the roll rate is the difference from the
 * previous interval, low-pass filtered when rate_filter_s > 0 (first order,
 * that time constant). Unfiltered, the difference over one 5 ms interval of a
 * stepping body's contact jitter drives the tone of a strong reflex between 0
 * and full excitation from one interval to the next; filtered, the reflex
 * lags and more runs tip (docs/experiments.md).
 * Adductors (brain.posture.adductors) hold the limb's frontal plane against
 * the abductors' tone: the hip's adductors, toned too, whose righting is
 * reversed, so that on the sinking side the abductors pull and the
 * adductors yield, and on the rising side the adductors pull that side's
 * pelvis down towards its paw. A modelling choice for the model's frontal
 * plane, not a measured reflex pattern (docs/experiments.md, "The hip's
 * adductors").
 * A swing gate withdraws a limb's tone while its flexors are driven, as the
 * spinal circuit's flexor half-centre inhibits the extensors' motoneurons in
 * swing (Rybak et al. 2006, J Physiol 577:617): each toned
 * muscle's term above is multiplied by max(0, 1 - x / full_at), x the
 * pathways' excitation of the gate muscle of its side and body region
 * (brain.posture.swing_gate.muscles, e.g. the iliacus: the hind limbs'
 * tone then follows their flexor pools). A toned muscle with no gate muscle
 * in its side and region keeps its tone.
 * Off (tone 0) by default. brain.posture.* (docs/config.md). */
#ifndef BB_POSTURE_H
#define BB_POSTURE_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/body.h"
#include "brainbody/state.h"

/* What brain.posture.* configures. */
typedef struct bb_posture_params {
    const char *muscles;  /* comma-separated names or fnmatch patterns of the body's muscles */
    double tone;          /* excitation */
    double gain;          /* the righting reflex's, per rad; 0: none */
    double velocity_s;    /* weight of the roll rate against the roll */
    double rate_filter_s; /* time constant of the roll rate's low-pass; 0: none */
    double interval_s;    /* the exchange interval */
    const char *gate_muscles; /* NULL or "none": no swing gate; else names or patterns, as muscles */
    double gate_full_at;      /* the gate muscle's excitation that withdraws the tone fully */
    const char *adductor_muscles; /* NULL or "none": none; else names or patterns, as muscles, none of them in muscles */
    double adductor_tone;         /* their excitation; the righting reflex moves it the other way */
} bb_posture_params;

typedef struct bb_posture {
    uint32_t n;       /* muscles with tone */
    uint32_t *muscle; /* their indices */
    float *side;      /* the righting sign: +1 right, -1 left, 0 midline (no righting); reversed for an adductor */
    double *tone;     /* each toned muscle's tone at level */
    long *gate;       /* each toned muscle's gate muscle, or -1 */
    double *open;     /* scratch: each toned muscle's gate factor this interval */
    double gain, velocity_s, rate_filter_s, interval_s, gate_full_at;
    double roll_prev; /* rad, at the previous interval */
    double roll_rate; /* rad/s, as the reflex sees it (filtered) */
} bb_posture;

/* Each pattern, of the toned muscles and of the gate's, must match one muscle at least. Takes the body's present roll
 * as the previous one (no rate at the start). 0, or with the reason in err:
 * BB_POSTURE_BAD_MUSCLES (a pattern matching nothing), BB_POSTURE_BAD_GATE (a gate
 * pattern matching nothing), BB_POSTURE_BAD_ADDUCTORS (an adductor pattern
 * matching nothing, or a muscle in both lists), BB_POSTURE_NO_TRUNK
 * (a reflex, but no pelvis to sense), -1 (out of memory). */
enum { BB_POSTURE_BAD_MUSCLES = -2, BB_POSTURE_NO_TRUNK = -3, BB_POSTURE_BAD_GATE = -4, BB_POSTURE_BAD_ADDUCTORS = -5 };
int bb_posture_init(bb_posture *p, const bb_body *b, const bb_posture_params *params, char *err, size_t cap);
/* Adds the tone for the body's present roll to excitation (n_muscles),
 * gated by the gate muscles' excitation in it (the pathways' drive). */
void bb_posture_add(bb_posture *p, const bb_body *b, float *excitation);
/* The reflex's factor on the tone of a muscle on side s for a drive u =
 * gain x (roll + velocity_s x roll rate): max(0, 1 + s x u). Unbounded above,
 * so the side that sinks can be excited fully (the clip at 1): capped at
 * 3 x tone (0.45 at tone 0.15) it could not lift a pelvis rolled past about
 * 20 deg, and cpg_gait stood in 5 of 18 seeds against 16 (docs/experiments.md). */
double bb_righting_scale(double side, double u);
/* The roll rate the reflex sees after this interval: the filtered rate so far
 * moved towards this interval's raw rate by a first-order low-pass of time
 * constant filter_s (backward Euler, exact for a constant rate); the raw
 * rate itself when filter_s is 0. */
double bb_righting_rate(double filtered, double raw, double filter_s, double interval_s);
/* The previous interval's roll and the filtered rate, for checkpoints. */
int bb_posture_state(bb_posture *p, bb_state_io *io);
void bb_posture_free(bb_posture *p);

#endif
