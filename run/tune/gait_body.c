/* bb_gait_body: the body alone, driven by the spinal locomotor circuit's
 * rhythm-generator activity through per-muscle weights, as the coupling
 * map's CPG pathways drive it in run/cpg_gait.yaml, but without spikes,
 * cortex or MPI: one evaluation of the gait search run/tune/gait_weights.py
 * (run/tune/README.md). Deterministic.
 *
 * Each exchange interval (5 ms) the circuit (brain/cpg.c, drive alpha)
 * advances, and each muscle's excitation is
 *     tone + sum over its rows of weight x centre activity (0..1), clipped to 1,
 * plus the segmental stretch reflex (coupler/stretch_reflex.h) when its
 * gain is above 0, exactly as the coupler adds it. The pool spikes of a
 * real run are Poisson around these values (cells_per_pool at 100 Hz x
 * activity); --cells N --seed S makes them so with coupler/spinal.c's own
 * pools (a row's activity is then its pool's count / (N x 100 Hz x 5 ms),
 * clipped to 1), with the coupler's one-interval efferent delay
 * (docs/timing.md).
 *
 * Weights file: one row per muscle and pool, "MUSCLE<TAB>POOL<TAB>WEIGHT",
 * POOL = CPG_{L,R}{H,F}_{flexor,extensor}, or TONE for a constant
 * excitation (postural tone); '#' lines are comments.
 * Prints one row of measures over [settle, end) (see --help). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/body.h"
#include "brainbody/cpg.h"
#include "gait_log.h"
#include "posture.h"
#include "spinal.h"
#include "stretch_reflex.h"

#define EXCHANGE_MS 5.0
#define DEG 57.29577951308232
#define STEPS_PER_EXCHANGE 10 /* 0.5 ms body steps */
#define BRAIN_DT_MS 0.1      /* the experiments' brain_dt_ms */
#define POOL_RATE_HZ 100.0    /* the pools' max_rate_hz */

/* The motor pools as the coupler makes them: coupler/spinal.c itself, as
 * on a single brain rank (the spikes do not depend on the rank count). */
typedef struct pools {
    bb_spinal spinal;
    bb_spike *spikes;
    size_t cap;
    uint64_t step;
} pools;

static int pools_init(pools *p, uint32_t cells, uint64_t seed, double alpha, char *err, size_t cap)
{
    memset(p, 0, sizeof *p);
    bb_config *cfg = calloc(1, sizeof *cfg); /* only what bb_spinal_init reads */
    if (!cfg) return -1;
    cfg->seed = seed, cfg->brain_dt_ms = BRAIN_DT_MS;
    cfg->cpg.enabled = 1, cfg->cpg.alpha = alpha, cfg->cpg.cells_per_pool = cells, cfg->cpg.max_rate_hz = POOL_RATE_HZ;
    int rc = bb_spinal_init(&p->spinal, cfg, 0, 1, 0, err, cap);
    p->cap = (size_t)bb_spinal_cells(cfg) * (size_t)llround(EXCHANGE_MS / BRAIN_DT_MS); /* every cell in every step */
    free(cfg);
    if (rc) return rc;
    p->spikes = malloc(p->cap * sizeof *p->spikes);
    return p->spikes ? 0 : -1;
}

/* One exchange: each pool's spike count (flexor, extensor per limb) over
 * its count at full activity, clipped to 1. */
static void pools_run(pools *p, double out[BB_SPINAL_POOLS])
{
    uint32_t steps = (uint32_t)llround(EXCHANGE_MS / BRAIN_DT_MS), count[BB_SPINAL_POOLS] = {0};
    long n = bb_spinal_step(&p->spinal, p->step, steps, p->spikes, p->cap); /* cap holds every cell's every step */
    p->step += steps;
    for (long i = 0; i < n; i++) count[p->spikes[i].source / p->spinal.cells_per_pool]++;
    for (int q = 0; q < BB_SPINAL_POOLS; q++)
        out[q] = fmin(1, count[q] / (p->spinal.cells_per_pool * POOL_RATE_HZ * EXCHANGE_MS * 1e-3));
}

static void pools_free(pools *p)
{
    bb_spinal_free(&p->spinal);
    free(p->spikes);
}

typedef struct row {
    uint32_t muscle;
    int limb, extensor;
    float weight;
} row;

