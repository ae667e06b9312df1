/* The brainbody command: check, run on 1 and 3 ranks with the same result,
 * and bad input that exits 2 without writing or overwriting anything. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <sys/stat.h>

#include "flow_value.h"
#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define DEMO BB_SOURCE_DIR "/run/experiments/demo.yaml"

static spawn_result r;
static char outdir[128], setdir[160];

static void remove_outputs(void) { remove_test_outputs("cli"); }
TestSuite(cli, .fini = remove_outputs);

static void fresh_outdir(const char *tag)
{
    snprintf(outdir, sizeof outdir, "/tmp/bb_cli_%d_%s", (int)getpid(), tag);
    snprintf(setdir, sizeof setdir, "output.dir=%s", outdir);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", outdir);
    cr_assert_eq(system(cmd), 0);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A run of argv must stop on bad input: exit 2, message in its output, and
 * no output folder created. */
static void expect_input_error(char **argv, const char *message)
{
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, message), "expected \"%s\" in:\n%s", message, r.out);
    cr_assert(!exists(outdir), "output folder created despite the error");
}

static void digest_of_run(const char *ranks, char *digest)
{
    mpi_test_env();
    char *one[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "experiment.duration_s=0.2", NULL};
    char *many[] = {BB_MPIEXEC, "-np", (char *)ranks, BRAINBODY, "run", DEMO, "--set", setdir,
                    "--set", "experiment.duration_s=0.2", NULL};
    spawn_run(strcmp(ranks, "1") == 0 ? one : many, 120, &r);
    cr_assert(r.exited && r.status == 0, "exit %d:\n%s", r.status, r.out);
    char path[256];
    snprintf(path, sizeof path, "%s/run.yaml", outdir);
    char *y = slurp(path, NULL);
    cr_assert(y, "no run.yaml");
    cr_assert(strstr(y, "status: complete"), "%s", y);
    cr_assert(strstr(y, "exchanges: 40\n"), "%s", y);
    cr_assert_eq(exchange_digest(y, digest), 0, "no exchange_digest in %s", path);
    free(y);
}

/* Reads /spikes/output_cells of outdir/spikes.h5; returns the spike count. */
static size_t read_spikes(double **t, uint64_t **id)
{
    char path[256];
    snprintf(path, sizeof path, "%s/spikes.h5", outdir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "cannot open %s", path);
    hid_t dt = H5Dopen2(f, "/spikes/output_cells/timestamps", H5P_DEFAULT);
    hid_t di = H5Dopen2(f, "/spikes/output_cells/node_ids", H5P_DEFAULT);
    cr_assert(dt >= 0 && di >= 0, "SONATA datasets missing");
    hid_t space = H5Dget_space(dt);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, NULL);
    H5Sclose(space);
    *t = malloc((n + 1) * sizeof **t);
    *id = malloc((n + 1) * sizeof **id);
    cr_assert(H5Dread(dt, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *t) >= 0);
    cr_assert(H5Dread(di, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, *id) >= 0);
    hid_t grp = H5Gopen2(f, "/spikes/output_cells", H5P_DEFAULT);
    hid_t a = H5Aopen(grp, "sorting", H5P_DEFAULT);
    uint8_t sorting = 0;
    cr_assert(H5Aread(a, H5T_NATIVE_UINT8, &sorting) >= 0);
    cr_assert_eq(sorting, 2, "sorting = by_time");
    H5Aclose(a), H5Gclose(grp), H5Dclose(dt), H5Dclose(di), H5Fclose(f);
    return (size_t)n;
}

