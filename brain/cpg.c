/* The spinal locomotor circuit (cpg.h): 56 activity-based populations,
 * Euler-integrated in steps of at most 0.1 ms (the fastest membrane time
 * constant, C / total conductance, stays above 0.5 ms). Numbers: cpg_tables.c. */
#include "brainbody/cpg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpg_tables.h"

#define MAX_LINKS 256
#define MAX_STEP_MS 0.1
#define TWO_PI 6.283185307179586

typedef struct link {
    int pre, post;
    double w; /* nS; negative: inhibitory */
} link;

struct bb_cpg {
    double alpha, t_ms;
    double v[BB_CPG_N], h[BB_CPG_N_NAP];
    double e_alpha[BB_CPG_N], e_const[BB_CPG_N], i_alpha[BB_CPG_N], i_const[BB_CPG_N];
    link links[MAX_LINKS];
    int n_links;
    double fb_load[BB_N_LIMBS], fb_hip[BB_N_LIMBS]; /* afferent conductances, nS (bb_cpg_set_feedback) */
};

int bb_cpg_n_populations(void) { return BB_CPG_N; }
const char *bb_cpg_population_name(int p) { return p >= 0 && p < BB_CPG_N ? bb_cpg_names[p] : NULL; }

static int index_of(const char *name)
{
    for (int i = 0; i < BB_CPG_N; i++)
        if (!strcmp(bb_cpg_names[i], name)) return i;
    return -1;
}

int bb_cpg_population(const bb_cpg *c, const char *name)
{
    (void)c;
    return index_of(name);
}

/* A table name with X (this side), Y (the other side) and G (girdle) filled in. */
static void expand(const char *pattern, char side, const char *girdle, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 8 < cap; p++) {
        int field = p > pattern && p[-1] == '_'; /* a whole "_X", "_Y" or "_G" part */
        if (field && *p == 'X' && (p[1] == '_' || !p[1])) out[n++] = side;
        else if (field && *p == 'Y' && (p[1] == '_' || !p[1])) out[n++] = side == 'L' ? 'R' : 'L';
        else if (field && *p == 'G' && !p[1]) n += (size_t)snprintf(out + n, cap - n, "%s", girdle);
        else out[n++] = *p;
    }
    out[n] = 0;
}

static int girdled(const char *pattern) { return strlen(pattern) > 2 && !strcmp(pattern + strlen(pattern) - 2, "_G"); }

/* Ablation: V0V (left-right and diagonal) or V0D (left-right and diagonal;
 * not V0D2, the extensor-driven inhibitory commissural population). */
static int removed(const bb_cpg_spec *s, const char *name)
{
    if (s->no_v0v && !strncmp(name, "V0V_", 4)) return 1;
    if (s->no_v0d && !strncmp(name, "V0D_", 4)) return 1;
    if (s->no_v3 && !strncmp(name, "V3_", 3)) return 1;
    return 0;
}

bb_cpg *bb_cpg_create(const bb_cpg_spec *spec)
{
    bb_cpg *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    static const char *const girdles[2] = {"hind", "front"};
    static const char sides[2] = {'L', 'R'};
    for (int k = 0; k < bb_cpg_n_links; k++) {
        const bb_cpg_link *l = &bb_cpg_links[k];
        int ng = girdled(l->pre) || girdled(l->post) ? 2 : 1;
        for (int s = 0; s < 2; s++)
            for (int g = 0; g < ng; g++) {
                char pre[64], post[64];
                expand(l->pre, sides[s], girdles[g], pre, sizeof pre);
                expand(l->post, sides[s], girdles[g], post, sizeof post);
                int a = index_of(pre), b = index_of(post);
                if (a < 0 || b < 0 || c->n_links == MAX_LINKS) { /* a table error: caught by the tests */
                    fprintf(stderr, "bb_cpg: bad link %s -> %s\n", pre, post);
                    free(c);
                    return NULL;
                }
                if (removed(spec, pre)) continue;
                c->links[c->n_links++] = (link){a, b, l->kind == 'I' ? -l->weight : l->weight};
            }
    }
    for (int k = 0; k < bb_cpg_n_drives; k++) {
        const bb_cpg_drive *d = &bb_cpg_drives[k];
        for (int s = 0; s < 2; s++)
            for (int g = 0; g < (girdled(d->target) ? 2 : 1); g++) {
                char name[64];
                expand(d->target, sides[s], girdles[g], name, sizeof name);
                int i = index_of(name);
                if (i < 0) {
                    fprintf(stderr, "bb_cpg: bad drive target %s\n", name);
                    free(c);
                    return NULL;
                }
                c->e_alpha[i] = d->e_alpha, c->e_const[i] = d->e_const;
                c->i_alpha[i] = d->i_alpha, c->i_const[i] = d->i_const;
            }
    }
    memcpy(c->v, bb_cpg_v0, sizeof c->v);
    memcpy(c->h, bb_cpg_h0, sizeof c->h);
    c->alpha = spec->alpha;
    return c;
}

