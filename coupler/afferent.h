/* The afferent map: the body's feedback (Merkel rates per taxel, Ia/II/Ib
 * rates per muscle) -> the channels of each hemisphere's thalamic afferent
 * port, somatotopically and crossed (docs/coupling.md). */
#ifndef BB_AFFERENT_H
#define BB_AFFERENT_H

#include <stdint.h>

#include "brainbody/state.h"
#include "roles.h"

typedef struct bb_afferent_map {
    uint32_t n_channels, n_entries;  /* entries: n_taxels, then n_proprio */
    int32_t *channel[2];             /* per hemisphere and entry: its channel, or -1 */
    uint32_t *count[2];              /* per hemisphere and channel: entries feeding it */
    double convergence;              /* afferent fibres per relay cell: a channel's value is their summed rate */
    /* conduction delay: the feedback of `delay` intervals before the last */
    uint32_t delay, n_taxels, n_proprio;
    float *ring;                     /* (delay + 1) feedback vectors */
    uint64_t pushed;
    bb_feedback delayed;
} bb_afferent_map;

/* lesion: "none", or comma-separated touch, proprio, or body areas (tail,
 * hindlimb, trunk, forelimb, head_neck) whose afferents are cut. Returns 0,
 * or -1 with a message naming feedback.lesion. */
int bb_afferent_map_build(bb_afferent_map *m, const bb_body_sizes *body, uint32_t n_channels, const char *lesion,
                          double convergence, char *err, size_t cap);
void bb_afferent_map_free(bb_afferent_map *m);
/* Sets an extra conduction delay of whole intervals (0: none); 0 or -1. */
int bb_afferent_map_set_delay(bb_afferent_map *m, uint32_t delay, uint32_t n_taxels, uint32_t n_proprio);
/* Takes this interval's feedback (or NULL) and returns the one to use now:
 * the feedback of `delay` intervals earlier, or NULL while there is none. */
const bb_feedback *bb_afferent_map_delay(bb_afferent_map *m, const bb_feedback *fb);
/* Channel values (Hz) of one hemisphere (0 left, 1 right) from one interval's
 * feedback: each channel the mean rate of its entries times the convergence;
 * 0 for fb NULL. */
void bb_afferent_map_rates(const bb_afferent_map *m, int hemisphere, const bb_feedback *fb, double *values);
/* The feedback still in flight (the delay ring), for checkpoints. */
int bb_afferent_map_state(bb_afferent_map *m, bb_state_io *io);

#endif
