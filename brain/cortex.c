/* Builds the layered M1 (+ S1) cortex on the engine: one population per
 * hemisphere, area, layer and cell type, cells placed on the area's sheet
 * (100-um voxels), intra-areal Gaussian connectivity whose patch average is
 * Potjans & Diesmann's (2014) table, long-range and thalamic projections,
 * and the somatotopic pools of M1 L5B output cells. Numbers: cortex_tables.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortex_tables.h"

#define VOXEL_UM 100.0
#define BB_PI 3.14159265358979323846
#define BB_SQRT2 1.41421356237309504880

bb_cortex_spec bb_cortex_defaults(void)
{
    bb_cortex_spec s = {.seed = 1, .dt_ms = 0.1, .hemispheres = 2, .with_s1 = 1, .m1_nx = 5, .m1_ny = 3,
                        .s1_nx = 3, .s1_ny = 3, .density_scale = 0.1, .afferent_channels = 16,
                        .background_hz = 3000, .descending_gain = 1};
    for (int i = 0; i < BB_N_TYPES; i++) {
        s.background_gain[i] = 1;
        for (int j = 0; j < BB_N_TYPES; j++) s.weight_gain[i][j] = 1;
    }
    return s;
}

const char *bb_layer_name(bb_layer l)
{
    static const char *n[] = {"L23", "L4", "L5A", "L5B", "L6"};
    return l < BB_N_LAYERS ? n[l] : "?";
}
const char *bb_cell_type_name(bb_cell_type t)
{
    static const char *n[] = {"exc", "fs", "lts"};
    return t < BB_N_TYPES ? n[t] : "?";
}
const char *bb_area_name(bb_area a) { return a == BB_M1 ? "M1" : a == BB_S1 ? "S1" : "?"; }
const char *bb_hemisphere_name(bb_hemisphere h) { return h == BB_LEFT ? "left" : h == BB_RIGHT ? "right" : "?"; }
const char *bb_body_area_name(bb_body_area a)
{
    static const char *n[] = {"tail", "hindlimb", "trunk", "forelimb", "head_neck"};
    return a < BB_N_BODY_AREAS ? n[a] : "?";
}

int bb_cortex_check(const bb_cortex_spec *s, char *err, size_t cap)
{
#define REQUIRE(cond, field, what)                                                                                     \
    if (!(cond)) {                                                                                                     \
        snprintf(err, cap, "cortex.%s: %s", field, what);                                                              \
        return -1;                                                                                                     \
    }
    REQUIRE(s->hemispheres == 1 || s->hemispheres == 2, "hemispheres", "must be 1 or 2");
    REQUIRE(s->m1_nx >= 1 && s->m1_nx <= 200, "m1_nx", "must be 1 to 200 voxels");
    REQUIRE(s->m1_ny >= 1 && s->m1_ny <= 200, "m1_ny", "must be 1 to 200 voxels");
    REQUIRE(!s->with_s1 || (s->s1_nx >= 1 && s->s1_nx <= 200), "s1_nx", "must be 1 to 200 voxels");
    REQUIRE(!s->with_s1 || (s->s1_ny >= 1 && s->s1_ny <= 200), "s1_ny", "must be 1 to 200 voxels");
    REQUIRE(s->density_scale > 0 && s->density_scale <= 1, "density_scale", "must be in (0, 1]");
    REQUIRE(s->afferent_channels <= 100000, "afferent_channels", "must be at most 100000");
    REQUIRE(s->background_hz >= 0 && isfinite(s->background_hz), "background_hz", "must be a rate >= 0");
    REQUIRE(s->dt_ms > 0 && s->dt_ms <= 0.5, "dt_ms", "must be in (0, 0.5] ms");
    REQUIRE(s->descending_gain >= 0 && isfinite(s->descending_gain), "descending_gain", "must be finite and >= 0");
    for (int i = 0; i < BB_N_TYPES; i++)
        REQUIRE(s->background_gain[i] >= 0 && isfinite(s->background_gain[i]), "background_gain",
                "must be finite and >= 0");
    for (int i = 0; i < BB_N_TYPES; i++)
        for (int j = 0; j < BB_N_TYPES; j++)
            REQUIRE(s->weight_gain[i][j] >= 0 && isfinite(s->weight_gain[i][j]), "weight_gain",
                    "must be finite and >= 0");
#undef REQUIRE
    return 0;
}

static bb_neuron_params cell_params(bb_cell_type t)
{
    static const bb_izhikevich_preset preset[BB_N_TYPES] = {BB_IZH_RS, BB_IZH_FS, BB_IZH_LTS};
    bb_neuron_params p = bb_izhikevich_preset_params(preset[t]);
    p.V_init_min = -70, p.V_init_max = -60; /* random initial states */
    return p;
}