void bb_cpg_free(bb_cpg *c) { free(c); }
void bb_cpg_set_alpha(bb_cpg *c, double alpha) { c->alpha = alpha; }
double bb_cpg_time_ms(const bb_cpg *c) { return c->t_ms; }

int bb_cpg_state(bb_cpg *c, bb_state_io *io)
{
    return bb_state_field(io, "cpg.alpha", &c->alpha, sizeof c->alpha) ||
                   bb_state_field(io, "cpg.t_ms", &c->t_ms, sizeof c->t_ms) ||
                   bb_state_field(io, "cpg.feedback_load", c->fb_load, sizeof c->fb_load) ||
                   bb_state_field(io, "cpg.feedback_hip", c->fb_hip, sizeof c->fb_hip) ||
                   bb_state_field(io, "cpg.v", c->v, sizeof c->v) || bb_state_field(io, "cpg.h", c->h, sizeof c->h)
               ? -1
               : 0;
}

/* The flexor and extensor centres of each limb (bb_limb order). */
static const int flexor_of[BB_N_LIMBS] = {0, 1, 4, 5}, extensor_of[BB_N_LIMBS] = {2, 3, 6, 7};

void bb_cpg_set_feedback(bb_cpg *c, bb_limb limb, double load_nS, double hip_extension_nS)
{
    if (limb < 0 || limb >= BB_N_LIMBS) return;
    c->fb_load[limb] = load_nS > 0 ? load_nS : 0;
    c->fb_hip[limb] = hip_extension_nS > 0 ? hip_extension_nS : 0;
}

