/* The cortex model's numbers. Each block names its source; docs/brain-model.md
 * gives the same numbers with the reasoning. Where a number is ours (a
 * simplification or a tuned value) the comment says so. */
#include "cortex_tables.h"

/* Layer thickness (um). Agranular M1 has a thin L4 (Yamawaki et al. 2014,
 * eLife 3:e05422) and a thick L5B; relative depths follow the laminar
 * boundaries of Weiler et al. 2008 (Nat Neurosci 11:360, Fig. 1) for M1 and
 * a granular S1 with a 200-um L4. Rounded to 50 um: our simplification. */
const double bb_layer_thickness_um[BB_N_AREAS][BB_N_LAYERS] = {
    [BB_M1] = {[BB_L23] = 250, [BB_L4] = 50, [BB_L5A] = 150, [BB_L5B] = 300, [BB_L6] = 350},
    [BB_S1] = {[BB_L23] = 250, [BB_L4] = 200, [BB_L5A] = 100, [BB_L5B] = 200, [BB_L6] = 300},
};

/* About 10^5 neurons per mm^3 in mouse isocortex (Keller, Eroe & Markram
 * 2018, Front. Neuroanat. 12:83, review of reported densities). */
const double bb_neuron_density_mm3 = 1.0e5;

/* GABAergic cells are about 16 % of cortical neurons; PV (fast-spiking) and
 * SST (low-threshold-spiking) about 40 % and 30 % of them, the 5HT3aR 30 %
 * shared out in that ratio (Tremblay, Lee & Rudy 2016, Neuron 91:260). */
const double bb_type_fraction[BB_N_TYPES] = {[BB_EXC] = 0.84, [BB_FS] = 0.091, [BB_LTS] = 0.069};

