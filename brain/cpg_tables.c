/* The numbers of the spinal locomotor circuit (brain/cpg.h), from Danner et
 * al. 2017 eLife 6:e31050: its Figure 1 (the circuit) and the model file
 * published with it (CPGNetworkSimulator, models/Danner-etal-eLife.txt),
 * transcribed here into our own tables. Neuron parameters: Danner et al.
 * 2016 J Physiol 594:6947, Table 1 (as used in the 2017 model). */
#include "cpg_tables.h"

/* Populations, in the published order: the 8 NaP rhythm-generator centres
 * first (RGF flexor, RGE extensor), then the 48 interneuron populations. */
const char *const bb_cpg_names[BB_CPG_N] = {
    "RGF_NaP_L_hind", "RGF_NaP_R_hind", "RGE_NaP_L_hind", "RGE_NaP_R_hind",
    "RGF_NaP_L_front", "RGF_NaP_R_front", "RGE_NaP_L_front", "RGE_NaP_R_front",
    "InF_L_hind", "InF_R_hind", "InE_L_hind", "InE_R_hind", "V0D_L_hind", "V0D_R_hind", "V3_L_hind", "V3_R_hind",
    "V0V_L_hind", "V0V_R_hind", "InV0V_L_hind", "InV0V_R_hind",
    "InF_L_front", "InF_R_front", "InE_L_front", "InE_R_front", "V0D_L_front", "V0D_R_front", "V3_L_front",
    "V3_R_front", "V0V_L_front", "V0V_R_front", "InV0V_L_front", "InV0V_R_front",
    "InFront_L", "InFront_R", "V0D2_L_hind", "V0D2_R_hind", "V0D2_L_front", "V0D2_R_front",
    "V2aHom_L_hind", "V2aHom_R_hind", "V2aHom_L_front", "V2aHom_R_front",
    "V0V_diag_L_hind", "V0V_diag_R_hind", "V0V_diag_L_front", "V0V_diag_R_front",
    "V0D_diag_L_front", "V0D_diag_R_front",
    "V2aV0V_L_hind", "V2aV0V_R_hind", "V2aV0V_L_front", "V2aV0V_R_front",
    "V2aV0V_diag_L_hind", "V2aV0V_diag_R_hind", "V2aV0V_diag_L_front", "V2aV0V_diag_R_front",
};

/* Connections per side and girdle are written once with "X" for L or R and
 * "Y" for the other side, "G" for hind or front: expanded by cpg.c. Weight
 * = maximal synaptic conductance (nS) per unit of presynaptic activity.
 * Named weights of the model file: RGFtoV0D 7, CINItoRGF 0.3, V3toRGF 0.3,
 * V0DtoRGF 0.7, inV0VtoRGF 0.7, V0DtoRGFdiagfh 0.75, V0VtoRGFdiagfh 0.2,
 * V0VtoRGFdiaghf 0.65, V2aHomfh 0.1, V2aHomhf 1.25, inFH 0.1. */
const bb_cpg_link bb_cpg_links[] = {
    /* within each limb's rhythm generator (both girdles) */
    {"RGF_NaP_X_G", "InF_X_G", 'E', 4},
    {"RGE_NaP_X_G", "InE_X_G", 'E', 4},
    {"InF_X_G", "RGE_NaP_X_G", 'I', 10},
    {"InE_X_G", "RGF_NaP_X_G", 'I', 0.8},
    /* left-right (commissural) within a girdle */
    {"RGF_NaP_X_G", "V0D_X_G", 'E', 7.0},
    {"RGF_NaP_X_G", "V2aV0V_X_G", 'E', 10},
    {"V2aV0V_X_G", "V0V_X_G", 'E', 10},
    {"RGE_NaP_X_G", "V0D2_X_G", 'E', 4},
    {"RGF_NaP_X_G", "V3_X_G", 'E', 3.5},
    {"V0D_X_G", "RGF_NaP_Y_G", 'I', 0.7},
    {"V0D2_X_G", "RGF_NaP_Y_G", 'I', 0.3},
    {"V0V_X_G", "InV0V_Y_G", 'E', 6},
    {"InV0V_X_G", "RGF_NaP_X_G", 'I', 0.7},
    {"V3_X_G", "RGF_NaP_Y_G", 'E', 0.3},
    /* fore-hind (long propriospinal), homolateral */
    {"RGF_NaP_X_front", "InFront_X", 'E', 7},
    {"InFront_X", "RGF_NaP_X_hind", 'I', 0.1},
    {"RGE_NaP_X_G", "V2aHom_X_G", 'E', 5},
    {"V2aHom_X_hind", "RGF_NaP_X_front", 'E', 1.25},
    {"V2aHom_X_front", "RGF_NaP_X_hind", 'E', 0.1},
    /* diagonal */
    {"RGF_NaP_X_G", "V2aV0V_diag_X_G", 'E', 5},
    {"V2aV0V_diag_X_G", "V0V_diag_X_G", 'E', 9},
    {"V0V_diag_X_front", "RGF_NaP_Y_hind", 'E', 0.2},
    {"V0V_diag_X_hind", "RGF_NaP_Y_front", 'E', 0.65},
    {"RGF_NaP_X_front", "V0D_diag_X_front", 'E', 5},
    {"V0D_diag_X_front", "RGF_NaP_Y_hind", 'I', 0.75},
};
const int bb_cpg_n_links = sizeof bb_cpg_links / sizeof bb_cpg_links[0];