Test(cli, spike_file_holds_every_spike_in_time_order, .timeout = 300)
{
    char d[9];
    fresh_outdir("spikes1");
    digest_of_run("1", d);
    double *t1;
    uint64_t *id1;
    size_t n1 = read_spikes(&t1, &id1);
    char path[256], want[64];
    snprintf(path, sizeof path, "%s/run.yaml", outdir);
    char *y = slurp(path, NULL);
    snprintf(want, sizeof want, "output_spikes: %zu\n", n1);
    cr_assert(strstr(y, want), "spikes.h5 has %zu spikes; run.yaml says otherwise:\n%s", n1, y);
    free(y);
    /* 1000 cells x 20 Hz x 0.2 s: Poisson mean 4000, sd 63; allow 5 sd */
    cr_assert(n1 > 4000 - 316 && n1 < 4000 + 316, "%zu spikes", n1);
    for (size_t i = 0; i < n1; i++) {
        cr_assert(id1[i] < 1000);
        cr_assert(t1[i] >= 0 && t1[i] < 200.0);
        if (i) cr_assert(t1[i] >= t1[i - 1], "not sorted by time at %zu", i);
    }
    fresh_outdir("spikes3");
    digest_of_run("3", d);
    double *t3;
    uint64_t *id3;
    size_t n3 = read_spikes(&t3, &id3);
    cr_assert_eq(n3, n1);
    cr_assert(memcmp(t1, t3, n1 * sizeof *t1) == 0, "timestamps differ between 1 and 3 ranks");
    cr_assert(memcmp(id1, id3, n1 * sizeof *id1) == 0, "node ids differ between 1 and 3 ranks");
    free(t1), free(id1), free(t3), free(id3);
    /* and the files themselves are bit-identical */
    char p1[256], p3[256];
    snprintf(p3, sizeof p3, "%s/spikes.h5", outdir);
    fresh_outdir("spikes1");
    digest_of_run("1", d);
    snprintf(p1, sizeof p1, "%s/spikes.h5", outdir);
    size_t l1 = 0, l3 = 0;
    char *b1 = slurp(p1, &l1), *b3 = slurp(p3, &l3);
    cr_assert(b1 && b3 && l1 == l3 && memcmp(b1, b3, l1) == 0, "spikes.h5 differs byte-wise between 1 and 3 ranks");
    free(b1), free(b3);
}

Test(cli, spike_recording_can_be_switched_off)
{
    fresh_outdir("nospikes");
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "experiment.duration_s=0.01",
                    "--set", "recording.spikes=false", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    char path[256];
    snprintf(path, sizeof path, "%s/spikes.h5", outdir);
    cr_assert(!exists(path));
}

Test(cli, check_prints_the_plan)
{
    char *argv[] = {BRAINBODY, "check", DEMO, "--ranks", "3", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "layout: rank 0 body+coupler, ranks 1-2 brain"), "%s", r.out);
    cr_assert(strstr(r.out, "exchanges: 400"), "%s", r.out);
}

/* An inert key the user gave is a warning on the command's output, and the
 * experiment is still valid; none for the demo as it is. */
Test(cli, check_warns_about_an_inert_key)
{
    char *argv[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/cpg_gait.yaml", "--set", "body.treadmill.drive=free", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "brainbody: warning: " BB_SOURCE_DIR "/run/cpg_gait.yaml:") &&
                  strstr(r.out, ": body.treadmill.speed_m_per_s: has no effect with body.treadmill.drive free"),
              "%s", r.out);
    char *demo[] = {BRAINBODY, "check", DEMO, NULL};
    spawn_run(demo, 30, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_null(strstr(r.out, "warning"), "%s", r.out);
}

Test(cli, same_digest_on_1_and_3_ranks, .timeout = 300)
{
    char d1[9], d3[9];
    fresh_outdir("one");
    digest_of_run("1", d1);
    cr_assert(strstr(r.out, "1 rank: brain and body in one process"), "%s", r.out);
    fresh_outdir("three");
    digest_of_run("3", d3);
    cr_assert(strstr(r.out, "3 ranks: rank 0 body+coupler, 2 brain ranks"), "%s", r.out);
    cr_assert_str_eq(d1, d3);
}

Test(cli, bad_config_exits_2_and_writes_nothing)
{
    fresh_outdir("bad");
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "time.exchange_ms=0.25", NULL};
    expect_input_error(argv, "--set time.exchange_ms: 0.25 ms is not a whole multiple");
}

Test(cli, bad_body_model_exits_2_and_writes_nothing)
{
    fresh_outdir("badbody");
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "body.model=/nonexistent/mouse.xml", NULL};
    expect_input_error(argv, "/nonexistent/mouse.xml: cannot load body model");
}

/* brain.posture: a muscle pattern matching nothing is refused, naming the
 * key and the pattern, before anything is written. */
Test(cli, posture_errors_name_the_key_and_pattern)
{
    fresh_outdir("posture");
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "brain.posture.tone=0.2", "--set",
                    "brain.posture.muscles=R_tricep", NULL};
    expect_input_error(argv, "--set brain.posture.muscles: 'R_tricep' matches no muscle of the body");
}

/* Runs the demo with body.model replaced by a file holding mjcf. */
static void run_with_model(const char *tag, const char *mjcf)
{
    fresh_outdir(tag);
    char model[128], set_model[160];
    snprintf(model, sizeof model, "/tmp/bb_cli_%d_%s.xml", (int)getpid(), tag);
    FILE *f = fopen(model, "w");
    fputs(mjcf, f);
    fclose(f);
    snprintf(set_model, sizeof set_model, "body.model=%s", model);
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", set_model, NULL};
    spawn_run(argv, 30, &r);
    remove(model);
}

