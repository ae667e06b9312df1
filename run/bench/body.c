/* The body library on the 853-muscle mouse (run/bench/body): MuJoCo steps per
 * second at a 0.5 ms step on the floor under random excitation (new every
 * 5 ms exchange), the library's overhead over bare mj_step (health checks,
 * touch grids, Merkel filters, task objects, and the per-exchange sensing:
 * proprioceptor rates, Merkel rates, paw contacts, muscle state), and where
 * mj_step spends its time (MuJoCo's own stage timers, plus mj_tendon timed
 * alone). Bare and library blocks alternate in one run, on one model and one
 * state, so the machine's drift affects both alike.
 * Usage: bench_body MODEL.xml [BLOCKS] [STEPS_PER_BLOCK] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mujoco/mujoco.h>

#include "brainbody/body.h"

#define STEPS_PER_EXCHANGE 10 /* 5 ms exchange / 0.5 ms step */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static mjtNum timer_now(void) { return now() * 1e3; } /* MuJoCo's timers in ms */

static uint32_t rng = 2026;
static float rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng >> 8) / 16777216.f;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "models/mouse_853muscle/mouse.xml";
    int blocks = argc > 2 ? atoi(argv[2]) : 4, steps = argc > 3 ? atoi(argv[3]) : 2000;
    bb_world_spec w;
    bb_world_defaults(&w);
    char err[2048];
    bb_body *b = bb_body_open_world(path, &w, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bench_body: %s\n", err);
        return 2;
    }
    const mjModel *m = bb_body_mj_model(b);
    mjData *d = bb_body_mj_data(b);
    uint32_t nm = bb_body_n_muscles(b), nt = bb_body_n_taxels(b);
    float *ex = calloc(nm, sizeof *ex), *rates = calloc(3 * (size_t)nm, sizeof *rates),
          *taxels = calloc(nt + 1, sizeof *taxels);
    bb_muscle_state *ms = calloc(nm, sizeof *ms);
    uint8_t paws[16];
    double com[3];

    /* settle on the floor first, so both kinds of block see contacts */
    for (int k = 0; k < 100; k++) bb_body_step(b, ex, STEPS_PER_EXCHANGE, err, sizeof err);
    mjcb_time = timer_now;
    for (int i = 0; i < mjNTIMER; i++) d->timer[i].duration = 0, d->timer[i].number = 0;

    double t_bare = 0, t_lib = 0;
    long n_bare = 0, n_lib = 0;
    for (int blk = 0; blk < 2 * blocks; blk++) {
        int library = blk % 2;
        double t0 = now();
        for (int s = 0; s < steps; s += STEPS_PER_EXCHANGE) {
            for (uint32_t i = 0; i < nm; i++) ex[i] = rnd();
            if (library) {
                if (bb_body_step(b, ex, STEPS_PER_EXCHANGE, err, sizeof err)) {
                    fprintf(stderr, "bench_body: %s\n", err);
                    return 5;
                }
                bb_body_proprio_rates(b, rates);
                bb_body_merkel_rates(b, taxels);
                bb_body_paw_contacts(b, paws);
                bb_body_muscles(b, ms);
                bb_body_com(b, com);
            } else {
                for (uint32_t i = 0; i < nm; i++) d->ctrl[i] = ex[i];
                for (int k = 0; k < STEPS_PER_EXCHANGE; k++) mj_step(m, d);
            }
        }
        double dt = now() - t0;
        if (library) t_lib += dt, n_lib += steps;
        else t_bare += dt, n_bare += steps;
    }
    /* mj_tendon alone: position kinematics first, then the tendons, many times */
    mj_kinematics(m, d);
    mj_comPos(m, d);
    int reps = 2000;
    double t0 = now();
    for (int r = 0; r < reps; r++) mj_tendon(m, d);
    double tendon_ms = (now() - t0) / reps * 1e3;
    mjcb_time = NULL;

    double bare_ms = t_bare / n_bare * 1e3, lib_ms = t_lib / n_lib * 1e3;
    printf("bench_body: %s: %d DoF, %u muscles, %d contacts now, %u taxels, timestep %g ms\n", path, m->nv, nm,
           d->ncon, nt, m->opt.timestep * 1e3);
    printf("  bare mj_step        %.3f ms/step  (%.0f steps/s, real-time factor %.2f)\n", bare_ms, 1e3 / bare_ms,
           m->opt.timestep * 1e3 / bare_ms);
    printf("  library step+sense  %.3f ms/step  (%.0f steps/s, real-time factor %.2f)\n", lib_ms, 1e3 / lib_ms,
           m->opt.timestep * 1e3 / lib_ms);
    printf("  library overhead    %.1f %% of mj_step (target < 10 %%)\n", 100 * (lib_ms - bare_ms) / bare_ms);
    /* MuJoCo's stage timers, accumulated over every step of both kinds */
    double step = d->timer[mjTIMER_STEP].duration;
    static const struct {
        int id;
        const char *what;
    } stages[] = {
        {mjTIMER_POS_KINEMATICS, "position: kinematics + tendons"},
        {mjTIMER_POS_INERTIA, "position: inertia (CRB, factor M)"},
        {mjTIMER_POS_COLLISION, "position: collision"},
        {mjTIMER_POS_MAKE, "position: make constraints"},
        {mjTIMER_POS_PROJECT, "position: project constraints"},
        {mjTIMER_VELOCITY, "velocity"},
        {mjTIMER_ACTUATION, "actuation (muscle forces)"},
        {mjTIMER_ACCELERATION, "acceleration (smooth)"},
        {mjTIMER_CONSTRAINT, "constraint solver"},
    };
    printf("  where mj_step's time goes (MuJoCo timers, %% of mj_step):\n");
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        printf("    %-34s %5.1f %%\n", stages[i].what, 100 * d->timer[stages[i].id].duration / step);
    printf("    of which mj_tendon alone         %5.1f %%  (%.3f ms; %d tendons x %d DoF Jacobians)\n",
           100 * tendon_ms / (step / d->timer[mjTIMER_STEP].number), tendon_ms, m->ntendon, m->nv);
    free(ex);
    free(rates);
    free(taxels);
    free(ms);
    bb_body_close(b);
    return 0;
}
