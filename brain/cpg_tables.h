/* Tables of the spinal locomotor circuit (cpg_tables.c); not installed. */
#ifndef BB_CPG_TABLES_H
#define BB_CPG_TABLES_H

#define BB_CPG_N 56     /* populations */
#define BB_CPG_N_NAP 8  /* of them, the NaP rhythm-generator centres (the first 8) */

typedef struct bb_cpg_link {
    const char *pre, *post; /* X/Y: this/other side; G: hind or front */
    char kind;              /* 'E' excitatory, 'I' inhibitory */
    double weight;          /* nS */
} bb_cpg_link;

typedef struct bb_cpg_drive {
    const char *target;
    double e_alpha, e_const, i_alpha, i_const; /* nS: excitatory and inhibitory drive = a * alpha + b */
} bb_cpg_drive;

typedef struct bb_cpg_neuron {
    double c, g_leak, g_leak_nap, e_leak, e_leak_nap, g_nap, e_na, e_syn_e, e_syn_i;
    double m_v12, m_k, h_v12, h_k, h_tau0, h_tau_max, h_tau_v12, h_tau_k, v_min, v_max;
} bb_cpg_neuron;

extern const char *const bb_cpg_names[BB_CPG_N];
extern const bb_cpg_link bb_cpg_links[];
extern const int bb_cpg_n_links;
extern const bb_cpg_drive bb_cpg_drives[];
extern const int bb_cpg_n_drives;
extern const bb_cpg_neuron bb_cpg_neuron_params;
extern const double bb_cpg_v0[BB_CPG_N];
extern const double bb_cpg_h0[BB_CPG_N_NAP];

#endif
