/* The closed loop on the whole-body mouse, through the command line as
 * users run it: cortex stimulation moves the contralateral forelimb through
 * the coupling map, a lesion stops it, and the recorded body is the same on
 * any number of ranks. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_value.h"
#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define EXPERIMENT BB_SOURCE_DIR "/run/experiments/stimulate_forelimb.yaml"
#define ON_FLOOR BB_SOURCE_DIR "/run/experiments/mouse_on_floor.yaml"

static spawn_result r;

static void remove_outputs(void) { remove_test_outputs("loop"); }
TestSuite(closed_loop, .fini = remove_outputs);

/* Runs file into /tmp/bb_loop_PID_TAG on ranks ranks, with up to two
 * --set KEY=VALUE (extra2 NULL: one; extra NULL: none). */
static void run_file2(const char *file, const char *ranks, const char *tag, const char *extra, const char *extra2)
{
    char out[256], cmd[1024];
    snprintf(out, sizeof out, "output.dir=/tmp/bb_loop_%d_%s", (int)getpid(), tag);
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/bb_loop_%d_%s", (int)getpid(), tag);
    cr_assert_eq(system(cmd), 0);
    mpi_test_env();
    char *one[] = {BRAINBODY, "run", (char *)file, "--set", out, "--set", (char *)extra, "--set", (char *)extra2, NULL};
    char *many[] = {BB_MPIEXEC, "-np", (char *)ranks, BRAINBODY, "run", (char *)file, "--set", out, "--set",
                    (char *)extra, "--set", (char *)extra2, NULL};
    if (!extra2) one[7] = NULL, many[10] = NULL;
    if (!extra) one[5] = NULL, many[8] = NULL;
    spawn_run(strcmp(ranks, "1") ? many : one, 240, &r);
    cr_assert(r.exited && r.status == 0, "exit %d:\n%s", r.status, r.out);
}

static void run_file(const char *file, const char *ranks, const char *tag, const char *extra)
{
    run_file2(file, ranks, tag, extra, NULL);
}

static void run_experiment(const char *ranks, const char *tag, const char *extra)
{
    run_file(EXPERIMENT, ranks, tag, extra);
}

/* Reads a 2-D float dataset of a run's body.h5; rows x cols. */
static float *read_2d(const char *tag, const char *name, hsize_t *rows, hsize_t *cols)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/body.h5", (int)getpid(), tag);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "cannot open %s", path);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s = H5Dget_space(d);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(s, dims, NULL);
    float *v = malloc(dims[0] * dims[1] * sizeof *v);
    cr_assert(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(s), H5Dclose(d), H5Fclose(f);
    *rows = dims[0], *cols = dims[1];
    return v;
}

static void free_names(char **v, hsize_t n)
{
    for (hsize_t i = 0; i < n; i++) free(v[i]); /* HDF5's default allocator is malloc */
    free(v);
}

static char **read_names(const char *tag, const char *name, hsize_t *n)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/body.h5", (int)getpid(), tag);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, name, H5P_DEFAULT), s = H5Dget_space(d);
    H5Sget_simple_extent_dims(s, n, NULL);
    char **v = malloc(*n * sizeof *v);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    cr_assert(H5Dread(d, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Tclose(str), H5Sclose(s), H5Dclose(d), H5Fclose(f);
    return v;
}

/* Mean excitation over rows and over the forelimb muscles of one side. */
static double forelimb_drive(const char *tag, char side)
{
    hsize_t rows, cols, n;
    float *e = read_2d(tag, "/muscles/excitation", &rows, &cols);
    char **names = read_names(tag, "/muscles/names", &n), **regions = read_names(tag, "/muscles/regions", &n);
    double sum = 0;
    long count = 0;
    for (hsize_t m = 0; m < cols; m++) {
        if (names[m][0] != side || strcmp(regions[m], "forelimb")) continue;
        for (hsize_t k = 0; k < rows; k++) sum += e[k * cols + m];
        count += (long)rows;
    }
    free(e);
    free_names(names, n);
    free_names(regions, n);
    return count ? sum / (double)count : 0;
}

/* Largest change of a joint's angle from its first recorded value, degrees. */
static double excursion(const char *tag, const char *joint)
{
    hsize_t rows, cols, n;
    float *a = read_2d(tag, "/joints/angle", &rows, &cols);
    char **names = read_names(tag, "/joints/names", &n);
    hsize_t j = 0;
    while (j < n && strcmp(names[j], joint)) j++;
    cr_assert(j < n, "no joint %s", joint);
    double most = 0;
    for (hsize_t k = 0; k < rows; k++) most = fmax(most, fabs(a[k * cols + j] - a[j]));
    free(a);
    free_names(names, n);
    return most * 180 / 3.14159265358979323846;
}

/* DC on the left M1 forelimb strip: the right forelimb's muscles are driven
 * and its elbow swings; cut the pathway from that pool and the muscles get
 * nothing and the elbow only settles under gravity (head fixed, so the
 * settling is small). 20 degrees is a fifth of the elbow's 27-120 degree
 * range, three times the settling. */
Test(closed_loop, m1_stimulation_moves_the_contralateral_forelimb, .timeout = 600)
{
    run_experiment("3", "stim", "coupling.lesion=none");
    run_experiment("3", "lesion", "coupling.lesion=M1L_forelimb");
    double right = forelimb_drive("stim", 'R'), left = forelimb_drive("stim", 'L');
    cr_assert_gt(right, 0.02, "right forelimb excitation %g", right);
    cr_assert_lt(left, right / 5, "left forelimb %g vs right %g: the drive is contralateral", left, right);
    cr_assert_eq(forelimb_drive("lesion", 'R'), 0.0, "a lesioned pathway drives nothing");
    double moved = excursion("stim", "R_elbow"), settled = excursion("lesion", "R_elbow");
    cr_assert_gt(moved, 20, "right elbow moved %.1f deg under stimulation", moved);
    cr_assert_lt(settled, 10, "right elbow moved %.1f deg with the pathway cut", settled);
    cr_assert_gt(moved, settled + 20);
    char path[256];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_stim/events.tsv", (int)getpid());
    char *events = slurp(path, NULL);
    cr_assert(events && strstr(events, "time_s\tevent\tdetail\n0.100000\tstimulus_on\tleft M1 forelimb L5B 25 pA\n"),
              "%s", events ? events : "no events.tsv");
    free(events);
}

static unsigned char *file_bytes(const char *tag, const char *name, size_t *n)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/%s", (int)getpid(), tag, name);
    unsigned char *b = (unsigned char *)slurp(path, n);
    cr_assert(b, "no %s", path);
    return b;
}

