/* The afferent map. Each hemisphere hears the other side of the body (the
 * dorsal column-lemniscal and spinothalamic pathways cross); midline
 * afferents reach both. Its C channels are split into the five somatotopic
 * areas in the order of the M1 pools (tail, hindlimb, trunk, forelimb,
 * head/neck; area a owns channels [a C / 5, (a + 1) C / 5)). Within an area
 * with touch grids on that side, the first half of its channels carry the
 * Merkel rates of its taxels and the rest its muscles' Ia, II and Ib rates;
 * without touch grids all carry the muscles. The k-th of n entries of a kind
 * goes to the floor(k m / n)-th of that kind's m channels, so neighbouring
 * taxels (and muscles) share channels. A channel's value is the input rate of
 * each of its relay cells: the mean rate of its entries times the number of
 * afferent fibres converging on a relay cell (feedback.convergence). */
#include "afferent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/body.h"
#include "brainbody/cortex.h"

enum { TOUCH, PROPRIO, N_KINDS };

static int parse_lesion(const char *lesion, int cut_kind[N_KINDS], int cut_area[BB_N_BODY_AREAS], char *err,
                        size_t cap)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", strcmp(lesion, "none") ? lesion : "");
    char *save = NULL;
    for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        if (!strcmp(w, "touch")) cut_kind[TOUCH] = 1;
        else if (!strcmp(w, "proprio")) cut_kind[PROPRIO] = 1;
        else {
            int a = 0;
            while (a < BB_N_BODY_AREAS && strcmp(bb_body_area_name(a), w)) a++;
            if (a == BB_N_BODY_AREAS) {
                snprintf(err, cap, "feedback.lesion: '%s' is not touch, proprio, tail, hindlimb, trunk, forelimb or "
                                   "head_neck", w);
                return -1;
            }
            cut_area[a] = 1;
        }
    }
    return 0;
}

/* Does hemisphere-side `hears` hear feedback entry e of area a? Taxels are
 * their own layout entries; a muscle's three rates share the muscle's. */
static int heard(const bb_body_sizes *body, uint32_t e, int a, char hears)
{
    uint32_t src = e < body->n_taxels ? e : body->n_taxels + (e - body->n_taxels) / BB_PROPRIO_PER_MUSCLE;
    return body->area[src] == a && (body->side[src] == hears || body->side[src] == 'M');
}

int bb_afferent_map_build(bb_afferent_map *m, const bb_body_sizes *body, uint32_t n_channels, const char *lesion,
                          double convergence, char *err, size_t cap)
{
    memset(m, 0, sizeof *m);
    m->convergence = convergence;
    int cut_kind[N_KINDS] = {0}, cut_area[BB_N_BODY_AREAS] = {0};
    if (parse_lesion(lesion, cut_kind, cut_area, err, cap)) return -1;
    m->n_channels = n_channels;
    m->n_entries = body->n_taxels + body->n_proprio;
    for (int h = 0; h < 2; h++) {
        m->channel[h] = malloc(sizeof(int32_t) * (m->n_entries + 1));
        m->count[h] = calloc(n_channels + 1, sizeof(uint32_t));
        if (!m->channel[h] || !m->count[h]) {
            bb_afferent_map_free(m);
            snprintf(err, cap, "out of memory");
            return -1;
        }
        for (uint32_t e = 0; e < m->n_entries; e++) m->channel[h][e] = -1;
    }
    if (!body->area || !n_channels) return 0; /* nothing to map: silent ports */
    for (int h = 0; h < 2; h++) {
        char hears = h == BB_LEFT ? 'R' : 'L';
        for (int a = 0; a < BB_N_BODY_AREAS; a++) {
            uint32_t c0 = (uint32_t)a * n_channels / BB_N_BODY_AREAS, c1 = (uint32_t)(a + 1) * n_channels / BB_N_BODY_AREAS;
            uint32_t n[N_KINDS] = {0};
            /* entries of this area that this hemisphere hears, by kind */
            for (uint32_t e = 0; e < m->n_entries; e++)
                if (heard(body, e, a, hears)) n[e < body->n_taxels ? TOUCH : PROPRIO]++;
            uint32_t width = c1 - c0, touch_ch = n[TOUCH] ? width / 2 : 0;
            uint32_t first[N_KINDS] = {c0, c0 + touch_ch}, chans[N_KINDS] = {touch_ch, width - touch_ch}, k[N_KINDS] = {0};
            for (uint32_t e = 0; e < m->n_entries; e++) {
                if (!heard(body, e, a, hears)) continue;
                int kind = e < body->n_taxels ? TOUCH : PROPRIO;
                uint32_t idx = k[kind]++;
                if (!chans[kind] || cut_kind[kind] || cut_area[a]) continue;
                uint32_t c = first[kind] + (uint32_t)((uint64_t)idx * chans[kind] / n[kind]);
                m->channel[h][e] = (int32_t)c;
                m->count[h][c]++;
            }
        }
    }
    return 0;
}

