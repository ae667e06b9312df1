/* What the lockstep loop needs from a brain and from a body. The product's
 * roles (roles_product.c) wrap brain/ and body/; tests plug in their own. */
#ifndef BB_ROLES_H
#define BB_ROLES_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "brainbody/proto.h"
#include "brainbody/state.h"
#include "config.h"
#include "control_cmd.h"
#include "plan.h"

/* Feedback as the brain sees it: the body's sensing at the end of an
 * interval, and the task's inputs (cue, reward: BB_TASK_*) for the next. */
typedef struct bb_feedback {
    uint64_t exchange;
    const float *taxels;
    uint32_t n_taxels;
    const float *proprio;
    uint32_t n_proprio;
    const float *task; /* n_task levels in [0, 1]: the task's (BB_TASK_*), then the spinal afferents */
    int sensing;       /* 0: feedback.enabled is false; taxels, proprio and spinal afferents must not reach the brain */
    uint32_t n_task;   /* BB_TASK_CHANNELS, + BB_SPINAL_CHANNELS with brain.cpg */
} bb_feedback;

/* Somatotopic pools of the output cells: contiguous id ranges with names
 * (cortex: M1L_tail ... M1R_head_neck, docs/coupling.md). */
#define BB_MAX_POOLS 32
#define BB_POOL_NAME 32
typedef struct bb_pool {
    char name[BB_POOL_NAME];
    uint32_t first, count;
} bb_pool;
typedef struct bb_pools {
    uint32_t n;
    bb_pool pool[BB_MAX_POOLS];
} bb_pools;

/* A brain's step that failed writing its recording (a full disk): the run
 * stops as an output failure (exit status 6), not a brain failure (5). */
#define BB_BRAIN_OUTPUT_FAILED (-2)

typedef struct bb_brain_role {
    void *ctx;
    /* Most spikes this rank can emit in one interval (sizes buffers). */
    size_t max_spikes;
    /* Integrates interval iv. fb is the previous interval's feedback, or NULL
     * in the first interval (its sensing is flagged off when feedback is). Writes this rank's output
     * spikes (global ids, offsets within iv) sorted by offset then id.
     * Returns the count, or -1 with a message in err (a brain failure), or
     * BB_BRAIN_OUTPUT_FAILED when its recording could not be written. */
    long (*step)(void *ctx, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                 char *err, size_t errcap);
    void (*destroy)(void *ctx);
    bb_pools pools; /* the same on every brain rank */
    /* Saves or restores the brain's changing state (checkpoints); NULL: this
     * brain cannot be checkpointed. */
    int (*state)(void *ctx, bb_state_io *io);
    /* Applies a control command for the brain (stimulate) from exchange k
     * on; NULL: this brain takes none. 0, or -1 with the reason. */
    int (*command)(void *ctx, const struct bb_control_cmd *cmd, uint64_t k, char *err, size_t cap);
} bb_brain_role;

typedef struct bb_body_sizes {
    uint32_t n_muscles, n_taxels, n_proprio;
    /* Where each feedback entry comes from, for afferent maps: n_taxels
     * entries, then one per muscle (its BB_PROPRIO_PER_MUSCLE channels share
     * it). area: a cortex body area (bb_body_area), or BB_NO_AREA; side: 'L',
     * 'R' or 'M'. NULL when the body does not say. */
    const uint8_t *area, *side;
} bb_body_sizes;
#define BB_NO_AREA 255

typedef struct bb_body_role {
    void *ctx;
    bb_body_sizes sizes;
    /* Advances one interval under excitation; writes the sensing at its end. */
    int (*step)(void *ctx, uint64_t exchange, const float *excitation, float *taxels, float *proprio,
                char *err, size_t errcap);
    void (*destroy)(void *ctx);
    /* Names and body regions of the muscles, for the coupling map; NULL if unknown. */
    const char *(*muscle_name)(void *ctx, uint32_t i);
    const char *(*muscle_region)(void *ctx, uint32_t i);
    struct bb_body *body; /* the MuJoCo body, for recording; NULL for synthetic bodies */
    /* Saves or restores the body's changing state (checkpoints); NULL: not possible. */
    int (*state)(void *ctx, bb_state_io *io);
} bb_body_role;

/* Builds the roles of this rank. brain_comm spans the brain ranks only. */
typedef struct bb_role_factory {
    int (*make_body)(const bb_config *cfg, const bb_plan *plan, bb_body_role *out, char *err, size_t cap);
    int (*make_brain)(const bb_config *cfg, const bb_plan *plan, MPI_Comm brain_comm, const bb_body_sizes *body,
                      bb_brain_role *out, char *err, size_t cap);
} bb_role_factory;

extern const bb_role_factory bb_product_roles;

/* brain.model = cortex (roles_cortex.c). */
int bb_make_cortex_brain(const bb_config *cfg, const bb_plan *plan, MPI_Comm brain_comm, const bb_body_sizes *body,
                         bb_brain_role *out, char *err, size_t cap);

#endif