Test(closed_loop, spikes_and_body_are_bit_identical_on_1_2_and_3_ranks, .timeout = 900)
{
    const char *ranks[] = {"1", "2", "3"};
    /* feedback on: the body's rates reach every brain rank's thalamic cells */
    for (int i = 0; i < 3; i++) run_file(ON_FLOOR, ranks[i], ranks[i], "experiment.duration_s=0.2");
    const char *files[] = {"spikes.h5", "body.h5"};
    for (int f = 0; f < 2; f++) {
        size_t n1, n;
        unsigned char *one = file_bytes("1", files[f], &n1);
        for (int i = 1; i < 3; i++) {
            unsigned char *other = file_bytes(ranks[i], files[f], &n);
            cr_assert(n == n1 && memcmp(one, other, n) == 0, "%s differs between 1 and %s ranks", files[f], ranks[i]);
            free(other);
        }
        free(one);
    }
}

/* Spikes of one population of a run's cortex_spikes.h5. */
static hsize_t cortex_spikes(const char *tag, const char *population)
{
    char path[256], name[128];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/cortex_spikes.h5", (int)getpid(), tag);
    snprintf(name, sizeof name, "/spikes/%s/timestamps", population);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "cannot open %s", path);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s = H5Dget_space(d);
    cr_assert(d >= 0, "no %s in %s", name, path);
    hsize_t n;
    H5Sget_simple_extent_dims(s, &n, NULL);
    H5Sclose(s), H5Dclose(d), H5Fclose(f);
    return n;
}

/* Spikes of thalamic relay cells whose afferent channel carries touch:
 * with the default 16 channels per hemisphere, the hindlimb area owns
 * channels [3, 6) and the forelimb area [9, 12), and the first half of each
 * (width / 2 = 1) carries touch (docs/coupling.md, coupler/afferent.c); a
 * channel has 4 relay cells, node ids 4c..4c+3. */
static hsize_t touch_relay_spikes(const char *tag)
{
    const unsigned channels = 16, cells_per_channel = 4, areas = 5, limb_areas[] = {1, 3};
    char path[256];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/cortex_spikes.h5", (int)getpid(), tag);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "cannot open %s", path);
    hsize_t touch = 0;
    for (int h = 0; h < 2; h++) {
        char name[128];
        snprintf(name, sizeof name, "/spikes/%s/node_ids", h ? "thalamus_right" : "thalamus_left");
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s = H5Dget_space(d);
        cr_assert(d >= 0, "no %s in %s", name, path);
        hsize_t n;
        H5Sget_simple_extent_dims(s, &n, NULL);
        uint64_t *ids = malloc((n + 1) * sizeof *ids);
        cr_assert(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids) >= 0);
        for (hsize_t i = 0; i < n; i++)
            for (int k = 0; k < 2; k++) {
                unsigned c0 = limb_areas[k] * channels / areas, c1 = (limb_areas[k] + 1) * channels / areas;
                uint64_t c = ids[i] / cells_per_channel;
                touch += c >= c0 && c < c0 + (c1 - c0) / 2;
            }
        free(ids);
        H5Sclose(s), H5Dclose(d);
    }
    H5Fclose(f);
    return touch;
}

