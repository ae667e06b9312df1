/* Builds the incoming synapses of this rank's neurons. Each target draws its
 * own sources, weights and delays from streams keyed by (projection, target
 * id), so every rank builds exactly its part of the one network, in
 * parallel, and the result does not depend on the partition. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct edge {
    uint32_t source, word;
    float w;
} edge;

typedef struct builder {
    const bb_network *net;
    bb_block local;
    edge *e;
    size_t n, cap;
    uint32_t min_delay, max_delay;
    char *err;
    size_t errcap;
} builder;

uint32_t bb_delay_steps(double delay_ms, double dt_ms)
{
    double s = nearbyint(delay_ms / dt_ms);
    return s < 1 ? 1u : s > 4294967295.0 ? 4294967295u : (uint32_t)s;
}

/* Draws weight and delay of one synapse from its streams and stores it. */
static int emit(builder *b, int j, uint32_t source, uint32_t target, uint64_t wstream, uint64_t *widx,
                uint64_t dstream, uint64_t *didx)
{
    const bb_projection *pr = &b->net->projs[j];
    double w = bb_dist_draw(&pr->weight, b->net->seed, wstream, widx);
    uint32_t d = bb_delay_steps(bb_dist_draw(&pr->delay_ms, b->net->seed, dstream, didx), b->net->dt_ms);
    if (d > BB_SYN_MAX_DELAY) {
        snprintf(b->err, b->errcap, "projection %d: delay of %u steps, above the %u steps synapses can hold", j, d,
                 BB_SYN_MAX_DELAY);
        return -1;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap * 2 + 4096;
        edge *g = realloc(b->e, cap * sizeof *g);
        if (!g) {
            snprintf(b->err, b->errcap, "out of memory for %zu synapses", cap);
            return -1;
        }
        b->e = g;
        b->cap = cap;
    }
    b->e[b->n++] = (edge){source, (target - b->local.first) | (d << BB_SYN_TARGET_BITS), (float)w};
    if (d < b->min_delay) b->min_delay = d;
    if (d > b->max_delay) b->max_delay = d;
    return 0;
}

/* Squared distance on the sheet; periodic: the shortest way round. */
static double dist2(const double *a, const double *c, double width, double height, int periodic)
{
    double dx = fabs(a[0] - c[0]), dy = fabs(a[1] - c[1]);
    if (periodic) {
        if (dx > width / 2) dx = width - dx;
        if (dy > height / 2) dy = height - dy;
    }
    return dx * dx + dy * dy;
}

static int connect_target(builder *b, int j, uint32_t t, unsigned char *chosen)
{
    const bb_network *net = b->net;
    const bb_projection *pr = &net->projs[j];
    const bb_pop *pre = &net->pops[pr->pre], *post = &net->pops[pr->post];
    uint64_t cs = bb_stream(BB_RNG_CONNECT, (unsigned)j, t), ws = bb_stream(BB_RNG_WEIGHT, (unsigned)j, t),
             ds = bb_stream(BB_RNG_DELAY, (unsigned)j, t);
    uint64_t ci = 0, wi = 0, di = 0;
    int self_ok = pr->autapses || pr->pre != pr->post;
    switch (pr->rule) {
    case BB_CONN_BERNOULLI: {
        if (pr->p <= 0) return 0;
        /* geometric gaps between successes: one draw per synapse, not per pair */
        double log_q = pr->p < 1 ? log1p(-pr->p) : 0;
        for (uint64_t s = 0;; s++) {
            if (pr->p < 1) s += (uint64_t)floor(log(1.0 - bb_rng_uniform(net->seed, cs, ci++)) / log_q);
            if (s >= pre->n) break;
            uint32_t src = pre->first + (uint32_t)s;
            if ((src != t || self_ok) && emit(b, j, src, t, ws, &wi, ds, &di)) return -1;
        }
        return 0;
    }
    case BB_CONN_FIXED_INDEGREE: {
        uint32_t avail = pre->n - (self_ok || t < pre->first || t >= pre->first + pre->n ? 0 : 1);
        if (!pr->multapses && pr->indegree > avail) {
            snprintf(b->err, b->errcap, "projection %d: in-degree %u without multapses exceeds the %u sources", j,
                     pr->indegree, avail);
            return -1;
        }
        for (uint32_t k = 0; k < pr->indegree; k++) {
            uint32_t s, src;
            do {
                s = (uint32_t)(bb_rng_uniform(net->seed, cs, ci++) * pre->n);
                src = pre->first + s;
            } while ((src == t && !self_ok) || (!pr->multapses && chosen[s]));
            if (!pr->multapses) chosen[s] = 1;
            if (emit(b, j, src, t, ws, &wi, ds, &di)) return -1;
        }
        return 0;
    }
    case BB_CONN_GAUSSIAN_2D: {
        const double *tp = &post->xy[2 * (size_t)(t - post->first)];
        double inv2s2 = 1.0 / (2.0 * pr->sigma_um * pr->sigma_um);
        for (uint32_t s = 0; s < pre->n; s++) {
            uint32_t src = pre->first + s;
            double p = pr->p0 * exp(-dist2(&pre->xy[2 * (size_t)s], tp, post->width_um, post->height_um,
                                           pr->periodic) * inv2s2);
            if (bb_rng_uniform(net->seed, cs, ci++) < p && (src != t || self_ok) &&
                emit(b, j, src, t, ws, &wi, ds, &di))
                return -1;
        }
        return 0;
    }
    case BB_CONN_FIXED_TOTAL:
        return 0; /* drawn globally, below */
    }
    return 0;
}

