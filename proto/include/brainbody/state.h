/* Saving and restoring a module's changing state (checkpoints,
 * coupler/checkpoint.c). A module describes its state once, as a list of
 * named fields, in one function used both ways: when saving, io copies each
 * field out; when restoring, io copies it back in, after checking that the
 * name and size match what was saved. So save and restore cannot drift
 * apart. The field functions return 0, or -1 with the reason kept by io. */
#ifndef BRAINBODY_STATE_H
#define BRAINBODY_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bb_state_io bb_state_io;
struct bb_state_io {
    int restoring; /* 0: saving (fields are read), 1: restoring (fields are written) */
    int (*field)(bb_state_io *io, const char *name, void *data, size_t bytes);
    char why[2048]; /* why a field failed */
};

static inline int bb_state_field(bb_state_io *io, const char *name, void *data, size_t bytes)
{
    return io->field(io, name, data, bytes);
}

/* A count that sizes what follows: saved, or read back before the caller
 * makes room for the data it counts. */
static inline int bb_state_u64(bb_state_io *io, const char *name, uint64_t *v)
{
    return io->field(io, name, v, sizeof *v);
}

/* A size the state was saved with: restoring into a differently sized
 * object (another model, another number of ranks) is refused. */
static inline int bb_state_same(bb_state_io *io, const char *name, uint64_t now)
{
    uint64_t saved = now;
    if (io->field(io, name, &saved, sizeof saved)) return -1;
    if (saved == now) return 0;
    snprintf(io->why, sizeof io->why, "%s is %llu in the checkpoint but %llu in this run", name,
             (unsigned long long)saved, (unsigned long long)now);
    return -1;
}

#endif
