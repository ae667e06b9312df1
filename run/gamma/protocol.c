/* The gamma experiment (protocol.h). */
#include "protocol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/analysis.h"

bb_gamma_setup bb_gamma_default_setup(void)
{
    bb_gamma_setup g = {.spec = bb_cortex_defaults(), .dc = 12.0, .stim_on_ms = 200, .end_ms = 1200,
                        .analyse_from_ms = 400};
    g.spec.seed = 20261123;
    g.spec.hemispheres = 1;
    g.spec.with_s1 = 0;
    g.spec.m1_nx = g.spec.m1_ny = 4;
    g.spec.density_scale = 0.3;
    g.spec.afferent_channels = 0;
    return g;
}

typedef struct collector {
    bb_gamma_result *r;
    size_t cap;
    double dt_ms;
    int failed;
} collector;

static void collect(void *ctx, const bb_spike *s, uint32_t n, uint64_t block_start)
{
    collector *c = ctx;
    bb_gamma_result *r = c->r;
    if (r->n + n > c->cap) {
        size_t cap = (r->n + n) * 2;
        double *t = realloc(r->t_ms, cap * sizeof *t);
        if (t) r->t_ms = t;
        unsigned *id = t ? realloc(r->id, cap * sizeof *id) : NULL;
        if (!t || !id) {
            c->failed = 1;
            return;
        }
        r->id = id;
        c->cap = cap;
    }
    for (uint32_t i = 0; i < n; i++) {
        /* stamped k dt for update step k, as in spikes.h5 */
        r->t_ms[r->n] = (double)(block_start + s[i].offset) * c->dt_ms;
        r->id[r->n++] = s[i].source;
    }
}

/* The spike times of cells [first, first + count) from analyse_from on. */
static size_t select_times(const bb_gamma_result *r, unsigned first, unsigned count, double from, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->id[i] >= first && r->id[i] < first + count && r->t_ms[i] >= from) out[m++] = r->t_ms[i];
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int analyse(const bb_gamma_setup *g, bb_gamma_result *r, double *buf)
{
    const double bin_ms = 1.0, from = g->analyse_from_ms;
    size_t nbins = (size_t)((g->end_ms - from) / bin_ms), m = select_times(r, 0, ~0u, from, buf);
    double *rate = calloc(nbins ? nbins : 1, sizeof *rate);
    if (!rate) return -1;
    bb_rate_histogram(buf, m, from, bin_ms, rate, nbins);
    for (int k = 0; k < BB_GAMMA_NF; k++) r->freq_hz[k] = 5 + k;
    int rc = bb_power_spectrum(rate, nbins, bin_ms * 1e-3, r->freq_hz, BB_GAMMA_NF, r->power);
    free(rate);
    if (rc) return -1;
    int best = 0;
    for (int k = 1; k < BB_GAMMA_NF; k++)
        if (r->power[k] > r->power[best]) best = k;
    r->peak_hz = r->freq_hz[best];
    double sorted[BB_GAMMA_NF];
    memcpy(sorted, r->power, sizeof sorted);
    qsort(sorted, BB_GAMMA_NF, sizeof *sorted, cmp_double);
    double median = sorted[BB_GAMMA_NF / 2];
    r->peak_to_median = median > 0 ? r->power[best] / median : INFINITY;
    double ref = 0;
    for (int l = 0; l < BB_N_LAYERS; l++)
        for (int t = 0; t < BB_N_TYPES; t++) {
            m = select_times(r, r->first_id[l][t], r->count[l][t], from, buf);
            r->rate_hz[l][t] = (double)m / r->count[l][t] / ((g->end_ms - from) * 1e-3);
            double ph = bb_spike_phase(buf, m, r->peak_hz, &r->strength[l][t]);
            if (l == BB_L23 && t == BB_EXC) ref = ph;
            r->lag[l][t] = bb_phase_diff(ref, ph);
        }
    for (int l = 0; l < BB_N_LAYERS; l++) { /* a layer's types hold consecutive ids */
        unsigned first = r->first_id[l][0], count = 0;
        for (int t = 0; t < BB_N_TYPES; t++) count += r->count[l][t];
        m = select_times(r, first, count, from, buf);
        r->layer_lag[l] = bb_phase_diff(ref, bb_spike_phase(buf, m, r->peak_hz, NULL));
    }
    return 0;
}

