/* Muscle state read from MuJoCo, and the proprioceptive afferents computed
 * from it.
 *
 * Fibre length and velocity come from MuJoCo's own muscle normalisation
 * (gainprm: range, force; lengthrange): normalised length
 * = range0 + (L - lengthrange0) / L0 with L0 = (lr1 - lr0) / (range1 - range0),
 * the optimal fibre length when range is set as the mouse generator sets it.
 *
 * Afferent rates (docs/body-model.md): the forms of Prochazka & Gorassini
 * 1998 (J Physiol 507:277) and Prochazka 1999 (Prog Brain Res 123): spindle
 * Ia from a power law of velocity (exponent 0.6) plus length and fusimotor
 * (activation) terms, group II from length, tendon organ Ib from force. The
 * constants are ours, in normalised units (optimal fibre lengths, Fmax), since
 * the published ones are for cat muscles in mm and mm/s. */
#include <math.h>

#include "internal.h"

#define IA_BASE 10.0    /* Hz */
#define IA_VEL 65.0     /* Hz per (L0/s)^0.6 */
#define IA_VEL_EXP 0.6
#define IA_LEN 200.0    /* Hz per L0 of stretch beyond optimal */
#define IA_FUSI 20.0    /* Hz at full activation (alpha-gamma co-activation) */
#define II_BASE 10.0
#define II_LEN 150.0
#define IB_FORCE 200.0  /* Hz at Fmax */
#define RATE_MAX 500.0  /* Hz */

static double clamp_rate(double r) { return r < 0 ? 0 : r > RATE_MAX ? RATE_MAX : r; }

/* MuJoCo 2.2.2 keeps activations for the last na actuators, in order. */
static bb_muscle_state muscle_state(const bb_body *b, uint32_t i)
{
    const mjModel *m = b->m;
    const mjData *d = b->d;
    int a = b->muscle_actuator[i];
    const mjtNum *g = m->actuator_gainprm + a * mjNGAIN, *lr = m->actuator_lengthrange + 2 * a;
    double L0 = (lr[1] - lr[0]) / (g[1] - g[0]);
    double len = d->actuator_length[a];
    double vel = b->span_s > 0 ? (len - b->len_before[i]) / b->span_s : d->actuator_velocity[a];
    return (bb_muscle_state){
        .length = (float)len,
        .velocity = (float)vel,
        .force = (float)-d->actuator_force[a], /* MuJoCo muscle force is negative */
        .activation = m->actuator_dyntype[a] != mjDYN_NONE ? (float)d->act[a - (m->nu - m->na)] : 0.f,
        .fibre_length = L0 > 0 ? (float)(g[0] + (len - lr[0]) / L0) : 1.f,
        .fibre_velocity = L0 > 0 ? (float)(vel / L0) : 0.f,
    };
}

void bb_body_muscles(const bb_body *b, bb_muscle_state *out)
{
    for (uint32_t i = 0; i < b->n_muscles; i++) out[i] = muscle_state(b, i);
}

void bb_body_proprio_rates(const bb_body *b, float *out)
{
    for (uint32_t i = 0; i < b->n_muscles; i++) {
        bb_muscle_state s = muscle_state(b, i);
        double fmax = b->m->actuator_gainprm[b->muscle_actuator[i] * mjNGAIN + 2];
        double stretch = s.fibre_length - 1.0, v = s.fibre_velocity;
        double vterm = v >= 0 ? pow(v, IA_VEL_EXP) : -pow(-v, IA_VEL_EXP);
        out[3 * i + 0] = (float)clamp_rate(IA_BASE + IA_VEL * vterm + IA_LEN * stretch + IA_FUSI * s.activation);
        out[3 * i + 1] = (float)clamp_rate(II_BASE + II_LEN * stretch);
        out[3 * i + 2] = (float)clamp_rate(IB_FORCE * (fmax > 0 ? s.force / fmax : 0));
    }
}
