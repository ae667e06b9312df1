/* trials.tsv: one row per trial of a task, written when the trial ends and
 * flushed with the other files (docs/recording.md). */
#ifndef BB_RECORD_TRIALS_H
#define BB_RECORD_TRIALS_H

#include <stdio.h>

#include "trials.h"

/* Creates DIR/trials.tsv with its header; NULL with a message in err. */
FILE *bb_trials_file_create(const char *dir, char *err, size_t cap);
/* The trials.tsv of a run being resumed (it is cut back by the checkpoint). */
FILE *bb_trials_file_open(const char *dir, char *err, size_t cap);
/* Appends one trial; 0, or -1 when the file cannot be written. */
int bb_trials_file_add(FILE *f, const bb_trial_result *r);

#endif
