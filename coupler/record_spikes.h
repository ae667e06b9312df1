/* Spikes as a SONATA spike file (spikes.h5, and cortex_spikes.h5 with every
 * population of the cortex model), written incrementally: buffered per exchange, appended and
 * flushed to disk by bb_spike_file_flush. */
#ifndef BB_RECORD_SPIKES_H
#define BB_RECORD_SPIKES_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/proto.h"
#include "brainbody/state.h"

typedef struct bb_spike_file bb_spike_file;

/* Creates path (which must not exist) with population /spikes/<population>. */
bb_spike_file *bb_spike_file_create(const char *path, const char *population, double dt_ms, char *err, size_t cap);
/* The same with several populations, /spikes/<populations[i]> each. */
bb_spike_file *bb_spike_file_create_many(const char *path, const char *const *populations, int n, double dt_ms,
                                         char *err, size_t cap);
/* Buffers one spike of population pop: its step and population-local node id. */
int bb_spike_file_add_one(bb_spike_file *f, int pop, uint64_t step, uint64_t node_id, char *err, size_t cap);
/* Buffers the spikes of one interval (sorted by time), ids and steps as sent. */
int bb_spike_file_add(bb_spike_file *f, const bb_interval *iv, const bb_spike *s, uint32_t n, char *err, size_t cap);
/* Appends what is buffered and flushes the file: a later crash keeps all of it. */
int bb_spike_file_flush(bb_spike_file *f, char *err, size_t cap);
/* Flushes and closes; NULL is allowed. */
int bb_spike_file_close(bb_spike_file *f, char *err, size_t cap);
uint64_t bb_spike_file_count(const bb_spike_file *f);

/* Resuming (checkpoints): the file a run wrote, opened to continue it. */
bb_spike_file *bb_spike_file_open_many(const char *path, const char *const *populations, int n, double dt_ms,
                                       char *err, size_t cap);
/* The spikes written per population. Saving needs a flushed file; restoring
 * cuts the file back to them (what was written after the checkpoint goes). */
int bb_spike_file_state(bb_spike_file *f, bb_state_io *io);

#endif