static int cmp_x(const void *a, const void *b)
{
    const double *p = a, *q = b;
    return (p[0] > q[0]) - (p[0] < q[0]);
}

/* Renumbers a population's cells by medio-lateral position, so that a band
 * of the sheet is a contiguous range of ids. */
static int sort_by_x(bb_network *net, int pop)
{
    uint32_t n = bb_network_population_size(net, pop);
    double *xy = malloc(2 * (size_t)n * sizeof *xy);
    if (!xy) return -1;
    memcpy(xy, bb_network_positions(net, pop), 2 * (size_t)n * sizeof *xy);
    qsort(xy, n, 2 * sizeof *xy, cmp_x);
    int rc = bb_network_set_positions(net, pop, xy);
    free(xy);
    return rc;
}

void bb_cortex_body_area_strip(const bb_cortex_spec *spec, bb_body_area a, double *x0_um, double *x1_um)
{
    double width = spec->m1_nx * VOXEL_UM, edge = 0;
    for (int k = 0; k < (int)a; k++) edge += bb_body_area_share[k] * width;
    *x0_um = edge;
    *x1_um = a == BB_N_BODY_AREAS - 1 ? width : edge + bb_body_area_share[a] * width;
}

static void make_pools(bb_cortex *c, int h, double width_um)
{
    int pop = c->pop[h][BB_M1][BB_L5B][BB_EXC];
    uint32_t first = bb_network_population_first(c->net, pop), n = bb_network_population_size(c->net, pop);
    const double *xy = bb_network_positions(c->net, pop);
    double edge = 0;
    uint32_t i = 0;
    for (int a = 0; a < BB_N_BODY_AREAS; a++) {
        edge += bb_body_area_share[a] * width_um;
        uint32_t start = i;
        while (i < n && (xy[2 * (size_t)i] < edge || a == BB_N_BODY_AREAS - 1)) i++;
        c->pool_first[h][a] = first + start;
        c->pool_count[h][a] = i - start;
    }
}

/* Share of a Gaussian's mass a periodic sheet of w x h um holds. */
static double sheet_mass(double w, double h, double sigma)
{
    return erf(w / (2 * BB_SQRT2 * sigma)) * erf(h / (2 * BB_SQRT2 * sigma));
}

/* Width (medio-lateral) and length of an area's sheet, um. */
static void sheet_um(const bb_cortex_spec *s, bb_area a, double *w, double *h)
{
    *w = (a == BB_M1 ? s->m1_nx : s->s1_nx) * VOXEL_UM;
    *h = (a == BB_M1 ? s->m1_ny : s->s1_ny) * VOXEL_UM;
}

uint32_t bb_cortex_population_size(const bb_cortex_spec *s, bb_area a, bb_layer l, bb_cell_type t)
{
    double w, h;
    sheet_um(s, a, &w, &h);
    double area_mm2 = w * h * 1e-6;
    double cells = bb_neuron_density_mm3 * s->density_scale * area_mm2 * bb_layer_thickness_um[a][l] * 1e-3 *
                   bb_type_fraction[t];
    return cells < 1 ? 1u : (uint32_t)lround(cells); /* every population keeps at least one cell */
}

