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
    double *V, *A, *B, *U;
    double *dc;      /* what the kernels see: dc_user + step currents + afferent currents */
    double *dc_user; /* bb_sim_set_dc */
    int dc_stale;    /* an input changed: rebuild dc before the next update */
    uint32_t *stim_at; /* per step current: amplitudes already in force */
    double *stim_gain; /* per step current: bb_sim_set_stimulus_gain, 1 at first */
    double **aff;      /* per afferent port: channel values */
    uint64_t *pop_spikes;
    uint64_t events; /* synaptic events delivered to local neurons */
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
    MPI_Comm_dup(comm, &s->comm); /* its own: callers may free theirs, and no tag clashes */
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
        !ALLOC(s->refr, s->n) || !ALLOC(s->dc_user, s->n) || !ALLOC(s->stim_at, net->n_stims) ||
        !ALLOC(s->stim_gain, net->n_stims) ||
        !ALLOC(s->aff, net->n_ports) || !ALLOC(s->pop_spikes, np) || !ALLOC(s->spiked, s->n) || !ALLOC(s->counts, s->size) ||
        !ALLOC(s->displs, s->size) || !ALLOC(s->bucket, dmin + 1) ||
        !(s->ring_ex = calloc((size_t)s->L * s->n + 1, sizeof *s->ring_ex)) ||
        !(s->ring_in = calloc((size_t)s->L * s->n + 1, sizeof *s->ring_in))) {
        snprintf(err, cap, "out of memory for %u neurons", s->n);
        bb_sim_free(s);
        return NULL;
    }
    for (int k = 0; k < net->n_stims; k++) s->stim_gain[k] = 1;
    for (int a = 0; a < net->n_ports; a++)
        if (!ALLOC(s->aff[a], net->ports[a].n_channels)) {
            snprintf(err, cap, "out of memory for afferent port %d", a);
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
    if (s->comm != MPI_COMM_NULL) MPI_Comm_free(&s->comm);
    bb_synapses_free(&s->syn);
    free(s->kern), free(s->pop_lo), free(s->pop_hi);
    free(s->V), free(s->A), free(s->B), free(s->U), free(s->dc), free(s->refr);
    free(s->dc_user), free(s->stim_at), free(s->stim_gain), free(s->pop_spikes);
    for (int a = 0; s->aff && a < s->net->n_ports; a++) free(s->aff[a]);
    free(s->aff);
    free(s->ring_ex), free(s->ring_in), free(s->spiked);
    free(s->mine), free(s->all), free(s->merged);
    free(s->counts), free(s->displs), free(s->bucket);
    free(s);
}

/* Number of events of a Poisson process with mean lambda, by inversion of
 * the CDF with one uniform deviate (lambda is small: rate x one step). */
