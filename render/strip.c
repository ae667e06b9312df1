#include "strip.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* distinct pool colours (Okabe-Ito palette, colour-blind safe) */
static const float PALETTE[][3] = {{0.90f, 0.62f, 0.00f}, {0.34f, 0.71f, 0.91f}, {0.00f, 0.62f, 0.45f},
                                   {0.94f, 0.89f, 0.26f}, {0.00f, 0.45f, 0.70f}, {0.84f, 0.37f, 0.00f},
                                   {0.80f, 0.47f, 0.65f}, {0.85f, 0.85f, 0.85f}};
#define N_PALETTE (sizeof PALETTE / sizeof *PALETTE)

/* an interval the task or the stimulus is in: shaded behind the raster */
typedef struct shade {
    const char *on, *off, *label;
    float rgb[3];
} shade;
static const shade SHADES[] = {
    {"stimulus_on", "stimulus_off", "STIMULUS", {0.12f, 0.20f, 0.42f}},
    {"cue_on", "cue_off", "CUE", {0.45f, 0.32f, 0.05f}},
    {"reward_on", "reward_off", "REWARD", {0.08f, 0.36f, 0.16f}},
};

/* Start of the interval of kind s that contains t, or NAN. */
static double interval_start(const bb_replay *r, const shade *s, double t)
{
    double start = NAN;
    for (uint32_t i = 0; i < r->n_events && r->events[i].t <= t; i++) {
        if (!strcmp(r->events[i].name, s->on)) start = r->events[i].t;
        else if (!strcmp(r->events[i].name, s->off)) start = NAN;
    }
    return start;
}

static uint32_t pool_of(const bb_replay *r, uint32_t node)
{
    for (uint32_t p = 0; p < r->n_pools; p++)
        if (node >= r->pools[p].first && node < r->pools[p].first + r->pools[p].count) return p;
    return 0;
}

void bb_strip_raster(const bb_replay *r, double t, mjrRect rect, const mjrContext *con)
{
    mjr_rectangle(rect, 0.07f, 0.07f, 0.09f, 1);
    const double t0 = t - BB_RASTER_WINDOW_S;
    const double px_per_s = rect.width / BB_RASTER_WINDOW_S;
    for (size_t k = 0; k < sizeof SHADES / sizeof *SHADES; k++) { /* every interval overlapping the window */
        const shade *s = &SHADES[k];
        double on = NAN;
        for (uint32_t i = 0; i <= r->n_events; i++) {
            int end = i == r->n_events || r->events[i].t > t;
            if (!end && !strcmp(r->events[i].name, s->on)) on = r->events[i].t;
            if (!isnan(on) && (end || !strcmp(r->events[i].name, s->off))) {
                double a = fmax(on, t0), b = end ? t : fmin(r->events[i].t, t);
                if (b > a) {
                    mjrRect band = {rect.left + (int)((a - t0) * px_per_s), rect.bottom,
                                    (int)ceil((b - a) * px_per_s), rect.height};
                    mjr_rectangle(band, s->rgb[0], s->rgb[1], s->rgb[2], 1);
                }
                on = NAN;
            }
            if (end) break;
        }
    }
    if (r->n_cells) {
        int h = rect.height / (int)r->n_cells > 1 ? rect.height / (int)r->n_cells : 1;
        for (uint64_t k = bb_replay_first_spike(r, t0 * 1e3); k < r->n_spikes && r->spike_ms[k] <= t * 1e3; k++) {
            const float *c = PALETTE[pool_of(r, r->spike_node[k]) % N_PALETTE];
            int x = rect.left + (int)((r->spike_ms[k] * 1e-3 - t0) * px_per_s);
            int y = rect.bottom + (int)((double)r->spike_node[k] / r->n_cells * rect.height);
            mjr_rectangle((mjrRect){x, y, 2, h}, c[0], c[1], c[2], 1);
        }
    }
    char title[96];
    snprintf(title, sizeof title, "output cells (%u), last %.1f s", r->n_cells, BB_RASTER_WINDOW_S);
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, rect, title, r->n_spikes ? NULL : "(spikes not recorded)", con);
}

