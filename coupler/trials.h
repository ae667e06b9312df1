/* The trial structure of a forelimb task (task.kind reach | lever_press),
 * run on the coupler rank at every exchange boundary: inter-trial interval,
 * cue (an input to the cortex) opening a response window, outcome (hit when
 * the paw reaches the target or the lever is pressed within the window,
 * else miss; a due cue waits while the goal is already met), reward (an input to the brain) after a hit. The cue and reward
 * reach the brain as the feedback packet's task channels, so they act from
 * the next interval on (proto/PROTOCOL.md). docs/experiments.md. */
#ifndef BB_TRIALS_H
#define BB_TRIALS_H

#include <stdint.h>

#include "brainbody/body.h"
#include "brainbody/state.h"
#include "config.h"

typedef struct bb_trial_event {
    int64_t t_ns;     /* simulated time: the end of the interval in which it happened */
    char what[16];    /* cue_on, hit, miss, reward_on, reward_off */
    char detail[96];
} bb_trial_event;

typedef struct bb_trial_result {
    uint32_t trial;       /* 1, 2, ... */
    double cue_s;         /* cue onset */
    int hit;
    double outcome_s;     /* hit, or the window's end */
    double response_ms;   /* cue to hit; NAN for a miss */
    double onset_ms;      /* cue to movement onset (the paw moved task.onset_mm); NAN if it did not */
    double reach_ms;      /* movement onset to hit (the reach duration); NAN if either is missing */
    double closest_mm;    /* reach: the paw's closest approach to the target centre */
    double lever_deg;     /* lever_press: the largest lever angle in the window */
} bb_trial_result;

#define BB_TRIAL_EVENTS_MAX 4

typedef struct bb_trials bb_trials;

/* Binds the task to the body (task.paw must name one of its touch grids).
 * Returns NULL with a message naming the key in err. */
bb_trials *bb_trials_create(const bb_config *cfg, const bb_body *body, char *err, size_t cap);
void bb_trials_free(bb_trials *t);

/* At the end of the interval that ends at t_ns (the body has just stepped
 * through it): advances the trial, writes the task channels (BB_TASK_*) the
 * brain gets for the next interval. The events of this boundary and the
 * trial that ended at it (or NULL) are valid until the next call. */
void bb_trials_update(bb_trials *t, int64_t t_ns, float *task);
uint32_t bb_trials_events(const bb_trials *t, const bb_trial_event **events);
const bb_trial_result *bb_trials_finished(const bb_trials *t);

/* Over the trials that ended: count, hits, medians (NAN when none). */
typedef struct bb_trials_summary {
    uint32_t trials, hits;
    double median_response_ms, median_reach_ms, median_onset_ms;
    double cue_waited_s; /* time due cues waited because the goal was already met */
} bb_trials_summary;
void bb_trials_summarise(const bb_trials *t, bb_trials_summary *out);
/* The trial in progress and the trials done, for checkpoints. */
int bb_trials_state(bb_trials *t, bb_state_io *io);

#endif