uint32_t bb_poisson_count(double lambda, double e_lambda, double u)
{
    double p = e_lambda, F = p;
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

/* Channel of local cell i of an afferent port's population. */
static uint32_t channel_of(const bb_sim *s, const bb_afferent *a, uint32_t i)
{
    const bb_pop *pop = &s->net->pops[a->pop];
    uint64_t k = (uint64_t)(s->local.first + i - pop->first);
    return (uint32_t)(k * a->n_channels / pop->n);
}

/* Advances the step currents to this step; rebuilds the total dc (in one
 * fixed order, so it does not depend on when the inputs changed). */
static void update_inputs(bb_sim *s)
{
    const bb_network *net = s->net;
    for (int k = 0; k < net->n_stims; k++) {
        const bb_stim *st = &net->stims[k];
        while (s->stim_at[k] < st->n && st->step[s->stim_at[k]] <= s->step) {
            s->stim_at[k]++;
            s->dc_stale = 1;
        }
    }
    if (!s->dc_stale) return;
    memcpy(s->dc, s->dc_user, s->n * sizeof *s->dc);
    for (int k = 0; k < net->n_stims; k++) {
        const bb_stim *st = &net->stims[k];
        if (!s->stim_at[k]) continue;
        double v = st->value[s->stim_at[k] - 1] * s->stim_gain[k];
        const bb_pop *pop = &net->pops[st->pop];
        for (uint32_t i = s->pop_lo[st->pop]; i < s->pop_hi[st->pop]; i++)
            if (!st->has_region || bb_in_region(pop, s->local.first + i - pop->first, &st->region)) s->dc[i] += v;
    }
    for (int a = 0; a < net->n_ports; a++) {
        const bb_afferent *port = &net->ports[a];
        if (port->mode != BB_AFFERENT_CURRENT) continue;
        for (uint32_t i = s->pop_lo[port->pop]; i < s->pop_hi[port->pop]; i++)
            s->dc[i] += s->aff[a][channel_of(s, port, i)] * port->weight;
    }
    s->dc_stale = 0;
}

/* Poisson events of the background drive and the rate-coded afferent ports,
 * into this step's ring slot. Each cell's count comes from its own stream. */
static void poisson_inputs(bb_sim *s, double *ex, double *in)
{
    const bb_network *net = s->net;
    for (int a = 0; a < net->n_ports; a++) {
        const bb_afferent *port = &net->ports[a];
        if (port->mode != BB_AFFERENT_RATE) continue;
        double *to = port->weight >= 0 ? ex : in;
        uint32_t channel = UINT32_MAX;
        double lambda = 0, e_lambda = 1;
        for (uint32_t i = s->pop_lo[port->pop]; i < s->pop_hi[port->pop]; i++) {
            if (channel_of(s, port, i) != channel) { /* a channel's cells are contiguous: one exp each */
                channel = channel_of(s, port, i);
                lambda = s->aff[a][channel] * net->dt_ms * 1e-3;
                e_lambda = exp(-lambda);
            }
            if (lambda <= 0) continue;
            double u = bb_rng_uniform(net->seed, bb_stream(BB_RNG_AFFERENT, (unsigned)a, s->local.first + i), s->step);
            uint32_t k = bb_poisson_count(lambda, e_lambda, u);
            if (k) to[i] += k * port->weight;
        }
    }
}

/* The background Poisson drive of a whole block, into the block's ring
 * slots (which later deliveries no longer touch). Cell i's count in step t
 * is word t % 4 of Philox block t / 4 of the cell's stream: one block per
 * four steps, 32 bits a deviate, and the same numbers on any partition. */
static void drive_block(bb_sim *s, uint64_t start, uint32_t steps)
{
    const bb_network *net = s->net;
    for (int p = 0; p < net->n_pops; p++) {
        const bb_pop *pop = &net->pops[p];
        if (pop->drive_rate_hz <= 0) continue;
        const double lambda = pop->drive_rate_hz * net->dt_ms * 1e-3, e_lambda = exp(-lambda), w = pop->drive_weight;
        double *ring = w >= 0 ? s->ring_ex : s->ring_in;
        double cdf[48]; /* the same sums bb_poisson_count forms, once */
        uint32_t nc = 0;
        for (double pk = e_lambda, F = pk; nc < 48; pk *= lambda / ++nc, F += pk) cdf[nc] = F;
        for (uint32_t i = s->pop_lo[p]; i < s->pop_hi[p]; i++) {
            uint64_t stream = bb_stream(BB_RNG_DRIVE, 0, s->local.first + i);
            uint32_t word[4];
            for (uint64_t t = start; t < start + steps; t++) {
                if (t == start || t % 4 == 0) bb_rng_block(net->seed, stream, t / 4, word);
                double u = word[t % 4] * 0x1.0p-32;
                uint32_t k = 0;
                while (k < nc && u > cdf[k]) k++;
                if (k == nc) k = bb_poisson_count(lambda, e_lambda, u);
                if (k) ring[(size_t)(t % s->L) * s->n + i] += k * w;
            }
        }
    }
}

/* One update step of every local neuron; spikes are recorded with their
 * offset in the current block. */
static int step_once(bb_sim *s, uint32_t offset)
{
    const bb_network *net = s->net;
    size_t slot = (size_t)(s->step % s->L) * s->n;
    double *ex = s->ring_ex + slot, *in = s->ring_in + slot;
    update_inputs(s);
    poisson_inputs(s, ex, in);
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
    const size_t nn = s->n;
    for (size_t i = 0; i < n; i++) {
        /* ring slot of the spike's own step; a synapse's delay d moves it d
         * slots on, wrapping once at most (d < L) */
        const uint32_t base = (uint32_t)((block_start + sp[i].offset) % s->L), L = s->L;
        const uint32_t end = y->offset[sp[i].source + 1];
        s->events += end - y->offset[sp[i].source];
        for (uint32_t k = y->offset[sp[i].source]; k < end; k++) {
            uint32_t word = y->word[k], slot = base + (word >> BB_SYN_TARGET_BITS);
            if (slot >= L) slot -= L;
            size_t at = (size_t)slot * nn + (word & BB_SYN_MAX_LOCAL);
            float w = y->weight[k];
            if (w >= 0) s->ring_ex[at] += w;
            else s->ring_in[at] += w;
        }
    }
}

/* Every spike comes from a cell of the network, so it has a population;
 * the last one found is tried first. */
static void count_by_population(bb_sim *s, const bb_spike *sp, size_t n)
{
    const bb_pop *pops = s->net->pops;
    int p = 0;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].source - pops[p].first >= pops[p].n) p = bb_network_population_of(s->net, sp[i].source);
        s->pop_spikes[p]++;
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
        drive_block(s, block_start, s->min_delay);
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
        count_by_population(s, s->merged, (size_t)total);
        if (on_spikes) on_spikes(ctx, s->merged, (uint32_t)total, block_start);
    }
    return 0;
}

