/* The lockstep loop: brain and body compute the same exchange interval at the
 * same time; spikes of interval k reach the body in interval k+1, feedback of
 * interval k reaches the brain in interval k+1 (docs/timing.md). */
#ifndef BB_LOOP_H
#define BB_LOOP_H

#include <stdint.h>

#include "roles.h"

/* What crossed the coupler in one exchange, as seen on the coupler rank. */
typedef struct bb_exchange_record {
    const bb_interval *interval;
    const bb_spike *spikes; /* all brain ranks' spikes, sorted by offset then source */
    uint32_t n_spikes;
    const float *excitation; /* from these spikes; drives the body in the next interval */
    uint32_t n_muscles;
    const float *taxels, *proprio; /* the body's sensing at the end of this interval */
    uint32_t n_taxels, n_proprio;
    const struct bb_trials *trials; /* the trial structure after this interval, or NULL */
    const float *task;              /* BB_TASK_CHANNELS levels (cue, reward) the brain gets next */
} bb_exchange_record;

/* What a served run's commands ask of the loop, set by the hooks on the
 * coupler rank between exchanges (coupler/serve.c). */
#define BB_MAX_PENDING 16
typedef struct bb_loop_control {
    int hold;       /* wait before the next exchange until cleared (pause, run-for) */
    int stop;       /* end the run after this exchange (stop) */
    int checkpoint; /* write a checkpoint after this exchange (cleared once written) */
    /* commands changing the run's inputs, checked by whoever queued them;
     * applied in order before the next exchange, then cleared */
    bb_control_cmd pending[BB_MAX_PENDING];
    int n_pending;
} bb_loop_control;

typedef struct bb_run_hooks {
    void *ctx;
    /* Coupler rank, after every role is built and before the first exchange;
     * a non-zero return stops every rank with exit status 2 (nothing run). */
    int (*prepare)(void *ctx, const bb_body_role *body, const bb_pools *pools, char *err, size_t cap);
    /* Coupler rank, after every exchange; a non-zero return (message in err)
     * stops every rank with exit status 6. */
    int (*observe)(void *ctx, const bb_exchange_record *r, char *err, size_t cap);
    /* Coupler rank: read after every exchange (NULL: never held or stopped);
     * while it says hold, idle(ctx, ms) is called to wait for a change. */
    bb_loop_control *control;
    void (*idle)(void *ctx, int wait_ms);
    /* Coupler rank: the recording's state, saved into every checkpoint and
     * restored when resuming (NULL: nothing recorded). */
    int (*state)(void *ctx, bb_state_io *io);
    /* Coupler rank: a command changing the inputs was applied from exchange
     * k on (for the record); a non-zero return stops the run (exit 6). */
    int (*commanded)(void *ctx, const bb_control_cmd *cmd, uint64_t k, char *err, size_t cap);
    /* Every rank: the checkpoint folder to resume from, or NULL. */
    const char *resume;
} bb_run_hooks;

typedef struct bb_run_result {
    uint64_t exchanges; /* run: fewer than planned when the run was stopped */
    uint64_t resumed_at; /* the exchange a resumed run started from (0: from the start); wall_s covers the rest */
    int stopped;        /* ended early by a stop command */
    uint64_t spikes;
    uint32_t digest; /* CRC-32 chained over every exchange's canonical packets and excitation */
    double wall_s;
} bb_run_result;

/* Runs the experiment on this rank (MPI must be initialised). Returns 0, or 2
 * if setup failed or the checkpoint to resume from does not fit (message in
 * err, printed by the rank that failed). A fault during the run prints the
 * rank, exchange and cause and aborts every rank. Checkpoints
 * (checkpoint.every_s, or the control's request) are written between
 * exchanges into output.dir/checkpoints (coupler/checkpoint.h); a failed
 * one stops the run with exit status 6. */
int bb_coupler_run(const bb_config *cfg, const bb_plan *plan, const bb_role_factory *roles,
                   const bb_run_hooks *hooks, bb_run_result *res, char *err, size_t cap);

#endif
