/* brain/: what one computes from recorded spikes: population rates, their
 * power spectrum, and the phase of a spike train at a frequency. */
#ifndef BRAINBODY_ANALYSIS_H
#define BRAINBODY_ANALYSIS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Spikes (times in ms) counted into nbins bins of bin_ms from t0_ms on;
 * spikes outside are ignored. */
void bb_rate_histogram(const double *t_ms, size_t n, double t0_ms, double bin_ms, double *hist, size_t nbins);

/* Power of x (n samples dt_s apart; mean removed, Hann window) at each of
 * nf frequencies (Hz), by direct Fourier sums. 0, or -1 out of memory. */
int bb_power_spectrum(const double *x, size_t n, double dt_s, const double *freq_hz, size_t nf, double *power);

/* Phase (rad) of a spike train's Fourier component at f_hz: the argument of
 * sum_k exp(-2 pi i f t_k). A train firing later in the cycle has a more
 * negative phase. strength (may be NULL) gets the vector strength in [0, 1]. */
double bb_spike_phase(const double *t_ms, size_t n, double f_hz, double *strength);

/* a - b wrapped into (-pi, pi]. */
double bb_phase_diff(double a, double b);

#ifdef __cplusplus
}
#endif
#endif