static int add_populations(bb_cortex *c, const bb_cortex_spec *s, int h, bb_area a, char *err, size_t cap)
{
    double w, ht;
    sheet_um(s, a, &w, &ht);
    for (int l = 0; l < BB_N_LAYERS; l++)
        for (int t = 0; t < BB_N_TYPES; t++) {
            uint32_t n = bb_cortex_population_size(s, a, (bb_layer)l, (bb_cell_type)t);
            char name[32];
            snprintf(name, sizeof name, "%s_%s_%s_%s", bb_area_name(a), bb_hemisphere_name((bb_hemisphere)h),
                     bb_layer_name((bb_layer)l), bb_cell_type_name((bb_cell_type)t));
            bb_neuron_params p = cell_params((bb_cell_type)t);
            int pop = bb_network_add_population(c->net, name, n, &p, w, ht);
            if (pop < 0 || bb_network_add_poisson_drive(c->net, pop, s->background_hz, bb_background_weight[t] * s->background_gain[t])) {
                snprintf(err, cap, "cannot add population %s (%u cells)", name, n);
                return -1;
            }
            c->pop[h][a][l][t] = pop;
        }
    if (a == BB_M1 && sort_by_x(c->net, c->pop[h][a][BB_L5B][BB_EXC])) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    return 0;
}

static int connect(bb_network *net, bb_projection pr, char *err, size_t cap)
{
    char why[256];
    if (bb_network_connect(net, &pr, why, sizeof why)) {
        snprintf(err, cap, "cortex: %s", why);
        return -1;
    }
    return 0;
}

/* A weight around mean (10 % sd, as PD14) that keeps its sign. */
static bb_dist weight_dist(double mean)
{
    return (bb_dist){.kind = BB_DIST_NORMAL_REDRAW, .a = mean, .b = 0.1 * fabs(mean), .lo = mean > 0 ? 0 : -1e300,
                     .hi = mean > 0 ? 1e300 : 0};
}

static int connect_area(bb_cortex *c, const bb_cortex_spec *s, int h, bb_area a, char *err, size_t cap)
{
    double w_um, h_um;
    sheet_um(s, a, &w_um, &h_um);
    const double sigma = bb_lateral_sigma_um, patch_um2 = 1e6;
    /* weights grow as density and sheet shrink, so each cell keeps its mean input */
    double scale = 1.0 / (s->density_scale * sheet_mass(w_um, h_um, sigma));
    for (int lp = 0; lp < BB_N_LAYERS; lp++)
        for (int tp = 0; tp < BB_N_TYPES; tp++)
            for (int lq = 0; lq < BB_N_LAYERS; lq++)
                for (int tq = 0; tq < BB_N_TYPES; tq++) {
                    double p_avg = bb_pd14_p[bb_pd14_index((bb_layer)lq, (bb_cell_type)tq)]
                                            [bb_pd14_index((bb_layer)lp, (bb_cell_type)tp)] *
                                   bb_inhibitory_factor[tp][tq];
                    double w = bb_weight_full[tp][tq] * s->weight_gain[tp][tq] * scale;
                    if (a == BB_M1 && lp == BB_L23 && tp == BB_EXC && tq == BB_EXC && (lq == BB_L5A || lq == BB_L5B))
                        w *= bb_m1_descending_gain * s->descending_gain;
                    if (p_avg <= 0 || w == 0) continue;
                    /* the Gaussian p0 exp(-d^2 / 2 sigma^2) averaged over 1 mm^2 gives p_avg */
                    double p0 = p_avg * patch_um2 / (2 * BB_PI * sigma * sigma);
                    bb_projection pr = {
                        .pre = c->pop[h][a][lp][tp], .post = c->pop[h][a][lq][tq], .rule = BB_CONN_GAUSSIAN_2D,
                        .p0 = p0 > 1 ? 1 : p0, .sigma_um = sigma, .periodic = 1,
                        .weight = weight_dist(w),
                        .delay_ms = {.kind = BB_DIST_NORMAL_CLIPPED, .a = bb_delay_mean_ms[tp], .b = bb_delay_sd_ms[tp],
                                     .lo = bb_delay_min_ms, .hi = bb_delay_max_ms}};
                    if (connect(c->net, pr, err, cap)) return -1;
                }
    return 0;
}