/* FIXED_TOTAL: pair i draws its target and source from its own stream;
 * every rank walks all pairs and keeps those whose target it owns. */
static int connect_total(builder *b, int j)
{
    const bb_network *net = b->net;
    const bb_projection *pr = &net->projs[j];
    const bb_pop *pre = &net->pops[pr->pre], *post = &net->pops[pr->post];
    for (uint64_t i = 0; i < pr->total; i++) {
        uint64_t ps = bb_stream(BB_RNG_TOTAL, (unsigned)j, i), pi = 0;
        uint32_t t, src;
        do {
            t = post->first + (uint32_t)(bb_rng_uniform(net->seed, ps, pi++) * post->n);
            src = pre->first + (uint32_t)(bb_rng_uniform(net->seed, ps, pi++) * pre->n);
        } while (src == t && !pr->autapses && pr->pre == pr->post);
        if (t < b->local.first || t >= b->local.first + b->local.count) continue;
        uint64_t wi = 0, di = 0;
        if (emit(b, j, src, t, bb_stream(BB_RNG_WEIGHT, (unsigned)j, i), &wi, bb_stream(BB_RNG_DELAY, (unsigned)j, i),
                 &di))
            return -1;
    }
    return 0;
}

int bb_build_synapses(const bb_network *net, bb_block local, bb_synapses *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (local.count > BB_SYN_MAX_LOCAL) {
        snprintf(err, cap, "%u neurons on one rank; at most %u (use more ranks)", local.count, BB_SYN_MAX_LOCAL);
        return -1;
    }
    builder b = {.net = net, .local = local, .min_delay = UINT32_MAX, .err = err, .errcap = cap};
    for (int j = 0; j < net->n_projs; j++) {
        const bb_projection *pr = &net->projs[j];
        if (pr->rule == BB_CONN_FIXED_TOTAL) {
            if (connect_total(&b, j)) goto fail;
            continue;
        }
        const bb_pop *post = &net->pops[pr->post];
        uint32_t lo = post->first > local.first ? post->first : local.first;
        uint32_t hi_post = post->first + post->n, hi_local = local.first + local.count;
        uint32_t hi = hi_post < hi_local ? hi_post : hi_local;
        unsigned char *chosen = calloc(net->pops[pr->pre].n, 1);
        if (!chosen) {
            snprintf(err, cap, "out of memory");
            goto fail;
        }
        for (uint32_t t = lo; t < hi; t++) {
            size_t start = b.n; /* this target's edges are appended contiguously */
            if (connect_target(&b, j, t, chosen)) {
                free(chosen);
                goto fail;
            }
            for (size_t k = start; k < b.n; k++) chosen[b.e[k].source - net->pops[pr->pre].first] = 0;
        }
        free(chosen);
    }
    if (b.n > UINT32_MAX) {
        snprintf(err, cap, "%zu synapses on one rank; at most 2^32 - 1 (use more ranks)", b.n);
        goto fail;
    }
    /* counting sort by source, stable: within a source, the build order */
    out->offset = calloc((size_t)net->n_total + 1, sizeof *out->offset);
    out->word = malloc((b.n ? b.n : 1) * sizeof *out->word);
    out->weight = malloc((b.n ? b.n : 1) * sizeof *out->weight);
    if (!out->offset || !out->word || !out->weight) {
        snprintf(err, cap, "out of memory for %zu synapses", b.n);
        goto fail;
    }
    for (size_t i = 0; i < b.n; i++) out->offset[b.e[i].source + 1]++;
    for (uint32_t s = 0; s < net->n_total; s++) out->offset[s + 1] += out->offset[s];
    uint32_t *fill = malloc((size_t)net->n_total * sizeof *fill + 1);
    if (!fill) {
        snprintf(err, cap, "out of memory");
        goto fail;
    }
    memcpy(fill, out->offset, (size_t)net->n_total * sizeof *fill);
    for (size_t i = 0; i < b.n; i++) {
        uint32_t k = fill[b.e[i].source]++;
        out->word[k] = b.e[i].word;
        out->weight[k] = b.e[i].w;
    }
    free(fill);
    free(b.e);
    out->n = b.n;
    out->min_delay = b.n ? b.min_delay : UINT32_MAX;
    out->max_delay = b.max_delay;
    return 0;
fail:
    free(b.e);
    bb_synapses_free(out);
    return -1;
}

void bb_synapses_free(bb_synapses *s)
{
    free(s->offset);
    free(s->word);
    free(s->weight);
    memset(s, 0, sizeof *s);
}
