#include "posture.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRUNK "pelvis" /* the body whose roll the reflex senses */

/* Marks the muscles matching one pattern; returns how many it matched. */
static uint32_t mark(const bb_body *b, const char *pattern, uint8_t *listed)
{
    uint32_t matched = 0;
    for (uint32_t m = 0; m < bb_body_n_muscles(b); m++)
        if (!fnmatch(pattern, bb_body_muscle_name(b, m), 0)) listed[m] = 1, matched++;
    return matched;
}

/* Marks the muscles of a comma-separated list of patterns; 0, -1 (out of
 * memory), or 1 with the pattern that matches nothing in err. */
static int mark_list(const bb_body *b, const char *patterns, uint8_t *listed, char *err, size_t cap)
{
    char *list = strdup(patterns);
    if (!list) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL;
    for (char *pat = strtok_r(list, ", ", &save); pat && !rc; pat = strtok_r(NULL, ", ", &save))
        if (!mark(b, pat, listed)) {
            snprintf(err, cap, "'%s' matches no muscle of the body", pat);
            rc = 1;
        }
    free(list);
    return rc;
}

/* The first gate muscle with toned muscle m's side and body region, or -1. */
static long gate_of(const bb_body *b, uint32_t m, const uint8_t *gates)
{
    for (uint32_t g = 0; g < bb_body_n_muscles(b); g++)
        if (gates[g] && bb_body_muscle_side(b, g) == bb_body_muscle_side(b, m) &&
            !strcmp(bb_body_muscle_region(b, g), bb_body_muscle_region(b, m)))
            return g;
    return -1;
}

/* Marks the adductors (value 2 in listed); BB_POSTURE_BAD_ADDUCTORS with the reason if a pattern matches
 * nothing or a muscle is in both lists. */
static int mark_adductors(const bb_body *b, const char *patterns, uint8_t *listed, char *err, size_t cap)
{
    uint32_t n = bb_body_n_muscles(b);
    uint8_t *adductor = calloc(n + 1, 1);
    if (!adductor) return snprintf(err, cap, "out of memory"), -1;
    int rc = mark_list(b, patterns, adductor, err, cap);
    for (uint32_t m = 0; m < n && !rc; m++)
        if (adductor[m] && listed[m]) {
            snprintf(err, cap, "%s is also in brain.posture.muscles", bb_body_muscle_name(b, m));
            rc = 1;
        } else if (adductor[m]) listed[m] = 2;
    free(adductor);
    return rc > 0 ? BB_POSTURE_BAD_ADDUCTORS : rc;
}

int bb_posture_init(bb_posture *p, const bb_body *b, const bb_posture_params *params, char *err, size_t cap)
{
    memset(p, 0, sizeof *p);
    uint32_t n = bb_body_n_muscles(b);
    uint8_t *listed = calloc(n + 1, 1), *gates = calloc(n + 1, 1);
    if (!listed || !gates) {
        free(listed), free(gates);
        snprintf(err, cap, "out of memory");
        return -1;
    }
    int rc = mark_list(b, params->muscles, listed, err, cap);
    if (rc > 0) rc = BB_POSTURE_BAD_MUSCLES;
    int gated = params->gate_muscles && strcmp(params->gate_muscles, "none");
    if (!rc && gated && (rc = mark_list(b, params->gate_muscles, gates, err, cap)) > 0) rc = BB_POSTURE_BAD_GATE;
    if (!rc && params->adductor_muscles && strcmp(params->adductor_muscles, "none"))
        rc = mark_adductors(b, params->adductor_muscles, listed, err, cap);
    if (!rc && params->gain != 0 && isnan(bb_body_roll(b, TRUNK))) {
        snprintf(err, cap, "the body has no '%s' whose roll the righting reflex senses", TRUNK);
        rc = BB_POSTURE_NO_TRUNK;
    }
    for (uint32_t m = 0; m < n && !rc; m++) p->n += listed[m] != 0;
    if (!rc && !p->n) {
        snprintf(err, cap, "lists no muscle");
        rc = BB_POSTURE_BAD_MUSCLES;
    }
    if (!rc) {
        p->muscle = malloc(p->n * sizeof *p->muscle);
        p->side = malloc(p->n * sizeof *p->side);
        p->tone = malloc(p->n * sizeof *p->tone);
        p->gate = malloc(p->n * sizeof *p->gate);
        p->open = malloc(p->n * sizeof *p->open);
        if (!p->muscle || !p->side || !p->tone || !p->gate || !p->open) snprintf(err, cap, "out of memory"), rc = -1;
    }
    for (uint32_t m = 0, k = 0; m < n && !rc; m++)
        if (listed[m]) {
            char s = bb_body_muscle_side(b, m);
            float sign = s == 'R' ? 1.0f : s == 'L' ? -1.0f : 0.0f;
            p->muscle[k] = m;
            p->gate[k] = gated ? gate_of(b, m, gates) : -1;
            p->side[k] = listed[m] == 2 ? -sign : sign; /* an adductor's righting is reversed */
            p->tone[k++] = listed[m] == 2 ? params->adductor_tone : params->tone;
        }
    free(listed);
    free(gates);
    if (rc) {
        bb_posture_free(p);
        return rc;
    }
    p->gain = params->gain, p->velocity_s = params->velocity_s;
    p->rate_filter_s = params->rate_filter_s, p->interval_s = params->interval_s;
    p->gate_full_at = params->gate_full_at;
    p->roll_prev = p->gain != 0 ? bb_body_roll(b, TRUNK) : 0;
    return 0;
}

double bb_righting_scale(double side, double u)
{
    double scale = 1 + side * u;
    return scale < 0 ? 0 : scale;
}

double bb_righting_rate(double filtered, double raw, double filter_s, double interval_s)
{
    return filter_s > 0 ? filtered + (raw - filtered) * interval_s / (filter_s + interval_s) : raw;
}

void bb_posture_add(bb_posture *p, const bb_body *b, float *excitation)
{
    double u = 0;
    if (p->gain != 0) {
        /* roll > 0: the left side is up, so the right side's extensors get more */
        double roll = bb_body_roll(b, TRUNK);
        p->roll_rate = bb_righting_rate(p->roll_rate, (roll - p->roll_prev) / p->interval_s, p->rate_filter_s, p->interval_s);
        u = p->gain * (roll + p->velocity_s * p->roll_rate);
        p->roll_prev = roll;
    }
    for (uint32_t k = 0; k < p->n; k++) /* from the pathways' drive alone, before any tone is added */
        p->open[k] = p->gate[k] < 0 ? 1 : fmax(0, 1 - excitation[p->gate[k]] / p->gate_full_at);
    for (uint32_t k = 0; k < p->n; k++) {
        double e = excitation[p->muscle[k]] + p->open[k] * p->tone[k] * bb_righting_scale(p->side[k], u);
        excitation[p->muscle[k]] = (float)(e > 1 ? 1 : e);
    }
}

int bb_posture_state(bb_posture *p, bb_state_io *io)
{
    return bb_state_same(io, "posture.muscles", p->n) ||
           bb_state_field(io, "posture.roll_prev", &p->roll_prev, sizeof p->roll_prev) ||
           bb_state_field(io, "posture.roll_rate", &p->roll_rate, sizeof p->roll_rate);
}

void bb_posture_free(bb_posture *p)
{
    free(p->muscle);
    free(p->side);
    free(p->tone);
    free(p->gate);
    free(p->open);
    memset(p, 0, sizeof *p);
}
