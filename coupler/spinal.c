/* Spinal motor pools driven by the locomotor circuit (spinal.h). */
#include "spinal.h"

#include <stdio.h>
#include <string.h>

#define SPINAL_RNG_STREAM 0x5350494e00000000ull /* "SPIN": apart from the cortex's per-cell streams */

static const char *const limb_names[BB_N_LIMBS] = {"LH", "RH", "LF", "RF"};

uint32_t bb_spinal_cells(const bb_config *cfg)
{
    return cfg->cpg.enabled ? BB_SPINAL_POOLS * cfg->cpg.cells_per_pool : 0;
}

int bb_spinal_init(bb_spinal *s, const bb_config *cfg, uint32_t first_id, int n_brain, int brain_index, char *err,
                   size_t cap)
{
    memset(s, 0, sizeof *s);
    bb_cpg_spec spec = {cfg->cpg.alpha, !strcmp(cfg->cpg.ablate, "v0v") || !strcmp(cfg->cpg.ablate, "v0v_v0d"),
                        !strcmp(cfg->cpg.ablate, "v0v_v0d"), 0};
    s->cpg = bb_cpg_create(&spec);
    if (!s->cpg) {
        snprintf(err, cap, "out of memory for the spinal circuit");
        return -1;
    }
    s->seed = cfg->seed;
    s->first_id = first_id;
    s->cells_per_pool = cfg->cpg.cells_per_pool;
    s->local = bb_partition_block(bb_spinal_cells(cfg), n_brain, brain_index);
    s->dt_ms = cfg->brain_dt_ms;
    s->p_max = cfg->cpg.max_rate_hz * cfg->brain_dt_ms * 1e-3;
    return 0;
}

void bb_spinal_free(bb_spinal *s)
{
    bb_cpg_free(s->cpg);
    s->cpg = NULL;
}

void bb_spinal_pools(const bb_spinal *s, bb_pools *pools)
{
    for (int p = 0; p < BB_SPINAL_POOLS && pools->n < BB_MAX_POOLS; p++) {
        bb_pool *q = &pools->pool[pools->n++];
        snprintf(q->name, sizeof q->name, "CPG_%s_%s", limb_names[p / 2], p % 2 ? "extensor" : "flexor");
        q->first = s->first_id + (uint32_t)p * s->cells_per_pool;
        q->count = s->cells_per_pool;
    }
}

long bb_spinal_step(bb_spinal *s, uint64_t start_step, uint32_t steps, bb_spike *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t k = 0; k < steps; k++) {
        bb_cpg_run(s->cpg, s->dt_ms);
        double p[BB_SPINAL_POOLS];
        for (int l = 0; l < BB_N_LIMBS; l++) {
            p[2 * l] = s->p_max * bb_cpg_flexor(s->cpg, (bb_limb)l);
            p[2 * l + 1] = s->p_max * bb_cpg_extensor(s->cpg, (bb_limb)l);
        }
        for (uint32_t c = s->local.first; c < s->local.first + s->local.count; c++) {
            double u = bb_rng_uniform(s->seed, SPINAL_RNG_STREAM + c, start_step + k);
            if (u < p[c / s->cells_per_pool]) {
                if (n == cap) return -1;
                out[n++] = (bb_spike){s->first_id + c, k};
            }
        }
    }
    return (long)n;
}

int bb_spinal_state(bb_spinal *s, bb_state_io *io) { return bb_cpg_state(s->cpg, io); }
