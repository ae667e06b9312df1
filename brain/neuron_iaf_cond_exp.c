/* Leaky integrate-and-fire neuron with exponentially decaying synaptic
 * conductances (the model of NEST's iaf_cond_exp). The conductances decay
 * exactly; the membrane is advanced with the exponential-Euler step that is
 * exact while the conductances are held at their start-of-step values:
 * V <- V_inf + (V - V_inf) exp(-h g_tot / C_m). (NEST integrates the same
 * equations with adaptive RK45; this scheme is first-order in the
 * conductance change over one step.) Inhibitory weights are negative and
 * add |w| to g_in. */
#include <math.h>

#include "internal.h"

bb_neuron_params bb_iaf_cond_exp_defaults(void)
{
    /* NEST iaf_cond_exp defaults (NEST 3 model documentation; tau and E
     * values as in ../shared/reference/brain.md) */
    return (bb_neuron_params){.model = BB_IAF_COND_EXP, .C_m = 250, .g_L = 16.6667, .E_L = -70, .V_th = -55,
                              .V_reset = -60, .t_ref = 2, .tau_syn_ex = 0.2, .tau_syn_in = 2, .E_ex = 0,
                              .E_in = -85, .V_init_min = -70, .V_init_max = -70};
}

static uint32_t update(const bb_kernel *k, uint32_t n, bb_neuron_state s, const double *in_ex, const double *in_in,
                       const double *dc, uint32_t *spiked)
{
    const bb_neuron_params *p = k->p;
    const double h_over_C = k->h / p->C_m, P_ex = k->prop[0], P_in = k->prop[1];
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s.refr[i] == 0) {
            double g = p->g_L + s.A[i] + s.B[i];
            double v_inf = (p->g_L * p->E_L + s.A[i] * p->E_ex + s.B[i] * p->E_in + p->I_e + dc[i]) / g;
            s.V[i] = v_inf + (s.V[i] - v_inf) * exp(-h_over_C * g);
        } else {
            s.refr[i]--;
        }
        s.A[i] = s.A[i] * P_ex + in_ex[i];
        s.B[i] = s.B[i] * P_in - in_in[i];
        if (s.V[i] >= p->V_th) {
            s.refr[i] = k->ref_steps;
            s.V[i] = p->V_reset;
            spiked[m++] = i;
        }
    }
    return m;
}

static void init(const bb_kernel *k, double u, bb_neuron_state s, uint32_t i)
{
    const bb_neuron_params *p = k->p;
    s.V[i] = p->V_init_min + u * (p->V_init_max - p->V_init_min);
    s.A[i] = s.B[i] = 0;
    s.refr[i] = 0;
}

void bb_kernel_iaf_cond_exp(bb_kernel *k, const bb_neuron_params *p, double h)
{
    bb_kernel_common(k, p, h, update, init);
}

void bb_kernel_common(bb_kernel *k, const bb_neuron_params *p, double h,
                      uint32_t (*update)(const bb_kernel *, uint32_t, bb_neuron_state, const double *, const double *,
                                         const double *, uint32_t *),
                      void (*init)(const bb_kernel *, double, bb_neuron_state, uint32_t))
{
    k->p = p;
    k->h = h;
    k->prop[0] = exp(-h / p->tau_syn_ex);
    k->prop[1] = exp(-h / p->tau_syn_in);
    k->ref_steps = (int32_t)lround(p->t_ref / h);
    k->update = update;
    k->init = init;
}

int bb_kernel_make(bb_kernel *k, const bb_neuron_params *p, double h)
{
    switch (p->model) {
    case BB_IAF_PSC_EXP: bb_kernel_iaf_psc_exp(k, p, h); return 0;
    case BB_IZHIKEVICH: bb_kernel_izhikevich(k, p, h); return 0;
    case BB_IAF_COND_EXP: bb_kernel_iaf_cond_exp(k, p, h); return 0;
    }
    return -1;
}