/* Potjans & Diesmann 2014 (Cereb. Cortex 24:785), Table 5, [post][pre]. */
const double bb_pd14_p[8][8] = {
    {0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0000, 0.0076, 0.0000},
    {0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0000, 0.0042, 0.0000},
    {0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0000},
    {0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0000, 0.1057, 0.0000},
    {0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0000},
    {0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0000},
    {0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
    {0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443},
};

int bb_pd14_index(bb_layer l, bb_cell_type t)
{
    static const int layer4[BB_N_LAYERS] = {[BB_L23] = 0, [BB_L4] = 1, [BB_L5A] = 2, [BB_L5B] = 2, [BB_L6] = 3};
    return 2 * layer4[l] + (t == BB_EXC ? 0 : 1);
}

/* Pfeffer et al. 2013 (Nat Neurosci 16:1068, Fig. 6): PV cells inhibit
 * pyramidal and PV cells and SST cells only weakly; SST cells inhibit
 * pyramidal and PV cells but not one another. */
const double bb_inhibitory_factor[BB_N_TYPES][BB_N_TYPES] = {
    [BB_EXC] = {1, 1, 1},
    [BB_FS] = {[BB_EXC] = 1, [BB_FS] = 1, [BB_LTS] = 0.2},
    [BB_LTS] = {[BB_EXC] = 1, [BB_FS] = 1, [BB_LTS] = 0},
};

/* PD14 derive their patch-averaged probabilities from a Gaussian lateral
 * profile of this width (their section on connectivity). */
const double bb_lateral_sigma_um = 300;

/* Tuned by run/tune/cortex_gamma (docs/brain-model.md, "Tuning"). */
const double bb_weight_full[BB_N_TYPES][BB_N_TYPES] = {
    [BB_EXC] = {[BB_EXC] = 0.06, [BB_FS] = 0.45, [BB_LTS] = 0.06},
    [BB_FS] = {[BB_EXC] = -0.10, [BB_FS] = -0.10, [BB_LTS] = -0.10},
    [BB_LTS] = {[BB_EXC] = -0.05, [BB_FS] = -0.05, [BB_LTS] = 0},
};

/* Weiler et al. 2008 (Nat Neurosci 11:360) and Hooks et al. 2011 (J Neurosci
 * 31:15522): in motor cortex the descending L2/3 -> L5 pathway dominates,
 * more than PD14's sensory-cortex table gives. The factor is tuned. */
const double bb_m1_descending_gain = 2.0;

/* PD14 Table 5: excitatory 1.5 +- 0.75 ms, inhibitory 0.75 +- 0.375 ms.
 * Clipped to [0.5, 5] ms: the 0.5-ms floor is ours, so that ranks exchange
 * spikes every 0.5 ms rather than every step. */
const double bb_delay_mean_ms[BB_N_TYPES] = {1.5, 0.75, 0.75}, bb_delay_sd_ms[BB_N_TYPES] = {0.75, 0.375, 0.375};
const double bb_delay_min_ms = 0.5, bb_delay_max_ms = 5.0;

/* Background weight per Poisson event (Izhikevich units) at the 3 kHz the
 * gamma experiment uses: ours, tuned with the recurrent weights. LTS cells
 * (Izhikevich b = 0.25) are the most excitable, so they get the least. */
const double bb_background_weight[BB_N_TYPES] = {[BB_EXC] = 0.35, [BB_FS] = 0.35, [BB_LTS] = 0.14};

/* Long-range projections (probability and weight at full density):
 * S1 L2/3 -> M1 L2/3 and L5A, M1 -> S1 L6 and L2/3 (via L1): Mao et al.
 * 2011 (Neuron 72:111, Figs. 3-5); callosal M1 L2/3 -> contralateral L2/3
 * and L5: Hooks et al. 2013 (J Neurosci 33:748); thalamus (VPM/PO) -> S1
 * L4 and L5B/L6, thalamus (VL/PO) -> M1 L2/3 and L5A: Hooks et al. 2013
 * and Bruno & Sakmann 2006 (Science 312:1622). The probabilities are ours:
 * the papers map strength by layer, not pair probability. Thalamic input
 * to S1 is topographic (sigma 150 um, ours), so channels keep their place. */
const bb_long_range bb_long_range_table[] = {
    {"S1 L2/3 -> M1 L2/3", BB_S1, BB_M1, 0, BB_L23, BB_L23, BB_EXC, 0.02, 0.12, 0},
    {"S1 L2/3 -> M1 L5A", BB_S1, BB_M1, 0, BB_L23, BB_L5A, BB_EXC, 0.02, 0.12, 0},
    {"M1 L2/3 -> S1 L6", BB_M1, BB_S1, 0, BB_L23, BB_L6, BB_EXC, 0.01, 0.12, 0},
    {"M1 L2/3 -> S1 L2/3", BB_M1, BB_S1, 0, BB_L23, BB_L23, BB_EXC, 0.005, 0.12, 0},
    {"M1 L2/3 -> contralateral M1 L2/3", BB_M1, BB_M1, 1, BB_L23, BB_L23, BB_EXC, 0.005, 0.12, 0},
    {"M1 L2/3 -> contralateral M1 L5B", BB_M1, BB_M1, 1, BB_L23, BB_L5B, BB_EXC, 0.005, 0.12, 0},
    {"thalamus -> S1 L4 exc", -1, BB_S1, 0, BB_L4, BB_L4, BB_EXC, 0.10, 0.6, 150},
    {"thalamus -> S1 L4 fs", -1, BB_S1, 0, BB_L4, BB_L4, BB_FS, 0.10, 0.6, 150},
    {"thalamus -> S1 L5B exc", -1, BB_S1, 0, BB_L5B, BB_L5B, BB_EXC, 0.03, 0.6, 150},
    {"thalamus -> S1 L6 exc", -1, BB_S1, 0, BB_L6, BB_L6, BB_EXC, 0.03, 0.6, 150},
    {"thalamus -> M1 L2/3 exc", -1, BB_M1, 0, BB_L23, BB_L23, BB_EXC, 0.03, 0.6, 0},
    {"thalamus -> M1 L5A exc", -1, BB_M1, 0, BB_L5A, BB_L5A, BB_EXC, 0.03, 0.6, 0},
};
const int bb_n_long_range = (int)(sizeof bb_long_range_table / sizeof bb_long_range_table[0]);

/* Medial to lateral: tail, hindlimb, trunk, forelimb, head/neck. Our coarse
 * reading of the intracortical-microstimulation map of Tennant et al. 2011
 * (Cereb. Cortex 21:865): the forelimb area is the largest. */
const double bb_body_area_share[BB_N_BODY_AREAS] = {0.10, 0.20, 0.15, 0.35, 0.20};

const uint32_t bb_thalamic_cells_per_channel = 4;
const double bb_afferent_event_weight = 6.0; /* ours: a relay cell follows its channel's rate */

/* M1-S1 and callosal conduction plus synaptic delay, about 3 ms: ours. */
const double bb_long_range_delay_ms = 3.0;