static int add_thalamus(bb_cortex *c, const bb_cortex_spec *s, int h, char *err, size_t cap)
{
    bb_area a = s->with_s1 ? BB_S1 : BB_M1; /* the sheet its topography lies on */
    double w, ht;
    sheet_um(s, a, &w, &ht);
    char name[32];
    snprintf(name, sizeof name, "thalamus_%s", bb_hemisphere_name((bb_hemisphere)h));
    bb_neuron_params p = cell_params(BB_EXC);
    uint32_t n = s->afferent_channels * bb_thalamic_cells_per_channel;
    int pop = bb_network_add_population(c->net, name, n, &p, w, ht);
    if (pop < 0 || sort_by_x(c->net, pop)) {
        snprintf(err, cap, "cannot add population %s (%u cells)", name, n);
        return -1;
    }
    c->thalamus[h] = pop;
    c->afferent_port[h] = bb_network_add_afferent(c->net, pop, s->afferent_channels, BB_AFFERENT_RATE,
                                                  bb_afferent_event_weight);
    if (c->afferent_port[h] < 0) {
        snprintf(err, cap, "cannot add the afferent port of %s", name);
        return -1;
    }
    return 0;
}

static int connect_long_range(bb_cortex *c, const bb_cortex_spec *s, char *err, size_t cap)
{
    for (int k = 0; k < bb_n_long_range; k++) {
        const bb_long_range *r = &bb_long_range_table[k];
        if ((r->from_area == BB_S1 || r->to_area == BB_S1) && !s->with_s1) continue;
        for (int h = 0; h < s->hemispheres; h++) {
            int to_h = r->contralateral ? 1 - h : h;
            if (to_h >= s->hemispheres) continue;
            int pre = r->from_area < 0 ? c->thalamus[h] : c->pop[h][r->from_area][r->from_layer][BB_EXC];
            if (pre < 0) continue;
            /* cortical sources thin out with density; the thalamus does not */
            double w = r->weight / (r->from_area < 0 ? 1.0 : s->density_scale);
            bb_projection pr = {.pre = pre, .post = c->pop[to_h][r->to_area][r->to_layer][r->to_type],
                                .rule = r->sigma_um > 0 ? BB_CONN_GAUSSIAN_2D : BB_CONN_BERNOULLI, .p = r->p,
                                .p0 = r->p, .sigma_um = r->sigma_um, .weight = weight_dist(w),
                                .delay_ms = {.kind = BB_DIST_FIXED, .a = bb_long_range_delay_ms}};
            if (connect(c->net, pr, err, cap)) return -1;
        }
    }
    return 0;
}

int bb_cortex_build(const bb_cortex_spec *s, bb_cortex *c, char *err, size_t cap)
{
    memset(c, 0, sizeof *c);
    memset(c->pop, -1, sizeof c->pop);
    c->thalamus[0] = c->thalamus[1] = c->afferent_port[0] = c->afferent_port[1] = -1;
    if (bb_cortex_check(s, err, cap)) return -1;
    c->net = bb_network_create(s->seed, s->dt_ms);
    if (!c->net) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    int n_areas = s->with_s1 ? 2 : 1;
    for (int h = 0; h < s->hemispheres; h++) {
        for (int a = 0; a < n_areas; a++)
            if (add_populations(c, s, h, (bb_area)a, err, cap)) goto fail;
        make_pools(c, h, s->m1_nx * VOXEL_UM);
        if (s->afferent_channels && add_thalamus(c, s, h, err, cap)) goto fail;
    }
    for (int h = 0; h < s->hemispheres; h++)
        for (int a = 0; a < n_areas; a++)
            if (connect_area(c, s, h, (bb_area)a, err, cap)) goto fail;
    if (connect_long_range(c, s, err, cap)) goto fail;
    return 0;
fail:
    bb_cortex_free(c);
    return -1;
}

void bb_cortex_free(bb_cortex *c)
{
    if (!c) return;
    bb_network_free(c->net);
    c->net = NULL;
}