uint32_t bb_sim_min_delay_steps(const bb_sim *s) { return s->min_delay; }
uint64_t bb_sim_step(const bb_sim *s) { return s->step; }
uint64_t bb_sim_local_synapses(const bb_sim *s) { return s->syn.n; }
uint64_t bb_sim_local_events(const bb_sim *s) { return s->events; }
bb_block bb_sim_local_block(const bb_sim *s) { return s->local; }

size_t bb_sim_synapse_bytes(const bb_sim *s)
{
    return s->syn.n * (sizeof *s->syn.word + sizeof *s->syn.weight) +
           ((size_t)s->net->n_total + 1) * sizeof *s->syn.offset;
}

int bb_sim_set_dc(bb_sim *s, int pop, double pA)
{
    if (pop < 0 || pop >= s->net->n_pops || !isfinite(pA)) return -1;
    for (uint32_t i = s->pop_lo[pop]; i < s->pop_hi[pop]; i++) s->dc_user[i] = pA;
    s->dc_stale = 1;
    return 0;
}

int bb_sim_add_dc_region(bb_sim *s, int pop, const bb_region *r, double pA)
{
    if (pop < 0 || pop >= s->net->n_pops || !isfinite(pA)) return -1;
    const bb_pop *p = &s->net->pops[pop];
    for (uint32_t l = s->pop_lo[pop]; l < s->pop_hi[pop]; l++)
        if (bb_in_region(p, s->local.first + l - p->first, r)) s->dc_user[l] += pA;
    s->dc_stale = 1;
    return 0;
}

int bb_sim_set_stimulus_gain(bb_sim *s, int stim, double gain)
{
    if (stim < 0 || stim >= s->net->n_stims || !isfinite(gain)) return -1;
    if (s->stim_gain[stim] != gain) s->dc_stale = 1;
    s->stim_gain[stim] = gain;
    return 0;
}

int bb_sim_set_afferent(bb_sim *s, int port, const double *values, uint32_t n)
{
    if (port < 0 || port >= s->net->n_ports || n != s->net->ports[port].n_channels) return -1;
    for (uint32_t c = 0; c < n; c++)
        if (!isfinite(values[c]) || (s->net->ports[port].mode == BB_AFFERENT_RATE && values[c] < 0)) return -1;
    memcpy(s->aff[port], values, n * sizeof *values);
    if (s->net->ports[port].mode == BB_AFFERENT_CURRENT) s->dc_stale = 1;
    return 0;
}

uint64_t bb_sim_population_spikes(const bb_sim *s, int pop)
{
    return pop >= 0 && pop < s->net->n_pops ? s->pop_spikes[pop] : 0;
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

int bb_sim_state(bb_sim *s, bb_state_io *io)
{
    size_t n = s->n, ring = (size_t)s->L * s->n, nst = (size_t)s->net->n_stims;
    if (bb_state_same(io, "sim.ranks", (uint64_t)s->size) || bb_state_same(io, "sim.rank", (uint64_t)s->rank) ||
        bb_state_same(io, "sim.neurons", n) || bb_state_same(io, "sim.ring_slots", s->L) ||
        bb_state_field(io, "sim.step", &s->step, sizeof s->step) ||
        bb_state_field(io, "sim.V", s->V, n * sizeof *s->V) || bb_state_field(io, "sim.A", s->A, n * sizeof *s->A) ||
        bb_state_field(io, "sim.B", s->B, n * sizeof *s->B) || bb_state_field(io, "sim.U", s->U, n * sizeof *s->U) ||
        bb_state_field(io, "sim.refr", s->refr, n * sizeof *s->refr) ||
        bb_state_field(io, "sim.ring_ex", s->ring_ex, ring * sizeof *s->ring_ex) ||
        bb_state_field(io, "sim.ring_in", s->ring_in, ring * sizeof *s->ring_in) ||
        bb_state_field(io, "sim.dc", s->dc, n * sizeof *s->dc) ||
        bb_state_field(io, "sim.dc_user", s->dc_user, n * sizeof *s->dc_user) ||
        bb_state_field(io, "sim.dc_stale", &s->dc_stale, sizeof s->dc_stale) ||
        bb_state_field(io, "sim.stim_at", s->stim_at, nst * sizeof *s->stim_at) ||
        bb_state_field(io, "sim.stim_gain", s->stim_gain, nst * sizeof *s->stim_gain) ||
        bb_state_field(io, "sim.pop_spikes", s->pop_spikes, (size_t)s->net->n_pops * sizeof *s->pop_spikes) ||
        bb_state_field(io, "sim.events", &s->events, sizeof s->events))
        return -1;
    for (int a = 0; a < s->net->n_ports; a++)
        if (bb_state_field(io, "sim.afferent", s->aff[a], s->net->ports[a].n_channels * sizeof *s->aff[a])) return -1;
    return 0;
}