static int pool_of(const char *name, int *limb, int *extensor)
{
    static const char *limbs[BB_N_LIMBS] = {"LH", "RH", "LF", "RF"};
    if (!strcmp(name, "TONE")) { /* constant excitation: posture, not rhythm */
        *limb = -1, *extensor = 0;
        return 0;
    }
    if (strncmp(name, "CPG_", 4)) return -1;
    for (int l = 0; l < BB_N_LIMBS; l++)
        if (!strncmp(name + 4, limbs[l], 2)) {
            *limb = l;
            if (!strcmp(name + 6, "_flexor")) *extensor = 0;
            else if (!strcmp(name + 6, "_extensor")) *extensor = 1;
            else return -1;
            return 0;
        }
    return -1;
}

static row *read_weights(const char *path, const bb_body *b, uint32_t *n_rows)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return NULL;
    }
    uint32_t n = 0, cap = 16, line_no = 0;
    row *rows = malloc(cap * sizeof *rows);
    if (!rows) {
        fclose(f);
        return NULL;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\n') continue;
        char muscle[256], pool[64];
        float w;
        int limb, ext;
        long m;
        if (sscanf(line, "%255s %63s %f", muscle, pool, &w) != 3 || pool_of(pool, &limb, &ext) ||
            (m = bb_body_muscle_index(b, muscle)) < 0 || !(w >= 0 && w <= 1)) {
            fprintf(stderr, "%s:%u: expected MUSCLE<TAB>CPG_{L,R}{H,F}_{flexor,extensor} or TONE<TAB>WEIGHT in [0, 1]\n",
                    path, line_no);
            free(rows);
            fclose(f);
            return NULL;
        }
        if (n == cap) {
            cap *= 2;
            row *g = realloc(rows, cap * sizeof *g);
            if (!g) {
                free(rows);
                fclose(f);
                return NULL;
            }
            rows = g;
        }
        rows[n++] = (row){(uint32_t)m, limb, ext, w};
    }
    fclose(f);
    *n_rows = n;
    return rows;
}

static const char *flex_joint[4] = {"L_shoulder_flex", "R_shoulder_flex", "L_hip_flex", "R_hip_flex"};
/* The hind limbs' joints whose time at a range end is printed (X_lim_K, K the paw: 2 left, 3 right), as run.yaml's at_range_end */
static const char *limit_name[BB_GAIT_LIMB_JOINTS] = {"hip", "knee", "ankle"};

