/* bb_gamma: the gamma experiment from the command line.
 *   bb_gamma report [KEY=VALUE ...]   run once, print spectrum peak, rates and phases
 *   bb_gamma svg DIR [KEY=VALUE ...]  also write DIR/gamma_raster.svg and DIR/gamma_spectrum.svg
 * KEY: dc, desc (M1 L2/3 -> L5 gain), background_hz, density_scale, seed, end_ms, bg.TYPE (background weight gain),
 * gain.PRE.POST (recurrent weight gain; TYPE, PRE, POST in exc, fs, lts). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "svg.h"

static int type_of(const char *s, size_t len)
{
    for (int t = 0; t < BB_N_TYPES; t++)
        if (strlen(bb_cell_type_name((bb_cell_type)t)) == len && !strncmp(s, bb_cell_type_name((bb_cell_type)t), len))
            return t;
    return -1;
}

static int set(bb_gamma_setup *g, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq) return -1;
    char *end;
    double v = strtod(eq + 1, &end);
    if (*end || end == eq + 1) return -1;
    size_t k = (size_t)(eq - kv);
    if (k == 2 && !strncmp(kv, "dc", 2)) g->dc = v;
    else if (k == 13 && !strncmp(kv, "background_hz", 13)) g->spec.background_hz = v;
    else if (k == 13 && !strncmp(kv, "density_scale", 13)) g->spec.density_scale = v;
    else if (k == 4 && !strncmp(kv, "seed", 4)) g->spec.seed = (uint64_t)v;
    else if (k == 6 && !strncmp(kv, "end_ms", 6)) g->end_ms = v;
    else if (k == 4 && !strncmp(kv, "desc", 4)) g->spec.descending_gain = v;
    else if (k > 3 && !strncmp(kv, "bg.", 3)) {
        int t = type_of(kv + 3, k - 3);
        if (t < 0) return -1;
        g->spec.background_gain[t] = v;
    } else if (k > 5 && !strncmp(kv, "gain.", 5)) {
        const char *a = kv + 5, *dot = memchr(a, '.', (size_t)(eq - a));
        if (!dot) return -1;
        int pre = type_of(a, (size_t)(dot - a)), post = type_of(dot + 1, (size_t)(eq - dot - 1));
        if (pre < 0 || post < 0) return -1;
        g->spec.weight_gain[pre][post] = v;
    } else
        return -1;
    return 0;
}

static void report(const bb_gamma_result *r)
{
    printf("peak %.0f Hz, peak/median power %.1f\n", r->peak_hz, r->peak_to_median);
    printf("%-5s %26s %26s %26s\n", "", "exc: rate lag(deg) vs", "fs: rate lag vs", "lts: rate lag vs");
    for (int l = 0; l < BB_N_LAYERS; l++) {
        printf("%-5s", bb_layer_name((bb_layer)l));
        for (int t = 0; t < BB_N_TYPES; t++)
            printf("   %7.2f Hz %6.1f %5.2f   ", r->rate_hz[l][t], r->lag[l][t] * 180 / 3.14159265358979,
                   r->strength[l][t]);
        printf("  layer %6.1f\n", r->layer_lag[l] * 180 / 3.14159265358979);
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int svg = argc > 2 && !strcmp(argv[1], "svg");
    if (argc < 2 || (!svg && strcmp(argv[1], "report"))) {
        if (!rank) fprintf(stderr, "usage: bb_gamma report|svg DIR [KEY=VALUE ...]\n");
        MPI_Finalize();
        return 2;
    }
    bb_gamma_setup g = bb_gamma_default_setup();
    for (int i = svg ? 3 : 2; i < argc; i++)
        if (set(&g, argv[i])) {
            if (!rank) fprintf(stderr, "bb_gamma: bad setting '%s'\n", argv[i]);
            MPI_Finalize();
            return 2;
        }
    bb_gamma_result r;
    char err[512];
    if (bb_gamma_run(&g, MPI_COMM_WORLD, &r, err, sizeof err)) {
        fprintf(stderr, "bb_gamma: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, 5);
    }
    int rc = 0;
    if (!rank) {
        report(&r);
        char why[1024];
        int failed = bb_gamma_check(&r, why, sizeof why);
        printf("criteria: %s%s\n", failed ? "FAILED " : "all met", why);
        if (svg && bb_gamma_svg(&g, &r, argv[2])) {
            fprintf(stderr, "bb_gamma: cannot write the figures in %s\n", argv[2]);
            rc = 5;
        }
    }
    bb_gamma_result_free(&r);
    MPI_Finalize();
    return rc;
}