Test(cli, body_without_muscles_is_an_error)
{
    run_with_model("nomuscle", "<mujoco><worldbody><body><freejoint/><geom size='0.01'/></body></worldbody></mujoco>\n");
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "the body model has no muscles"), "%s", r.out);
    cr_assert(!exists(outdir));
}

Test(cli, malformed_body_model_names_file_and_line)
{
    run_with_model("badxml", "<mujoco>\n<worldbody>\n<geom size='x'/>\n</worldbody>\n</mujoco>\n");
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "cannot load body model") && strstr(r.out, "line 3"), "%s", r.out);
    cr_assert(!exists(outdir));
}

Test(cli, existing_output_is_not_overwritten_without_force, .timeout = 120)
{
    char d[9];
    fresh_outdir("keep");
    digest_of_run("1", d);
    char path[256];
    snprintf(path, sizeof path, "%s/run.yaml", outdir);
    char *before = slurp(path, NULL);
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "experiment.seed=1", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "already exists"), "%s", r.out);
    char *after = slurp(path, NULL);
    cr_assert_str_eq(before, after, "run.yaml changed");
    char *forced[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "experiment.duration_s=0.01", "--force", NULL};
    spawn_run(forced, 30, &r);
    cr_assert_eq(r.status, 0, "--force overwrites: %s", r.out);
    free(before);
    free(after);
}

Test(cli, unknown_command_and_option)
{
    char *a[] = {BRAINBODY, "fly", NULL};
    spawn_run(a, 10, &r);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.out, "unknown command 'fly'"), "%s", r.out);
    char *b[] = {BRAINBODY, "check", DEMO, "--colour", NULL};
    spawn_run(b, 10, &r);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.out, "unknown option '--colour'"), "%s", r.out);
}

#define CORTEX BB_SOURCE_DIR "/run/experiments/cortex.yaml"

/* brain.model = cortex: the same output spikes and the same per-population
 * SONATA file of every cortex spike on 1 and 3 ranks. */
Test(cli, cortex_runs_identically_on_1_and_3_ranks, .timeout = 300)
{
    mpi_test_env();
    char *files[2][2];
    size_t lens[2][2];
    const char *ranks[2] = {"1", "3"};
    for (int k = 0; k < 2; k++) {
        fresh_outdir(k ? "cortex3" : "cortex1");
        char *one[] = {BRAINBODY, "run", CORTEX, "--set", setdir, "--set", "experiment.duration_s=0.3", NULL};
        char *many[] = {BB_MPIEXEC, "-np", "3", BRAINBODY, "run", CORTEX, "--set", setdir,
                        "--set", "experiment.duration_s=0.3", NULL};
        spawn_run(k ? many : one, 200, &r);
        cr_assert(r.exited && r.status == 0, "%s ranks: exit %d:\n%s", ranks[k], r.status, r.out);
        char path[256];
        snprintf(path, sizeof path, "%s/spikes.h5", outdir);
        files[k][0] = slurp(path, &lens[k][0]);
        snprintf(path, sizeof path, "%s/cortex_spikes.h5", outdir);
        files[k][1] = slurp(path, &lens[k][1]);
        cr_assert(files[k][0] && files[k][1], "%s ranks: spike files missing", ranks[k]);
    }
    /* every population is its own SONATA group, with the cells' spikes */
    char path[256];
    snprintf(path, sizeof path, "%s/cortex_spikes.h5", outdir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    const char *groups[] = {"/spikes/M1_left_L5B_exc", "/spikes/M1_right_L23_fs", "/spikes/S1_left_L4_exc",
                            "/spikes/thalamus_right"};
    for (int g = 0; g < 4; g++) cr_assert(H5Lexists(f, groups[g], H5P_DEFAULT) > 0, "%s missing", groups[g]);
    hid_t d = H5Dopen2(f, "/spikes/M1_left_L23_fs/timestamps", H5P_DEFAULT);
    hid_t space = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, NULL);
    cr_assert_gt(n, 10, "M1 L2/3 FS cells fired %llu spikes in 300 ms", (unsigned long long)n);
    H5Sclose(space), H5Dclose(d), H5Fclose(f);
    for (int j = 0; j < 2; j++) {
        cr_assert(lens[0][j] == lens[1][j] && memcmp(files[0][j], files[1][j], lens[0][j]) == 0,
                  "%s differs between 1 and 3 ranks", j ? "cortex_spikes.h5" : "spikes.h5");
        free(files[0][j]), free(files[1][j]);
    }
}

