/* bb_synergy: the motor-pool synergy of a forelimb task, found by a
 * reproducible search (run/tune/README.md).
 *
 *   bb_synergy EXP.yaml MAP.yaml [--hold S] [--release S] [--passes N] [--gain SPIKES] [--set key=value]...
 *
 * EXP.yaml is the task's experiment (task.kind reach or lever_press): its
 * body, world and task keys say which paw, which target or lever, and which
 * M1 pool the cue drives. The search runs the body alone, from the state it
 * has at the first cue, with constant excitation: the pool's muscles (the
 * cued body area's region, on the other side of the body) get weights in
 * [0, 1]; each evaluation is two trials (drive for `hold` s, release
 * for `release` s, drive again), and the objective, averaged over the two,
 *   reach: the paw's closest approach to the target centre (mm, no credit
 *          below half the radius),
 *   lever: minus the lever's largest angle (deg, no credit beyond the
 *          threshold + 5),
 * plus 0.1 per unit of summed weight (prefers the smaller synergy among
 * equals). It writes MAP.yaml: the body model's default coupling map with the
 * cued pool's pathway replaced by one weighted pathway per muscle. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "brainbody/body.h"
#include "config.h"
#include "plan.h"
#include "roles.h"

#define EFFORT_COST 0.1
#define DEG 57.29577951308232
#define MAX_CAND 128

typedef struct tuner {
    const bb_config *cfg;
    bb_body_role role;
    bb_body *b;
    mjData *snap; /* the state at the first cue: every evaluation starts here */
    uint32_t nm, grid, hold, release;
    double radius, threshold; /* m, rad */
    int reach;
    float *exc, *tax, *pro;
    double *soles, target[3];
    uint32_t cand[MAX_CAND];
    int n_cand;
    long evals;
} tuner;

static const double *sole(tuner *t)
{
    bb_body_touch_grid_positions(t->b, t->soles);
    return t->soles + 3 * t->grid;
}

static int advance(tuner *t, uint32_t n)
{
    char err[256];
    for (uint32_t k = 0; k < n; k++)
        if (t->role.step(t->role.ctx, k, t->exc, t->tax, t->pro, err, sizeof err)) {
            fprintf(stderr, "bb_synergy: %s\n", err);
            return -1;
        }
    return 0;
}

/* One drive of `hold` intervals under w (release: none): the paw's closest
 * approach to the target (m) and the lever's largest angle (rad). */
static int drive(tuner *t, const double *w, int release, uint32_t n, double *closest, double *angle)
{
    memset(t->exc, 0, t->nm * sizeof(float));
    for (int i = 0; i < t->n_cand && !release; i++) t->exc[t->cand[i]] = (float)w[i];
    *closest = INFINITY, *angle = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (advance(t, 1)) return -1;
        const double *p = sole(t);
        double d = sqrt((p[0] - t->target[0]) * (p[0] - t->target[0]) + (p[1] - t->target[1]) * (p[1] - t->target[1]) +
                        (p[2] - t->target[2]) * (p[2] - t->target[2]));
        bb_task_state ts;
        bb_body_task(t->b, &ts);
        if (d < *closest) *closest = d;
        if (ts.lever_angle > *angle) *angle = ts.lever_angle;
    }
    return 0;
}

/* The objective of weights w (one per candidate) from the snapshot: two
 * trials, drive - release - drive, so that a synergy must also work from
 * where the first trial left the paw. closest_mm and lever_deg: the worse
 * of the two trials. */
static double objective(tuner *t, const double *w, double *closest_mm, double *lever_deg)
{
    mj_copyData(bb_body_mj_data(t->b), bb_body_mj_model(t->b), t->snap);
    double effort = 0, c[2], a[2], c_rest, a_rest;
    for (int i = 0; i < t->n_cand; i++) effort += w[i];
    if (drive(t, w, 0, t->hold, &c[0], &a[0]) || drive(t, w, 1, t->release, &c_rest, &a_rest) ||
        drive(t, w, 0, t->hold, &c[1], &a[1]))
        return INFINITY;
    t->evals++;
    if (closest_mm) *closest_mm = 1e3 * fmax(c[0], c[1]);
    if (lever_deg) *lever_deg = DEG * fmin(a[0], a[1]);
    double j = 0;
    for (int k = 0; k < 2; k++) /* no credit for going deeper than half the radius, or far past the threshold */
        j += t->reach ? 1e3 * fmax(c[k], t->radius / 2) : -DEG * fmin(a[k], t->threshold + 5 / DEG);
    return j / 2 + EFFORT_COST * effort;
}