void bb_strip_touch(const bb_replay *r, const bb_body *names, uint32_t row, mjrRect rect, const mjrContext *con)
{
    mjr_rectangle(rect, 0.12f, 0.12f, 0.14f, 1);
    uint32_t nx = r->cfg.world.taxels_x, ny = r->cfg.world.taxels_y, ng = r->n_grids;
    if (!ng || (uint64_t)ng * nx * ny != r->n_taxels) return;
    int label_h = 20, title_h = 24, pad = 6; /* grid names below, the title above */
    int cell = (rect.width - pad * (int)(ng + 1)) / (int)(ng * nx);
    int room = rect.height - label_h - title_h - pad;
    if (room / (int)ny < cell) cell = room / (int)ny;
    if (cell < 1) return;
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, rect, "Merkel Hz per taxel (0-100); green: paw down", NULL, con);
    const float *merkel = r->merkel + (size_t)row * r->n_taxels;
    const uint8_t *contact = r->paw_contact + (size_t)row * ng;
    for (uint32_t g = 0; g < ng; g++) {
        int left = rect.left + pad + (int)g * ((int)nx * cell + pad), bottom = rect.bottom + label_h + pad;
        mjrRect frame = {left - 3, bottom - 3, (int)nx * cell + 5, (int)ny * cell + 5};
        if (contact[g]) mjr_rectangle(frame, 0.2f, 0.9f, 0.3f, 1); /* the paw touches: a green frame */
        mjr_rectangle((mjrRect){left - 1, bottom - 1, (int)nx * cell + 1, (int)ny * cell + 1}, 0, 0, 0, 1);
        for (uint32_t iy = 0; iy < ny; iy++)
            for (uint32_t ix = 0; ix < nx; ix++) {
                double v = merkel[((size_t)g * ny + iy) * nx + ix] / BB_TOUCH_FULL_HZ;
                v = v > 1 ? 1 : v > 0 ? v : 0;
                /* black -> red -> yellow -> white */
                float red = (float)fmin(1, 3 * v), green = (float)fmin(1, fmax(0, 3 * v - 1)),
                      blue = (float)fmax(0, 3 * v - 2);
                mjr_rectangle((mjrRect){left + (int)ix * cell, bottom + (int)iy * cell, cell - 1, cell - 1}, red,
                              green, blue, 1);
            }
        const char *name = bb_body_touch_grid_name(names, g);
        char label[48]; /* "L_manus_touch" -> "L manus" */
        snprintf(label, sizeof label, "%s", name ? name : "?");
        char *suffix = strstr(label, "_touch");
        if (suffix) *suffix = '\0';
        for (char *p = label; *p; p++)
            if (*p == '_') *p = ' ';
        mjr_overlay(mjFONT_NORMAL, mjGRID_BOTTOMLEFT, (mjrRect){left - 4, rect.bottom, (int)nx * cell + 8, label_h + 4},
                    label, NULL, con);
    }
}

void bb_strip_overlay(const bb_replay *r, double t, double speed, mjrRect rect, const mjrContext *con)
{
    char left[160], state[96] = "", recent[96] = "";
    snprintf(left, sizeof left, "%s   t = %.3f s%s", r->cfg.name, t,
             speed != 1 ? (speed < 1 ? "   (slow motion)" : "   (fast)") : "");
    for (size_t k = 0; k < sizeof SHADES / sizeof *SHADES; k++)
        if (!isnan(interval_start(r, &SHADES[k], t))) {
            size_t n = strlen(state);
            snprintf(state + n, sizeof state - n, "%s%s", n ? "  " : "", SHADES[k].label);
        }
    for (uint32_t i = 0; i < r->n_events && r->events[i].t <= t; i++) /* the last outcome within 0.5 s */
        if (t - r->events[i].t < 0.5 && (!strcmp(r->events[i].name, "hit") || !strcmp(r->events[i].name, "miss") ||
                                          !strcmp(r->events[i].name, "lever_press")))
            snprintf(recent, sizeof recent, "%s at %.3f s", r->events[i].name, r->events[i].t);
    mjr_overlay(mjFONT_BIG, mjGRID_TOPLEFT, rect, left, NULL, con);
    if (state[0]) mjr_overlay(mjFONT_BIG, mjGRID_TOPRIGHT, rect, state, NULL, con);
    if (recent[0]) mjr_overlay(mjFONT_BIG, mjGRID_BOTTOMLEFT, rect, recent, NULL, con);
}
