/* The simulation state of one rank and its update loop. Time advances in
 * blocks of min_delay steps; after each block every rank has every spike of
 * the block (MPI_Allgatherv), in (step, id) order, and delivers them to the
 * ring buffers of its own neurons. A spike fired in update step t with a
 * delay of d steps is added to its target's current in step t + d (NEST's
 * convention: it acts on the membrane from time (t + 1 + d) dt, i.e. its
 * stamp (t + 1) dt plus the delay). Every addition into a ring slot happens
 * in the same order on any partition, so sums are bit-identical. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct bb_sim {
    const bb_network *net;
    MPI_Comm comm;
    int rank, size;
    bb_block local;
    uint32_t n; /* local neurons */
    bb_kernel *kern;
    uint32_t *pop_lo, *pop_hi; /* local index range of each population */
    double *V, *A, *B, *U, *dc;
    int32_t *refr;
    bb_synapses syn;
    uint32_t L, min_delay;
    double *ring_ex, *ring_in; /* L slots x n neurons */
    uint64_t step;
    uint32_t *spiked;
    bb_spike *mine, *all, *merged;
    size_t n_mine, cap_mine, cap_all;
    int *counts, *displs;
    uint32_t *bucket;
};

#define ALLOC(p, n) ((p) = calloc((n) ? (size_t)(n) : 1u, sizeof *(p)))

static bb_neuron_state state_at(const bb_sim *s, uint32_t lo)
{
    return (bb_neuron_state){s->V + lo, s->A + lo, s->B + lo, s->U + lo, s->refr + lo};
}

bb_sim *bb_sim_create(const bb_network *net, MPI_Comm comm, char *err, size_t cap)
{
    bb_sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    s->net = net;
    s->comm = comm;
    MPI_Comm_rank(comm, &s->rank);
    MPI_Comm_size(comm, &s->size);
    s->local = bb_partition_block(net->n_total, s->size, s->rank);
    s->n = s->local.count;
    int ok = bb_build_synapses(net, s->local, &s->syn, err, cap) == 0, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm);
    if (!all_ok) {
        if (ok) snprintf(err, cap, "another rank failed to build its synapses");
        bb_sim_free(s);
        return NULL;
    }
    uint32_t dmin = s->syn.min_delay, dmax = s->syn.max_delay;
    MPI_Allreduce(&s->syn.min_delay, &dmin, 1, MPI_UINT32_T, MPI_MIN, comm);
    MPI_Allreduce(&s->syn.max_delay, &dmax, 1, MPI_UINT32_T, MPI_MAX, comm);
    if (dmin == UINT32_MAX) dmin = dmax = 1; /* no synapses anywhere */
    s->min_delay = dmin;
    s->L = dmax + dmin;
    int np = net->n_pops;
    if (!ALLOC(s->kern, np) || !ALLOC(s->pop_lo, np) || !ALLOC(s->pop_hi, np) || !ALLOC(s->V, s->n) ||
        !ALLOC(s->A, s->n) || !ALLOC(s->B, s->n) || !ALLOC(s->U, s->n) || !ALLOC(s->dc, s->n) ||
        !ALLOC(s->refr, s->n) || !ALLOC(s->spiked, s->n) || !ALLOC(s->counts, s->size) ||
        !ALLOC(s->displs, s->size) || !ALLOC(s->bucket, dmin + 1) ||
        !(s->ring_ex = calloc((size_t)s->L * s->n + 1, sizeof *s->ring_ex)) ||
        !(s->ring_in = calloc((size_t)s->L * s->n + 1, sizeof *s->ring_in))) {
        snprintf(err, cap, "out of memory for %u neurons", s->n);
        bb_sim_free(s);
        return NULL;
    }
    uint32_t end = s->local.first + s->local.count;
    for (int p = 0; p < np; p++) {
        const bb_pop *pop = &net->pops[p];
        uint32_t lo = pop->first > s->local.first ? pop->first : s->local.first;
        uint32_t hi = pop->first + pop->n < end ? pop->first + pop->n : end;
        s->pop_lo[p] = lo < hi ? lo - s->local.first : 0;
        s->pop_hi[p] = lo < hi ? hi - s->local.first : 0;
        if (bb_kernel_make(&s->kern[p], &pop->p, net->dt_ms)) {
            snprintf(err, cap, "population %s: unknown neuron model %d", pop->name, (int)pop->p.model);
            bb_sim_free(s);
            return NULL;
        }
        for (uint32_t i = s->pop_lo[p]; i < s->pop_hi[p]; i++) {
            double u = bb_rng_uniform(net->seed, bb_stream(BB_RNG_INIT, 0, s->local.first + i), 0);
            s->kern[p].init(&s->kern[p], u, state_at(s, 0), i);
        }
    }
    return s;
}

