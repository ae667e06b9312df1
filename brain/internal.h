/* Engine internals shared by network.c, connect.c, sim.c and the neuron
 * kernels; not installed. */
#ifndef BB_BRAIN_INTERNAL_H
#define BB_BRAIN_INTERNAL_H

#include "brainbody/brain.h"

/* Random stream ids: purpose in the top 8 bits, projection in the next 16,
 * then a 40-bit neuron id or pair index. Every number drawn has its own
 * (seed, stream, index), so nothing depends on the partition over ranks. */
enum { BB_RNG_POSITION = 1, BB_RNG_INIT, BB_RNG_DRIVE, BB_RNG_CONNECT, BB_RNG_WEIGHT, BB_RNG_DELAY, BB_RNG_TOTAL, BB_RNG_AFFERENT };
static inline uint64_t bb_stream(unsigned purpose, unsigned proj, uint64_t id)
{
    return ((uint64_t)purpose << 56) | ((uint64_t)(proj & 0xFFFFu) << 40) | (id & ((UINT64_C(1) << 40) - 1));
}

typedef struct bb_pop {
    char name[32];
    uint32_t first, n;
    bb_neuron_params p;
    double width_um, height_um;
    double *xy; /* 2 x n */
    double drive_rate_hz, drive_weight;
} bb_pop;

typedef struct bb_stim { /* a step current */
    int pop;
    bb_region region;
    int has_region;
    uint32_t n;
    uint64_t *step; /* first step of each amplitude */
    double *value;  /* pA */
} bb_stim;

typedef struct bb_afferent {
    int pop;
    uint32_t n_channels;
    bb_afferent_mode mode;
    double weight;
} bb_afferent;

struct bb_network {
    uint64_t seed;
    double dt_ms;
    bb_pop *pops;
    int n_pops, cap_pops;
    bb_projection *projs;
    int n_projs, cap_projs;
    uint32_t n_total;
    bb_stim *stims;
    int n_stims;
    bb_afferent *ports;
    int n_ports;
};

/* Is cell i of pop inside the region? */
static inline int bb_in_region(const bb_pop *pop, uint32_t i, const bb_region *r)
{
    double x = pop->xy[2 * (size_t)i], y = pop->xy[2 * (size_t)i + 1];
    return x >= r->x0 && x < r->x1 && y >= r->y0 && y < r->y1;
}
/* Poisson count for mean lambda (e_lambda = exp(-lambda)) from one uniform
 * deviate, by inversion of the CDF. */
uint32_t bb_poisson_count(double lambda, double e_lambda, double u);

/* The state a kernel updates: a population's local neurons, structure of arrays. */
typedef struct bb_neuron_state {
    double *V;     /* membrane potential, mV (iaf_psc_exp: relative to E_L) */
    double *A, *B; /* excitatory / inhibitory synaptic current (pA) or conductance (nS) */
    double *U;     /* Izhikevich recovery variable */
    int32_t *refr; /* refractory steps left */
} bb_neuron_state;

/* Per-population constants of the update, computed once for the step size. */
typedef struct bb_kernel {
    const bb_neuron_params *p;
    double h;
    double prop[8];   /* model-specific propagators */
    int32_t ref_steps;
    /* Advances n neurons one step. in_ex/in_in: input arriving this step;
     * dc: extra current per neuron. Writes local indices of neurons that
     * spiked into spiked and returns their number. */
    uint32_t (*update)(const struct bb_kernel *k, uint32_t n, bb_neuron_state s, const double *in_ex,
                       const double *in_in, const double *dc, uint32_t *spiked);
    /* Initial state of one neuron from its uniform deviate u. */
    void (*init)(const struct bb_kernel *k, double u, bb_neuron_state s, uint32_t i);
} bb_kernel;

/* What every kernel sets alike: parameters, step, the decay factors of the
 * two synaptic ports (prop[0], prop[1]), refractory steps and functions. */
void bb_kernel_common(bb_kernel *k, const bb_neuron_params *p, double h,
                      uint32_t (*update)(const bb_kernel *, uint32_t, bb_neuron_state, const double *, const double *,
                                         const double *, uint32_t *),
                      void (*init)(const bb_kernel *, double, bb_neuron_state, uint32_t));
void bb_kernel_iaf_psc_exp(bb_kernel *k, const bb_neuron_params *p, double h);
void bb_kernel_izhikevich(bb_kernel *k, const bb_neuron_params *p, double h);
void bb_kernel_iaf_cond_exp(bb_kernel *k, const bb_neuron_params *p, double h);
int bb_kernel_make(bb_kernel *k, const bb_neuron_params *p, double h);

/* Incoming synapses of this rank's neurons, grouped by global source
 * (compressed sparse rows). 8 bytes a synapse: a word with the local target
 * (low 24 bits) and the delay in steps (high 8 bits), and a float weight. */
#define BB_SYN_TARGET_BITS 24
#define BB_SYN_MAX_LOCAL ((1u << BB_SYN_TARGET_BITS) - 1u)
#define BB_SYN_MAX_DELAY 255u
typedef struct bb_synapses {
    uint32_t *offset; /* n_total + 1 */
    uint32_t *word;
    float *weight;
    uint64_t n;
    uint32_t min_delay, max_delay; /* steps, over the whole network */
} bb_synapses;

int bb_build_synapses(const bb_network *net, bb_block local, bb_synapses *out, char *err, size_t cap);
void bb_synapses_free(bb_synapses *s);
/* Delay steps of a projection's delay draw (rounded, at least 1). */
uint32_t bb_delay_steps(double delay_ms, double dt_ms);

#endif
