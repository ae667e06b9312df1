/* Contiguous block partition of cells over ranks. */
#include "brainbody/brain.h"

bb_block bb_partition_block(uint32_t n, int nranks, int rank)
{
    uint32_t r = (uint32_t)rank, R = (uint32_t)nranks;
    uint32_t base = n / R, extra = n % R;
    uint32_t first = r * base + (r < extra ? r : extra);
    return (bb_block){first, base + (r < extra ? 1u : 0u)};
}
