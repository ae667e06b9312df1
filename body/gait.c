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
