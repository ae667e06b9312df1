/* The gamma experiment of the seed report: DC stimulation of the L2/3 cells
 * of one 100-um voxel of M1 and what the spikes show (spectrum peak, phase
 * of each layer and cell type). Shared by tests/test_cortex.c, the figures
 * (run/gamma/figures) and the tuning search (run/gamma/tune). */
#ifndef BB_GAMMA_PROTOCOL_H
#define BB_GAMMA_PROTOCOL_H

#include <mpi.h>

#include "brainbody/cortex.h"

typedef struct bb_gamma_setup {
    bb_cortex_spec spec;
    double dc;                          /* Izhikevich current units, to the stimulated voxel's L2/3 cells */
    double stim_on_ms, end_ms;          /* stimulation from stim_on_ms to the end */
    double analyse_from_ms;             /* transients before this are left out */
} bb_gamma_setup;

/* M1 only, one hemisphere, 3 x 3 voxels, 25 % density, 1.2 s. */
bb_gamma_setup bb_gamma_default_setup(void);

#define BB_GAMMA_NF 146 /* 5 .. 150 Hz in 1-Hz steps */
typedef struct bb_gamma_result {
    double freq_hz[BB_GAMMA_NF], power[BB_GAMMA_NF]; /* of the rate of all cells, 1-ms bins */
    double peak_hz, peak_to_median;
    double rate_hz[BB_N_LAYERS][BB_N_TYPES];
    /* phase lag behind L2/3 excitatory cells at peak_hz (rad; > 0: later) */
    double lag[BB_N_LAYERS][BB_N_TYPES], strength[BB_N_LAYERS][BB_N_TYPES];
    double layer_lag[BB_N_LAYERS]; /* of all cells of the layer together */
    /* every spike, for the raster: time (ms) and global id */
    double *t_ms;
    unsigned *id;
    size_t n;
    unsigned first_id[BB_N_LAYERS][BB_N_TYPES], count[BB_N_LAYERS][BB_N_TYPES];
} bb_gamma_result;

/* Runs the experiment on comm; every rank gets the result. 0 or -1 (err). */
int bb_gamma_run(const bb_gamma_setup *setup, MPI_Comm comm, bb_gamma_result *out, char *err, size_t cap);
void bb_gamma_result_free(bb_gamma_result *r);

/* The seed result, as criteria on a stimulated run (docs/brain-model.md):
 * spectrum peak in 30-50 Hz and at least 10x the median power; L2/3 FS
 * within 45 degrees of L2/3 excitatory cells; L2/3 LTS at least 15 degrees
 * after both; layer phase later from L2/3 to L5B to L6, and L5A after L2/3.
 * Returns the number of criteria failed and lists them in why. */
int bb_gamma_check(const bb_gamma_result *r, char *why, size_t cap);

#endif
