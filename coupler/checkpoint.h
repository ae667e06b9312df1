/* Checkpoints (docs/operations.md): the whole coupled state after an
 * exchange, in OUTDIR/checkpoints/exchange_NNNNNNNNN/ (N: exchanges done):
 * one state file per rank (rank_RRR.state, every module's fields in the
 * order the module lists them, each with its name, size and CRC-32) and
 * run.yaml, the run record the run is resumed from. A checkpoint is
 * written into a .partial folder and renamed when every rank's file is
 * complete and on disk, so a folder named exchange_* is always whole. */
#ifndef BB_CHECKPOINT_H
#define BB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/state.h"

typedef struct bb_state_file bb_state_file;

/* A new state file to save into (path must not exist). */
bb_state_file *bb_state_file_create(const char *path, char *err, size_t cap);
/* A saved state file to restore from. */
bb_state_file *bb_state_file_open(const char *path, char *err, size_t cap);
bb_state_io *bb_state_file_io(bb_state_file *f);
/* Reads a saved state file through: every field's CRC-32 and the end
 * marker. Resuming checks every rank's file so before anything is restored. */
int bb_state_file_check(const char *path, char *err, size_t cap);
/* Saving: ends the file and syncs it to disk. Restoring: checks that every
 * saved field was restored. Then frees f. failed: a module's state function
 * failed (its reason is in the io). 0, or -1 with the first error, naming
 * the file (and, for a field, the byte offset and the field). */
int bb_state_file_close(bb_state_file *f, int failed, char *err, size_t cap);

/* The folders of the checkpoint after `exchanges` exchanges. */
void bb_checkpoint_paths(const char *outdir, uint64_t exchanges, char *final, char *partial, size_t cap);
/* The state file of a rank inside a checkpoint folder. */
void bb_checkpoint_rank_file(const char *dir, int rank, char *path, size_t cap);
/* Makes an empty partial folder (removing a stale one). */
int bb_checkpoint_begin(const char *outdir, const char *partial, char *err, size_t cap);
/* Copies run.yaml in, syncs, renames partial to final, then removes the
 * oldest checkpoints beyond `keep` (0: keep all). */
int bb_checkpoint_commit(const char *outdir, const char *partial, const char *final, uint32_t keep, char *err,
                         size_t cap);
/* Removes every checkpoint of an output folder (a new run there, --force:
 * an old run's checkpoints would resume into the new run's files). */
void bb_checkpoint_remove_all(const char *outdir);
/* Removes a partial folder after a failure. */
void bb_checkpoint_abandon(const char *partial);
/* The bytes of the state files of ranks 0 .. n_ranks-1 in a checkpoint folder. */
uint64_t bb_checkpoint_bytes(const char *dir, int n_ranks);
/* The exchanges done at a checkpoint folder (its name), or -1 if it is not one. */
int64_t bb_checkpoint_exchanges(const char *dir);

#endif