void bb_afferent_map_free(bb_afferent_map *m)
{
    for (int h = 0; h < 2; h++) {
        free(m->channel[h]);
        free(m->count[h]);
    }
    free(m->ring);
    memset(m, 0, sizeof *m);
}

int bb_afferent_map_set_delay(bb_afferent_map *m, uint32_t delay, uint32_t n_taxels, uint32_t n_proprio)
{
    m->delay = delay, m->n_taxels = n_taxels, m->n_proprio = n_proprio, m->pushed = 0;
    free(m->ring);
    m->ring = delay ? calloc((size_t)(delay + 1) * (n_taxels + n_proprio) + 1, sizeof *m->ring) : NULL;
    return delay && !m->ring ? -1 : 0;
}

const bb_feedback *bb_afferent_map_delay(bb_afferent_map *m, const bb_feedback *fb)
{
    if (!m->delay) return fb;
    if (!fb) return NULL; /* feedback off, or not yet: nothing is in flight either */
    size_t width = (size_t)m->n_taxels + m->n_proprio, slot = (size_t)(m->pushed % (m->delay + 1));
    float *row = m->ring + slot * width;
    memcpy(row, fb->taxels, m->n_taxels * sizeof *row);
    memcpy(row + m->n_taxels, fb->proprio, m->n_proprio * sizeof *row);
    m->pushed++;
    if (m->pushed <= m->delay) return NULL;
    const float *old = m->ring + (size_t)(m->pushed % (m->delay + 1)) * width; /* the oldest kept */
    m->delayed = (bb_feedback){fb->exchange - m->delay, old, m->n_taxels, old + m->n_taxels, m->n_proprio, fb->task, 1,
                               fb->n_task};
    return &m->delayed;
}

void bb_afferent_map_rates(const bb_afferent_map *m, int hemisphere, const bb_feedback *fb, double *values)
{
    memset(values, 0, m->n_channels * sizeof *values);
    if (!fb) return;
    const int32_t *ch = m->channel[hemisphere];
    for (uint32_t e = 0; e < fb->n_taxels && e < m->n_entries; e++)
        if (ch[e] >= 0) values[ch[e]] += fb->taxels[e];
    for (uint32_t j = 0; j < fb->n_proprio && fb->n_taxels + j < m->n_entries; j++)
        if (ch[fb->n_taxels + j] >= 0) values[ch[fb->n_taxels + j]] += fb->proprio[j];
    for (uint32_t c = 0; c < m->n_channels; c++)
        if (m->count[hemisphere][c]) values[c] *= m->convergence / m->count[hemisphere][c];
}

int bb_afferent_map_state(bb_afferent_map *m, bb_state_io *io)
{
    size_t ring = m->delay ? (size_t)(m->delay + 1) * ((size_t)m->n_taxels + m->n_proprio) : 0;
    return bb_state_same(io, "afferent.delay", m->delay) ||
                   bb_state_field(io, "afferent.pushed", &m->pushed, sizeof m->pushed) ||
                   bb_state_field(io, "afferent.ring", m->ring, ring * sizeof *m->ring)
               ? -1
               : 0;
}
