/* bb_stand: can the whole-body mouse stand on tonic muscle tone alone?
 * The probe behind docs/experiments.md's "Why the body does not walk yet":
 * the body alone (no brain), every muscle of the limbs (regions hindlimb
 * and forelimb) at one constant excitation and every other muscle at
 * another, free on the floor or head-fixed over a still belt; prints the
 * pelvis's height, sideways drift and roll every 0.1 s for 1 s.
 * Deterministic. Usage: bb_stand free|head_fixed LIMB_EXCITATION [OTHER_EXCITATION] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/body.h"

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "free") && strcmp(argv[1], "head_fixed"))) {
        fprintf(stderr, "usage: bb_stand free|head_fixed LIMB_EXCITATION [OTHER_EXCITATION]\n");
        return 2;
    }
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = !strcmp(argv[1], "head_fixed");
    w.floor = !w.head_fixed, w.treadmill = w.head_fixed, w.treadmill_speed = 0;
    char err[512];
    bb_body *b = bb_body_open_world(BB_SOURCE_DIR "/models/mouse_853muscle/mouse.xml", &w, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bb_stand: %s\n", err);
        return 1;
    }
    uint32_t n = bb_body_n_muscles(b);
    float *e = calloc(n, sizeof *e);
    double limb = atof(argv[2]), other = argc > 3 ? atof(argv[3]) : 0;
    for (uint32_t i = 0; e && i < n; i++) {
        const char *region = bb_body_muscle_region(b, i);
        e[i] = (float)(!strcmp(region, "hindlimb") || !strcmp(region, "forelimb") ? limb : other);
    }
    printf("t_s\tpelvis_z_mm\tpelvis_y_mm\tpelvis_roll_deg\n");
    for (int k = 0; e && k <= 10; k++) {
        if (k && bb_body_step(b, e, 200, err, sizeof err)) { /* 0.1 s of 0.5 ms steps */
            fprintf(stderr, "bb_stand: %s\n", err);
            break;
        }
        double p[3];
        bb_body_body_pos(b, "pelvis", p);
        printf("%.1f\t%.1f\t%.1f\t%.0f\n", bb_body_time_s(b), p[2] * 1e3, p[1] * 1e3, bb_body_roll(b, "pelvis") * 57.29577951308232);
    }
    free(e);
    bb_body_close(b);
    return 0;
}
