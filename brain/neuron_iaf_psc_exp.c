/* Leaky integrate-and-fire neuron with exponentially decaying synaptic
 * currents, integrated exactly on the time grid (Rotter & Diesmann 1999,
 * Biol. Cybern. 81:381; the scheme of NEST's iaf_psc_exp). The membrane
 * potential is held relative to E_L. Update order per step, as in NEST:
 * V from the currents at the start of the step, then decay of the currents,
 * then the input arriving in this step, then the threshold. */
#include <math.h>

#include "internal.h"

bb_neuron_params bb_iaf_psc_exp_defaults(void)
{
    /* ../shared/reference/brain.md: the LIF parameters of the Potjans &
     * Diesmann 2014 microcircuit (Cereb. Cortex 24:785, Table 5); NEST's own
     * iaf_psc_exp defaults differ (E_L -70 mV, tau_syn 2 ms). */
    return (bb_neuron_params){.model = BB_IAF_PSC_EXP, .C_m = 250, .tau_m = 10, .E_L = -65, .V_th = -50,
                              .V_reset = -65, .t_ref = 2, .tau_syn_ex = 0.5, .tau_syn_in = 0.5,
                              .V_init_min = -65, .V_init_max = -65};
}

/* tau_s tau_m / (C (tau_m - tau_s)) (e^{-h/tau_m} - e^{-h/tau_s}); expm1 keeps
 * it accurate when the time constants are close (NEST's propagator_32). */
static double p21(double tau_s, double tau_m, double C, double h)
{
    if (fabs(tau_m - tau_s) < 1e-12 * tau_m) return h / C * exp(-h / tau_m);
    double beta = tau_s * tau_m / (tau_m - tau_s);
    return beta / C * exp(-h / tau_m) * -expm1(-h / beta);
}

static uint32_t update(const bb_kernel *k, uint32_t n, bb_neuron_state s, const double *in_ex, const double *in_in,
                       const double *dc, uint32_t *spiked)
{
    const double P11ex = k->prop[0], P11in = k->prop[1], P22 = k->prop[2], P21ex = k->prop[3], P21in = k->prop[4],
                 P20 = k->prop[5], theta = k->prop[6], reset = k->prop[7];
    const double I_e = k->p->I_e;
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s.refr[i] == 0)
            s.V[i] = s.V[i] * P22 + s.A[i] * P21ex + s.B[i] * P21in + (I_e + dc[i]) * P20;
        else
            s.refr[i]--;
        s.A[i] = s.A[i] * P11ex + in_ex[i];
        s.B[i] = s.B[i] * P11in + in_in[i];
        if (s.V[i] >= theta) {
            s.refr[i] = k->ref_steps;
            s.V[i] = reset;
            spiked[m++] = i;
        }
    }
    return m;
}

static void init(const bb_kernel *k, double u, bb_neuron_state s, uint32_t i)
{
    const bb_neuron_params *p = k->p;
    s.V[i] = p->V_init_min + u * (p->V_init_max - p->V_init_min) - p->E_L;
    s.A[i] = s.B[i] = 0;
    s.refr[i] = 0;
}

void bb_kernel_iaf_psc_exp(bb_kernel *k, const bb_neuron_params *p, double h)
{
    bb_kernel_common(k, p, h, update, init);
    k->prop[2] = exp(-h / p->tau_m);
    k->prop[3] = p21(p->tau_syn_ex, p->tau_m, p->C_m, h);
    k->prop[4] = p21(p->tau_syn_in, p->tau_m, p->C_m, h);
    k->prop[5] = p->tau_m / p->C_m * -expm1(-h / p->tau_m);
    k->prop[6] = p->V_th - p->E_L;
    k->prop[7] = p->V_reset - p->E_L;
}