static double out_of(double v)
{
    const bb_cpg_neuron *p = &bb_cpg_neuron_params;
    double f = (v - p->v_min) / (p->v_max - p->v_min);
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

static void step(bb_cpg *c, double dt)
{
    const bb_cpg_neuron *p = &bb_cpg_neuron_params;
    double f[BB_CPG_N], ge[BB_CPG_N], gi[BB_CPG_N];
    for (int i = 0; i < BB_CPG_N; i++) {
        f[i] = out_of(c->v[i]);
        ge[i] = c->e_alpha[i] * c->alpha + c->e_const[i];
        gi[i] = c->i_alpha[i] * c->alpha + c->i_const[i];
    }
    for (int k = 0; k < c->n_links; k++) {
        const link *l = &c->links[k];
        if (l->w > 0) ge[l->post] += l->w * f[l->pre];
        else gi[l->post] -= l->w * f[l->pre];
    }
    for (int l = 0; l < BB_N_LIMBS; l++) {
        ge[extensor_of[l]] += c->fb_load[l];
        ge[flexor_of[l]] += c->fb_hip[l];
    }
    for (int i = 0; i < BB_CPG_N; i++) {
        double v = c->v[i];
        int nap = i < BB_CPG_N_NAP;
        double i_ion = (nap ? p->g_leak_nap : p->g_leak) * (v - (nap ? p->e_leak_nap : p->e_leak)) +
                       ge[i] * (v - p->e_syn_e) + gi[i] * (v - p->e_syn_i);
        if (nap) {
            double m = 1 / (1 + exp((v - p->m_v12) / p->m_k));
            double h_inf = 1 / (1 + exp((v - p->h_v12) / p->h_k));
            double tau = p->h_tau0 + (p->h_tau_max - p->h_tau0) / cosh((v - p->h_tau_v12) / p->h_tau_k);
            i_ion += p->g_nap * m * c->h[i] * (v - p->e_na);
            c->h[i] += dt * (h_inf - c->h[i]) / tau;
        }
        c->v[i] = v - dt * i_ion / p->c;
    }
    c->t_ms += dt;
}

void bb_cpg_run(bb_cpg *c, double dt_ms)
{
    int n = (int)ceil(dt_ms / MAX_STEP_MS - 1e-9);
    for (int k = 0; k < n; k++) step(c, dt_ms / n);
}

double bb_cpg_activity(const bb_cpg *c, int p) { return p >= 0 && p < BB_CPG_N ? out_of(c->v[p]) : 0; }

double bb_cpg_flexor(const bb_cpg *c, bb_limb l) { return out_of(c->v[flexor_of[l]]); }
double bb_cpg_extensor(const bb_cpg *c, bb_limb l) { return out_of(c->v[extensor_of[l]]); }

/* ---- gait */

#define MAX_ONSETS 4096

static double wrap01(double x) { return x - floor(x); }
static double circ_dist(double a, double b)
{
    double d = fabs(wrap01(a) - wrap01(b));
    return d > 0.5 ? 1 - d : d;
}

/* Mean phase of limb onsets within the reference cycles, on the circle. */
static double mean_phase(const double *ref, int nref, const double *on, int non)
{
    double sx = 0, sy = 0;
    int j = 0;
    for (int k = 0; k + 1 < nref; k++) {
        double t0 = ref[k], t1 = ref[k + 1];
        while (j < non && on[j] < t0) j++;
        if (j < non && on[j] < t1) {
            double ph = (on[j] - t0) / (t1 - t0);
            sx += cos(TWO_PI * ph), sy += sin(TWO_PI * ph);
        }
    }
    return wrap01(atan2(sy, sx) / (TWO_PI));
}

void bb_cpg_gait(bb_cpg *c, double ms, double measure_ms, bb_gait *g)
{
    memset(g, 0, sizeof *g);
    g->name = "none";
    double dt = 0.5, from = c->t_ms + ms - measure_ms;
    bb_cpg_run(c, ms - measure_ms);
    int n = (int)(measure_ms / dt);
    float *trace = malloc((size_t)n * BB_N_LIMBS * sizeof *trace);
    double *on = malloc((size_t)BB_N_LIMBS * MAX_ONSETS * sizeof *on);
    if (!trace || !on) {
        free(trace), free(on);
        return;
    }
    for (int k = 0; k < n; k++) {
        bb_cpg_run(c, dt);
        for (int l = 0; l < BB_N_LIMBS; l++) trace[(size_t)k * BB_N_LIMBS + l] = (float)bb_cpg_flexor(c, l);
    }
    int non[BB_N_LIMBS] = {0};
    for (int l = 0; l < BB_N_LIMBS; l++) {
        float lo = 1, hi = 0;
        for (int k = 0; k < n; k++) {
            float v = trace[(size_t)k * BB_N_LIMBS + l];
            lo = v < lo ? v : lo, hi = v > hi ? v : hi;
        }
        if (hi - lo < 0.1f) continue; /* no rhythm */
        float mid = (lo + hi) / 2;
        for (int k = 1; k < n && non[l] < MAX_ONSETS; k++)
            if (trace[(size_t)(k - 1) * BB_N_LIMBS + l] < mid && trace[(size_t)k * BB_N_LIMBS + l] >= mid)
                on[l * MAX_ONSETS + non[l]++] = from + k * dt;
    }
    free(trace);
    int ok = non[BB_LIMB_LH] >= 3;
    for (int l = 0; l < BB_N_LIMBS; l++) ok &= non[l] >= 2;
    if (ok) {
        const double *ref = on;
        int nref = non[BB_LIMB_LH];
        g->cycles = (uint32_t)(nref - 1);
        g->frequency_hz = 1e3 * (nref - 1) / (ref[nref - 1] - ref[0]);
        for (int l = 0; l < BB_N_LIMBS; l++) g->phase[l] = l ? mean_phase(ref, nref, on + l * MAX_ONSETS, non[l]) : 0;
        g->left_right_hind = g->phase[BB_LIMB_RH];
        g->left_right_fore = wrap01(g->phase[BB_LIMB_RF] - g->phase[BB_LIMB_LF]);
        g->homolateral = g->phase[BB_LIMB_LF];
        g->diagonal = g->phase[BB_LIMB_RF];
        /* Danner 2017 (Fig. 2): left-right alternation with diagonal
         * synchrony is trot, with a lag is walk; left-right synchrony is
         * bound; anything between is gallop */
        if (circ_dist(g->left_right_hind, 0) < 0.1) g->name = "bound";
        else if (circ_dist(g->left_right_hind, 0.5) < 0.1)
            g->name = circ_dist(g->diagonal, 0) < 0.1 ? "trot" : "walk";
        else g->name = "gallop";
    }
    free(on);
}