/* --trace: one line of where the body is (mm in the world, x forward, z up) and how its joints stand (deg) */
static void print_trace(const bb_body *b, const uint8_t *contact, uint32_t n_paws)
{
    static const char *spine[5] = {"C4", "T1", "T7", "T13", "L4"}, *paw[4] = {"L_manus", "R_manus", "L_pes", "R_pes"};
    static const char *joint[8] = {"L_elbow",   "L_shoulder_add", "R_shoulder_add", "L_hip_add",
                                   "R_hip_add", "L_hip_rot",      "L_knee",         "L_ankle_flex"};
    double p[3];
    bb_body_body_pos(b, "pelvis", p);
    printf("t %.2f z %.1f roll %.0f pitch %.0f paws", bb_body_time_s(b), p[2] * 1e3, bb_body_roll(b, "pelvis") * DEG,
           bb_body_pitch(b, "pelvis") * DEG);
    for (uint32_t k = 0; k < n_paws; k++) printf(" %d", contact[k]);
    printf(" spine_xz_mm");
    for (int k = 0; k < 5; k++) {
        bb_body_body_pos(b, spine[k], p);
        printf(" %.0f,%.0f", p[0] * 1e3, p[2] * 1e3);
    }
    printf(" paw_xyz_mm");
    for (int k = 0; k < 4; k++) {
        bb_body_body_pos(b, paw[k], p);
        printf(" %.0f,%.0f,%.0f", p[0] * 1e3, p[1] * 1e3, p[2] * 1e3);
    }
    for (int k = 0; k < 4; k++) printf(" %s %.0f", flex_joint[k], bb_body_joint_angle(b, flex_joint[k]) * DEG);
    for (int k = 0; k < 8; k++) printf(" %s %.0f", joint[k], bb_body_joint_angle(b, joint[k]) * DEG);
    printf("\n");
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bb_gait_body MODEL.xml WEIGHTS.tsv [--alpha A] [--seconds S] [--settle S] [--tone E]\n"
            "                    [--reflex GAIN] [--reflex-velocity S] [--roll-reflex KP KD] [--roll-filter MS] [--free]\n"
            "                    [--belt M_PER_S] [--push Y_N START_S DURATION_S] [--tone-gate] [--trace]\n"
            "                    [--cells N --seed S] [--excitation FILE] [--add-excitation FILE]\n"
            "  head-fixed over a treadmill (default 0.2 m/s) or --free on the floor; prints over\n"
            "  [settle, seconds): pelvis_z_mm roll_deg pitch_deg (means, of |.| for the angles),\n"
            "  roll_max_deg, per paw (0..3: L_manus R_manus L_pes R_pes) duty and touch-downs, and\n"
            "  the step (shoulder/hip flexion range, deg) of each, the share of the time each hind\n"
            "  limb's hip, knee and ankle sit within 2 deg of a range end (X_lim_2 left, _3 right),\n"
            "  and the left hind paw's strides,\n"
            "  their frequency and each paw's touch-down phase in them; --trace: the pelvis, spine, paws\n"
            "  and some joints every 50 ms first. --roll-reflex: the TONE rows are scaled by\n"
            "  max(0, 1 + side x (KP x pelvis roll (rad) + KD x its rate)), side +1 right, -1 left;\n"
            "  --roll-filter: the rate through a first-order low-pass of MS ms (as\n"
            "  brain.posture.righting_rate_filter_ms); default 0, the raw difference.\n"
            "  --push: a sideways force (N, +y the mouse's left) on the pelvis for a while.\n"
            "  --tone-gate: each limb's TONE rows are scaled by 1 - its flexor centre's activity.\n"
            "  --cells N --seed S: the pools' spikes as the coupler makes them (N cells at 100 Hz x\n"
            "  activity, random stream S), a row's drive their count one exchange late.\n"
            "  --excitation: every exchange's muscle excitations to FILE (float32, model order).\n"
            "  --add-excitation: adds each exchange's row of FILE (same layout) before clipping,\n"
            "  e.g. a run's recorded cortical drive (run/tune/cortex_drive.py).\n");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        usage();
        return 2;
    }
    double reflex_velocity = 0.02, alpha = 0.3, seconds = 2, settle = 0.3, tone = 0, reflex = 0, belt = 0.2;
    int free_floor = 0, trace = 0, tone_gate = 0;
    uint32_t cells = 0;
    FILE *dump = NULL, *added = NULL;
    const char *added_path = NULL, *dump_path = NULL; /* --excitation is opened once the set-up is checked */
    uint64_t seed = 1;
    double roll_kp = 0, roll_kd = 0, roll_rate_f = 0, roll_filter_ms = 0;
    double push[3] = {0, 0, 0}, push_start = 0, push_s = 0;
    for (int i = 3; i < argc; i++) {
        int has = i + 1 < argc;
        if (!strcmp(argv[i], "--alpha") && has) alpha = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && has) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--settle") && has) settle = atof(argv[++i]);
        else if (!strcmp(argv[i], "--tone") && has) tone = atof(argv[++i]);
        else if (!strcmp(argv[i], "--reflex") && has) reflex = atof(argv[++i]);
        else if (!strcmp(argv[i], "--belt") && has) belt = atof(argv[++i]);
        else if (!strcmp(argv[i], "--reflex-velocity") && has) reflex_velocity = atof(argv[++i]);
        else if (!strcmp(argv[i], "--roll-reflex") && i + 2 < argc) roll_kp = atof(argv[++i]), roll_kd = atof(argv[++i]);
        else if (!strcmp(argv[i], "--roll-filter") && i + 1 < argc) roll_filter_ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--push") && i + 3 < argc)
            push[1] = atof(argv[++i]), push_start = atof(argv[++i]), push_s = atof(argv[++i]);
        else if (!strcmp(argv[i], "--cells") && has) cells = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && has) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--excitation") && has) dump_path = argv[++i];
        else if (!strcmp(argv[i], "--add-excitation") && has) {
            if (!(added = fopen(added_path = argv[++i], "rb"))) {
                perror(argv[i]);
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--free")) free_floor = 1;
        else if (!strcmp(argv[i], "--trace")) trace = 1;
        else if (!strcmp(argv[i], "--tone-gate")) tone_gate = 1;
        else {
            usage();
            return 2;
        }
    }
    bb_world_spec w;
    bb_world_defaults(&w);
    w.head_fixed = !free_floor, w.floor = free_floor, w.treadmill = !free_floor, w.treadmill_speed = belt;
    char err[512];
    bb_body *b = bb_body_open_world(argv[1], &w, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bb_gait_body: %s\n", err);
        return 1;
    }
    if (push_s > 0 && bb_body_push(b, "pelvis", push, push_start, push_s, err, sizeof err)) {
        fprintf(stderr, "bb_gait_body: %s\n", err);
        return 1;
    }
    uint32_t n_rows = 0, n = bb_body_n_muscles(b), n_paws = bb_body_n_touch_grids(b);
    row *rows = read_weights(argv[2], b, &n_rows);
    bb_cpg_spec spec = {alpha, 0, 0, 0};
    pools pl;
    int pools_bad = cells && pools_init(&pl, cells, seed, alpha, err, sizeof err);
    bb_cpg *cpg = cells ? (pools_bad ? NULL : pl.spinal.cpg) : bb_cpg_create(&spec); /* with pools, theirs */
    float *e = calloc(n, sizeof *e), *extra = calloc(n, sizeof *extra);
    uint32_t n_ex = (uint32_t)llround(seconds * 1e3 / EXCHANGE_MS), first = (uint32_t)llround(settle * 1e3 / EXCHANGE_MS);
    uint8_t *contact = calloc((size_t)n_ex * n_paws + 1, 1);
    if (added) { /* a file of another model's muscles, or too short, is refused before the run */
        size_t row_bytes = (size_t)n * sizeof *extra;
        long size = fseek(added, 0, SEEK_END) ? -1 : ftell(added);
        rewind(added);
        if (size < 0 || (size_t)size % row_bytes || (size_t)size / row_bytes < n_ex) {
            fprintf(stderr, "bb_gait_body: --add-excitation %s: %ld bytes, not at least %u whole rows of %u float32 excitations\n",
                    added_path, size, n_ex, n);
            return 2;
        }
    }
    bb_stretch_reflex rx;
    int has_reflex = reflex > 0;
    if (!rows || !cpg || !e || !extra || !contact || n_paws != 4 || (has_reflex && bb_stretch_reflex_init(&rx, b, reflex, reflex_velocity))) {
        fprintf(stderr, "bb_gait_body: cannot set up (out of memory, bad weights or not four paws)\n");
        return 1;
    }
    if (dump_path && !(dump = fopen(dump_path, "wb"))) {
        perror(dump_path);
        return 2;
    }
    double z_sum = 0, roll_sum = 0, roll_max = 0, pitch_sum = 0, lo[4], hi[4];
    bb_gait_log limits; /* the joints' time at a range end, from the exchanges after the settling */
    if (bb_gait_log_init(&limits, b, EXCHANGE_MS * 1e-3)) {
        fprintf(stderr, "bb_gait_body: the body has no left hind paw grid (L_pes_*)\n");
        return 1;
    }
    for (int k = 0; k < 4; k++) lo[k] = 1e9, hi[k] = -1e9;
    int status = 0;
    /* drive[]: what the rows see this exchange; with pools, last exchange's counts */
    double drive[BB_SPINAL_POOLS] = {0}, next[BB_SPINAL_POOLS];
    double roll_prev = bb_body_roll(b, "pelvis"); /* as the coupler's reflex starts (coupler/posture.c) */
    for (uint32_t x = 0; x < n_ex; x++) {
        if (cells)
            pools_run(&pl, next);
        else {
            bb_cpg_run(cpg, EXCHANGE_MS);
            for (int l = 0; l < BB_N_LIMBS; l++)
                drive[2 * l] = bb_cpg_flexor(cpg, (bb_limb)l), drive[2 * l + 1] = bb_cpg_extensor(cpg, (bb_limb)l);
        }
        /* a righting reflex on the TONE rows, vestibulospinal in kind: roll is
         * positive with the left side up, so the right side's antigravity
         * muscles are excited more and the left's less, extending the side
         * that sinks */
        double roll_now = bb_body_roll(b, "pelvis"), rate = (roll_now - roll_prev) / (EXCHANGE_MS * 1e-3);
        roll_rate_f = bb_righting_rate(roll_rate_f, rate, roll_filter_ms * 1e-3, EXCHANGE_MS * 1e-3);
        double u = roll_kp * roll_now + roll_kd * roll_rate_f;
        roll_prev = roll_now;
        for (uint32_t i = 0; i < n; i++) e[i] = (float)tone;
        for (uint32_t r = 0; r < n_rows; r++) {
            bb_limb l = (bb_limb)rows[r].limb;
            double side = bb_body_muscle_side(b, rows[r].muscle) == 'R' ? 1 : -1;
            double a = rows[r].limb < 0 ? bb_righting_scale(side, u) : drive[2 * l + rows[r].extensor];
            if (rows[r].limb < 0 && tone_gate) { /* the limb's flexor phase inhibits its tone (reciprocal inhibition) */
                const char *region = bb_body_muscle_region(b, rows[r].muscle);
                int hind = !strcmp(region, "hindlimb"), fore = !strcmp(region, "forelimb");
                if (hind || fore)
                    a *= 1 - bb_cpg_flexor(cpg, hind ? (side > 0 ? BB_LIMB_RH : BB_LIMB_LH) : (side > 0 ? BB_LIMB_RF : BB_LIMB_LF));
            }
            e[rows[r].muscle] += rows[r].weight * (float)a;
        }
        if (added) { /* a recorded drive, e.g. the cortex's (cortex_drive.py) */
            if (fread(extra, sizeof *extra, n, added) != n) {
                fprintf(stderr, "bb_gait_body: --add-excitation: no row for exchange %u of %u muscles\n", x, n);
                status = 2;
                break;
            }
            for (uint32_t i = 0; i < n; i++) e[i] += extra[i];
        }
        for (uint32_t i = 0; i < n; i++) e[i] = e[i] > 1 ? 1 : e[i];
        if (cells) memcpy(drive, next, sizeof drive); /* applied from the next exchange on */
        if (has_reflex) bb_stretch_reflex_add(&rx, b, NULL, e);
        if (cells && x == 0) memset(e, 0, n * sizeof *e); /* the coupler's first interval has no excitation yet */
        if (dump) fwrite(e, sizeof *e, n, dump);
        if (bb_body_step(b, e, STEPS_PER_EXCHANGE, err, sizeof err)) {
            fprintf(stderr, "bb_gait_body: %s\n", err);
            status = 1;
            break;
        }
        bb_body_paw_contacts(b, contact + (size_t)x * n_paws);
        double p[3];
        bb_body_body_pos(b, "pelvis", p);
        double roll = bb_body_roll(b, "pelvis") * DEG, pitch = bb_body_pitch(b, "pelvis") * DEG;
        if (trace && x % 10 == 9) print_trace(b, contact + (size_t)x * n_paws, n_paws);
        if (x < first) continue;
        z_sum += p[2] * 1e3, roll_sum += fabs(roll), pitch_sum += fabs(pitch), roll_max = fmax(roll_max, fabs(roll));
        for (int k = 0; k < 4; k++) {
            double a = bb_body_joint_angle(b, flex_joint[k]) * DEG;
            lo[k] = fmin(lo[k], a), hi[k] = fmax(hi[k], a);
        }
        if (bb_gait_log_add(&limits, b)) {
            fprintf(stderr, "bb_gait_body: out of memory for the gait log\n");
            status = 1;
            break;
        }
    }
    uint32_t m = n_ex - first;
    bb_footfalls_debounce(contact + (size_t)first * n_paws, m, n_paws, (uint32_t)(BB_FOOTFALL_MIN_PHASE_S * 1e3 / EXCHANGE_MS));
    printf("pelvis_z_mm %.2f roll_deg %.2f pitch_deg %.2f roll_max_deg %.2f", z_sum / m, roll_sum / m, pitch_sum / m, roll_max);
    for (uint32_t k = 0; k < n_paws; k++) {
        uint32_t down = 0, downs = 0;
        for (uint32_t x = first; x < n_ex; x++) {
            uint8_t c = contact[(size_t)x * n_paws + k];
            down += c;
            downs += x > first && c && !contact[(size_t)(x - 1) * n_paws + k];
        }
        printf(" duty_%u %.3f downs_%u %u", k, (double)down / m, k, downs);
    }
    for (int k = 0; k < 4; k++) printf(" step_%d %.1f", k, hi[k] - lo[k]);
    for (int j = 0; j < BB_GAIT_LIMB_JOINTS; j++)
        for (uint32_t k = 2; k < 4; k++)
            printf(" %s_lim_%u %.2f", limit_name[j], k, limits.n ? (double)limits.at_limit[k][j] / limits.n : NAN);
    bb_footfalls ff; /* in the left hind paw's cycle, as run.yaml's gait block */
    if (!bb_footfalls_measure(contact + (size_t)first * n_paws, m, n_paws, EXCHANGE_MS * 1e-3, 2, &ff))
        printf(" strides %u stride_hz %.2f phase_0 %.2f phase_1 %.2f phase_2 %.2f phase_3 %.2f", ff.strides,
               ff.frequency_hz, ff.phase[0], ff.phase[1], ff.phase[2], ff.phase[3]);
    else
        printf(" strides 0 stride_hz 0 phase_0 nan phase_1 nan phase_2 nan phase_3 nan");
    printf(" status %d\n", status);
    if (has_reflex) bb_stretch_reflex_free(&rx);
    bb_gait_log_free(&limits);
    if (dump && fclose(dump)) {
        perror("--excitation");
        status = 1;
    }
    if (added) fclose(added);
    free(contact);
    free(extra);
    free(e);
    free(rows);
    if (cells)
        pools_free(&pl);
    else
        bb_cpg_free(cpg);
    bb_body_close(b);
    return status;
}
