/* Poisson spike generators: cell i spikes in step t with probability
 * 1 - exp(-rate * dt), drawn from the stream keyed by (seed, cell id) at index t.
 * No state is kept between calls, so the same spikes come out whatever the
 * partition over ranks and whatever the exchange interval. */
#include "brainbody/brain.h"

#include <math.h>

long bb_poisson_spikes(const bb_poisson_pop *pop, uint64_t start, uint32_t steps,
                       bb_spike *out, size_t cap)
{
    const double p = 1.0 - exp(-pop->rate_hz * pop->dt_ms * 1e-3);
    size_t n = 0;
    for (uint32_t s = 0; s < steps; s++) {
        for (uint32_t i = 0; i < pop->local.count; i++) {
            uint32_t id = pop->first_id + pop->local.first + i;
            if (bb_rng_uniform(pop->seed, id, start + s) < p) {
                if (n == cap) return -1;
                out[n++] = (bb_spike){id, s};
            }
        }
    }
    return (long)n;
}
