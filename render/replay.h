/* A recorded run, read back for replay: the experiment (run.yaml), the body
 * once per exchange interval (body.h5), the output cells' spikes (spikes.h5)
 * and the task events (events.tsv). Everything is checked on reading; a
 * missing or malformed file is an error naming it. */
#ifndef BB_RENDER_REPLAY_H
#define BB_RENDER_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef struct bb_replay_event {
    double t;       /* s */
    char name[24];  /* cue_on, hit, stimulus_on, ... */
} bb_replay_event;

typedef struct bb_replay_pool {
    char name[48];
    uint32_t first, count; /* output cells (spikes.h5 node_ids) */
} bb_replay_pool;

typedef struct bb_replay {
    char dir[BB_PATH_MAX];
    bb_config cfg;
    /* body.h5: n_rows rows, row k at time[k] (the end of exchange interval k) */
    uint32_t n_rows, nq, nv, n_muscles, n_taxels, n_grids;
    double *time, *qpos, *qvel;   /* qvel NULL in records made before it was recorded */
    float *activation, *excitation, *merkel;
    uint8_t *paw_contact;
    /* spikes.h5 (n_spikes 0 when spikes were not recorded) */
    uint64_t n_spikes;
    double *spike_ms;             /* sorted by time */
    uint32_t *spike_node;
    uint32_t n_cells;             /* output cells (brain.output_cells) */
    bb_replay_pool *pools;        /* run.yaml's pools: block, n_pools may be 0 */
    uint32_t n_pools;
    bb_replay_event *events;
    uint32_t n_events;
} bb_replay;

/* Reads the output folder dir. Returns 0, or -1 with the reason in err. */
int bb_replay_open(const char *dir, bb_replay *r, char *err, size_t cap);
void bb_replay_close(bb_replay *r);
/* The row showing time t: the last row whose time is <= t (row 0 before it). */
uint32_t bb_replay_row_at(const bb_replay *r, double t);
/* Index of the first spike at or after t_ms. */
uint64_t bb_replay_first_spike(const bb_replay *r, double t_ms);

#endif
