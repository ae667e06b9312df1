/* body.h5: the body's state once per exchange interval, time-aligned with
 * spikes.h5 (docs/recording.md). */
#ifndef BB_RECORD_BODY_H
#define BB_RECORD_BODY_H

#include <stddef.h>

#include "brainbody/body.h"

typedef struct bb_body_file bb_body_file;

/* Creates path (which must not exist) with the body's names and layout. */
bb_body_file *bb_body_file_create(const char *path, const bb_body *b, char *err, size_t cap);
/* Buffers one row: the body as it is now (the end of an interval), the
 * excitation that drove it during that interval, and the feedback sent for
 * it (merkel: one rate per taxel; rates: Ia, II, Ib per muscle). */
int bb_body_file_add(bb_body_file *f, const bb_body *b, const float *excitation, const float *merkel,
                     const float *rates, char *err, size_t cap);
/* Appends the buffered rows to the file and flushes it to disk. */
int bb_body_file_flush(bb_body_file *f, char *err, size_t cap);
/* Flushes (when cap > 0) and closes; NULL is fine. */
int bb_body_file_close(bb_body_file *f, char *err, size_t cap);

/* Resuming (checkpoints): the file a run wrote for this body, to continue it. */
bb_body_file *bb_body_file_open(const char *path, const bb_body *b, char *err, size_t cap);
/* The rows written. Saving needs a flushed file; restoring cuts the file
 * back to them. */
int bb_body_file_state(bb_body_file *f, bb_state_io *io);

#endif
