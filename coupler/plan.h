/* The plan: which rank does what, and the integer time grid of the run. */
#ifndef BB_PLAN_H
#define BB_PLAN_H

#include <mpi.h>
#include <stdint.h>

#include "config.h"

typedef enum bb_role { BB_ROLE_BODY = 0, BB_ROLE_BRAIN = 1 } bb_role;

typedef struct bb_plan {
    MPI_Comm comm;      /* the run's ranks: MPI_COMM_WORLD, or an ensemble member's share of it */
    int world_size, world_rank; /* size of and rank in comm */
    int single_process; /* 1 rank: brain and body in one process */
    int n_brain;        /* brain ranks (1 in single-process mode) */
    bb_role role;
    int brain_index;    /* 0..n_brain-1 on brain ranks */
    uint64_t n_exchanges;
    uint32_t brain_steps_per_exchange;
    uint32_t body_steps_per_exchange;
} bb_plan;

#define BB_BODY_RANK 0
/* Rank in plan->comm of brain rank i. */
static inline int bb_brain_world_rank(const bb_plan *p, int i) { return p->single_process ? 0 : 1 + i; }

/* Returns 0, or 2 with a message naming the config key if the ranks do not
 * fit. comm is MPI_COMM_WORLD; an ensemble member sets its own after. */
int bb_plan_make(const bb_config *cfg, int world_size, int world_rank, bb_plan *p, char *err, size_t cap);
void bb_plan_print(const bb_plan *p, const bb_config *cfg, FILE *f);

#endif