/* The cued pool's name and its muscles: the cued area's region, other side. */
static int candidates(tuner *t, char *pool, size_t cap)
{
    char side = !strcmp(t->cfg->task.cue_hemisphere, "left") ? 'R' : 'L';
    snprintf(pool, cap, "M1%c_%s", side == 'R' ? 'L' : 'R', t->cfg->task.cue_body_area);
    for (uint32_t i = 0; i < t->nm && t->n_cand < MAX_CAND; i++)
        if (!strcmp(bb_body_muscle_region(t->b, i), t->cfg->task.cue_body_area) && bb_body_muscle_side(t->b, i) == side)
            t->cand[t->n_cand++] = i;
    return t->n_cand ? 0 : -1;
}

/* The default map of the body model (its folder's coupling.yaml) without
 * the pool's own pathways, then one pathway per weighted muscle. */
static int write_map(const tuner *t, const char *path, const char *pool, const double *w, double gain,
                     const char *how)
{
    char base[BB_PATH_MAX + 32];
    snprintf(base, sizeof base, "%s", t->cfg->body_model);
    char *slash = strrchr(base, '/');
    snprintf(slash ? slash + 1 : base, sizeof base - (size_t)(slash ? slash + 1 - base : 0), "coupling.yaml");
    FILE *in = fopen(base, "r"), *out = fopen(path, "w");
    if (!in || !out) {
        fprintf(stderr, "bb_synergy: cannot read %s or write %s\n", base, path);
        if (in) fclose(in);
        if (out) fclose(out);
        return -1;
    }
    fprintf(out, "# Coupling map of the %s task, written by run/tune/synergy (run/tune/README.md):\n#   %s\n"
                 "# The mouse's default map (%s) with the %s pathway replaced by the\n"
                 "# synergy the search found. Do not edit by hand; run the search again.\n",
            t->cfg->task.kind, how, base, pool);
    char line[1024], needle[96];
    snprintf(needle, sizeof needle, "pool: %s,", pool);
    int in_header = 1;
    while (fgets(line, sizeof line, in)) {
        if (in_header && line[0] == '#') continue; /* the default map's own header */
        in_header = 0;
        if (!strstr(line, needle)) fputs(line, out);
    }
    fclose(in);
    for (int i = 0; i < t->n_cand; i++)
        if (w[i] > 0)
            fprintf(out, "  - {pool: %s, muscles: [%s], weight: %.4g, gain_spikes: %g}\n", pool,
                    bb_body_muscle_name(t->b, t->cand[i]), w[i], gain);
    return fclose(out) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bb_synergy EXP.yaml MAP.yaml [--hold S] [--release S] [--passes N] [--gain SPIKES] "
                        "[--set key=value]...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines as they come */
    double hold_s = 0.3, release_s = 0.3, gain_spikes = 10;
    int passes = 3, n_ov = 0;
    static bb_override ov[16];
    char sets[1024] = "";
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--set") && n_ov < 16) {
            ov[n_ov++].text = argv[i + 1];
            snprintf(sets + strlen(sets), sizeof sets - strlen(sets), " --set %s", argv[i + 1]);
        }
        if (!strcmp(argv[i], "--hold")) hold_s = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--passes")) passes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--gain")) gain_spikes = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--release")) release_s = atof(argv[i + 1]);
    }
    static bb_config cfg;
    char err[1024];
    if (bb_config_load(argv[1], ov, n_ov, &cfg, err, sizeof err)) return fprintf(stderr, "%s\n", err), 2;
    if (!strcmp(cfg.task.kind, "none")) return fprintf(stderr, "%s: task.kind is none: nothing to tune\n", argv[1]), 2;
    bb_plan plan;
    if (bb_plan_make(&cfg, 1, 0, &plan, err, sizeof err)) return fprintf(stderr, "%s\n", err), 2;
    tuner t = {.cfg = &cfg, .reach = !strcmp(cfg.task.kind, "reach")};
    if (bb_product_roles.make_body(&cfg, &plan, &t.role, err, sizeof err)) return fprintf(stderr, "%s\n", err), 2;
    t.b = t.role.body;
    t.nm = t.role.sizes.n_muscles;
    t.exc = calloc(t.nm, sizeof(float));
    t.tax = calloc(t.role.sizes.n_taxels, sizeof(float));
    t.pro = calloc(t.role.sizes.n_proprio, sizeof(float));
    t.soles = calloc(3 * (size_t)bb_body_n_touch_grids(t.b), sizeof(double));
    t.grid = UINT32_MAX;
    for (uint32_t g = 0; g < bb_body_n_touch_grids(t.b); g++)
        if (!strcmp(bb_body_touch_grid_name(t.b, g), cfg.task.paw)) t.grid = g;
    if (t.grid == UINT32_MAX) return fprintf(stderr, "%s: no touch grid %s\n", argv[1], cfg.task.paw), 2;
    for (int k = 0; k < 3; k++) t.target[k] = cfg.world.target_mm[k] * 1e-3;
    char pool[64];
    if (candidates(&t, pool, sizeof pool)) return fprintf(stderr, "no muscles for %s\n", pool), 2;
    double ex_s = cfg.exchange_ms * 1e-3;
    t.hold = (uint32_t)lround(hold_s / ex_s);
    t.release = (uint32_t)lround(release_s / ex_s);
    t.radius = cfg.world.target_radius_mm * 1e-3;
    t.threshold = cfg.world.lever_threshold_deg / DEG;
    if (advance(&t, (uint32_t)lround(cfg.task.first_cue_s / ex_s))) return 1; /* settle, unexcited */
    t.snap = mj_makeData(bb_body_mj_model(t.b));
    mj_copyData(t.snap, bb_body_mj_model(t.b), bb_body_mj_data(t.b));
    double p0[3];
    memcpy(p0, sole(&t), sizeof p0);
    printf("%s: paw %s at the first cue: %.2f %.2f %.2f mm; %d muscles of %s\n", cfg.task.kind, cfg.task.paw,
           1e3 * p0[0], 1e3 * p0[1], 1e3 * p0[2], t.n_cand, pool);

    /* 1. screen: each muscle alone, fully excited; the start weight is its
     * progress along the goal, relative to the best muscle's */
    double *w = calloc((size_t)t.n_cand, sizeof *w), *one = calloc((size_t)t.n_cand, sizeof *one);
    double *gain = calloc((size_t)t.n_cand, sizeof *gain), best_gain = 0;
    double none = objective(&t, one, NULL, NULL);
    for (int i = 0; i < t.n_cand; i++) {
        one[i] = 1;
        gain[i] = none - (objective(&t, one, NULL, NULL) - EFFORT_COST);
        one[i] = 0;
        if (gain[i] > best_gain) best_gain = gain[i];
    }
    for (int i = 0; i < t.n_cand; i++) w[i] = best_gain > 0 && gain[i] > 0 ? gain[i] / best_gain : 0;
    double j = objective(&t, w, NULL, NULL);
    int best = 0;
    for (int i = 1; i < t.n_cand; i++)
        if (gain[i] > gain[best]) best = i;
    if (none - gain[best] < j) { /* all helpers at once did worse than the best alone: start from it */
        for (int i = 0; i < t.n_cand; i++) w[i] = i == best;
        j = none - gain[best] + EFFORT_COST;
    }
    printf("screen: unexcited %.3f, start %.3f (%ld evaluations)\n", none, j, t.evals);

    /* 2. coordinate search: each muscle's weight up or down by a step that
     * halves every pass; a change is kept only if it lowers the objective */
    double step = 0.5;
    for (int pass = 0; pass < passes; pass++, step /= 2) {
        for (int i = 0; i < t.n_cand; i++) {
            if (gain[i] <= 0 && w[i] == 0) continue; /* muscles that only work against the goal stay off */
            double keep = w[i];
            for (int dir = -1; dir <= 1; dir += 2) {
                w[i] = fmin(1, fmax(0, keep + dir * step));
                if (w[i] == keep) continue;
                double jj = objective(&t, w, NULL, NULL);
                if (jj < j) {
                    j = jj;
                    keep = w[i];
                    break;
                }
            }
            w[i] = keep;
        }
        printf("pass %d (step %.3f): objective %.3f (%ld evaluations)\n", pass + 1, step, j, t.evals);
    }
    double closest, lever;
    objective(&t, w, &closest, &lever);
    printf("result (worse of two trials): closest approach %.2f mm (target radius %.2f mm), largest lever angle %.1f deg (threshold %.1f)\n",
           closest, cfg.world.target_radius_mm, lever, cfg.world.lever_threshold_deg);
    char how[BB_PATH_MAX * 2 + 1200];
    snprintf(how, sizeof how, "bb_synergy %s %s --hold %g --release %g --passes %d --gain %g%s\n#   found, worse of "
             "two trials: closest approach %.2f mm, largest lever angle %.1f deg; objective %.3f after %ld evaluations",
             argv[1], argv[2], hold_s, release_s, passes, gain_spikes, sets, closest, lever, j, t.evals);
    int rc = write_map(&t, argv[2], pool, w, gain_spikes, how);
    mj_deleteData(t.snap);
    t.role.destroy(t.role.ctx);
    free(w), free(one), free(gain), free(t.exc), free(t.tax), free(t.pro), free(t.soles);
    return rc ? 1 : 0;
}
