/* brain/: the spiking-network engine. This header is the whole public API.
 * It never includes anything from body/; the coupler is the only place that
 * sees both.
 *
 * Determinism rule: every random number is drawn from a counter-based stream
 * keyed by (seed, cell id) and indexed by the time step, so results do not
 * depend on how cells are partitioned over ranks. */
#ifndef BRAINBODY_BRAIN_H
#define BRAINBODY_BRAIN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "brainbody/proto.h"
#include "brainbody/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- rng.c: Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3") */
void bb_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);
/* Uniform double in [0, 1) with 53 random bits; one Philox block per call. */
double bb_rng_uniform(uint64_t seed, uint64_t stream, uint64_t index);
/* The raw block of four 32-bit words behind the same (seed, stream, index). */
void bb_rng_block(uint64_t seed, uint64_t stream, uint64_t index, uint32_t out[4]);

/* ---- partition.c: contiguous blocks of cells over ranks */
typedef struct bb_block {
    uint32_t first; /* first global cell id owned */
    uint32_t count; /* cells owned */
} bb_block;
/* Block of rank `rank` of `nranks` over n cells; the first n % nranks ranks get one more. */
bb_block bb_partition_block(uint32_t n, int nranks, int rank);

/* ---- poisson.c: a population of Poisson spike generators used as output cells */
typedef struct bb_poisson_pop {
    uint64_t seed;
    uint32_t first_id; /* global id of the population's cell 0 */
    bb_block local;    /* cells of this rank, as global ids relative to first_id */
    double rate_hz;
    double dt_ms;
} bb_poisson_pop;

/* Appends the spikes of local cells in steps [start, start + steps) to out
 * (capacity cap), ordered by step then by cell id; offsets are relative to start.
 * Returns the number written, or -1 if cap was too small. */
long bb_poisson_spikes(const bb_poisson_pop *pop, uint64_t start, uint32_t steps,
                       bb_spike *out, size_t cap);


/* ==== The spiking-network engine ====
 * A bb_network is the description (populations, projections): built once,
 * constant while it runs. A bb_sim is the state of this rank's neurons and
 * their incoming synapses. Units follow NEST: ms, mV, pA, pF, nS. */

/* ---- neuron models (one file each: neuron_iaf_psc_exp.c, ...) */
typedef enum bb_neuron_model {
    BB_IAF_PSC_EXP = 0, /* LIF, exponential current synapses, exact integration (Rotter & Diesmann 1999) */
    BB_IZHIKEVICH = 1,  /* Izhikevich 2003, with exponential current synapses */
    BB_IAF_COND_EXP = 2 /* LIF, exponential conductance synapses */
} bb_neuron_model;

typedef struct bb_neuron_params {
    bb_neuron_model model;
    double C_m;        /* pF (iaf_*) */
    double tau_m;      /* ms (iaf_psc_exp); iaf_cond_exp uses g_L */
    double g_L;        /* nS (iaf_cond_exp) */
    double E_L;        /* mV resting potential (iaf_*) */
    double V_th;       /* mV threshold (iaf_*); Izhikevich spikes at v >= 30 mV */
    double V_reset;    /* mV (iaf_*) */
    double t_ref;      /* ms refractory period (iaf_*) */
    double I_e;        /* pA constant input (all models) */
    double tau_syn_ex; /* ms decay of the excitatory current or conductance */
    double tau_syn_in; /* ms decay of the inhibitory current or conductance */
    double E_ex, E_in; /* mV reversal potentials (iaf_cond_exp) */
    double a, b, c, d; /* Izhikevich 2003 parameters */
    double V_init_min, V_init_max; /* initial membrane potential, uniform per neuron */
} bb_neuron_params;

/* NEST defaults for iaf_psc_exp and iaf_cond_exp; Izhikevich 2003 presets. */
bb_neuron_params bb_iaf_psc_exp_defaults(void);
bb_neuron_params bb_iaf_cond_exp_defaults(void);
typedef enum bb_izhikevich_preset { BB_IZH_RS, BB_IZH_FS, BB_IZH_LTS, BB_IZH_IB, BB_IZH_CH } bb_izhikevich_preset;
bb_neuron_params bb_izhikevich_preset_params(bb_izhikevich_preset preset);

