#include "gait_log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG_PER_RAD 57.29577951308232

/* The joints of a hind (pes) and a fore (manus) limb whose time at a range end is kept. */
static const char *const limb_joint[2][BB_GAIT_LIMB_JOINTS] = {{"hip_flex", "knee", "ankle_flex"},
                                                                {"shoulder_flex", "elbow", "wrist_flex"}};
static const char *const limb_joint_key[BB_GAIT_LIMB_JOINTS] = {"hip_shoulder", "knee_elbow", "ankle_wrist"};

/* The belt's travel towards -x so far (m), motor-driven or pushed by the paws; 0 without a belt. */
static double belt_travel(const bb_body *b)
{
    bb_task_state task;
    bb_body_task(b, &task);
    return task.belt_travel;
}

int bb_gait_log_init(bb_gait_log *g, const bb_body *b, double dt_s)
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
        /* "L_pes" -> "L_hip_flex", ...; "R_manus" -> "R_shoulder_flex", ... */
        char side[3] = {g->name[p][0], g->name[p][0] ? g->name[p][1] : 0, 0};
        int fore = !strstr(g->name[p], "pes");
        for (int j = 0; j < BB_GAIT_LIMB_JOINTS; j++) {
            snprintf(g->joint[p][j], sizeof g->joint[p][j], "%s%s", side, limb_joint[fore][j]);
            if (bb_body_joint_range(b, g->joint[p][j], g->limit_range[p][j]))
                g->limit_range[p][j][0] = g->limit_range[p][j][1] = NAN;
        }
    }
    if (g->ref == UINT32_MAX) return -1;
    g->dt_s = dt_s;
    g->belt0_m = g->belt_m = belt_travel(b);
    g->has_pelvis = bb_body_has_body(b, "pelvis");
    g->weight_N = bb_body_total_mass(b) * 9.81;
    bb_body_com(b, g->com0);
    g->z_min = INFINITY;
    return 0;
}

static int grow(bb_gait_log *g, uint32_t cap)
{
    uint8_t *c = realloc(g->contact, (size_t)cap * g->n_paws);
    if (c) g->contact = c;
    float *a = realloc(g->flexion, (size_t)cap * g->n_paws * sizeof *a);
    if (a) g->flexion = a;
    float *h = realloc(g->height, (size_t)cap * sizeof *h);
    if (h) g->height = h;
    if (!c || !a || !h) return -1;
    g->cap = cap;
    return 0;
}

int bb_gait_log_add(bb_gait_log *g, const bb_body *b)
{
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? 2 * g->cap : 1024;
        if (grow(g, cap)) return -1;
    }
    const double margin = BB_GAIT_LIMIT_DEG / DEG_PER_RAD;
    for (uint32_t p = 0; p < g->n_paws; p++)
        for (int j = 0; j < BB_GAIT_LIMB_JOINTS; j++) {
            double a = bb_body_joint_angle(b, g->joint[p][j]), *r = g->limit_range[p][j];
            if (j == 0) g->flexion[(size_t)g->n * g->n_paws + p] = (float)a;
            if (!isnan(r[0])) g->at_limit[p][j] += a <= r[0] + margin || a >= r[1] - margin;
        }
    uint8_t *down = g->contact + (size_t)g->n * g->n_paws;
    bb_body_paw_contacts(b, down);
    double sole[3 * BB_MAX_PAWS], load[BB_MAX_PAWS];
    bb_body_touch_grid_positions(b, sole);
    bb_body_paw_loads(b, load);
    double belt = belt_travel(b), belt_dx = belt - g->belt_m; /* a paw stuck to the belt moves -belt_dx */
    g->belt_m = belt;
    for (uint32_t p = 0; p < g->n_paws; p++) {
        if (g->n && down[p] && g->contact[(size_t)(g->n - 1) * g->n_paws + p]) { /* down at both ends of the interval */
            double dx = sole[3 * p] - g->sole_xy[p][0] + belt_dx, dy = sole[3 * p + 1] - g->sole_xy[p][1];
            g->slip_m[p] += sqrt(dx * dx + dy * dy);
            g->slip_intervals[p]++;
        }
        g->sole_xy[p][0] = sole[3 * p], g->sole_xy[p][1] = sole[3 * p + 1];
        g->load_sum[p] += load[p];
    }
    g->n++;
    double roll = fabs(bb_body_roll(b, "pelvis")); /* NAN in a model without a pelvis */
    if (!isnan(roll)) {
        if (roll > g->roll_abs_max) g->roll_abs_max = roll;
        g->roll_abs_sum += roll;
        double pitch = bb_body_pitch(b, "pelvis");
        if (fabs(pitch) > g->pitch_abs_max) g->pitch_abs_max = fabs(pitch);
        g->pitch_sum += pitch;
        double yaw = fabs(bb_body_yaw(b, "pelvis"));
        if (yaw > g->yaw_abs_max) g->yaw_abs_max = yaw;
        g->yaw_abs_sum += yaw;
    }
    bb_body_com(b, g->com);
    g->height[g->n - 1] = (float)g->com[2];
    if (g->com[2] < g->z_min) g->z_min = g->com[2];
    g->z_sum += g->com[2];
    return 0;
}

