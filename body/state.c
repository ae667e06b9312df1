/* Saving and restoring the body's changing state for checkpoints
 * (brainbody/state.h): MuJoCo's mjData whole (its info header and its main
 * buffer, so the solver's warm start, the contacts and every derived
 * quantity continue exactly), the touch grids' Merkel filters and the task
 * objects' state. The scratch stack is not state. */
#include <stddef.h>
#include <string.h>

#include "internal.h"

int bb_body_state(bb_body *b, bb_state_io *io)
{
    mjData *d = b->d;
    size_t ntax = (size_t)b->touch.ngrids * b->touch.nx * b->touch.ny;
    if (bb_state_same(io, "body.nbuffer", (uint64_t)d->nbuffer) || bb_state_same(io, "body.nstack", (uint64_t)d->nstack) ||
        bb_state_same(io, "body.taxels", ntax))
        return -1;
    /* The header before the buffer pointer holds sizes (checked above),
     * diagnostics, time and energies: plain data. */
    unsigned char header[offsetof(mjData, buffer)];
    memcpy(header, d, sizeof header);
    if (bb_state_field(io, "body.mjdata_header", header, sizeof header)) return -1;
    if (io->restoring) memcpy(d, header, sizeof header);
    d->pstack = 0; /* nothing is on the stack between steps */
    if (bb_state_field(io, "body.mjdata_buffer", d->buffer, (size_t)d->nbuffer) ||
        bb_state_field(io, "body.touch_force", b->touch.force, ntax * sizeof *b->touch.force) ||
        bb_state_field(io, "body.touch_fast", b->touch.fast, ntax * sizeof *b->touch.fast) ||
        bb_state_field(io, "body.touch_slow", b->touch.slow, ntax * sizeof *b->touch.slow) ||
        bb_state_field(io, "body.touch_rate", b->touch.rate, ntax * sizeof *b->touch.rate) ||
        bb_state_field(io, "body.world", &b->world, sizeof b->world) ||
        bb_state_field(io, "body.warnings", b->warnings, sizeof b->warnings) ||
        bb_state_field(io, "body.muscle_len_before", b->len_before, b->n_muscles * sizeof *b->len_before) ||
        bb_state_field(io, "body.step_span", &b->span_s, sizeof b->span_s))
        return -1;
    return 0;
}
