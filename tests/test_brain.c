/* brain/: the counter-based RNG, the partition and the Poisson output cells. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "brainbody/brain.h"

/* Known-answer vectors of Philox4x32-10 from Random123's kat_vectors
 * (Salmon et al. 2011): zero, all-ones, and the digits-of-pi case. */
Test(rng, philox_known_answers)
{
    static const uint32_t ctr[3][4] = {{0, 0, 0, 0},
                                       {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                                       {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffffu, 0xffffffffu}, {0xa4093822u, 0x299f31d0u}};
    static const uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                                        {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                                        {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
    for (int t = 0; t < 3; t++) {
        uint32_t out[4];
        bb_philox4x32_10(ctr[t], key[t], out);
        for (int i = 0; i < 4; i++) cr_assert_eq(out[i], want[t][i], "vector %d word %d: %08x", t, i, out[i]);
    }
}

Test(rng, uniform_is_in_range_and_has_the_right_mean)
{
    double sum = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = bb_rng_uniform(42, 7, (uint64_t)i);
        cr_assert(u >= 0 && u < 1);
        sum += u;
    }
    /* the mean of n uniforms has sd sqrt(1/12/n) = 0.00065; allow 5 sd */
    cr_assert(fabs(sum / n - 0.5) < 5 * sqrt(1.0 / 12 / n), "mean %f", sum / n);
    cr_assert_neq(bb_rng_uniform(42, 7, 0), bb_rng_uniform(42, 8, 0), "streams differ");
    cr_assert_neq(bb_rng_uniform(42, 7, 0), bb_rng_uniform(43, 7, 0), "seeds differ");
}

Test(partition, blocks_cover_every_cell_once)
{
    for (uint32_t n = 0; n < 40; n++)
        for (int r = 1; r <= 7; r++) {
            uint32_t next = 0;
            for (int i = 0; i < r; i++) {
                bb_block b = bb_partition_block(n, r, i);
                cr_assert_eq(b.first, next);
                cr_assert(b.count == n / (uint32_t)r || b.count == n / (uint32_t)r + 1);
                next += b.count;
            }
            cr_assert_eq(next, n);
        }
}

Test(poisson, rate_matches_and_partition_does_not_matter)
{
    const uint32_t cells = 300, steps = 10000; /* 1 s at 0.1 ms */
    bb_poisson_pop whole = {.seed = 5, .local = {0, cells}, .rate_hz = 20, .dt_ms = 0.1};
    size_t cap = 20000;
    bb_spike *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
    long na = bb_poisson_spikes(&whole, 0, steps, a, cap);
    /* expected 6000 spikes, Poisson sd 77: allow 5 sd */
    cr_assert(labs(na - 6000) < 5 * 78, "%ld spikes", na);
    /* the same cells split over 3 ranks give the same spikes */
    long nb = 0;
    for (int r = 0; r < 3; r++) {
        bb_poisson_pop part = whole;
        part.local = bb_partition_block(cells, 3, r);
        long n = bb_poisson_spikes(&part, 0, steps, b + nb, cap - (size_t)nb);
        cr_assert(n >= 0);
        nb += n;
    }
    cr_assert_eq(nb, na);
    /* same multiset: count per cell */
    int *ca = calloc(cells, sizeof *ca), *cb = calloc(cells, sizeof *cb);
    for (long i = 0; i < na; i++) ca[a[i].source]++, cb[b[i].source]++;
    for (uint32_t c = 0; c < cells; c++) cr_assert_eq(ca[c], cb[c], "cell %u", c);
    /* output is ordered by step then cell */
    for (long i = 1; i < na; i++)
        cr_assert(a[i - 1].offset < a[i].offset || (a[i - 1].offset == a[i].offset && a[i - 1].source < a[i].source));
    cr_assert_eq(bb_poisson_spikes(&whole, 0, steps, a, 10), -1, "a small buffer is reported, not overrun");
    free(a), free(b), free(ca), free(cb);
}