int bb_gamma_run(const bb_gamma_setup *g, MPI_Comm comm, bb_gamma_result *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    bb_cortex cx;
    if (bb_cortex_build(&g->spec, &cx, err, cap)) return -1;
    for (int l = 0; l < BB_N_LAYERS; l++)
        for (int t = 0; t < BB_N_TYPES; t++) {
            int pop = cx.pop[BB_LEFT][BB_M1][l][t];
            out->first_id[l][t] = bb_network_population_first(cx.net, pop);
            out->count[l][t] = bb_network_population_size(cx.net, pop);
        }
    /* the centre voxel of the sheet */
    double x0 = 100.0 * (g->spec.m1_nx / 2), y0 = 100.0 * (g->spec.m1_ny / 2);
    bb_region voxel = {x0, y0, x0 + 100, y0 + 100};
    double t[] = {g->stim_on_ms}, v[] = {g->dc};
    for (int type = 0; type < BB_N_TYPES; type++)
        if (bb_network_add_step_current(cx.net, cx.pop[BB_LEFT][BB_M1][BB_L23][type], &voxel, 1, t, v, err, cap) <
            0) {
            bb_cortex_free(&cx);
            return -1;
        }
    bb_sim *sim = bb_sim_create(cx.net, comm, err, cap);
    if (!sim) {
        bb_cortex_free(&cx);
        return -1;
    }
    uint64_t steps = (uint64_t)llround(g->end_ms / g->spec.dt_ms);
    steps -= steps % bb_sim_min_delay_steps(sim);
    collector c = {.r = out, .dt_ms = g->spec.dt_ms};
    int rc = bb_sim_run(sim, steps, collect, &c, err, cap);
    if (!rc && c.failed) {
        snprintf(err, cap, "out of memory for spikes");
        rc = -1;
    }
    bb_sim_free(sim);
    bb_cortex_free(&cx);
    double *buf = rc ? NULL : malloc((out->n + 1) * sizeof *buf);
    if (!rc && (!buf || analyse(g, out, buf))) {
        snprintf(err, cap, "out of memory for the analysis");
        rc = -1;
    }
    free(buf);
    return rc;
}

void bb_gamma_result_free(bb_gamma_result *r)
{
    free(r->t_ms);
    free(r->id);
    r->t_ms = NULL;
    r->id = NULL;
}

int bb_gamma_check(const bb_gamma_result *r, char *why, size_t cap)
{
    const double deg = 3.14159265358979323846 / 180;
    int failed = 0;
    size_t used = 0;
    why[0] = 0;
#define CRITERION(ok, ...)                                                                                             \
    if (!(ok)) {                                                                                                       \
        failed++;                                                                                                      \
        if (used < cap) used += (size_t)snprintf(why + used, cap - used, __VA_ARGS__);                                 \
    }
    CRITERION(r->peak_hz >= 30 && r->peak_hz <= 50, "peak %.0f Hz outside 30-50 Hz; ", r->peak_hz);
    CRITERION(r->peak_to_median >= 10, "peak only %.1fx the median power; ", r->peak_to_median);
    double fs = r->lag[BB_L23][BB_FS], lts = r->lag[BB_L23][BB_LTS];
    CRITERION(fabs(fs) <= 45 * deg, "L2/3 FS %.0f deg from exc; ", fs / deg);
    CRITERION(lts >= 15 * deg && lts >= fs + 15 * deg, "L2/3 LTS at %.0f deg, FS at %.0f; ", lts / deg, fs / deg);
    const double *L = r->layer_lag;
    CRITERION(L[BB_L23] < L[BB_L5A] && L[BB_L23] < L[BB_L5B] && L[BB_L5B] < L[BB_L6],
              "layer phases L2/3 %.0f, L5A %.0f, L5B %.0f, L6 %.0f deg; ", L[BB_L23] / deg, L[BB_L5A] / deg,
              L[BB_L5B] / deg, L[BB_L6] / deg);
#undef CRITERION
    return failed;
}
