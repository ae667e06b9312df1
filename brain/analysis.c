/* Spike-train analysis for tests, figures and users (see analysis.h). */
#include "brainbody/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BB_PI 3.14159265358979323846

void bb_rate_histogram(const double *t_ms, size_t n, double t0_ms, double bin_ms, double *hist, size_t nbins)
{
    memset(hist, 0, nbins * sizeof *hist);
    for (size_t i = 0; i < n; i++) {
        double b = floor((t_ms[i] - t0_ms) / bin_ms);
        if (b >= 0 && b < (double)nbins) hist[(size_t)b] += 1;
    }
}

int bb_power_spectrum(const double *x, size_t n, double dt_s, const double *freq_hz, size_t nf, double *power)
{
    double *v = malloc((n ? n : 1) * sizeof *v), mean = 0;
    if (!v) return -1;
    for (size_t i = 0; i < n; i++) mean += x[i] / (double)n;
    for (size_t i = 0; i < n; i++) { /* mean removed, Hann window: once, for every frequency */
        double hann = n > 1 ? 0.5 - 0.5 * cos(2 * BB_PI * (double)i / (double)(n - 1)) : 1;
        v[i] = (x[i] - mean) * hann;
    }
    for (size_t k = 0; k < nf; k++) {
        double re = 0, im = 0, w = 2 * BB_PI * freq_hz[k] * dt_s;
        for (size_t i = 0; i < n; i++) {
            re += v[i] * cos(w * (double)i);
            im -= v[i] * sin(w * (double)i);
        }
        power[k] = (re * re + im * im) / (double)n;
    }
    free(v);
    return 0;
}

double bb_spike_phase(const double *t_ms, size_t n, double f_hz, double *strength)
{
    double re = 0, im = 0, w = 2 * BB_PI * f_hz * 1e-3;
    for (size_t i = 0; i < n; i++) {
        re += cos(w * t_ms[i]);
        im -= sin(w * t_ms[i]);
    }
    if (strength) *strength = n ? hypot(re, im) / (double)n : 0;
    return atan2(im, re);
}

double bb_phase_diff(double a, double b)
{
    double d = fmod(a - b, 2 * BB_PI);
    if (d <= -BB_PI) d += 2 * BB_PI;
    if (d > BB_PI) d -= 2 * BB_PI;
    return d;
}
