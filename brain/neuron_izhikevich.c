/* Izhikevich 2003 (IEEE Trans. Neural Netw. 14:1569): v' = 0.04 v^2 + 5 v +
 * 140 - u + I, u' = a (b v - u); at v >= 30 mV, v = c and u += d. Forward
 * Euler with the engine step (at 0.1 ms well inside the stability range the
 * paper's 0.5 ms half-steps were chosen for), as NEST's izhikevich does.
 * Synaptic input is an exponentially decaying current, added to I. */
#include "internal.h"

#include <math.h>

bb_neuron_params bb_izhikevich_preset_params(bb_izhikevich_preset preset)
{
    /* Izhikevich 2003, Fig. 2 (values also in ../shared/reference/brain.md);
     * synaptic decays: AMPA 2 ms, GABA-A 8 ms, as in the PING networks cited there. */
    static const double abcd[5][4] = {
        [BB_IZH_RS] = {0.02, 0.2, -65, 8}, [BB_IZH_FS] = {0.1, 0.2, -65, 2}, [BB_IZH_LTS] = {0.02, 0.25, -65, 2},
        [BB_IZH_IB] = {0.02, 0.2, -55, 4}, [BB_IZH_CH] = {0.02, 0.2, -50, 2},
    };
    const double *v = abcd[preset];
    return (bb_neuron_params){.model = BB_IZHIKEVICH, .a = v[0], .b = v[1], .c = v[2], .d = v[3],
                              .tau_syn_ex = 2, .tau_syn_in = 8, .V_init_min = -65, .V_init_max = -65};
}

static uint32_t update(const bb_kernel *k, uint32_t n, bb_neuron_state s, const double *in_ex, const double *in_in,
                       const double *dc, uint32_t *spiked)
{
    const bb_neuron_params *p = k->p;
    const double h = k->h, P11ex = k->prop[0], P11in = k->prop[1];
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        double v = s.V[i], u = s.U[i], I = s.A[i] + s.B[i] + p->I_e + dc[i];
        s.V[i] = v + h * (0.04 * v * v + 5.0 * v + 140.0 - u + I);
        s.U[i] = u + h * p->a * (p->b * v - u);
        s.A[i] = s.A[i] * P11ex + in_ex[i];
        s.B[i] = s.B[i] * P11in + in_in[i];
        if (s.V[i] >= 30.0) {
            s.V[i] = p->c;
            s.U[i] += p->d;
            spiked[m++] = i;
        }
    }
    return m;
}

static void init(const bb_kernel *k, double u, bb_neuron_state s, uint32_t i)
{
    const bb_neuron_params *p = k->p;
    s.V[i] = p->V_init_min + u * (p->V_init_max - p->V_init_min);
    s.U[i] = p->b * s.V[i];
    s.A[i] = s.B[i] = 0;
    s.refr[i] = 0;
}

void bb_kernel_izhikevich(bb_kernel *k, const bb_neuron_params *p, double h)
{
    bb_kernel_common(k, p, h, update, init); /* t_ref is 0: no refractoriness */
}