/* Drives (nS): excitatory a*alpha + b, inhibitory c*alpha + d. The
 * brainstem drive excites the flexor centres and inhibits V0V (1.5) and V0D
 * (7.5), so that rising drive releases the left-right synchrony that V0V and
 * V0D oppose; extensor centres get a constant 1. */
const bb_cpg_drive bb_cpg_drives[] = {
    {"RGF_NaP_X_G", 1, 0, 0, 0},
    {"RGE_NaP_X_G", 0, 1, 0, 0},
    {"V0V_X_G", 0, 0, 1.5, 0},
    {"V0D_X_G", 0, 0, 7.5, 0},
    {"V0D_diag_X_front", 0, 0, 7.5, 0},
};
const int bb_cpg_n_drives = sizeof bb_cpg_drives / sizeof bb_cpg_drives[0];

/* Neuron parameters (Danner 2016 Table 1; 2017 model file): C 10 pF;
 * gLeak 2.8 nS (4.5 in the NaP centres); ELeak -60 mV (-62.5); gNaP 4.5 nS;
 * ENa 50, ESynE -10, ESynI -75 mV; m_inf: V1/2 -40, k -6; h_inf: V1/2 -45,
 * k 4; tau_h = 80 + (160 - 80) / cosh((V + 35) / 15) ms; output
 * f(V) = (V - Vmin) / (Vmax - Vmin) clipped to [0, 1], Vmin -50, Vmax 0. */
const bb_cpg_neuron bb_cpg_neuron_params = {
    .c = 10, .g_leak = 2.8, .g_leak_nap = 4.5, .e_leak = -60, .e_leak_nap = -62.5, .g_nap = 4.5, .e_na = 50,
    .e_syn_e = -10, .e_syn_i = -75, .m_v12 = -40, .m_k = -6, .h_v12 = -45, .h_k = 4, .h_tau0 = 80, .h_tau_max = 160,
    .h_tau_v12 = -35, .h_tau_k = 15, .v_min = -50, .v_max = 0,
};

/* The model file's initial state: V (mV) of the 56 populations, then h of
 * the 8 NaP centres (a point on the walking limit cycle). */
const double bb_cpg_v0[BB_CPG_N] = {
    -55.920078, -51.641972, -21.491720, -35.639797, -22.043705, -37.454517, -44.907143, -49.721371,
    -59.393818, -60.005093, -37.492096, -45.016365, -67.755806, -67.788857, -59.457329, -59.995716,
    -61.849171, -62.664959, -60.000305, -59.066238, -42.315670, -45.890461, -48.380825, -59.984398,
    -46.334351, -53.852894, -43.986309, -47.171570, -39.449089, -37.912262, -42.357056, -55.163944,
    -34.461632, -39.782787, -37.492538, -45.017799, -48.382637, -59.981125, -34.692379, -42.608669,
    -46.389870, -59.979351, -59.570225, -60.002865, -49.644260, -44.188583, -50.895142, -57.068607,
    -58.833954, -60.003361, -29.252132, -35.507793, -59.282440, -60.001152, -39.317017, -43.578243,
};
const double bb_cpg_h0[BB_CPG_N_NAP] = {0.43757886, 0.65233570, 0.55646032, 0.35669383,
                                        0.62674695, 0.38586906, 0.34378222, 0.62621748};
