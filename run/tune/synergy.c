/* bb_synergy: finds the motor-pool synergy of a forelimb task, reproducibly.
 * See run/tune/README.md for the search and what it tunes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "brainbody/body.h"
#include "config.h"
#include "plan.h"
#include "roles.h"

typedef struct tuner {
    bb_body_role role;
    bb_body *b;
    mjData *snap; /* the settled state every evaluation starts from */
    uint32_t nm, grid, exchanges;
    float *exc, *tax, *pro;
    double *xyz;
} tuner;

static void paw(tuner *t, double out[3])
{
    bb_body_touch_grid_positions(t->b, t->xyz);
    memcpy(out, t->xyz + 3 * t->grid, 3 * sizeof(double));
}

static void restore(tuner *t)
{
    mj_copyData(bb_body_mj_data(t->b), bb_body_mj_model(t->b), t->snap);
}

static int run(tuner *t, uint32_t n, double end[3])
{
    char err[256];
    for (uint32_t k = 0; k < n; k++)
        if (t->role.step(t->role.ctx, k, t->exc, t->tax, t->pro, err, sizeof err)) {
            fprintf(stderr, "bb_synergy: %s\n", err);
            return -1;
        }
    if (end) paw(t, end);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bb_synergy EXP.yaml PAW_GRID [settle_s hold_s]\n");
        return 2;
    }
    bb_config cfg;
    char err[1024];
    if (bb_config_load(argv[1], NULL, 0, &cfg, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    double settle = argc > 3 ? atof(argv[3]) : 0.5, hold = argc > 4 ? atof(argv[4]) : 0.3;
    bb_plan plan;
    if (bb_plan_make(&cfg, 1, 0, &plan, err, sizeof err)) return fprintf(stderr, "%s\n", err), 2;
    tuner t = {0};
    if (bb_product_roles.make_body(&cfg, &plan, &t.role, err, sizeof err)) return fprintf(stderr, "%s\n", err), 2;
    t.b = t.role.body;
    t.nm = t.role.sizes.n_muscles;
    t.exc = calloc(t.nm, sizeof(float));
    t.tax = calloc(t.role.sizes.n_taxels, sizeof(float));
    t.pro = calloc(t.role.sizes.n_proprio, sizeof(float));
    t.xyz = calloc(3 * bb_body_n_touch_grids(t.b), sizeof(double));
    t.grid = UINT32_MAX;
    for (uint32_t g = 0; g < bb_body_n_touch_grids(t.b); g++)
        if (!strcmp(bb_body_touch_grid_name(t.b, g), argv[2])) t.grid = g;
    if (t.grid == UINT32_MAX) return fprintf(stderr, "no grid %s\n", argv[2]), 2;
    double ex_s = cfg.exchange_ms * 1e-3;
    run(&t, (uint32_t)lround(settle / ex_s), NULL);
    t.snap = mj_makeData(bb_body_mj_model(t.b));
    mj_copyData(t.snap, bb_body_mj_model(t.b), bb_body_mj_data(t.b));
    double p0[3], p[3];
    paw(&t, p0);
    printf("rest %.2f %.2f %.2f mm\n", 1e3 * p0[0], 1e3 * p0[1], 1e3 * p0[2]);
    { bb_task_state ts; bb_body_task(t.b, &ts); printf("lever at rest %.2f deg\n", ts.lever_angle * 57.3); }
    uint32_t nh = (uint32_t)lround(hold / ex_s);
    for (uint32_t i = 0; i < t.nm; i++) {
        if (strcmp(bb_body_muscle_region(t.b, i), "forelimb") || bb_body_muscle_side(t.b, i) != argv[2][0]) continue;
        restore(&t);
        memset(t.exc, 0, t.nm * sizeof(float));
        t.exc[i] = 1;
        run(&t, nh, p);
        bb_task_state ts;
        bb_body_task(t.b, &ts);
        printf("%-32s %7.2f lever %7.2f %7.2f %7.2f\n", bb_body_muscle_name(t.b, i), ts.lever_angle * 57.3,
               1e3 * (p[0] - p0[0]), 1e3 * (p[1] - p0[1]), 1e3 * (p[2] - p0[2]));
        if (0) printf("%-32s %7.2f %7.2f %7.2f\n", bb_body_muscle_name(t.b, i), 1e3 * (p[0] - p0[0]), 1e3 * (p[1] - p0[1]),
               1e3 * (p[2] - p0[2]));
    }
    return 0;
}