/* ---- random distributions for weights and delays (dist.c) */
typedef enum bb_dist_kind {
    BB_DIST_FIXED,         /* a */
    BB_DIST_UNIFORM,       /* [a, b) */
    BB_DIST_NORMAL_CLIPPED,/* mean a, sd b, clipped to [lo, hi] */
    BB_DIST_NORMAL_REDRAW, /* mean a, sd b, redrawn until within [lo, hi] (e.g. to keep the sign) */
    BB_DIST_LOGNORMAL      /* exp(N(a, b)): a, b are the mean and sd of the underlying normal */
} bb_dist_kind;

typedef struct bb_dist {
    bb_dist_kind kind;
    double a, b, lo, hi;
} bb_dist;

/* One draw from stream (seed, stream) starting at counter *index (advanced). */
double bb_dist_draw(const bb_dist *d, uint64_t seed, uint64_t stream, uint64_t *index);
/* A standard normal deviate (Box-Muller on two uniforms), same stream rules. */
double bb_rng_normal(uint64_t seed, uint64_t stream, uint64_t *index);

/* ---- the network description (network.c) */
typedef struct bb_network bb_network;

typedef enum bb_conn_rule {
    BB_CONN_BERNOULLI,      /* each pair with probability p */
    BB_CONN_FIXED_INDEGREE, /* each target draws `indegree` sources */
    BB_CONN_FIXED_TOTAL,    /* `total` pairs drawn uniformly (multapses allowed) */
    BB_CONN_GAUSSIAN_2D     /* each pair with p0 * exp(-d^2 / (2 sigma^2)), d on the sheet */
} bb_conn_rule;

typedef struct bb_projection {
    int pre, post; /* population indices */
    bb_conn_rule rule;
    double p;          /* BERNOULLI */
    uint32_t indegree; /* FIXED_INDEGREE */
    uint64_t total;    /* FIXED_TOTAL */
    double p0, sigma_um; /* GAUSSIAN_2D */
    int periodic;      /* GAUSSIAN_2D: distances wrap around the sheet */
    int autapses;      /* allow a neuron to connect to itself */
    int multapses;     /* FIXED_INDEGREE: allow a source twice for one target */
    bb_dist weight;    /* pA (current) or nS (conductance); the sign picks the receptor */
    bb_dist delay_ms;  /* rounded to whole steps, at least one step */
} bb_projection;

bb_network *bb_network_create(uint64_t seed, double dt_ms);
void bb_network_free(bb_network *net);
/* Adds n neurons placed uniformly on a width x height um sheet; returns the
 * population index, or -1. */
int bb_network_add_population(bb_network *net, const char *name, uint32_t n, const bb_neuron_params *p,
                              double width_um, double height_um);
/* Replaces a population's positions (2 x n doubles, um). */
int bb_network_set_positions(bb_network *net, int pop, const double *xy);
/* Per-neuron Poisson drive: each neuron of pop gets its own train at rate_hz,
 * each event adding weight to the excitatory (w > 0) or inhibitory port. */
int bb_network_add_poisson_drive(bb_network *net, int pop, double rate_hz, double weight);

/* A rectangle of the sheet (um), for inputs that reach only some cells. */
typedef struct bb_region {
    double x0, y0, x1, y1; /* cells with x0 <= x < x1 and y0 <= y < y1 */
} bb_region;
/* Step current (as NEST's step_current_generator): from times_ms[k] on, the
 * cells of pop (inside region, or all if region is NULL) get values_pA[k];
 * nothing before times_ms[0]. Times must increase. A DC is one step at 0.
 * Returns the stimulus index, or -1 with a message in err. */
int bb_network_add_step_current(bb_network *net, int pop, const bb_region *region, uint32_t n,
                                const double *times_ms, const double *values_pA, char *err, size_t cap);

/* Afferent port: the coupler's way in. Cell i of the n cells of pop listens
 * to channel floor(i * n_channels / n). BB_AFFERENT_RATE: the channel value
 * is a rate (Hz); each cell gets its own Poisson train, each event adding
 * `weight` to the excitatory (> 0) or inhibitory port. BB_AFFERENT_CURRENT:
 * each cell gets value x weight pA. Returns the port index, or -1. */
