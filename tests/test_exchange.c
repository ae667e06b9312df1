/* The lockstep exchange over MPI, through tests/exchange_harness: identical
 * data for 1, 2 and 3 ranks over 10,000 exchanges (each exchange checked for
 * lost, duplicated or changed spikes and feedback), and faults that must stop
 * the run with a message naming the rank and exchange, never a hang. */
#include <criterion/criterion.h>

#include "spawn.h"

#define HARNESS BB_BINARY_DIR "/tests/exchange_harness"
#define EXP BB_SOURCE_DIR "/tests/data/exchange.yaml"

static spawn_result r;

static void run_harness(int ranks, const char *log, const char *opt, const char *val, const char *opt2,
                        const char *val2, double limit)
{
    mpi_test_env();
    char np[16];
    snprintf(np, sizeof np, "%d", ranks);
    char *argv[16];
    int n = 0;
    if (ranks > 1) argv[n++] = BB_MPIEXEC, argv[n++] = "-np", argv[n++] = np;
    argv[n++] = HARNESS, argv[n++] = EXP, argv[n++] = (char *)log;
    if (opt) argv[n++] = (char *)opt, argv[n++] = (char *)val;
    if (opt2) argv[n++] = (char *)opt2, argv[n++] = (char *)val2;
    argv[n] = NULL;
    spawn_run(argv, limit, &r);
}

/* Runs 1, 2 and 3 ranks (and 3 ranks with cells dealt round-robin, which
 * takes the coupler's general merge) and compares what crossed the coupler. */
Test(exchange, same_data_for_1_2_and_3_ranks, .timeout = 600)
{
    char *logs[4];
    size_t lens[4];
    for (int run = 0; run < 4; run++) {
        int ranks = run < 3 ? run + 1 : 3;
        char log[64];
        snprintf(log, sizeof log, "/tmp/bb_exchange_%d_%d.log", (int)getpid(), run);
        run_harness(ranks, log, "--partition", run < 3 ? "blocks" : "round-robin", NULL, NULL, 300);
        cr_assert(r.exited, "%d ranks: no exit within the limit (hang)\n%s", ranks, r.out);
        cr_assert_eq(r.status, 0, "%d ranks: exit %d\n%s", ranks, r.status, r.out);
        cr_assert(strstr(r.out, "exchanges=10000 verified=10000"), "%d ranks:\n%s", ranks, r.out);
        logs[run] = slurp(log, &lens[run]);
        cr_assert(logs[run]);
        remove(log);
    }
    int lines = 0;
    for (size_t i = 0; i < lens[0]; i++) lines += logs[0][i] == '\n';
    cr_assert_eq(lines, 10000, "one line per exchange, ending at the configured duration");
    cr_assert(strstr(logs[0], "\n9999 "), "last exchange is 9999");
    for (int i = 1; i < 4; i++) {
        cr_assert_eq(lens[i], lens[0], "run %d: log length differs", i);
        cr_assert(memcmp(logs[i], logs[0], lens[0]) == 0, "run %d: exchanged data differs from 1 rank", i);
    }
    for (int i = 0; i < 4; i++) free(logs[i]);
}

Test(exchange, killed_brain_rank_stops_the_run, .timeout = 120)
{
    run_harness(3, "/dev/null", "--die-at", "300", NULL, NULL, 60);
    cr_assert(r.exited, "hang after a rank died:\n%s", r.out);
    cr_assert_neq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "rank 1"), "the dead rank is named:\n%s", r.out);
    cr_assert(strstr(r.out, "exchange 300"), "the exchange is named:\n%s", r.out);
}

Test(exchange, undecodable_packet_stops_the_run, .timeout = 120)
{
    run_harness(2, "/dev/null", "--bad-id-at", "77", NULL, NULL, 60);
    cr_assert(r.exited, "hang:\n%s", r.out);
    cr_assert_eq(r.status, 3, "%s", r.out);
    cr_assert(strstr(r.out, "rank 0 (body+coupler), exchange 77: spike packet from rank 1 rejected: source id out "
                            "of range at byte"),
              "%s", r.out);
}

Test(exchange, silent_rank_is_caught_by_the_watchdog, .timeout = 120)
{
    run_harness(2, "/dev/null", "--hang-at", "50", "--set", "watchdog.timeout_s=1", 60);
    cr_assert(r.exited, "the watchdog did not fire:\n%s", r.out);
    cr_assert_eq(r.status, 3, "%s", r.out);
    cr_assert(strstr(r.out, "exchange 50: no spike packet from brain rank 1 within 1 s"), "%s", r.out);
}

Test(exchange, body_failure_stops_every_rank, .timeout = 120)
{
    run_harness(3, "/dev/null", "--body-fail-at", "20", NULL, NULL, 60);
    cr_assert(r.exited, "hang:\n%s", r.out);
    cr_assert_eq(r.status, 5, "%s", r.out);
    cr_assert(strstr(r.out, "exchange 20: body: synthetic physics failure at exchange 20"), "%s", r.out);
}