Test(cli, cortex_config_errors_name_the_key)
{
    fresh_outdir("cortexbad");
    char *wrong_count[] = {BRAINBODY, "run", CORTEX, "--set", setdir, "--set", "brain.output_cells=5", NULL};
    expect_input_error(wrong_count, "--set brain.output_cells: the cortex model has 756 L5B output cells");
    char *lesion[] = {BRAINBODY, "run", CORTEX, "--set", setdir, "--set", "feedback.enabled=true", "--set",
                      "feedback.lesion=touch,elbow", NULL};
    expect_input_error(lesion, "feedback.lesion: 'elbow' is not touch, proprio, tail");
    char *stimulus[] = {BRAINBODY, "run", CORTEX, "--set", setdir, "--set", "brain.stimulus.enabled=true", "--set",
                        "brain.stimulus.start_s=1", "--set", "brain.stimulus.stop_s=0.5", NULL};
    expect_input_error(stimulus, "--set brain.stimulus.stop_s: the stimulus stops (0.5 s) before it starts (1 s)");
    char *poisson_stimulus[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "brain.stimulus.enabled=true", NULL};
    expect_input_error(poisson_stimulus, "--set brain.stimulus.enabled: brain.model poisson has no cortex to stimulate");
    char *bad_exchange[] = {BRAINBODY, "run", CORTEX, "--set", setdir, "--set", "time.body_dt_ms=0.1",
                            "--set", "time.exchange_ms=0.3", "--set", "experiment.duration_s=0.3", NULL};
    expect_input_error(bad_exchange, "--set time.exchange_ms: brain.model cortex exchanges spikes");
    char *poisson_without_cells[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "brain.output_cells=0", NULL};
    expect_input_error(poisson_without_cells, "brain.model poisson needs the number of output cells");
}

/* A body whose physics blows up: exit 5 with the simulated time and the
 * cause, and the output folder keeps a readable spikes.h5 and a run.yaml that
 * says the run failed, where and why. */
Test(cli, physics_blow_up_stops_the_run_and_keeps_the_record, .timeout = 60)
{
    run_with_model("blowup",
                   "<mujoco><option timestep='0.0005'/><worldbody><site name='a' pos='-0.01 0 0.001'/>"
                   "<body name='arm'><joint name='j' type='hinge' axis='0 1 0'/>"
                   "<geom type='capsule' fromto='0 0 0 0.01 0 0' size='0.001' mass='1e-6'/>"
                   "<site name='b' pos='0.005 0 0.001'/></body></worldbody>"
                   "<tendon><spatial name='t'><site site='a'/><site site='b'/></spatial></tendon>"
                   "<actuator><muscle name='m' tendon='t' force='1000' lengthrange='0.005 0.03'/></actuator>"
                   "</mujoco>\n");
    cr_assert_eq(r.status, 5, "%s", r.out);
    cr_assert(strstr(r.out, "body: t = ") && strstr(r.out, "physics unstable"), "%s", r.out);
    char path[256];
    snprintf(path, sizeof path, "%s/run.yaml", outdir);
    char *y = slurp(path, NULL);
    cr_assert(y, "no run.yaml");
    cr_assert(strstr(y, "status: failed") && strstr(y, "reason: 'body: t = ") && strstr(y, "exchanges_recorded: "),
              "%s", y);
    free(y);
    double *t;
    uint64_t *id;
    size_t n = read_spikes(&t, &id); /* asserts that the file opens and reads */
    for (size_t i = 0; i < n; i++) cr_assert_lt(t[i], 10.0, "spike at %g ms, after the failure", t[i]);
    free(t);
    free(id);
}

Test(cli, model_info_describes_the_mouse)
{
    char *argv[] = {BRAINBODY, "model-info", BB_SOURCE_DIR "/models/mouse_853muscle/mouse.xml", NULL};
    spawn_run(argv, 60, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    const char *want[] = {"of which muscles 853", "forelimb     132", "hindlimb     128", "tail         144",
                          "touch grids    4 (8 x 8 taxels each)", "DoF            108", "total mass     24.89 g",
                          "compile time   "};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(r.out, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    char *bad[] = {BRAINBODY, "model-info", "/nonexistent/mouse.xml", NULL};
    spawn_run(bad, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "/nonexistent/mouse.xml: cannot load body model"), "%s", r.out);
    char *none[] = {BRAINBODY, "model-info", NULL};
    spawn_run(none, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "model-info: no model file given"), "%s", r.out);
}
