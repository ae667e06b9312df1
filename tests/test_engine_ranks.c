/* The engine gives bit-identical spikes on 1, 2 and 4 ranks (the same
 * synapses, the same random streams, the same order of every sum). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "spawn.h"

#define HARNESS BB_BINARY_DIR "/tests/brain_harness"

static spawn_result r;
static const char *const np[3] = {"1", "2", "4"}; /* rank counts compared */

/* Runs the harness on 1, 2 and 4 ranks; logs[k] gets rank count k's spikes. */
static void run_on_1_2_4(const char *network, char *logs[3], size_t lens[3])
{
    mpi_test_env();
    char syn0[64] = "";
    for (int k = 0; k < 3; k++) {
        char log[64];
        snprintf(log, sizeof log, "/tmp/bb_engine_%d_%s.log", (int)getpid(), np[k]);
        char *argv[] = {BB_MPIEXEC, "-np", (char *)np[k], HARNESS, log, (char *)network, NULL};
        spawn_run(argv, 300, &r);
        cr_assert(r.exited && r.status == 0, "%s ranks: exit %d\n%s", np[k], r.status, r.out);
        char *syn = strstr(r.out, "synapses=");
        cr_assert(syn, "%s", r.out);
        if (k == 0) sscanf(syn, "%63s", syn0);
        else cr_assert(strncmp(syn, syn0, strlen(syn0)) == 0, "%s ranks built other synapses: %s vs %s", np[k], syn, syn0);
        logs[k] = slurp(log, &lens[k]);
        cr_assert(logs[k]);
        remove(log);
    }
}

static void assert_identical(char *logs[3], size_t lens[3])
{
    for (int k = 1; k < 3; k++) {
        cr_assert_eq(lens[k], lens[0], "%s ranks: %zu bytes of spikes vs %zu", np[k], lens[k], lens[0]);
        cr_assert(memcmp(logs[k], logs[0], lens[0]) == 0, "%s ranks: spikes differ from 1 rank", np[k]);
    }
    for (int k = 0; k < 3; k++) free(logs[k]);
}

Test(engine_ranks, same_spikes_on_1_2_and_4_ranks, .timeout = 600)
{
    char *logs[3];
    size_t lens[3];
    run_on_1_2_4(NULL, logs, lens);
    /* every population fires, so every neuron model is compared */
    size_t per_pop[4] = {0}, spikes = 0;
    const unsigned first[5] = {0, 800, 1000, 1101, 1200};
    for (char *line = logs[0]; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long long step;
        unsigned id;
        if (sscanf(line, "%llu %u", &step, &id) != 2) break;
        for (int p = 0; p < 4; p++) per_pop[p] += id >= first[p] && id < first[p + 1];
        spikes++;
    }
    for (int p = 0; p < 4; p++) cr_assert(per_pop[p] > 50, "population %d fired %zu spikes", p, per_pop[p]);
    assert_identical(logs, lens);
}

/* The cortex model: both hemispheres, M1 and S1, thalamic ports fed every
 * block, a stimulated voxel. */
Test(engine_ranks, cortex_same_spikes_on_1_2_and_4_ranks, .timeout = 600)
{
    char *logs[3];
    size_t lens[3];
    run_on_1_2_4("cortex", logs, lens);
    size_t lines = 0;
    for (const char *c = logs[0]; *c; c++) lines += *c == '\n';
    cr_assert_gt(lines, 1000, "the cortex fired only %zu spikes", lines);
    assert_identical(logs, lens);
}