typedef enum bb_afferent_mode { BB_AFFERENT_RATE, BB_AFFERENT_CURRENT } bb_afferent_mode;
int bb_network_add_afferent(bb_network *net, int pop, uint32_t n_channels, bb_afferent_mode mode, double weight);
int bb_network_n_afferents(const bb_network *net);
uint32_t bb_network_afferent_channels(const bb_network *net, int port);
/* Population of a global cell id, or -1. */
int bb_network_population_of(const bb_network *net, uint32_t gid);
int bb_network_connect(bb_network *net, const bb_projection *proj, char *err, size_t cap);
uint32_t bb_network_size(const bb_network *net);
double bb_network_dt_ms(const bb_network *net);
int bb_network_n_populations(const bb_network *net);
const char *bb_network_population_name(const bb_network *net, int pop);
uint32_t bb_network_population_first(const bb_network *net, int pop);
uint32_t bb_network_population_size(const bb_network *net, int pop);
const double *bb_network_positions(const bb_network *net, int pop);

/* ---- simulation state of this rank (sim.c) */
typedef struct bb_sim bb_sim;

/* Builds this rank's neurons (a contiguous block) and their incoming
 * synapses in parallel on every rank of comm. */
bb_sim *bb_sim_create(const bb_network *net, MPI_Comm comm, char *err, size_t cap);
void bb_sim_free(bb_sim *sim);
/* Advances `steps` steps (a multiple of bb_sim_min_delay_steps). Every spike
 * of every rank in the block (global id, absolute step), in (step, id) order,
 * is passed to on_spikes once per exchange; it may be NULL. */
typedef void (*bb_spike_sink)(void *ctx, const bb_spike *spikes, uint32_t n, uint64_t block_start_step);
int bb_sim_run(bb_sim *sim, uint64_t steps, bb_spike_sink on_spikes, void *ctx, char *err, size_t cap);
uint32_t bb_sim_min_delay_steps(const bb_sim *sim);
uint64_t bb_sim_step(const bb_sim *sim);
uint64_t bb_sim_local_synapses(const bb_sim *sim);
/* Synaptic events (spike x synapse) delivered to this rank's neurons so far. */
uint64_t bb_sim_local_events(const bb_sim *sim);
size_t bb_sim_synapse_bytes(const bb_sim *sim); /* bytes of synapse storage on this rank */
bb_block bb_sim_local_block(const bb_sim *sim);
/* Adds a current (pA) to every local neuron of a population from now on. */
int bb_sim_set_dc(bb_sim *sim, int pop, double pA);
/* Adds pA to the extra current of the population's cells inside the region
 * (a stimulus switched on while the run goes on; subtract it to end it). */
int bb_sim_add_dc_region(bb_sim *sim, int pop, const bb_region *r, double pA);
/* Scales step current `stim` (bb_network_add_step_current's index) by gain
 * from the next step on; 1 at first. For inputs gated while the run goes,
 * such as a task's cue. Every rank must pass the same values. */
int bb_sim_set_stimulus_gain(bb_sim *sim, int stim, double gain);
/* Sets the channel values of afferent port `port` (n = its channel count);
 * they act from the next step on. Every rank must pass the same values. */
int bb_sim_set_afferent(bb_sim *sim, int port, const double *values, uint32_t n);
/* Spikes of a population since the start (every rank sees every spike). */
uint64_t bb_sim_population_spikes(const bb_sim *sim, int pop);
/* Saves or restores this rank's changing state (membranes, synaptic ring
 * buffers, step, inputs, counters; brainbody/state.h). The synapses are not
 * saved: they are rebuilt from the seed. A state restores only into a
 * simulation of the same network on the same rank of as many ranks. */
int bb_sim_state(bb_sim *sim, bb_state_io *io);
/* Membrane potential of a local neuron by global id (for tests and recording). */
double bb_sim_voltage(const bb_sim *sim, uint32_t gid);

#ifdef __cplusplus
}
#endif
#endif
