/* The efferent coupling map: spike counts of the brain's output pools in
 * one interval -> muscle excitation, through pathways read from a YAML map
 * (docs/coupling.md). The uniform map (efferent.c) serves brains without
 * pools and experiments without a map. */
#ifndef BB_COUPLING_H
#define BB_COUPLING_H

#include <stdint.h>

#include "brainbody/proto.h"
#include "roles.h"

typedef struct bb_pathway {
    uint32_t pool;          /* index into the pools */
    uint32_t delay;         /* whole exchange intervals, on top of the loop's own one */
    float weight_per_spike; /* weight / gain_spikes */
    uint32_t first, n;      /* its muscles: targets[first .. first + n) */
    int enabled;            /* 0: lesioned */
    float weight_cfg;       /* as configured (the map, coupling.gain_spikes): set-gain scales it */
    int enabled_cfg;        /* as configured (the map, coupling.lesion): restore returns to it */
} bb_pathway;

typedef struct bb_coupling {
    uint32_t n_cells, n_muscles, n_pools, ring; /* ring: longest delay + 1 intervals of counts */
    uint8_t *pool_of_cell;                      /* per output cell; 255: in no pool */
    uint32_t *counts;                           /* ring x n_pools */
    uint64_t k;                                 /* intervals applied so far */
    bb_pathway *paths;
    uint32_t n_paths;
    uint32_t *targets;
    char pool_names[BB_MAX_POOLS][BB_POOL_NAME];
} bb_coupling;

/* Reads the map at path and checks it against the pools and the body's
 * muscles. lesion: comma-separated pool names whose pathways are cut ("" for
 * none). Returns 0, or -1 with "path:line:col: field: why" in err. */
int bb_coupling_load(bb_coupling *c, const char *path, const bb_pools *pools, uint32_t n_cells,
                     const bb_body_role *body, const char *lesion, char *err, size_t cap);
void bb_coupling_free(bb_coupling *c);
/* One interval's spikes (sources are output-cell ids) -> excitation in [0, 1]. */
void bb_coupling_apply(bb_coupling *c, const bb_spike *spikes, uint32_t n, float *excitation);
/* While the run goes on (control commands): cuts every pathway of a pool
 * (lesion), returns them to their configuration (restore), or sets their
 * weights to factor x the configured ones (pool NULL: every pool). 0, or -1
 * when the map has no such pool. */
int bb_coupling_lesion(bb_coupling *c, const char *pool, int lesioned);
int bb_coupling_set_gain(bb_coupling *c, const char *pool, double factor);
/* Reciprocal inhibition's wiring: for each muscle (n_muscles entries), the
 * pool named like the one whose pathway drives it with "_flexor" and
 * "_extensor" swapped (the other half-centre of its limb: a flexor's
 * antagonist is its limb's extensor pool), or -1 for a muscle no such pool
 * pair drives or one both halves drive. pool_cells: each pool's cells. */
void bb_coupling_antagonists(const bb_coupling *c, int32_t *antagonist, uint32_t *pool_cells);
/* Spikes of each pool in the interval the last bb_coupling_apply read. */
const uint32_t *bb_coupling_last_counts(const bb_coupling *c);
/* The counts still in flight and the pathways (weights, lesions), for checkpoints. */
int bb_coupling_state(bb_coupling *c, bb_state_io *io);

#endif
