/* Touch grids on the paw pads, from MuJoCo contacts (MuJoCo 2.2.2 has no
 * touch-grid sensor). A grid is a box site named *_touch on the pad: its
 * frame is the centre of the sole with z pointing out of the sole, its x and
 * y half-sizes the pad. A contact counts for a grid when one of its geoms
 * belongs to the pad's body or to a body below it (the digits). The contact
 * force is projected on the site's z axis (pressure on the sole) and binned
 * by the contact point's x, y in the site frame; contacts beyond the pad
 * (on the digits) count in the border taxel.
 *
 * Merkel (SA1) afferents encode compressive stress (Ge & Khalsa 2002, J
 * Neurophysiol 87:1686): pressure = force / taxel area, saturating at
 * MERKEL_SATURATION, with slow adaptation through two low-pass filters of
 * 8 ms and 200 ms (Gerling et al. 2018, PLoS Comput Biol): a step of pressure
 * fires at (1 + FAST + SLOW) x the sustained rate at onset, decaying with
 * those time constants to the sustained rate. The gains are ours. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MERKEL_SATURATION 10e3   /* Pa */
#define MERKEL_GAIN (50.0 / 10e3) /* Hz per Pa: 50 Hz sustained at saturation */
#define MERKEL_FAST_TAU 0.008    /* s */
#define MERKEL_SLOW_TAU 0.200    /* s */
#define MERKEL_FAST 1.0          /* onset overshoot, fast component */
#define MERKEL_SLOW 0.5          /* onset overshoot, slow component */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int is_below(const mjModel *m, int body, int ancestor)
{
    for (; body > 0; body = m->body_parentid[body])
        if (body == ancestor) return 1;
    return 0;
}

int bb_touch_init(bb_body *b, uint32_t nx, uint32_t ny)
{
    const mjModel *m = b->m;
    bb_touch *t = &b->touch;
    t->nx = nx;
    t->ny = ny;
    for (int s = 0; s < m->nsite; s++) {
        const char *n = mj_id2name(m, mjOBJ_SITE, s);
        if (n && ends_with(n, "_touch") && m->site_type[s] == mjGEOM_BOX) t->ngrids++;
    }
    size_t ntax = (size_t)t->ngrids * nx * ny;
    t->grids = calloc(t->ngrids + 1, sizeof *t->grids);
    t->geom_grid = malloc(sizeof(int) * ((size_t)m->ngeom + 1));
    t->force = calloc(ntax + 1, sizeof *t->force);
    t->load = calloc(t->ngrids + 1, sizeof *t->load);
    t->rate = calloc(ntax + 1, sizeof *t->rate);
    t->fast = calloc(ntax + 1, sizeof *t->fast);
    t->slow = calloc(ntax + 1, sizeof *t->slow);
    if (!t->grids || !t->geom_grid || !t->force || !t->load || !t->rate || !t->fast || !t->slow) return -1;
    uint32_t g = 0;
    for (int s = 0; s < m->nsite; s++) {
        const char *n = mj_id2name(m, mjOBJ_SITE, s);
        if (!n || !ends_with(n, "_touch") || m->site_type[s] != mjGEOM_BOX) continue;
        const mjtNum *size = m->site_size + 3 * s;
        t->grids[g++] = (bb_touch_grid){s, (2 * size[0] / nx) * (2 * size[1] / ny)};
    }
    for (int i = 0; i < m->ngeom; i++) {
        t->geom_grid[i] = -1;
        for (uint32_t k = 0; k < t->ngrids; k++)
            if (is_below(m, m->geom_bodyid[i], m->site_bodyid[t->grids[k].site])) t->geom_grid[i] = (int)k;
    }
    return 0;
}

void bb_touch_free(bb_touch *t)
{
    free(t->grids);
    free(t->geom_grid);
    free(t->force);
    free(t->load);
    free(t->rate);
    free(t->fast);
    free(t->slow);
    memset(t, 0, sizeof *t);
}

static uint32_t bin(double x, double half, uint32_t n)
{
    double f = (x + half) / (2 * half) * n;
    return f < 0 ? 0 : f >= n ? n - 1 : (uint32_t)f;
}

