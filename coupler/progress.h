/* A progress line on a terminal: simulated time, real-time factor, ETA.
 * Quiet when standard error is not a terminal. */
#ifndef BB_PROGRESS_H
#define BB_PROGRESS_H

#include <stdint.h>

typedef struct bb_progress {
    int on;
    double t0, last, total_s;
} bb_progress;

void bb_progress_start(bb_progress *p, double total_s);
/* sim_s: simulated time reached; redraws at most 4 times a second */
void bb_progress_update(bb_progress *p, double sim_s);
/* Clears the line. */
void bb_progress_end(bb_progress *p);

#endif
