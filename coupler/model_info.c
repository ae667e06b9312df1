/* brainbody model-info MODEL.xml: what a body model holds, and how long
 * MuJoCo takes to compile it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "brainbody/body.h"
#include "model_info.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int bb_model_info(const char *path, FILE *out)
{
    char err[2048];
    double t0 = seconds();
    bb_body *b = bb_body_open(path, err, sizeof err);
    double compile_s = seconds() - t0;
    if (!b) {
        fprintf(stderr, "brainbody: %s\n", err);
        return 2;
    }
    bb_body_counts c;
    bb_body_count(b, &c);
    fprintf(out, "%s\n", path);
    fprintf(out, "  compile time   %.3f s\n", compile_s);
    fprintf(out, "  bodies         %u (besides the world)\n", c.bodies);
    fprintf(out, "  joints         %u: %u free, %u ball, %u hinge, %u slide\n", c.joints, c.free_joints, c.ball_joints,
            c.hinge_joints, c.slide_joints);
    fprintf(out, "  DoF            %u\n", c.dof);
    fprintf(out, "  tendons        %u\n", c.tendons);
    fprintf(out, "  actuators      %u, of which muscles %u\n", c.actuators, c.muscles);
    /* muscles per region, in order of first appearance */
    const char *names[32];
    unsigned counts[32] = {0}, nregions = 0;
    for (uint32_t i = 0; i < c.muscles; i++) {
        const char *r = bb_body_muscle_region(b, i);
        unsigned k = 0;
        while (k < nregions && strcmp(names[k], r)) k++;
        if (k == nregions && nregions < 32) names[nregions++] = r;
        if (k < nregions) counts[k]++;
    }
    for (unsigned k = 0; k < nregions; k++) fprintf(out, "    %-12s %u\n", names[k], counts[k]);
    uint32_t nx, ny;
    bb_body_touch_grid_size(b, &nx, &ny);
    fprintf(out, "  touch grids    %u (%u x %u taxels each)", c.touch_grids, nx, ny);
    for (uint32_t g = 0; g < c.touch_grids; g++) fprintf(out, "%s%s", g ? ", " : ": ", bb_body_touch_grid_name(b, g));
    fprintf(out, "\n  total mass     %.2f g\n", bb_body_total_mass(b) * 1e3);
    fprintf(out, "  timestep       %g ms\n", bb_body_timestep_ms(b));
    bb_body_close(b);
    return 0;
}
