/* The network description: populations (contiguous global ids, in the order
 * added) and projections. Nothing here depends on the number of ranks. */
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
int bb_network_n_populations(const bb_network *net) { return net->n_pops; }
const char *bb_network_population_name(const bb_network *net, int pop) { return net->pops[pop].name; }
uint32_t bb_network_population_first(const bb_network *net, int pop) { return net->pops[pop].first; }
uint32_t bb_network_population_size(const bb_network *net, int pop) { return net->pops[pop].n; }
const double *bb_network_positions(const bb_network *net, int pop) { return net->pops[pop].xy; }
