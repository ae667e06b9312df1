#include "gait_log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int bb_gait_log_init(bb_gait_log *g, const bb_body *b, double dt_s, double belt_m_per_s)
{
    memset(g, 0, sizeof *g);
    g->n_paws = bb_body_n_touch_grids(b);
    if (g->n_paws > BB_MAX_PAWS) return -1;
    g->ref = UINT32_MAX;
    for (uint32_t p = 0; p < g->n_paws; p++) {
        const char *grid = bb_body_touch_grid_name(b, p);
        snprintf(g->name[p], sizeof g->name[p], "%s", grid ? grid : "?");
        char *suffix = strstr(g->name[p], "_touch"); /* "L_pes_touch" -> "L_pes" */
        if (suffix) *suffix = '\0';
        if (!strncmp(g->name[p], "L_pes", 5)) g->ref = p;
    }
    if (g->ref == UINT32_MAX) return -1;
    g->dt_s = dt_s, g->belt_m_per_s = belt_m_per_s;
    bb_body_com(b, g->com0);
    g->z_min = INFINITY;
    return 0;
}

int bb_gait_log_add(bb_gait_log *g, const bb_body *b)
{
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? 2 * g->cap : 1024;
        uint8_t *c = realloc(g->contact, (size_t)cap * g->n_paws);
        if (!c) return -1;
        g->contact = c, g->cap = cap;
    }
    bb_body_paw_contacts(b, g->contact + (size_t)g->n++ * g->n_paws);
    bb_body_com(b, g->com);
    if (g->com[2] < g->z_min) g->z_min = g->com[2];
    g->z_sum += g->com[2];
    return 0;
}

void bb_gait_log_write_yaml(const bb_gait_log *g, FILE *f)
{
    if (!g->n) return;
    uint8_t *c = malloc((size_t)g->n * g->n_paws);
    if (!c) return;
    memcpy(c, g->contact, (size_t)g->n * g->n_paws);
    uint32_t min = (uint32_t)ceil(BB_FOOTFALL_MIN_PHASE_S / g->dt_s - 1e-9);
    bb_footfalls_debounce(c, g->n, g->n_paws, min);
    bb_footfalls ff;
    double t = g->n * g->dt_s;
    /* forward speed over the ground or the belt: the belt carries the body back at belt_m_per_s */
    double speed = (g->com[0] - g->com0[0]) / t + g->belt_m_per_s;
    fprintf(f, "gait:  # from paw contacts debounced to phases >= %.0f ms; phases: touch-down in the %s cycle\n",
            min * g->dt_s * 1e3, g->name[g->ref]);
    fprintf(f, "  speed_m_per_s: %.4f  # centre of mass, over the ground or the belt\n", speed);
    fprintf(f, "  com_height_m: {min: %.4f, mean: %.4f}\n", g->z_min, g->z_sum / g->n);
    if (bb_footfalls_measure(c, g->n, g->n_paws, g->dt_s, g->ref, &ff)) {
        fprintf(f, "  strides: 0  # fewer than 3 touch-downs of the reference paw: no gait\n");
        free(c);
        return;
    }
    fprintf(f, "  strides: %u\n  stride_hz: %.3f\n  stride_length_m: %.4f\n", ff.strides, ff.frequency_hz,
            speed / ff.frequency_hz);
    fprintf(f, "  duty:");
    for (uint32_t p = 0; p < g->n_paws; p++) {
        fprintf(f, "%s%s: %.3f", p ? ", " : " {", g->name[p], ff.duty[p]);
    }
    fprintf(f, "}\n  phase:");
    for (uint32_t p = 0; p < g->n_paws; p++) {
        if (isnan(ff.phase[p])) fprintf(f, "%s%s: .nan", p ? ", " : " {", g->name[p]);
        else fprintf(f, "%s%s: %.3f", p ? ", " : " {", g->name[p], ff.phase[p]);
    }
    fprintf(f, "}\n");
    uint32_t other = g->ref;
    for (uint32_t p = 0; p < g->n_paws; p++)
        if (!strncmp(g->name[p], "R_pes", 5)) other = p;
    bb_recovery r;
    if (g->push_off_s > g->push_on_s && other != g->ref) {
        if (bb_footfalls_recovery(c, g->n, g->n_paws, g->dt_s, g->ref, other, g->push_on_s, g->push_off_s, &r))
            fprintf(f, "  recovery: {baseline_strides: %u}  # fewer than 3 strides before the push\n", r.baseline_strides);
        else if (!r.recovered)
            fprintf(f, "  recovery: {baseline_strides: %u, baseline_stride_s: %.4f, baseline_%s_phase: %.3f, "
                       "recovered: false}\n", r.baseline_strides, r.baseline_period_s, g->name[other], r.baseline_phase);
        else
            fprintf(f, "  recovery: {baseline_strides: %u, baseline_stride_s: %.4f, baseline_%s_phase: %.3f, "
                       "recovered: true, strides: %u, seconds: %.3f}  # %d strides in a row like before the push\n",
                    r.baseline_strides, r.baseline_period_s, g->name[other], r.baseline_phase, r.strides, r.seconds,
                    BB_RECOVERY_HOLD);
    }
    free(c);
}

void bb_gait_log_free(bb_gait_log *g)
{
    free(g->contact);
    memset(g, 0, sizeof *g);
}

int bb_gait_log_state(bb_gait_log *g, bb_state_io *io)
{
    uint64_t n = g->n;
    if (bb_state_same(io, "gait.paws", g->n_paws) || bb_state_u64(io, "gait.rows", &n)) return -1;
    if (io->restoring) {
        if (n > UINT32_MAX) return -1;
        if (n > g->cap) {
            uint8_t *c = realloc(g->contact, (size_t)n * g->n_paws);
            if (!c) {
                snprintf(io->why, sizeof io->why, "out of memory for %llu gait rows", (unsigned long long)n);
                return -1;
            }
            g->contact = c;
            g->cap = (uint32_t)n;
        }
        g->n = (uint32_t)n;
    }
    return bb_state_field(io, "gait.contact", g->contact, (size_t)g->n * g->n_paws) ||
                   bb_state_field(io, "gait.com0", g->com0, sizeof g->com0) ||
                   bb_state_field(io, "gait.com", g->com, sizeof g->com) ||
                   bb_state_field(io, "gait.z", &g->z_min, sizeof g->z_min) ||
                   bb_state_field(io, "gait.z_sum", &g->z_sum, sizeof g->z_sum)
               ? -1
               : 0;
}