static double max_merkel(const char *tag)
{
    hsize_t rows, cols;
    float *m = read_2d(tag, "/touch/merkel", &rows, &cols), most = 0;
    for (hsize_t i = 0; i < rows * cols; i++) most = fmaxf(most, m[i]);
    free(m);
    return most;
}

/* The mouse on the floor: its paws touch, the touch grids fire, and through
 * the afferent map the thalamic relay cells and S1's layer 4 answer; cut
 * the feedback and the relay cells fall silent and S1 layer 4 returns to its
 * own activity; cut touch alone and the touch channels' relay cells fall
 * silent while the proprioceptive ones fire on. */
Test(closed_loop, paw_contact_reaches_s1_and_deafferentation_removes_it, .timeout = 600)
{
    run_file(ON_FLOOR, "3", "fb_on", "feedback.lesion=none");
    run_file(ON_FLOOR, "3", "fb_off", "feedback.enabled=false");
    run_file(ON_FLOOR, "3", "fb_notouch", "feedback.lesion=touch");
    cr_assert_gt(max_merkel("fb_on"), 20, "paw contact fires Merkel afferents");
    cr_assert_gt(max_merkel("fb_off"), 20, "the body feels the floor whether or not the brain hears it");
    hsize_t thal_on = cortex_spikes("fb_on", "thalamus_left") + cortex_spikes("fb_on", "thalamus_right");
    hsize_t thal_off = cortex_spikes("fb_off", "thalamus_left") + cortex_spikes("fb_off", "thalamus_right");
    hsize_t thal_notouch =
        cortex_spikes("fb_notouch", "thalamus_left") + cortex_spikes("fb_notouch", "thalamus_right");
    cr_assert_gt(thal_on, 100, "%llu relay spikes with feedback", (unsigned long long)thal_on);
    cr_assert_eq(thal_off, 0, "%llu relay spikes deafferented", (unsigned long long)thal_off);
    /* Cutting touch silences the relay cells of the touch channels, and only
     * them: the rest (proprioception) keep firing. The whole thalamus's count
     * is no measure, since its proprioceptive part moves with the body. */
    hsize_t touch_on = touch_relay_spikes("fb_on"), touch_cut = touch_relay_spikes("fb_notouch");
    cr_assert_gt(touch_on, 5, "%llu touch-channel relay spikes with touch", (unsigned long long)touch_on);
    cr_assert_eq(touch_cut, 0, "%llu touch-channel relay spikes with touch cut", (unsigned long long)touch_cut);
    cr_assert_gt(thal_notouch, 100, "%llu relay spikes with touch cut, proprioception intact",
                 (unsigned long long)thal_notouch);
    hsize_t l4_on = cortex_spikes("fb_on", "S1_left_L4_exc") + cortex_spikes("fb_on", "S1_right_L4_exc");
    hsize_t l4_off = cortex_spikes("fb_off", "S1_left_L4_exc") + cortex_spikes("fb_off", "S1_right_L4_exc");
    cr_assert_gt((double)l4_on, 1.2 * (double)l4_off, "S1 L4 exc: %llu spikes with feedback, %llu without",
                 (unsigned long long)l4_on, (unsigned long long)l4_off);
}

/* The exchange digest of a run's run.yaml (its body and spikes, bit for bit). */
static unsigned run_digest(const char *tag)
{
    char path[256], digest[9];
    snprintf(path, sizeof path, "/tmp/bb_loop_%d_%s/run.yaml", (int)getpid(), tag);
    char *y = slurp(path, NULL);
    cr_assert(y, "no %s", path);
    cr_assert_eq(exchange_digest(y, digest), 0, "no exchange_digest in %s", path);
    free(y);
    return (unsigned)strtoul(digest, NULL, 16);
}

/* The stretch reflex is the muscle spindles' segmental loop, so a
 * deafferented run (feedback.enabled false, a dorsal rhizotomy) has none:
 * with it, brain.stretch_reflex.gain changes nothing; with feedback, it
 * changes the run. */
Test(closed_loop, deafferentation_removes_the_stretch_reflex, .timeout = 600)
{
    run_file2(ON_FLOOR, "1", "sr_off", "feedback.enabled=false", "brain.stretch_reflex.gain=10");
    run_file2(ON_FLOOR, "1", "sr_none", "feedback.enabled=false", "brain.stretch_reflex.gain=0");
    run_file2(ON_FLOOR, "1", "sr_on", "feedback.enabled=true", "brain.stretch_reflex.gain=10");
    run_file2(ON_FLOOR, "1", "sr_on_none", "feedback.enabled=true", "brain.stretch_reflex.gain=0");
    cr_assert_eq(run_digest("sr_off"), run_digest("sr_none"), "deafferented, the reflex's gain changed the run");
    cr_assert_neq(run_digest("sr_on"), run_digest("sr_on_none"), "with feedback, the reflex changed nothing");
}