/* v in the printf format fmt, or NAN (no value) as YAML's .nan; into buf */
static const char *yaml_number(char buf[32], const char *fmt, double v)
{
    if (isnan(v)) return ".nan";
    snprintf(buf, 32, fmt, v);
    return buf;
}

/* "key: {L_manus: v, ...}" indented by two spaces per level */
static void put_paws(FILE *f, const bb_gait_log *g, int level, const char *key, const double *v, const char *comment)
{
    char num[32];
    fprintf(f, "%*s%s:", 2 * level, "", key);
    for (uint32_t p = 0; p < g->n_paws; p++)
        fprintf(f, "%s%s: %s", p ? ", " : " {", g->name[p], yaml_number(num, "%.3f", v[p]));
    fprintf(f, "}%s%s\n", comment ? "  # " : "", comment ? comment : "");
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* A limb's step over rows [from, to): the range of its hip or shoulder
 * flexion from the 5th to the 95th percentile (deg), and its duty factor
 * (of the debounced contacts c). NAN where there are fewer than 2 rows. */
static void steps(const bb_gait_log *g, const uint8_t *c, uint32_t from, uint32_t to, double *step_deg, double *duty)
{
    float *v = malloc((size_t)(to > from ? to - from : 1) * sizeof *v);
    for (uint32_t p = 0; p < g->n_paws; p++) {
        uint32_t n = 0, down = 0;
        for (uint32_t r = from; v && r < to; r++) {
            float a = g->flexion[(size_t)r * g->n_paws + p];
            if (!isnan(a)) v[n++] = a;
            down += c[(size_t)r * g->n_paws + p];
        }
        step_deg[p] = duty[p] = NAN;
        if (n >= 2) {
            qsort(v, n, sizeof *v, by_value);
            step_deg[p] = (v[(size_t)(0.95 * (n - 1))] - v[(size_t)(0.05 * (n - 1))]) * DEG_PER_RAD;
        }
        if (v && to >= from + 2) duty[p] = (double)down / (to - from);
    }
    free(v);
}

/* The stimulus: block: each limb's step during brain.stimulus and in as
 * long a time before it (rows end at (r + 1) dt: row r is in [on, off) when
 * its interval starts there). */
static void put_stimulus(FILE *f, const bb_gait_log *g, const uint8_t *c)
{
    uint32_t on = (uint32_t)ceil(g->stim_on_s / g->dt_s - 1e-9), off = (uint32_t)ceil(g->stim_off_s / g->dt_s - 1e-9);
    if (off > g->n) off = g->n;
    if (on >= off) return;
    uint32_t before = on > off - on ? on - (off - on) : 0;
    double step[2][BB_MAX_PAWS], duty[2][BB_MAX_PAWS];
    steps(g, c, before, on, step[0], duty[0]);
    steps(g, c, on, off, step[1], duty[1]);
    fprintf(f, "  stimulus:  # brain.stimulus: each limb's step during it and in as long a time before it\n");
    fprintf(f, "    window_s: [%.3f, %.3f]\n    before_s: [%.3f, %.3f]\n", on * g->dt_s, off * g->dt_s,
            before * g->dt_s, on * g->dt_s);
    put_paws(f, g, 2, "step_before_deg", step[0], NULL);
    put_paws(f, g, 2, "step_during_deg", step[1], NULL);
    put_paws(f, g, 2, "duty_before", duty[0], NULL);
    put_paws(f, g, 2, "duty_during", duty[1], NULL);
}

/* Debounced touch-downs per second of each paw, and the centre of mass's
 * mean height, over rows [from, to); NAN with fewer than 2 rows. */
static void stepping(const bb_gait_log *g, const uint8_t *c, uint32_t from, uint32_t to, double *per_s, double *height)
{
    double sum = 0;
    for (uint32_t r = from; r < to; r++) sum += g->height[r];
    *height = to >= from + 2 ? sum / (to - from) : NAN;
    for (uint32_t p = 0; p < g->n_paws; p++) {
        uint32_t downs = 0;
        for (uint32_t r = from ? from : 1; r < to; r++)
            downs += c[(size_t)r * g->n_paws + p] && !c[(size_t)(r - 1) * g->n_paws + p];
        per_s[p] = to >= from + 2 ? downs / ((to - from) * g->dt_s) : NAN;
    }
}

/* The push: block: whether the body is back up and stepping after
 * body.perturb's push, against the second before it. The "after" window is
 * the second from BB_PUSH_SETTLE_S after the push's end (clipped to the
 * run): the body has that long, about four strides of the 4 Hz stepping,
 * to recover (docs/experiments.md, "Push recovery"). */
#define BB_PUSH_SETTLE_S 1.0
static void put_push(FILE *f, const bb_gait_log *g, const uint8_t *c)
{
    uint32_t on = (uint32_t)ceil(g->push_on_s / g->dt_s - 1e-9);
    uint32_t after = (uint32_t)ceil((g->push_off_s + BB_PUSH_SETTLE_S) / g->dt_s - 1e-9);
    uint32_t span = (uint32_t)lround(1.0 / g->dt_s);
    uint32_t before = on > span ? on - span : 0, end = after + span < g->n ? after + span : g->n;
    if (on > g->n) on = g->n;
    if (after > g->n) after = g->n;
    double rate[2][BB_MAX_PAWS], height[2];
    stepping(g, c, before, on, rate[0], &height[0]);
    stepping(g, c, after, end, rate[1], &height[1]);
    fprintf(f, "  push:  # body.perturb: the body's height and stepping before the push, and from %g s after its end\n",
            BB_PUSH_SETTLE_S);
    fprintf(f, "    before_s: [%.3f, %.3f]\n    after_s: [%.3f, %.3f]\n", before * g->dt_s, on * g->dt_s,
            after * g->dt_s, end * g->dt_s);
    char num[32];
    for (int w = 0; w < 2; w++) /* an empty window: .nan */
        fprintf(f, "    com_height_%s_m: %s\n", w ? "after" : "before", yaml_number(num, "%.4f", height[w]));
    put_paws(f, g, 2, "touchdowns_per_s_before", rate[0], NULL);
    put_paws(f, g, 2, "touchdowns_per_s_after", rate[1], NULL);
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
    /* forward speed over the ground or the belt: what the belt carried back is added */
    double speed = (g->com[0] - g->com0[0] + g->belt_m - g->belt0_m) / t;
    fprintf(f, "gait:  # from paw contacts debounced to phases >= %.0f ms; phases: touch-down in the %s cycle\n",
            min * g->dt_s * 1e3, g->name[g->ref]);
    fprintf(f, "  speed_m_per_s: %.4f  # centre of mass, over the ground or the belt\n", speed);
    fprintf(f, "  com_height_m: {min: %.4f, mean: %.4f}\n", g->z_min, g->z_sum / g->n);
    if (g->has_pelvis) {
        fprintf(f, "  pelvis_roll_deg: {mean_abs: %.2f, max_abs: %.2f}\n", g->roll_abs_sum / g->n * DEG_PER_RAD,
                g->roll_abs_max * DEG_PER_RAD);
        fprintf(f, "  pelvis_pitch_deg: {mean: %.2f, max_abs: %.2f}  # positive: nose up, tail down\n",
                g->pitch_sum / g->n * DEG_PER_RAD, g->pitch_abs_max * DEG_PER_RAD);
        fprintf(f, "  pelvis_yaw_deg: {mean_abs: %.2f, max_abs: %.2f}  # heading from the belt's (world's x) axis\n",
                g->yaw_abs_sum / g->n * DEG_PER_RAD, g->yaw_abs_max * DEG_PER_RAD);
    }
    double step[BB_MAX_PAWS], duty[BB_MAX_PAWS];
    steps(g, c, 0, g->n, step, duty);
    put_paws(f, g, 1, "step_deg", step, "each limb's hip or shoulder flexion, 5th to 95th percentile");
    double slip[BB_MAX_PAWS];
    for (uint32_t p = 0; p < g->n_paws; p++)
        slip[p] = g->slip_intervals[p] ? g->slip_m[p] / (g->slip_intervals[p] * g->dt_s) : NAN;
    put_paws(f, g, 1, "slip_m_per_s", slip, "each paw's mean speed over the belt or ground while down (0: it grips)");
    double borne[BB_MAX_PAWS];
    for (uint32_t p = 0; p < g->n_paws; p++) borne[p] = g->load_sum[p] / g->n / g->weight_N;
    put_paws(f, g, 1, "load_share", borne, "each paw's mean vertical load over the body's weight");
    fprintf(f, "  at_range_end:  # share of the time each limb's joint sat within %g deg of an end of its range\n",
            BB_GAIT_LIMIT_DEG);
    for (int j = 0; j < BB_GAIT_LIMB_JOINTS; j++) {
        double share[BB_MAX_PAWS];
        for (uint32_t p = 0; p < g->n_paws; p++)
            share[p] = isnan(g->limit_range[p][j][0]) ? NAN : (double)g->at_limit[p][j] / g->n;
        put_paws(f, g, 2, limb_joint_key[j], share, j == 0 ? "hip or shoulder flexion" : j == 1 ? "knee or elbow" : "ankle or wrist flexion");
    }
    if (g->stim_off_s > g->stim_on_s) put_stimulus(f, g, c);
    if (g->push_off_s > g->push_on_s) put_push(f, g, c);
    if (bb_footfalls_measure(c, g->n, g->n_paws, g->dt_s, g->ref, &ff)) {
        fprintf(f, "  strides: 0  # fewer than 3 touch-downs of the reference paw: no gait\n");
        free(c);
        return;
    }
    fprintf(f, "  strides: %u\n  stride_hz: %.3f\n  stride_length_m: %.4f\n", ff.strides, ff.frequency_hz,
            speed / ff.frequency_hz);
    put_paws(f, g, 1, "duty", ff.duty, NULL);
    put_paws(f, g, 1, "phase", ff.phase, NULL);
    uint32_t other = g->ref;
    for (uint32_t p = 0; p < g->n_paws; p++)
        if (!strncmp(g->name[p], "R_pes", 5)) other = p;
    bb_recovery r;
    if (g->push_off_s > g->push_on_s && other != g->ref) {
        if (bb_footfalls_recovery(c, g->n, g->n_paws, g->dt_s, g->ref, other, g->push_on_s, g->push_off_s, &r))
            fprintf(f, "  recovery: {baseline_strides: %u}  # fewer than 3 strides before the push\n", r.baseline_strides);
        else {
            char phase[32]; /* no phase: .nan */
            fprintf(f, "  recovery: {baseline_strides: %u, baseline_stride_s: %.4f, baseline_%s_phase: %s, ",
                    r.baseline_strides, r.baseline_period_s, g->name[other],
                    yaml_number(phase, "%.3f", r.baseline_phase));
            if (!r.recovered) fprintf(f, "recovered: false}\n");
            else
                fprintf(f, "recovered: true, strides: %u, seconds: %.3f}  # %d strides in a row like before the push\n",
                        r.strides, r.seconds, BB_RECOVERY_HOLD);
        }
    }
    free(c);
}

void bb_gait_log_free(bb_gait_log *g)
{
    free(g->contact);
    free(g->flexion);
    free(g->height);
    memset(g, 0, sizeof *g);
}

int bb_gait_log_state(bb_gait_log *g, bb_state_io *io)
{
    uint64_t n = g->n;
    if (bb_state_same(io, "gait.paws", g->n_paws) || bb_state_u64(io, "gait.rows", &n)) return -1;
    if (io->restoring) {
        if (n > UINT32_MAX) return -1;
        if (n > g->cap && grow(g, (uint32_t)n)) {
            snprintf(io->why, sizeof io->why, "out of memory for %llu gait rows", (unsigned long long)n);
            return -1;
        }
        g->n = (uint32_t)n;
    }
    return bb_state_field(io, "gait.contact", g->contact, (size_t)g->n * g->n_paws) ||
                   bb_state_field(io, "gait.flexion", g->flexion, (size_t)g->n * g->n_paws * sizeof *g->flexion) ||
                   bb_state_field(io, "gait.height", g->height, (size_t)g->n * sizeof *g->height) ||
                   bb_state_field(io, "gait.at_limit", g->at_limit, sizeof g->at_limit) ||
                   bb_state_field(io, "gait.sole_xy", g->sole_xy, sizeof g->sole_xy) ||
                   bb_state_field(io, "gait.slip_m", g->slip_m, sizeof g->slip_m) ||
                   bb_state_field(io, "gait.slip_intervals", g->slip_intervals, sizeof g->slip_intervals) ||
                   bb_state_field(io, "gait.load_sum", g->load_sum, sizeof g->load_sum) ||
                   bb_state_field(io, "gait.roll_max", &g->roll_abs_max, sizeof g->roll_abs_max) ||
                   bb_state_field(io, "gait.roll_sum", &g->roll_abs_sum, sizeof g->roll_abs_sum) ||
                   bb_state_field(io, "gait.pitch_max", &g->pitch_abs_max, sizeof g->pitch_abs_max) ||
                   bb_state_field(io, "gait.pitch_sum", &g->pitch_sum, sizeof g->pitch_sum) ||
                   bb_state_field(io, "gait.yaw_max", &g->yaw_abs_max, sizeof g->yaw_abs_max) ||
                   bb_state_field(io, "gait.yaw_sum", &g->yaw_abs_sum, sizeof g->yaw_abs_sum) ||
                   bb_state_field(io, "gait.com0", g->com0, sizeof g->com0) ||
                   bb_state_field(io, "gait.belt0", &g->belt0_m, sizeof g->belt0_m) ||
                   bb_state_field(io, "gait.belt", &g->belt_m, sizeof g->belt_m) ||
                   bb_state_field(io, "gait.com", g->com, sizeof g->com) ||
                   bb_state_field(io, "gait.z", &g->z_min, sizeof g->z_min) ||
                   bb_state_field(io, "gait.z_sum", &g->z_sum, sizeof g->z_sum)
               ? -1
               : 0;
}
