/* What the lockstep pipeline (loop.c) and what happens between its
 * exchanges (between.c: holds, commands, checkpoints, resume) share. Only
 * those two files include it. */
#ifndef BB_LOOP_INTERNAL_H
#define BB_LOOP_INTERNAL_H

#include <mpi.h>
#include <stdint.h>

#include "coupling.h"
#include "efferent.h"
#include "loop.h"
#include "posture.h"
#include "spinal.h"
#include "stretch_reflex.h"
#include "trials.h"

typedef struct coupler {
    const bb_config *cfg;
    const bb_plan *plan;
    bb_body_role *body;
    const bb_run_hooks *hooks;
    bb_efferent eff;    /* the uniform map, when the experiment names no coupling map */
    bb_coupling *map;   /* the coupling map, or NULL */
    bb_spike *merged, *arrived; /* arrived: spikes as received, rank by rank */
    size_t merged_n, merged_cap;
    uint32_t *bucket;           /* scratch of bb_spikes_order */
    float *excitation, *next_excitation, *taxels, *proprio;
    /* the trial structure's inputs for the brain's next interval, then the
     * spinal afferents with brain.cpg (n_channels in all) */
    float task[BB_TASK_CHANNELS + BB_SPINAL_CHANNELS];
    uint32_t n_channels;
    bb_spinal_sense spinal; /* brain.cpg with a MuJoCo body: reads the spinal afferents */
    int has_spinal;
    bb_stretch_reflex reflex; /* brain.stretch_reflex.gain > 0 with a MuJoCo body */
    int has_reflex;
    bb_trials *trials;            /* the task's trial structure, or NULL */
    bb_posture *posture;          /* brain.posture.tone > 0: postural tone and righting, or NULL */
    unsigned char *pkt;  /* scratch for canonical spike and activation packets */
    size_t pkt_cap;
    unsigned char *fb;    /* the feedback packet, sent to every brain rank */
    size_t fb_len;
    MPI_Request *fb_req;  /* one per brain rank, completed within the interval */
    unsigned char **rx;   /* per brain rank receive buffer */
    size_t *rx_cap;
    uint32_t digest;
    uint64_t spikes_total;
    uint64_t exchanges_done; /* fewer than planned after a stop */
    uint64_t checkpoint_every; /* exchanges between checkpoints (checkpoint.every_s); 0: none */
} coupler;

typedef struct brain_side {
    const bb_config *cfg;
    const bb_plan *plan;
    bb_brain_role *brain;
    bb_body_sizes sizes;
    bb_spike *local;
    unsigned char *tx[2];
    size_t tx_cap;
    MPI_Request tx_req[2];
    unsigned char *fbrx[2];
    size_t fb_len;
    MPI_Request fb_req[2];
    float *taxels, *proprio, task[BB_TASK_CHANNELS + BB_SPINAL_CHANNELS];
    uint32_t n_channels;
    bb_feedback fb;
    uint64_t exchanges_done;
    int held; /* paused by the coupler (its watchdog waits) */
} brain_side;

/* loop.c */
double bb_loop_now_s(void);

/* between.c. After exchange k on the coupler rank (b: the brain side in a
 * single process, else NULL): applies the queued commands, writes a
 * checkpoint when one is due, waits while the run is held; 1 when the run
 * is stopped. */
int bb_between_exchanges(coupler *c, brain_side *b, uint64_t k);
/* On a brain rank waiting for the feedback of exchange k - 1 (at): saves
 * its state into the checkpoint the coupler began, or takes the command
 * packet that follows; both answer the coupler. */
void bb_brain_checkpoint(brain_side *b, uint64_t k, uint64_t at);
void bb_brain_command(brain_side *b, uint64_t k, uint64_t at);
/* Every rank restores its state file from a checkpoint folder, all or
 * nothing; *start: the exchange to go on from. 0, or 2 (message in err). */
int bb_loop_resume(const bb_plan *p, const char *dir, coupler *c, brain_side *b, uint64_t *start, char *err, size_t cap);

#endif
