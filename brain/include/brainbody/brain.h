/* brain/: the spiking-network engine. This header is the whole public API.
 * It never includes anything from body/; the coupler is the only place that
 * sees both.
 *
 * Determinism rule: every random number is drawn from a counter-based stream
 * keyed by (seed, cell id) and indexed by the time step, so results do not
 * depend on how cells are partitioned over ranks. */
#ifndef BRAINBODY_BRAIN_H
#define BRAINBODY_BRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- rng.c: Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3") */
void bb_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);
/* Uniform double in [0, 1) with 53 random bits; one Philox block per call. */
double bb_rng_uniform(uint64_t seed, uint64_t stream, uint64_t index);

/* ---- partition.c: contiguous blocks of cells over ranks */
typedef struct bb_block {
    uint32_t first; /* first global cell id owned */
    uint32_t count; /* cells owned */
} bb_block;
/* Block of rank `rank` of `nranks` over n cells; the first n % nranks ranks get one more. */
bb_block bb_partition_block(uint32_t n, int nranks, int rank);

/* ---- poisson.c: a population of Poisson spike generators used as output cells */
typedef struct bb_poisson_pop {
    uint64_t seed;
    uint32_t first_id; /* global id of the population's cell 0 */
    bb_block local;    /* cells of this rank, as global ids relative to first_id */
    double rate_hz;
    double dt_ms;
} bb_poisson_pop;

/* Appends the spikes of local cells in steps [start, start + steps) to out
 * (capacity cap), ordered by step then by cell id; offsets are relative to start.
 * Returns the number written, or -1 if cap was too small. */
long bb_poisson_spikes(const bb_poisson_pop *pop, uint64_t start, uint32_t steps,
                       bb_spike *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
