/* brain/: the layered mouse motor (M1) and somatosensory (S1) cortex model,
 * built on the engine (brain.h). Parameters and their sources:
 * docs/brain-model.md and brain/cortex_tables.c. */
#ifndef BRAINBODY_CORTEX_H
#define BRAINBODY_CORTEX_H

#include "brainbody/brain.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bb_layer { BB_L23, BB_L4, BB_L5A, BB_L5B, BB_L6, BB_N_LAYERS } bb_layer;
typedef enum bb_cell_type { BB_EXC, BB_FS, BB_LTS, BB_N_TYPES } bb_cell_type;
typedef enum bb_area { BB_M1, BB_S1, BB_N_AREAS } bb_area;
typedef enum bb_hemisphere { BB_LEFT, BB_RIGHT, BB_N_HEMISPHERES } bb_hemisphere;
/* Somatotopic pools of the M1 L5B output cells, medial to lateral. */
typedef enum bb_body_area { BB_TAIL, BB_HINDLIMB, BB_TRUNK, BB_FORELIMB, BB_HEAD_NECK, BB_N_BODY_AREAS } bb_body_area;

typedef struct bb_cortex_spec {
    uint64_t seed;
    double dt_ms;
    int hemispheres;            /* 1 (left only) or 2 */
    int with_s1;                /* add S1 and its loop with M1 */
    uint32_t m1_nx, m1_ny;      /* M1 sheet in 100-um voxels (medio-lateral x rostro-caudal) */
    uint32_t s1_nx, s1_ny;      /* S1 sheet in voxels */
    double density_scale;       /* fraction of the mouse's cell density (1 = full) */
    uint32_t afferent_channels; /* channels of each hemisphere's thalamic input port */
    double background_hz;       /* Poisson background rate per cell */
    /* multipliers on the tabled recurrent weights, [pre type][post type]
     * (1 = as tabled; the tuning search varies them) */
    double weight_gain[BB_N_TYPES][BB_N_TYPES];
    double background_gain[BB_N_TYPES]; /* multipliers on the tabled background weights */
    double descending_gain;             /* multiplier on M1 L2/3 exc -> L5A/L5B exc weights (1 = as tabled) */
} bb_cortex_spec;

/* The laptop default: both hemispheres, M1 5 x 3 and S1 3 x 3 voxels, 10 % density. */
bb_cortex_spec bb_cortex_defaults(void);

typedef struct bb_cortex {
    bb_network *net;
    int pop[BB_N_HEMISPHERES][BB_N_AREAS][BB_N_LAYERS][BB_N_TYPES]; /* engine population, or -1 */
    int thalamus[BB_N_HEMISPHERES];      /* input relay population, or -1 */
    int afferent_port[BB_N_HEMISPHERES]; /* its afferent port, or -1 */
    /* M1 L5B excitatory cells of each pool: a contiguous range of global ids */
    uint32_t pool_first[BB_N_HEMISPHERES][BB_N_BODY_AREAS], pool_count[BB_N_HEMISPHERES][BB_N_BODY_AREAS];
} bb_cortex;

/* Builds the network (not yet the simulation: pass out->net to bb_sim_create).
 * Returns 0, or -1 with a message naming the bad field. */
int bb_cortex_build(const bb_cortex_spec *spec, bb_cortex *out, char *err, size_t cap);
void bb_cortex_free(bb_cortex *c);
/* Cells of one population, without building anything (e.g. to size the
 * output: hemispheres x the M1 L5B exc count). The spec must be valid. */
uint32_t bb_cortex_population_size(const bb_cortex_spec *spec, bb_area a, bb_layer l, bb_cell_type t);
/* 0 if the spec is valid, else -1 with a message naming the field. */
int bb_cortex_check(const bb_cortex_spec *spec, char *err, size_t cap);

/* The medio-lateral strip of M1 (um, 0 at the sheet's medial edge) whose L5B
 * cells form a body area's pool; the strip spans the sheet's whole length. */
void bb_cortex_body_area_strip(const bb_cortex_spec *spec, bb_body_area a, double *x0_um, double *x1_um);

const char *bb_layer_name(bb_layer l);         /* "L23", "L4", ... */
const char *bb_cell_type_name(bb_cell_type t); /* "exc", "fs", "lts" */
const char *bb_area_name(bb_area a);           /* "M1", "S1" */
const char *bb_hemisphere_name(bb_hemisphere h);
const char *bb_body_area_name(bb_body_area a); /* "tail", "hindlimb", ... */

#ifdef __cplusplus
}
#endif
#endif
