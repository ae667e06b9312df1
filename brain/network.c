/* The network description: populations (contiguous global ids, in the order
 * added) and projections. Nothing here depends on the number of ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bb_network *bb_network_create(uint64_t seed, double dt_ms)
{
    bb_network *net = calloc(1, sizeof *net);
    if (!net) return NULL;
    net->seed = seed;
    net->dt_ms = dt_ms;
    return net;
}

void bb_network_free(bb_network *net)
{
    if (!net) return;
    for (int i = 0; i < net->n_pops; i++) free(net->pops[i].xy);
    for (int i = 0; i < net->n_stims; i++) free(net->stims[i].step), free(net->stims[i].value);
    free(net->stims);
    free(net->ports);
    free(net->pops);
    free(net->projs);
    free(net);
}

int bb_network_add_population(bb_network *net, const char *name, uint32_t n, const bb_neuron_params *p,
                              double width_um, double height_um)
{
    if (n == 0 || (uint64_t)net->n_total + n > (UINT64_C(1) << 32) - 1) return -1;
    if (net->n_pops == net->cap_pops) {
        int cap = net->cap_pops * 2 + 4;
        bb_pop *g = realloc(net->pops, (size_t)cap * sizeof *g);
        if (!g) return -1;
        net->pops = g;
        net->cap_pops = cap;
    }
    bb_pop *pop = &net->pops[net->n_pops];
    *pop = (bb_pop){.first = net->n_total, .n = n, .p = *p, .width_um = width_um, .height_um = height_um};
    strncpy(pop->name, name, sizeof pop->name - 1);
    pop->xy = malloc(2 * (size_t)n * sizeof *pop->xy);
    if (!pop->xy) return -1;
    for (uint32_t i = 0; i < n; i++) { /* keyed by global id: same positions on every rank */
        uint64_t idx = 0, stream = bb_stream(BB_RNG_POSITION, 0, pop->first + i);
        pop->xy[2 * i] = width_um * bb_rng_uniform(net->seed, stream, idx++);
        pop->xy[2 * i + 1] = height_um * bb_rng_uniform(net->seed, stream, idx++);
    }
    net->n_total += n;
    return net->n_pops++;
}

int bb_network_set_positions(bb_network *net, int pop, const double *xy)
{
    if (pop < 0 || pop >= net->n_pops) return -1;
    memcpy(net->pops[pop].xy, xy, 2 * (size_t)net->pops[pop].n * sizeof *xy);
    return 0;
}

int bb_network_add_poisson_drive(bb_network *net, int pop, double rate_hz, double weight)
{
    if (pop < 0 || pop >= net->n_pops || rate_hz < 0) return -1;
    net->pops[pop].drive_rate_hz = rate_hz;
    net->pops[pop].drive_weight = weight;
    return 0;
}

int bb_network_add_step_current(bb_network *net, int pop, const bb_region *region, uint32_t n,
                                const double *times_ms, const double *values_pA, char *err, size_t cap)
{
    if (pop < 0 || pop >= net->n_pops || n == 0) {
        snprintf(err, cap, "step current: %s", n ? "population index out of range" : "no amplitudes");
        return -1;
    }
    for (uint32_t k = 0; k < n; k++) {
        if (!isfinite(times_ms[k]) || times_ms[k] < 0 || !isfinite(values_pA[k])) {
            snprintf(err, cap, "step current on %s: entry %u is not a finite time >= 0 and amplitude",
                     net->pops[pop].name, k);
            return -1;
        }
        if (k && nearbyint(times_ms[k] / net->dt_ms) <= nearbyint(times_ms[k - 1] / net->dt_ms)) {
            snprintf(err, cap, "step current on %s: time %g ms does not come a step after %g ms",
                     net->pops[pop].name, times_ms[k], times_ms[k - 1]);
            return -1;
        }
    }
    bb_stim *g = realloc(net->stims, (size_t)(net->n_stims + 1) * sizeof *g);
    if (!g) goto oom;
    net->stims = g;
    bb_stim *st = &net->stims[net->n_stims];
    *st = (bb_stim){.pop = pop, .has_region = region != NULL, .n = n};
    if (region) st->region = *region;
    st->step = malloc(n * sizeof *st->step);
    st->value = malloc(n * sizeof *st->value);
    if (!st->step || !st->value) {
        free(st->step), free(st->value);
        goto oom;
    }
    for (uint32_t k = 0; k < n; k++) {
        st->step[k] = (uint64_t)nearbyint(times_ms[k] / net->dt_ms);
        st->value[k] = values_pA[k];
    }
    return net->n_stims++;
oom:
    snprintf(err, cap, "out of memory");
    return -1;
}

int bb_network_add_afferent(bb_network *net, int pop, uint32_t n_channels, bb_afferent_mode mode, double weight)
{
    if (pop < 0 || pop >= net->n_pops || n_channels == 0 || n_channels > net->pops[pop].n || !isfinite(weight) ||
        (mode != BB_AFFERENT_RATE && mode != BB_AFFERENT_CURRENT) || net->n_ports >= 0xFFFF)
        return -1;
    bb_afferent *g = realloc(net->ports, (size_t)(net->n_ports + 1) * sizeof *g);
    if (!g) return -1;
    net->ports = g;
    net->ports[net->n_ports] = (bb_afferent){pop, n_channels, mode, weight};
    return net->n_ports++;
}

int bb_network_n_afferents(const bb_network *net) { return net->n_ports; }
uint32_t bb_network_afferent_channels(const bb_network *net, int port)
{
    return port >= 0 && port < net->n_ports ? net->ports[port].n_channels : 0;
}

int bb_network_population_of(const bb_network *net, uint32_t gid)
{
    int lo = 0, hi = net->n_pops; /* populations hold ascending id ranges */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (gid < net->pops[mid].first) hi = mid;
        else if (gid >= net->pops[mid].first + net->pops[mid].n) lo = mid + 1;
        else return mid;
    }
    return -1;
}

int bb_network_connect(bb_network *net, const bb_projection *proj, char *err, size_t cap)
{
    if (proj->pre < 0 || proj->pre >= net->n_pops || proj->post < 0 || proj->post >= net->n_pops) {
        snprintf(err, cap, "projection %d: population index out of range", net->n_projs);
        return -1;
    }
    if (net->n_projs >= 0xFFFF) {
        snprintf(err, cap, "too many projections (at most 65535)");
        return -1;
    }
    if (net->n_projs == net->cap_projs) {
        int c = net->cap_projs * 2 + 8;
        bb_projection *g = realloc(net->projs, (size_t)c * sizeof *g);
        if (!g) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        net->projs = g;
        net->cap_projs = c;
    }
    net->projs[net->n_projs++] = *proj;
    return 0;
}

uint32_t bb_network_size(const bb_network *net) { return net->n_total; }
double bb_network_dt_ms(const bb_network *net) { return net->dt_ms; }
int bb_network_n_populations(const bb_network *net) { return net->n_pops; }
const char *bb_network_population_name(const bb_network *net, int pop) { return net->pops[pop].name; }
uint32_t bb_network_population_first(const bb_network *net, int pop) { return net->pops[pop].first; }
uint32_t bb_network_population_size(const bb_network *net, int pop) { return net->pops[pop].n; }
const double *bb_network_positions(const bb_network *net, int pop) { return net->pops[pop].xy; }
