/* Philox4x32-10 counter-based generator (Salmon et al. 2011, SC'11, Table 2 constants).
 * Stateless: the same (key, counter) always gives the same block, which is what
 * makes rank-count-independent and checkpoint-free randomness possible. */
#include "brainbody/brain.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void round_once(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0], n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

void bb_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; r++) {
        if (r) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        round_once(c, k);
    }
    for (int i = 0; i < 4; i++) out[i] = c[i];
}

void bb_rng_block(uint64_t seed, uint64_t stream, uint64_t index, uint32_t out[4])
{
    /* key = seed; counter = (index, stream) so each stream is its own sequence */
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t ctr[4] = {(uint32_t)index, (uint32_t)(index >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32)};
    bb_philox4x32_10(ctr, key, out);
}

double bb_rng_uniform(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint32_t r[4];
    bb_rng_block(seed, stream, index, r);
    uint64_t bits = ((uint64_t)r[0] << 21) ^ (uint64_t)r[1]; /* 53 bits used below */
    return (double)(bits & ((UINT64_C(1) << 53) - 1)) * 0x1.0p-53;
}
