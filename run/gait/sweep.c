/* The spinal circuit alone (brain/cpg.h) swept over its brainstem drive:
 * for each alpha and each circuit (intact, without V0V, without V0V and
 * V0D), the gait bb_cpg_gait measures (2 s settling, 4 s measured), as
 * TSV on standard output: what run/gait/plot.py draws as the interlimb
 * phases and the frequency against drive (docs/experiments.md; Danner et
 * al. 2017 Figs. 2, 6, 7). Deterministic: no random numbers. */
#include <stdio.h>

#include "brainbody/cpg.h"

int main(void)
{
    static const char *const circuit[3] = {"intact", "no_v0v", "no_v0v_v0d"};
    printf("circuit\talpha\tgait\tfrequency_hz\tleft_right_hind\tleft_right_fore\thomolateral\tdiagonal\n");
    for (int k = 0; k < 3; k++)
        for (int i = 0; i <= 42; i++) {
            double alpha = 0.025 * i + 0.02;
            bb_cpg_spec spec = {alpha, k >= 1, k == 2, 0};
            bb_cpg *c = bb_cpg_create(&spec);
            if (!c) return 1;
            bb_gait g;
            bb_cpg_gait(c, 6000, 4000, &g);
            bb_cpg_free(c);
            printf("%s\t%.3f\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", circuit[k], alpha, g.name, g.frequency_hz,
                   g.left_right_hind, g.left_right_fore, g.homolateral, g.diagonal);
        }
    return 0;
}