void bb_sim_free(bb_sim *s)
{
    if (!s) return;
    bb_synapses_free(&s->syn);
    free(s->kern), free(s->pop_lo), free(s->pop_hi);
    free(s->V), free(s->A), free(s->B), free(s->U), free(s->dc), free(s->refr);
    free(s->ring_ex), free(s->ring_in), free(s->spiked);
    free(s->mine), free(s->all), free(s->merged);
    free(s->counts), free(s->displs), free(s->bucket);
    free(s);
}

/* Number of events of a Poisson process with mean lambda, by inversion of
 * the CDF with one uniform deviate (lambda is small: rate x one step). */
static uint32_t poisson(double lambda, double u)
{
    double p = exp(-lambda), F = p;
    uint32_t k = 0;
    while (u > F && k < 1000) {
        k++;
        p *= lambda / k;
        F += p;
    }
    return k;
}

static int push_local(bb_sim *s, uint32_t gid, uint32_t offset)
{
    if (s->n_mine == s->cap_mine) {
        size_t c = s->cap_mine * 2 + 1024;
        bb_spike *g = realloc(s->mine, c * sizeof *g);
        if (!g) return -1;
        s->mine = g;
        s->cap_mine = c;
    }
    s->mine[s->n_mine++] = (bb_spike){gid, offset};
    return 0;
}

/* One update step of every local neuron; spikes are recorded with their
 * offset in the current block. */
static int step_once(bb_sim *s, uint32_t offset)
{
    const bb_network *net = s->net;
    size_t slot = (size_t)(s->step % s->L) * s->n;
    double *ex = s->ring_ex + slot, *in = s->ring_in + slot;
    for (int p = 0; p < net->n_pops; p++) {
        const bb_pop *pop = &net->pops[p];
        if (pop->drive_rate_hz <= 0) continue;
        double lambda = pop->drive_rate_hz * net->dt_ms * 1e-3, w = pop->drive_weight;
        double *port = w >= 0 ? ex : in;
        for (uint32_t i = s->pop_lo[p]; i < s->pop_hi[p]; i++) {
            double u = bb_rng_uniform(net->seed, bb_stream(BB_RNG_DRIVE, 0, s->local.first + i), s->step);
            uint32_t k = poisson(lambda, u);
            if (k) port[i] += k * w;
        }
    }
    for (int p = 0; p < net->n_pops; p++) {
        uint32_t lo = s->pop_lo[p], n = s->pop_hi[p] - lo;
        if (!n) continue;
        uint32_t m = s->kern[p].update(&s->kern[p], n, state_at(s, lo), ex + lo, in + lo, s->dc + lo, s->spiked);
        for (uint32_t k = 0; k < m; k++)
            if (push_local(s, s->local.first + lo + s->spiked[k], offset)) return -1;
    }
    memset(ex, 0, s->n * sizeof *ex);
    memset(in, 0, s->n * sizeof *in);
    s->step++;
    return 0;
}

/* Gathers every rank's spikes of the block and puts them in (offset, id)
 * order: each rank's list is ordered and ranks own ascending id blocks, so
 * bb_spikes_order's counting sort by offset is the whole work. */
