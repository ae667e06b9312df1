/* The product's roles: the brain model on the brain ranks (Poisson output
 * cells here, the cortex in roles_cortex.c), the body/ MuJoCo model on the
 * coupler rank. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/body.h"
#include "brainbody/brain.h"
#include "brainbody/cortex.h"
#include "roles.h"

/* ---- brain: brain.model = poisson (output cells firing as Poisson processes) */

typedef struct poisson_brain {
    bb_poisson_pop pop;
    uint32_t steps;
} poisson_brain;

static long poisson_step(void *ctx, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                         char *err, size_t errcap)
{
    poisson_brain *p = ctx;
    (void)fb; /* Poisson output cells have no afferent input */
    long n = bb_poisson_spikes(&p->pop, iv->start_step, p->steps, out, cap);
    if (n < 0) snprintf(err, errcap, "spike buffer of %zu too small", cap);
    return n;
}

/* Counter-based draws indexed by step: nothing changes between intervals. */
static int poisson_state(void *ctx, bb_state_io *io)
{
    poisson_brain *p = ctx;
    return bb_state_same(io, "poisson.cells", p->pop.local.count);
}

static int make_brain(const bb_config *cfg, const bb_plan *plan, MPI_Comm brain_comm, const bb_body_sizes *body,
                      bb_brain_role *out, char *err, size_t cap)
{
    if (strcmp(cfg->brain_model, "cortex") == 0) return bb_make_cortex_brain(cfg, plan, brain_comm, body, out, err, cap);
    poisson_brain *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    p->steps = plan->brain_steps_per_exchange;
    p->pop = (bb_poisson_pop){
        .seed = cfg->seed,
        .first_id = 0,
        .local = bb_partition_block(cfg->output_cells, plan->n_brain, plan->brain_index),
        .rate_hz = cfg->rate_hz,
        .dt_ms = cfg->brain_dt_ms,
    };
    *out = (bb_brain_role){p, (size_t)p->pop.local.count * p->steps + 1, poisson_step, free, {0}, poisson_state, NULL};
    out->pools.n = 1; /* one pool of every output cell */
    out->pools.pool[0] = (bb_pool){"all", 0, cfg->output_cells};
    return 0;
}

/* ---- body: a MuJoCo model */

typedef struct mujoco_body {
    bb_body *b;
    uint32_t steps;
    uint8_t *area, *side; /* feedback layout (bb_body_sizes) */
} mujoco_body;

/* The body's regions in the cortex's somatotopic areas (spine muscles count
 * as trunk). */
static uint8_t area_of_region(const char *region)
{
    if (!strcmp(region, "spine")) return BB_TRUNK;
    for (int a = 0; a < BB_N_BODY_AREAS; a++)
        if (!strcmp(region, bb_body_area_name(a))) return (uint8_t)a;
    return BB_NO_AREA;
}

static int make_layout(mujoco_body *m)
{
    uint32_t nt = bb_body_n_taxels(m->b), nm = bb_body_n_muscles(m->b), ng = bb_body_n_touch_grids(m->b);
    m->area = malloc(nt + nm + 1);
    m->side = malloc(nt + nm + 1);
    if (!m->area || !m->side) return -1;
    uint32_t per = ng ? nt / ng : 0, k = 0;
    for (uint32_t g = 0; g < ng; g++)
        for (uint32_t i = 0; i < per; i++, k++) {
            m->area[k] = area_of_region(bb_body_touch_grid_region(m->b, g));
            m->side[k] = (uint8_t)bb_body_touch_grid_side(m->b, g);
        }
    for (uint32_t i = 0; i < nm; i++, k++) {
        m->area[k] = area_of_region(bb_body_muscle_region(m->b, i));
        m->side[k] = (uint8_t)bb_body_muscle_side(m->b, i);
    }
    return 0;
}

static int body_step(void *ctx, uint64_t exchange, const float *excitation, float *taxels, float *proprio, char *err,
                     size_t errcap)
{
    mujoco_body *m = ctx;
    (void)exchange;
    if (bb_body_step(m->b, excitation, m->steps, err, errcap)) return -1;
    bb_body_sense(m->b, taxels, proprio);
    return 0;
}

