/* The gait of a run, from the body once per exchange interval: each paw's
 * contact flag (debounced, body/gait.c), its limb's hip or shoulder flexion
 * (the step's amplitude), how long each limb's joints sit at an end of their
 * range, how fast each paw slides over the belt or ground while down, the
 * weight each bears, the centre of mass, the pelvis's roll and the belt.
 * Kept for locomotion experiments (a treadmill or the spinal CPG) and
 * written to run.yaml's gait: block (docs/recording.md). */
#ifndef BB_GAIT_LOG_H
#define BB_GAIT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "brainbody/body.h"
#include "brainbody/state.h"

#define BB_GAIT_LIMB_JOINTS 3 /* hip or shoulder flexion, knee or elbow, ankle or wrist flexion */
#define BB_GAIT_LIMIT_DEG 2.0 /* "at an end of its range": within this of it */

typedef struct bb_gait_log {
    uint32_t n_paws, ref;              /* ref: the left hind paw, phases are relative to its cycle */
    char name[BB_MAX_PAWS][32];        /* paw names ("L_pes"): copied, the body is gone when run.yaml is written */
    /* per paw, its limb's hip/shoulder flexion ([0]: the step's), knee/elbow
     * and ankle/wrist flexion joints: their range (rad; NAN: no such limited
     * joint) and the rows in which each sat within BB_GAIT_LIMIT_DEG of an end of it */
    char joint[BB_MAX_PAWS][BB_GAIT_LIMB_JOINTS][32];
    double limit_range[BB_MAX_PAWS][BB_GAIT_LIMB_JOINTS][2];
    uint32_t at_limit[BB_MAX_PAWS][BB_GAIT_LIMB_JOINTS];
    /* per paw, its sole's horizontal travel over the surface under it (the
     * belt's surface moves towards -x) between rows in which it was down
     * in both (raw contacts), and how many such intervals */
    double sole_xy[BB_MAX_PAWS][2]; /* m, at the last row */
    double slip_m[BB_MAX_PAWS];
    uint32_t slip_intervals[BB_MAX_PAWS];
    double load_sum[BB_MAX_PAWS]; /* N, each row's vertical load on the paw (bb_body_paw_loads) */
    double weight_N;              /* the animal's: its mass x 9.81 m/s^2 */
    uint8_t *contact;                  /* n x n_paws */
    float *flexion;                    /* n x n_paws, rad (NAN: no such joint): joint[p][0] */
    float *height;                     /* n, m: the centre of mass's, for the push: block */
    uint32_t n, cap;
    double dt_s;
    double belt0_m, belt_m; /* the belt's travel (bb_task_state) at init and at the last row; 0 without a belt */
    double push_on_s, push_off_s; /* body.perturb's push, for the recovery: block; off <= on: none */
    double stim_on_s, stim_off_s; /* brain.stimulus, for the stimulus: block; off <= on: none */
    double com0[3], com[3], z_min, z_sum;
    int has_pelvis;
    double roll_abs_max, roll_abs_sum; /* rad, the pelvis about the forward axis */
    double pitch_abs_max, pitch_sum;   /* rad, the pelvis's forward axis above the horizontal */
    double yaw_abs_max, yaw_abs_sum;   /* rad, the pelvis's heading from the world's x axis */
} bb_gait_log;

/* 0, or -1 when the body has no left hind paw grid (L_pes_*) or too many
 * grids. With a push (set push_on_s, push_off_s after), the block also
 * says how the gait recovered from it (body.h: bb_footfalls_recovery) and
 * whether the body was back up and stepping a second after it (push:);
 * with a stimulus (stim_on_s, stim_off_s), how each limb stepped during it
 * and in as long a time before it. */
int bb_gait_log_init(bb_gait_log *g, const bb_body *b, double dt_s);
int bb_gait_log_add(bb_gait_log *g, const bb_body *b); /* -1: out of memory */
/* The gait: block, indented by two spaces under "gait:". */
void bb_gait_log_write_yaml(const bb_gait_log *g, FILE *f);
void bb_gait_log_free(bb_gait_log *g);
/* What has been logged so far, for checkpoints. */
int bb_gait_log_state(bb_gait_log *g, bb_state_io *io);

#endif
