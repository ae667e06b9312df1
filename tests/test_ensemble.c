/* experiment.ensemble: N independent members in one mpirun, each exactly the
 * run a standalone experiment with its seed would be. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define EXPERIMENT BB_SOURCE_DIR "/run/experiments/demo.yaml"
#define OUT BB_BINARY_DIR "/tests/out_ensemble"

static spawn_result res;

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

Test(ensemble, members_are_the_standalone_runs_of_their_seeds)
{
    mpi_test_env();
    /* two members of two ranks each (body+coupler, one brain rank) */
    char *ens[] = {BB_MPIEXEC, "-np", "4", BRAINBODY, "run", EXPERIMENT, "--out", OUT "/ens", "--force",
                   "--set", "experiment.duration_s=0.5", "--set", "experiment.ensemble=2", NULL};
    spawn_run(ens, 300, &res);
    cr_assert(res.exited && res.status == 0, "ensemble run failed (%d):\n%s", res.status, res.out);
    const char *seeds[2] = {"experiment.seed=20261123", "experiment.seed=20261124"};
    for (int m = 0; m < 2; m++) {
        char dir[512], set[64];
        snprintf(dir, sizeof dir, OUT "/alone_%d", m);
        snprintf(set, sizeof set, "%s", seeds[m]);
        char *alone[] = {BRAINBODY, "run", EXPERIMENT, "--out", dir, "--force", "--set", "experiment.duration_s=0.5",
                         "--set", set, NULL};
        spawn_run(alone, 300, &res);
        cr_assert(res.exited && res.status == 0, "standalone run failed (%d):\n%s", res.status, res.out);
        const char *files[] = {"spikes.h5", "body.h5", "events.tsv"};
        for (int f = 0; f < 3; f++) {
            char a[600], b[600];
            snprintf(a, sizeof a, OUT "/ens/member_%03d/%s", m, files[f]);
            snprintf(b, sizeof b, "%s/%s", dir, files[f]);
            cr_expect(same_file(a, b), "member %d's %s differs from the standalone run with its seed", m, files[f]);
        }
    }
    char a[600];
    snprintf(a, sizeof a, OUT "/ens/member_001/run.yaml");
    size_t n;
    char *yaml = slurp(a, &n);
    cr_assert(yaml);
    cr_expect(strstr(yaml, "ensemble_member: 1  # of 2"), "%s", yaml);
    cr_expect(strstr(yaml, "seed: 20261124"), "member 1 runs with seed + 1");
    free(yaml);
    cr_expect(!same_file(OUT "/ens/member_000/spikes.h5", OUT "/ens/member_001/spikes.h5"),
              "the members are not independent: same spikes");
}

Test(ensemble, ranks_must_divide_among_the_members)
{
    mpi_test_env();
    char *ens[] = {BB_MPIEXEC, "-np", "3", BRAINBODY, "run", EXPERIMENT, "--out", OUT "/bad", "--force",
                   "--set", "experiment.ensemble=2", NULL};
    spawn_run(ens, 120, &res);
    cr_assert(res.exited, "hung:\n%s", res.out);
    cr_expect_neq(res.status, 0);
    cr_expect(strstr(res.out, "--set experiment.ensemble: 2 members need a multiple of 2 ranks; mpirun gave 3"), "%s",
              res.out);
    FILE *f = fopen(OUT "/bad/member_000/run.yaml", "r");
    cr_expect_null(f, "a refused ensemble wrote a member");
    if (f) fclose(f);
}