static long gather(bb_sim *s)
{
    int mine = (int)s->n_mine;
    MPI_Allgather(&mine, 1, MPI_INT, s->counts, 1, MPI_INT, s->comm);
    size_t total = 0;
    for (int r = 0; r < s->size; r++) {
        s->displs[r] = (int)(2 * total);
        total += (size_t)s->counts[r];
        s->counts[r] *= 2; /* two uint32 per spike */
    }
    if (total > s->cap_all) {
        size_t c = total * 2 + 1024;
        bb_spike *a = realloc(s->all, c * sizeof *a), *m = a ? realloc(s->merged, c * sizeof *m) : NULL;
        if (a) s->all = a;
        if (!a || !m) return -1;
        s->merged = m;
        s->cap_all = c;
    }
    MPI_Allgatherv(s->mine, 2 * mine, MPI_UINT32_T, s->all, s->counts, s->displs, MPI_UINT32_T, s->comm);
    bb_spikes_order(s->all, total, s->min_delay, s->bucket, s->merged);
    s->n_mine = 0;
    return (long)total;
}

static void deliver(bb_sim *s, const bb_spike *sp, size_t n, uint64_t block_start)
{
    const bb_synapses *y = &s->syn;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = block_start + sp[i].offset;
        for (uint32_t k = y->offset[sp[i].source]; k < y->offset[sp[i].source + 1]; k++) {
            uint32_t word = y->word[k];
            size_t at = (size_t)((t + (word >> BB_SYN_TARGET_BITS)) % s->L) * s->n + (word & BB_SYN_MAX_LOCAL);
            float w = y->weight[k];
            if (w >= 0) s->ring_ex[at] += w;
            else s->ring_in[at] += w;
        }
    }
}

int bb_sim_run(bb_sim *s, uint64_t steps, bb_spike_sink on_spikes, void *ctx, char *err, size_t cap)
{
    if (steps % s->min_delay) {
        snprintf(err, cap, "%llu steps is not a whole number of exchange blocks (min delay %u steps)",
                 (unsigned long long)steps, s->min_delay);
        return -1;
    }
    for (uint64_t done = 0; done < steps; done += s->min_delay) {
        uint64_t block_start = s->step;
        for (uint32_t o = 0; o < s->min_delay; o++)
            if (step_once(s, o)) {
                snprintf(err, cap, "out of memory for spikes");
                return -1;
            }
        long total = gather(s);
        if (total < 0) {
            snprintf(err, cap, "out of memory for spikes");
            return -1;
        }
        deliver(s, s->merged, (size_t)total, block_start);
        if (on_spikes) on_spikes(ctx, s->merged, (uint32_t)total, block_start);
    }
    return 0;
}

uint32_t bb_sim_min_delay_steps(const bb_sim *s) { return s->min_delay; }
uint64_t bb_sim_step(const bb_sim *s) { return s->step; }
uint64_t bb_sim_local_synapses(const bb_sim *s) { return s->syn.n; }
bb_block bb_sim_local_block(const bb_sim *s) { return s->local; }

size_t bb_sim_synapse_bytes(const bb_sim *s)
{
    return s->syn.n * (sizeof *s->syn.word + sizeof *s->syn.weight) +
           ((size_t)s->net->n_total + 1) * sizeof *s->syn.offset;
}

int bb_sim_set_dc(bb_sim *s, int pop, double pA)
{
    if (pop < 0 || pop >= s->net->n_pops) return -1;
    for (uint32_t i = s->pop_lo[pop]; i < s->pop_hi[pop]; i++) s->dc[i] = pA;
    return 0;
}

double bb_sim_voltage(const bb_sim *s, uint32_t gid)
{
    if (gid < s->local.first || gid >= s->local.first + s->local.count) return NAN;
    uint32_t i = gid - s->local.first;
    for (int p = 0; p < s->net->n_pops; p++)
        if (i >= s->pop_lo[p] && i < s->pop_hi[p])
            return s->V[i] + (s->net->pops[p].p.model == BB_IAF_PSC_EXP ? s->net->pops[p].p.E_L : 0);
    return NAN;
}
