/* Footfalls from paw-contact flags (body.h: bb_footfalls_measure). */
#include <math.h>
#include <string.h>

#include "brainbody/body.h"

#define TWO_PI 6.283185307179586

static int touch_down(const uint8_t *c, uint32_t n_paws, uint32_t k, uint32_t p)
{
    return k > 0 && !c[(size_t)(k - 1) * n_paws + p] && c[(size_t)k * n_paws + p];
}

int bb_footfalls_measure(const uint8_t *contact, uint32_t n_samples, uint32_t n_paws, double dt_s, uint32_t ref,
                         bb_footfalls *out)
{
    memset(out, 0, sizeof *out);
    if (n_paws > BB_MAX_PAWS || ref >= n_paws) return -1;
    uint32_t first = 0, last = 0, downs = 0;
    for (uint32_t k = 1; k < n_samples; k++)
        if (touch_down(contact, n_paws, k, ref)) {
            if (!downs) first = k;
            last = k;
            downs++;
        }
    if (downs < 3) return -1;
    out->strides = downs - 1;
    out->frequency_hz = out->strides / ((last - first) * dt_s);
    for (uint32_t p = 0; p < n_paws; p++) {
        uint32_t down = 0, touch_downs = 0;
        double sx = 0, sy = 0;
        uint32_t cycle_start = first;
        for (uint32_t k = first; k < last; k++) {
            down += contact[(size_t)k * n_paws + p] != 0;
            if (k > first && touch_down(contact, n_paws, k, ref)) cycle_start = k;
            if (touch_down(contact, n_paws, k, p)) {
                uint32_t next = k + 1; /* the reference cycle this touch-down falls in */
                while (next < last && !touch_down(contact, n_paws, next, ref)) next++;
                double ph = (double)(k - cycle_start) / (double)(next - cycle_start);
                sx += cos(TWO_PI * ph), sy += sin(TWO_PI * ph);
                touch_downs++;
            }
        }
        out->duty[p] = (double)down / (last - first);
        double ph = atan2(sy, sx) / TWO_PI;
        out->phase[p] = p == ref ? 0 : touch_downs ? ph - floor(ph) : NAN; /* a paw that never touched down has none */
    }
    return 0;
}

void bb_footfalls_debounce(uint8_t *contact, uint32_t n_samples, uint32_t n_paws, uint32_t min_samples)
{
    for (uint32_t p = 0; p < n_paws; p++) {
        if (!n_samples) return;
        uint8_t state = contact[p] != 0;
        uint32_t k = 1;
        while (k < n_samples) {
            uint8_t v = contact[(size_t)k * n_paws + p] != 0;
            if (v == state) {
                contact[(size_t)k++ * n_paws + p] = state;
                continue;
            }
            uint32_t end = k; /* the run of the other state: [k, end) */
            while (end < n_samples && (contact[(size_t)end * n_paws + p] != 0) == v) end++;
            if (end - k < min_samples && end < n_samples) /* too short to be a step phase: absorbed */
                for (uint32_t j = k; j < end; j++) contact[(size_t)j * n_paws + p] = state;
            else
                state = v;
            k = end;
        }
    }
}

static double circ_dist(double a, double b)
{
    double d = fabs(a - b);
    d -= floor(d);
    return d > 0.5 ? 1 - d : d;
}

/* The other paw's first touch-down phase in the reference stride [t0, t1), or NAN. */
static double phase_in(const uint8_t *c, uint32_t n_paws, uint32_t other, uint32_t t0, uint32_t t1)
{
    for (uint32_t k = t0; k < t1; k++)
        if (touch_down(c, n_paws, k, other)) return (double)(k - t0) / (double)(t1 - t0);
    return NAN;
}

int bb_footfalls_recovery(const uint8_t *contact, uint32_t n_samples, uint32_t n_paws, double dt_s, uint32_t ref,
                          uint32_t other, double on_s, double off_s, bb_recovery *out)
{
    memset(out, 0, sizeof *out);
    if (ref >= n_paws || other >= n_paws || !(dt_s > 0)) return -1;
    double sx = 0, sy = 0, sum = 0;
    uint32_t prev = 0, have = 0, n_base = 0, n_phase = 0;
    for (uint32_t k = 1; k < n_samples && k * dt_s <= on_s; k++) { /* baseline: strides that end before the push */
        if (!touch_down(contact, n_paws, k, ref)) continue;
        if (have) {
            sum += (k - prev) * dt_s;
            double ph = phase_in(contact, n_paws, other, prev, k);
            if (!isnan(ph)) sx += cos(TWO_PI * ph), sy += sin(TWO_PI * ph), n_phase++;
            n_base++;
        }
        prev = k, have = 1;
    }
    if (n_base < 3) return -1;
    out->baseline_strides = n_base;
    out->baseline_period_s = sum / n_base;
    double ph = atan2(sy, sx) / TWO_PI;
    out->baseline_phase = n_phase ? ph - floor(ph) : NAN; /* the other paw never touched down: no phase */
    uint32_t starts[4096], m = 0; /* touch-downs from the push's end on */
    for (uint32_t k = 1; k < n_samples && m < 4096; k++)
        if (k * dt_s >= off_s && touch_down(contact, n_paws, k, ref)) starts[m++] = k;
    for (uint32_t i = 0; i + BB_RECOVERY_HOLD < m; i++) {
        int ok = 1;
        for (uint32_t j = i; ok && j < i + BB_RECOVERY_HOLD; j++) {
            double period = (starts[j + 1] - starts[j]) * dt_s, p = phase_in(contact, n_paws, other, starts[j], starts[j + 1]);
            ok = fabs(period / out->baseline_period_s - 1) < 0.15 && !isnan(p) && circ_dist(p, out->baseline_phase) < 0.1;
        }
        if (ok) {
            out->recovered = 1;
            out->strides = i;
            out->seconds = starts[i] * dt_s - off_s;
            return 0;
        }
    }
    return 0;
}
