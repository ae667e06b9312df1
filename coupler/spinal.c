/* Spinal motor pools driven by the locomotor circuit (spinal.h). */
#include "spinal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    s->onset_steps = cfg->cpg.onset_s * 1e3 / cfg->brain_dt_ms;
    s->gain_load_nS = cfg->cpg.feedback_load_nS;
    s->gain_hip_nS = cfg->cpg.feedback_hip_nS;
    return 0;
}

void bb_spinal_feel(bb_spinal *s, const float *a)
{
    for (int l = 0; l < BB_N_LIMBS; l++)
        bb_cpg_set_feedback(s->cpg, (bb_limb)l, a ? s->gain_load_nS * a[2 * l] : 0, a ? s->gain_hip_nS * a[2 * l + 1] : 0);
}

/* Each limb's hip or shoulder flexion joint (bb_limb order). */
static const char *const joint[BB_N_LIMBS] = {"L_hip_flex", "R_hip_flex", "L_shoulder_flex", "R_shoulder_flex"};

int bb_spinal_sense_init(bb_spinal_sense *s, const bb_body *b)
{
    static const char *const paw[BB_N_LIMBS] = {"L_pes", "R_pes", "L_manus", "R_manus"};
    memset(s, 0, sizeof *s);
    uint32_t ng = bb_body_n_touch_grids(b);
    s->per_grid = ng ? bb_body_n_taxels(b) / ng : 0;
    s->force = calloc(bb_body_n_taxels(b) + 1, sizeof *s->force);
    if (!s->force) return -1;
    for (int l = 0; l < BB_N_LIMBS; l++) {
        s->grid[l] = -1;
        for (uint32_t g = 0; g < ng; g++)
            if (!strncmp(bb_body_touch_grid_name(b, g), paw[l], strlen(paw[l]))) s->grid[l] = (int)g;
        double r[2];
        if (bb_body_joint_range(b, joint[l], r)) r[0] = r[1] = 0;
        s->full[l] = r[0]; /* flexion is positive: the lower end is the most extended */
        s->on[l] = r[0] + 0.2 * (r[1] - r[0]);
    }
    s->quarter_weight_N = bb_body_total_mass(b) * 9.81 / 4;
    return 0;
}

static float clip01(double x) { return (float)(x < 0 ? 0 : x > 1 ? 1 : x); }

void bb_spinal_sense_read(bb_spinal_sense *s, const bb_body *b, float out[BB_SPINAL_CHANNELS])
{
    bb_body_taxel_forces(b, s->force);
    for (int l = 0; l < BB_N_LIMBS; l++) {
        double f = 0;
        for (uint32_t i = 0; s->grid[l] >= 0 && i < s->per_grid; i++) f += s->force[(uint32_t)s->grid[l] * s->per_grid + i];
        out[2 * l] = clip01(s->quarter_weight_N > 0 ? f / s->quarter_weight_N : 0);
        double a = bb_body_joint_angle(b, joint[l]);
        out[2 * l + 1] = isnan(a) || s->on[l] == s->full[l] ? 0 : clip01((s->on[l] - a) / (s->on[l] - s->full[l]));
    }
}

void bb_spinal_sense_free(bb_spinal_sense *s)
{
    free(s->force);
    s->force = NULL;
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
        /* From the global step, so a resumed run ramps as an unbroken one. */
        double step = (double)(start_step + k);
        double p_now = s->onset_steps > step ? s->p_max * step / s->onset_steps : s->p_max;
        double p[BB_SPINAL_POOLS];
        for (int l = 0; l < BB_N_LIMBS; l++) {
            p[2 * l] = p_now * bb_cpg_flexor(s->cpg, (bb_limb)l);
            p[2 * l + 1] = p_now * bb_cpg_extensor(s->cpg, (bb_limb)l);
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
