/* Random distributions for weights and delays, drawn from counter-based
 * streams (rng.c) so that each synapse's values depend only on its own
 * (seed, stream, index). */
#include <math.h>

#include "internal.h"

double bb_rng_normal(uint64_t seed, uint64_t stream, uint64_t *index)
{
    /* Box-Muller; 1 - u keeps the logarithm's argument in (0, 1] */
    double u1 = 1.0 - bb_rng_uniform(seed, stream, (*index)++);
    double u2 = bb_rng_uniform(seed, stream, (*index)++);
    const double two_pi = 6.283185307179586476925;
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

double bb_dist_draw(const bb_dist *d, uint64_t seed, uint64_t stream, uint64_t *index)
{
    switch (d->kind) {
    case BB_DIST_FIXED:
        return d->a;
    case BB_DIST_UNIFORM:
        return d->a + (d->b - d->a) * bb_rng_uniform(seed, stream, (*index)++);
    case BB_DIST_NORMAL_CLIPPED: {
        double x = d->a + d->b * bb_rng_normal(seed, stream, index);
        return x < d->lo ? d->lo : x > d->hi ? d->hi : x;
    }
    case BB_DIST_NORMAL_REDRAW:
        /* bounded: after 1000 tries the bound is on the far tail of a bad
         * choice of (a, b, lo, hi); clip rather than loop forever */
        for (int tries = 0; tries < 1000; tries++) {
            double x = d->a + d->b * bb_rng_normal(seed, stream, index);
            if (x >= d->lo && x <= d->hi) return x;
        }
        return d->a < d->lo ? d->lo : d->a > d->hi ? d->hi : d->a;
    case BB_DIST_LOGNORMAL:
        return exp(d->a + d->b * bb_rng_normal(seed, stream, index));
    }
    return d->a;
}