static const char *body_muscle_name(void *ctx, uint32_t i) { return bb_body_muscle_name(((mujoco_body *)ctx)->b, i); }
static const char *body_muscle_region(void *ctx, uint32_t i)
{
    return bb_body_muscle_region(((mujoco_body *)ctx)->b, i);
}

static int body_state(void *ctx, bb_state_io *io) { return bb_body_state(((mujoco_body *)ctx)->b, io); }

static void body_destroy(void *ctx)
{
    mujoco_body *m = ctx;
    bb_body_close(m->b);
    free(m->area);
    free(m->side);
    free(m);
}

/* A body setting the loaded body refuses: the error names the key (and the
 * model, when the setting names its parts) and the body is closed. */
static void refuse_body(mujoco_body *m, const bb_config *cfg, const char *key, const char *model, const char *why,
                        char *err, size_t cap)
{
    char where[BB_PATH_MAX + 64];
    bb_config_where(cfg, key, where, sizeof where);
    if (model) snprintf(err, cap, "%s: %s: %s", where, model, why);
    else snprintf(err, cap, "%s: %s", where, why);
    bb_body_close(m->b);
    m->b = NULL;
}

static int make_body(const bb_config *cfg, const bb_plan *plan, bb_body_role *out, char *err, size_t cap)
{
    mujoco_body *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    bb_world_spec w;
    bb_config_world_spec(cfg, &w);
    m->b = bb_body_open_world(cfg->body_model, &w, err, cap);
    char why[1024];
    if (m->b && strcmp(cfg->start_pose, "model") != 0 && bb_body_set_pose_file(m->b, cfg->start_pose, why, sizeof why) < 0)
        refuse_body(m, cfg, "body.start_pose", NULL, why, err, cap);
    if (m->b && cfg->world.perturb &&
        bb_body_push(m->b, cfg->world.perturb_body, cfg->world.perturb_N, cfg->world.perturb_start_s,
                     cfg->world.perturb_duration_s, why, sizeof why))
        refuse_body(m, cfg, "body.perturb.body", cfg->body_model, why, err, cap);
    if (m->b && cfg->support.fraction > 0 &&
        bb_body_support(m->b, cfg->support.bodies, cfg->support.fraction, cfg->support.above_mm * 1e-3, why,
                        sizeof why) < 0)
        refuse_body(m, cfg, "body.support.bodies", cfg->body_model, why, err, cap);
    if (m->b && cfg->spine.mNm_per_rad > 0 &&
        bb_body_set_joint_stiffness(m->b, cfg->spine.joints, cfg->spine.mNm_per_rad * 1e-3, why, sizeof why) < 0)
        refuse_body(m, cfg, "body.spine_stiffness.joints", cfg->body_model, why, err, cap);
    if (m->b && bb_body_set_friction_cone(m->b, !strcmp(cfg->contact.cone, "elliptic"), cfg->contact.impratio, why,
                                          sizeof why) < 0)
        refuse_body(m, cfg, "body.contact.impratio", NULL, why, err, cap);
    if (!m->b) {
        free(m);
        return -1;
    }
    bb_body_set_timestep_ms(m->b, cfg->body_dt_ms);
    m->steps = plan->body_steps_per_exchange;
    uint32_t nm = bb_body_n_muscles(m->b);
    if (nm == 0) {
        snprintf(err, cap, "%s: the body model has no muscles (actuators with muscle dynamics): nothing for the "
                           "output cells to drive",
                 cfg->body_model);
        body_destroy(m);
        return -1;
    }
    if (make_layout(m)) {
        snprintf(err, cap, "out of memory");
        body_destroy(m);
        return -1;
    }
    *out = (bb_body_role){m,           {nm, bb_body_n_taxels(m->b), nm * BB_PROPRIO_PER_MUSCLE, m->area, m->side},
                          body_step,   body_destroy,
                          body_muscle_name, body_muscle_region, m->b, body_state};
    return 0;
}

const bb_role_factory bb_product_roles = {make_body, make_brain};
