/* The cortex model's parameters, each with its source (cortex_tables.c and
 * docs/brain-model.md). Not installed. */
#ifndef BB_CORTEX_TABLES_H
#define BB_CORTEX_TABLES_H

#include "brainbody/cortex.h"

/* Layer thickness (um) of M1 and S1; L1 holds no modelled cells. */
extern const double bb_layer_thickness_um[BB_N_AREAS][BB_N_LAYERS];
/* Neurons per mm^3 of mouse isocortex. */
extern const double bb_neuron_density_mm3;
/* Fraction of the neurons of every layer that are E, FS and LTS cells. */
extern const double bb_type_fraction[BB_N_TYPES];

/* Potjans & Diesmann 2014, Table 5: connection probability within a 1 mm^2
 * patch, [post][pre] over L2/3e, L2/3i, L4e, L4i, L5e, L5i, L6e, L6i. */
extern const double bb_pd14_p[8][8];
/* Row/column of a layer and cell type in bb_pd14_p (L5A and L5B share L5). */
int bb_pd14_index(bb_layer l, bb_cell_type t);
/* Which interneuron type connects to which (Pfeffer et al. 2013): factor on
 * the PD14 inhibitory probability, [pre type][post type]. */
extern const double bb_inhibitory_factor[BB_N_TYPES][BB_N_TYPES];
/* Lateral spread of intra-areal connections (um). */
extern const double bb_lateral_sigma_um;

/* Synaptic weights at full density on an unbounded sheet (Izhikevich
 * current units), [pre type][post type]; tuned by run/tune/cortex_gamma. */
extern const double bb_weight_full[BB_N_TYPES][BB_N_TYPES];
/* Extra strength of M1's L2/3 -> L5 pathway, the dominant one in motor
 * cortex (Weiler et al. 2008; Hooks et al. 2011); tuned. */
extern const double bb_m1_descending_gain;
/* Synaptic delays (ms): mean and sd of a normal clipped to [min, max], by pre type. */
extern const double bb_delay_mean_ms[BB_N_TYPES], bb_delay_sd_ms[BB_N_TYPES];
extern const double bb_delay_min_ms, bb_delay_max_ms;
/* Background Poisson drive: weight per event, by cell type. */
extern const double bb_background_weight[BB_N_TYPES];

/* Inter-areal, callosal and thalamic projections (Bernoulli, probability at
 * full density, weight at full density). */
typedef struct bb_long_range {
    const char *what;
    int from_area, to_area; /* -1 for the thalamus */
    int contralateral;
    bb_layer from_layer, to_layer;
    bb_cell_type to_type;
    double p, weight;
    double sigma_um; /* > 0: topographic, Gaussian over the shared sheet */
} bb_long_range;
extern const bb_long_range bb_long_range_table[];
extern const int bb_n_long_range;

/* Medio-lateral share of the M1 sheet of each body area (sums to 1). */
extern const double bb_body_area_share[BB_N_BODY_AREAS];
/* Thalamic relay cells per afferent channel, and the weight of one
 * afferent Poisson event onto them. */
extern const uint32_t bb_thalamic_cells_per_channel;
extern const double bb_afferent_event_weight;
/* Delay of long-range projections (ms). */
extern const double bb_long_range_delay_ms;

#endif