void bb_touch_update(bb_body *b)
{
    const mjModel *m = b->m;
    const mjData *d = b->d;
    bb_touch *t = &b->touch;
    uint32_t per = t->nx * t->ny;
    if (!t->ngrids) return;
    memset(t->force, 0, sizeof *t->force * t->ngrids * per);
    memset(t->load, 0, sizeof *t->load * t->ngrids);
    for (int c = 0; c < d->ncon; c++) {
        const mjContact *con = d->contact + c;
        int g = t->geom_grid[con->geom1] >= 0 ? t->geom_grid[con->geom1] : t->geom_grid[con->geom2];
        if (g < 0) continue;
        mjtNum f6[6], fworld[3], rel[3], local[3], zaxis[3];
        mj_contactForce(m, d, c, f6);
        /* contact frame rows: normal, tangent 1, tangent 2 */
        mju_mulMatTVec(fworld, con->frame, f6, 3, 3);
        int s = t->grids[g].site;
        const mjtNum *xmat = d->site_xmat + 9 * s;
        zaxis[0] = xmat[2];
        zaxis[1] = xmat[5];
        zaxis[2] = xmat[8];
        mju_sub3(rel, con->pos, d->site_xpos + 3 * s);
        mju_mulMatTVec(local, xmat, rel, 3, 3);
        const mjtNum *half = m->site_size + 3 * s;
        uint32_t ix = bin(local[0], half[0], t->nx), iy = bin(local[1], half[1], t->ny);
        t->force[g * per + iy * t->nx + ix] += (float)fabs(mju_dot3(fworld, zaxis));
        t->load[g] += fabs(fworld[2]); /* what the paw bears, whichever way its sole faces */
    }
    double dt = m->opt.timestep;
    double kf = 1 - exp(-dt / MERKEL_FAST_TAU), ks = 1 - exp(-dt / MERKEL_SLOW_TAU);
    for (uint32_t g = 0; g < t->ngrids; g++)
        for (uint32_t k = 0; k < per; k++) {
            size_t i = (size_t)g * per + k;
            double p = t->force[i] / t->grids[g].taxel_area;
            if (p > MERKEL_SATURATION) p = MERKEL_SATURATION;
            t->fast[i] += kf * (p - t->fast[i]);
            t->slow[i] += ks * (p - t->slow[i]);
            double drive = p + MERKEL_FAST * fmax(p - t->fast[i], 0) + MERKEL_SLOW * fmax(p - t->slow[i], 0);
            t->rate[i] = (float)(MERKEL_GAIN * drive);
        }
}

uint32_t bb_body_n_taxels(const bb_body *b) { return b->touch.ngrids * b->touch.nx * b->touch.ny; }
uint32_t bb_body_n_touch_grids(const bb_body *b) { return b->touch.ngrids; }

void bb_body_paw_loads(const bb_body *b, double *out)
{
    memcpy(out, b->touch.load, sizeof *out * b->touch.ngrids);
}

const char *bb_body_touch_grid_name(const bb_body *b, uint32_t g)
{
    return mj_id2name(b->m, mjOBJ_SITE, b->touch.grids[g].site);
}

void bb_body_touch_grid_size(const bb_body *b, uint32_t *nx, uint32_t *ny)
{
    *nx = b->touch.nx;
    *ny = b->touch.ny;
}

void bb_body_taxel_forces(const bb_body *b, float *out)
{
    memcpy(out, b->touch.force, sizeof *out * bb_body_n_taxels(b));
}

void bb_body_merkel_rates(const bb_body *b, float *out)
{
    memcpy(out, b->touch.rate, sizeof *out * bb_body_n_taxels(b));
}

/* Does muscle i have a path site on body or a body below it? */
static int attached_to(const bb_body *b, uint32_t i, int body)
{
    const mjModel *m = b->m;
    int a = b->muscle_actuator[i];
    if (m->actuator_trntype[a] != mjTRN_TENDON) return 0;
    int t = m->actuator_trnid[2 * a];
    for (int w = m->tendon_adr[t]; w < m->tendon_adr[t] + m->tendon_num[t]; w++)
        if (m->wrap_type[w] == mjWRAP_SITE && is_below(m, m->site_bodyid[m->wrap_objid[w]], body)) return 1;
    return 0;
}

const char *bb_body_touch_grid_region(const bb_body *b, uint32_t g)
{
    int pad = b->m->site_bodyid[b->touch.grids[g].site];
    const char *region[16];
    uint32_t count[16] = {0}, n = 0, best = 0;
    for (uint32_t i = 0; i < b->n_muscles; i++) {
        if (!attached_to(b, i, pad)) continue;
        const char *r = bb_body_muscle_region(b, i);
        uint32_t k = 0;
        while (k < n && strcmp(region[k], r)) k++;
        if (k == n && n < 16) region[n++] = r;
        if (k < n && ++count[k] > count[best]) best = k;
    }
    return n ? region[best] : "unassigned";
}

void bb_body_touch_grid_positions(const bb_body *b, double *xyz)
{
    for (uint32_t g = 0; g < b->touch.ngrids; g++)
        memcpy(xyz + 3 * g, b->d->site_xpos + 3 * b->touch.grids[g].site, 3 * sizeof *xyz);
}

char bb_body_touch_grid_side(const bb_body *b, uint32_t g)
{
    return bb_side_of_name(bb_body_touch_grid_name(b, g));
}

void bb_body_paw_contacts(const bb_body *b, uint8_t *out)
{
    uint32_t per = b->touch.nx * b->touch.ny;
    for (uint32_t g = 0; g < b->touch.ngrids; g++) {
        double sum = 0;
        for (uint32_t k = 0; k < per; k++) sum += b->touch.force[(size_t)g * per + k];
        out[g] = sum > BB_PAW_CONTACT_N;
    }
}
