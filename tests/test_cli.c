/* The brainbody command: check, run on 1 and 3 ranks with the same result,
 * and bad input that exits 2 without writing or overwriting anything. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define DEMO BB_SOURCE_DIR "/run/experiments/demo.yaml"

static spawn_result r;
static char outdir[128], setdir[160];

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
    char *d = strstr(y, "exchange_digest: \"");
    cr_assert(d);
    memcpy(digest, d + 18, 8);
    digest[8] = '\0';
    free(y);
}

Test(cli, check_prints_the_plan)
{
    char *argv[] = {BRAINBODY, "check", DEMO, "--ranks", "3", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "layout: rank 0 body+coupler, ranks 1-2 brain"), "%s", r.out);
    cr_assert(strstr(r.out, "exchanges: 400"), "%s", r.out);
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
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "--set time.exchange_ms: 0.25 ms is not a whole multiple"), "%s", r.out);
    cr_assert(!exists(outdir), "output folder created despite the error");
}

Test(cli, bad_body_model_exits_2_and_writes_nothing)
{
    fresh_outdir("badbody");
    char *argv[] = {BRAINBODY, "run", DEMO, "--set", setdir, "--set", "body.model=/nonexistent/mouse.xml", NULL};
    spawn_run(argv, 30, &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "/nonexistent/mouse.xml: cannot load body model"), "%s", r.out);
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
