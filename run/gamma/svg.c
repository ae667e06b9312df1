/* Raster and spectrum of the gamma experiment as plain SVG (svg.h). */
#include "svg.h"

#include <stdio.h>

static const char *colour[BB_N_TYPES] = {"#c0392b", "#2471a3", "#229954"}; /* exc, fs, lts */

/* 300 ms of the raster after analysis starts, cells ordered by layer then type. */
static int raster(const bb_gamma_setup *g, const bb_gamma_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const double W = 720, H = 480, left = 60, top = 20, pw = W - left - 20, ph = H - top - 40;
    const double t0 = g->analyse_from_ms, t1 = t0 + 300;
    unsigned total = 0, row0[BB_N_LAYERS][BB_N_TYPES];
    for (int l = 0; l < BB_N_LAYERS; l++)
        for (int t = 0; t < BB_N_TYPES; t++) row0[l][t] = total, total += r->count[l][t];
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    for (size_t i = 0; i < r->n; i++) {
        if (r->t_ms[i] < t0 || r->t_ms[i] >= t1) continue;
        for (int l = 0; l < BB_N_LAYERS; l++)
            for (int t = 0; t < BB_N_TYPES; t++)
                if (r->id[i] >= r->first_id[l][t] && r->id[i] < r->first_id[l][t] + r->count[l][t]) {
                    double x = left + (r->t_ms[i] - t0) / (t1 - t0) * pw;
                    double y = top + (double)(row0[l][t] + r->id[i] - r->first_id[l][t]) / total * ph;
                    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"1\" height=\"1\" fill=\"%s\"/>\n", x, y, colour[t]);
                }
    }
    for (int l = 0; l < BB_N_LAYERS; l++)
        fprintf(f, "<text x=\"5\" y=\"%.1f\">%s</text>\n", top + (row0[l][0] + 0.5 * (row0[l][2] + r->count[l][2] - row0[l][0])) / total * ph,
                bb_layer_name((bb_layer)l));
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">time (ms), %.0f to %.0f; red exc, blue FS, green LTS</text>\n",
            left, H - 12, t0, t1);
    fprintf(f, "</svg>\n");
    return fclose(f);
}

static int spectrum(const bb_gamma_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const double W = 480, H = 320, left = 50, top = 20, pw = W - left - 20, ph = H - top - 50;
    double max = 0;
    for (int k = 0; k < BB_GAMMA_NF; k++)
        if (r->power[k] > max) max = r->power[k];
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    /* the 30-50 Hz band */
    double fx0 = r->freq_hz[0], fx1 = r->freq_hz[BB_GAMMA_NF - 1];
    fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"#eeeeee\"/>\n",
            left + (30 - fx0) / (fx1 - fx0) * pw, top, 20 / (fx1 - fx0) * pw, ph);
    fprintf(f, "<polyline fill=\"none\" stroke=\"black\" points=\"");
    for (int k = 0; k < BB_GAMMA_NF; k++)
        fprintf(f, "%.1f,%.1f ", left + (r->freq_hz[k] - fx0) / (fx1 - fx0) * pw,
                top + ph - (max > 0 ? r->power[k] / max : 0) * ph);
    fprintf(f, "\"/>\n");
    for (int hz = 25; hz <= 150; hz += 25)
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\">%d</text>\n", left + (hz - fx0) / (fx1 - fx0) * pw - 8, top + ph + 16, hz);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">frequency (Hz); population-rate power, peak %.0f Hz (grey: 30-50 Hz)</text>\n",
            left, H - 10, r->peak_hz);
    fprintf(f, "</svg>\n");
    return fclose(f);
}

int bb_gamma_svg(const bb_gamma_setup *g, const bb_gamma_result *r, const char *dir)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/gamma_raster.svg", dir);
    snprintf(b, sizeof b, "%s/gamma_spectrum.svg", dir);
    return raster(g, r, a) || spectrum(r, b) ? -1 : 0;
}
