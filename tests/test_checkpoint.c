/* Checkpoints, resume and faults on the product (the cortex driving the
 * 853-muscle mouse, run/demo.yaml): a resumed run writes the data of the
 * uninterrupted one, at 1 and 2 ranks; a killed brain rank leaves readable
 * outputs and a checkpoint to finish from; bad resumes, a full disk and a
 * push that blows the physics up are reported without harm to what was
 * written. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "h5same.h"
#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define DEMO BB_SOURCE_DIR "/run/demo.yaml"
#define OUT BB_BINARY_DIR "/tests/out_checkpoint"
#define DURATION "experiment.duration_s=0.4" /* 80 exchanges */

static spawn_result r;

static void run_ok(char *const argv[], const char *what)
{
    spawn_run(argv, 600, &r);
    cr_assert(r.exited && r.status == 0, "%s: exit %d\n%s", what, r.status, r.out);
}

/* The uninterrupted reference: one process, no checkpoints. */
static const char *reference(void)
{
    static int done;
    if (!done) {
        char *argv[] = {BRAINBODY, "run", DEMO, "--out", OUT "/reference", "--force", "--set", DURATION, NULL};
        run_ok(argv, "reference run");
        done = 1;
    }
    return OUT "/reference";
}

static void expect_same_outputs(const char *dir, const char *ref)
{
    const char *h5[] = {"spikes.h5", "body.h5", "cortex_spikes.h5"};
    for (int i = 0; i < 3; i++) {
        char a[512], b[512], why[512];
        snprintf(a, sizeof a, "%s/%s", dir, h5[i]);
        snprintf(b, sizeof b, "%s/%s", ref, h5[i]);
        cr_expect(h5_same_data(a, b, why, sizeof why), "%s differs from the uninterrupted run: %s", a, why);
    }
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/events.tsv", dir);
    snprintf(b, sizeof b, "%s/events.tsv", ref);
    size_t na = 0, nb = 0;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    cr_expect(x && y && na == nb && !memcmp(x, y, na), "%s differs from the uninterrupted run", a);
    free(x);
    free(y);
}

/* The digest line's value ("digest 1234abcd"), from a run's output. */
static void digest_of(const char *out, char d[9])
{
    const char *p = strstr(out, "digest ");
    cr_assert(p, "no digest in:\n%s", out);
    memcpy(d, p + 7, 8);
    d[8] = '\0';
}

static void resume_at(int ranks, const char *dir, const char *checkpoint)
{
    char path[512], np[16];
    snprintf(path, sizeof path, "%s/checkpoints/%s", dir, checkpoint);
    snprintf(np, sizeof np, "%d", ranks);
    char *one[] = {BRAINBODY, "run", "--resume", path, NULL};
    char *many[] = {BB_MPIEXEC, "-np", np, BRAINBODY, "run", "--resume", path, NULL};
    run_ok(ranks == 1 ? one : many, "resumed run");
}

Test(checkpoint, a_resumed_run_writes_the_uninterrupted_runs_data_at_1_and_2_ranks, .timeout = 900)
{
    mpi_test_env();
    const char *ref = reference();
    char ref_digest[9];
    digest_of(r.out, ref_digest);
    for (int ranks = 1; ranks <= 2; ranks++) {
        char dir[256];
        snprintf(dir, sizeof dir, OUT "/every_%d", ranks);
        char *one[] = {BRAINBODY, "run", DEMO, "--out", dir, "--force", "--set", DURATION,
                       "--set", "checkpoint.every_s=0.1", "--set", "checkpoint.keep=0", NULL};
        char *two[] = {BB_MPIEXEC, "-np", "2", BRAINBODY, "run", DEMO, "--out", dir, "--force", "--set", DURATION,
                       "--set", "checkpoint.every_s=0.1", "--set", "checkpoint.keep=0", NULL};
        run_ok(ranks == 1 ? one : two, "checkpointed run");
        cr_expect(strstr(r.out, "checkpoint after exchange 20 ") && strstr(r.out, "checkpoint after exchange 60 "),
                  "%s", r.out);
        cr_expect(!strstr(r.out, "checkpoint after exchange 80 "), "no checkpoint at the run's end:\n%s", r.out);
        char d[9];
        digest_of(r.out, d);
        cr_expect_str_eq(d, ref_digest, "%d ranks: checkpoints changed what crossed the coupler", ranks);
        expect_same_outputs(dir, ref); /* writing checkpoints changes nothing */

        /* Resumed in place from the middle: the files are cut back to the
         * checkpoint and written on; the result is the uninterrupted run's. */
        resume_at(ranks, dir, "exchange_000000040");
        digest_of(r.out, d);
        cr_expect_str_eq(d, ref_digest, "%d ranks: the resumed run's exchanges differ", ranks);
        expect_same_outputs(dir, ref);
        char path[300];
        snprintf(path, sizeof path, "%s/run.yaml", dir);
        char *y = slurp(path, NULL);
        cr_assert(y);
        cr_expect(strstr(y, "status: complete") && strstr(y, "checkpoints/exchange_000000040\"") &&
                      strstr(y, "exchanges: 80"),
                  "%s", y);
        free(y);
    }
}

/* The pid of the process of MPI rank `rank` whose command line mentions `marker`. */
static pid_t find_rank(const char *marker, int rank)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    char want[64];
    snprintf(want, sizeof want, "OMPI_COMM_WORLD_RANK=%d", rank);
    pid_t found = 0;
    while (d && !found && (e = readdir(d))) {
        char path[300], buf[65536];
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "rb");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f) fclose(f);
        int mentions = 0, is_brainbody = n && strstr(buf, "/brainbody");
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1) mentions |= strstr(buf + i, marker) != NULL;
        if (!is_brainbody || !mentions) continue;
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        f = fopen(path, "rb");
        n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f) fclose(f);
        buf[n] = '\0';
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
            if (!strcmp(buf + i, want)) found = (pid_t)atoi(e->d_name);
    }
    if (d) closedir(d);
    return found;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The newest exchange_* folder of a run's checkpoints ("" if none). */
static void newest_checkpoint(const char *dir, char *name, size_t cap)
{
    char path[300];
    snprintf(path, sizeof path, "%s/checkpoints", dir);
    name[0] = '\0';
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "exchange_", 9) && strcmp(e->d_name, name) > 0) snprintf(name, cap, "%.60s", e->d_name);
    if (d) closedir(d);
}

static hsize_t rows_of(const char *file, const char *dataset)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "%s cannot be opened after the fault", file);
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    cr_assert(d >= 0, "%s: no %s after the fault", file, dataset);
    hid_t s = H5Dget_space(d);
    hsize_t n[2] = {0, 0};
    H5Sget_simple_extent_dims(s, n, NULL);
    double *buf = calloc(n[0] + 1, sizeof *buf);
    cr_assert(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, "%s: %s unreadable", file,
              dataset);
    free(buf);
    H5Sclose(s), H5Dclose(d), H5Fclose(f);
    return n[0];
}

/* Every dataset of an output file reads back (compared with itself). */
static void expect_readable(const char *path)
{
    char why[512];
    cr_expect(h5_same_data(path, path, why, sizeof why), "%s is not readable after the fault: %s", path, why);
}

Test(checkpoint, a_killed_brain_rank_leaves_readable_outputs_and_resume_finishes_the_run, .timeout = 900)
{
    mpi_test_env();
    const char *ref = reference();
    const char *dir = OUT "/killed";
    char *argv[] = {BB_MPIEXEC, "-np", "3", BRAINBODY, "run", DEMO, "--out", (char *)dir, "--force", "--set",
                    DURATION, "--set", "checkpoint.every_s=0.1", "--set", "recording.flush_s=0.05", NULL};
    char log[] = OUT "/killed.log";
    char *clean[] = {"rm", "-rf", (char *)dir, NULL}; /* so the checkpoint waited for is this run's */
    spawn_run(clean, 60, &r);
    mkdir(OUT, 0777);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        setpgid(0, 0);
        execvp(argv[0], argv);
        _exit(127);
    }
    /* after the checkpoint at 0.2 s, kill brain rank 2 (SIGKILL: no goodbye) */
    double t0 = spawn_now();
    while (!exists(OUT "/killed/checkpoints/exchange_000000040") && spawn_now() - t0 < 300)
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    pid_t victim = find_rank("/killed", 2);
    cr_assert(victim > 0, "brain rank 2 not found");
    kill(victim, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, WNOHANG) == 0 && spawn_now() - t0 < 300) nanosleep(&(struct timespec){0, 20000000L}, NULL);
    cr_assert(WIFEXITED(st) || WIFSIGNALED(st), "the run did not stop after its brain rank was killed");
    char *out = slurp(log, NULL);
    cr_assert(out);
    cr_expect(!WIFEXITED(st) || WEXITSTATUS(st) != 0, "exit 0 after a killed rank:\n%s", out);
    cr_expect(strstr(out, "rank 2") && strstr(out, "exited on signal 9"), "the dead rank is named:\n%s", out);
    cr_expect(strstr(out, "rank 0 (body+coupler) stopped by signal 15 at exchange ") && strstr(out, " ms) while "),
              "the coupler says where the run was, in exchanges and simulated time:\n%s", out);
    cr_expect(!strstr(out, "exchanges of 5 ms"), "the run was not stopped before its end:\n%s", out);
    free(out);

    /* What was flushed is readable: whole flush intervals of 10 exchanges. */
    hsize_t rows = rows_of(OUT "/killed/body.h5", "/time");
    cr_expect(rows >= 40 && rows < 80 && rows % 10 == 0, "body.h5 has %llu rows", (unsigned long long)rows);
    expect_readable(OUT "/killed/body.h5");
    expect_readable(OUT "/killed/spikes.h5");
    expect_readable(OUT "/killed/cortex_spikes.h5");

    char newest[64];
    newest_checkpoint(dir, newest, sizeof newest);
    cr_assert(newest[0], "no checkpoint survived");
    resume_at(3, dir, newest);
    expect_same_outputs(dir, ref);
}

/* Bytes of a run's files, to show that a refused resume changed none. */
static char *snapshot(const char *dir, size_t *len)
{
    const char *files[] = {"run.yaml", "events.tsv", "spikes.h5", "body.h5", "cortex_spikes.h5"};
    size_t total = 0;
    char *all = NULL;
    for (int i = 0; i < 5; i++) {
        char path[300];
        size_t n = 0;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        char *b = slurp(path, &n);
        cr_assert(b, "%s missing", path);
        all = realloc(all, total + n);
        memcpy(all + total, b, n);
        total += n;
        free(b);
    }
    *len = total;
    return all;
}

static void expect_refused(char *const argv[], const char *message, const char *dir, const char *before, size_t len)
{
    spawn_run(argv, 120, &r);
    cr_expect(r.exited && r.status == 2, "exit %d, not 2:\n%s", r.status, r.out);
    cr_expect(strstr(r.out, message), "no \"%s\" in:\n%s", message, r.out);
    size_t n = 0;
    char *after = snapshot(dir, &n);
    cr_expect(n == len && !memcmp(after, before, len), "a refused resume changed the run's files");
    free(after);
}

Test(checkpoint, a_bad_resume_is_refused_and_changes_nothing, .timeout = 600)
{
    mpi_test_env();
    const char *dir = OUT "/refused";
    char *argv[] = {BRAINBODY, "run", DEMO, "--out", (char *)dir, "--force", "--set", "experiment.duration_s=0.1",
                    "--set", "checkpoint.every_s=0.05", NULL};
    mkdir(OUT, 0777);
    mkdir(dir, 0777);
    mkdir(OUT "/refused/checkpoints", 0777);
    mkdir(OUT "/refused/checkpoints/exchange_000000999", 0777); /* an earlier run's */
    run_ok(argv, "the run to resume");
    cr_expect(!exists(OUT "/refused/checkpoints/exchange_000000999"),
              "--force kept an earlier run's checkpoint, which would resume into this run's files");
    size_t len = 0;
    char *before = snapshot(dir, &len);
    const char *ck = OUT "/refused/checkpoints/exchange_000000010";

    char *mpi2[] = {BB_MPIEXEC, "-np", "2", BRAINBODY, "run", "--resume", (char *)ck, NULL};
    expect_refused(mpi2, "rank_001.state: No such file", dir, before, len);
    char *extra[] = {BRAINBODY, "run", "--resume", (char *)ck, "--set", "experiment.seed=1", NULL};
    expect_refused(extra, "--resume takes the experiment, its folder and its seed from the checkpoint", dir, before,
                   len);
    char *nowhere[] = {BRAINBODY, "run", "--resume", OUT "/refused/checkpoints/exchange_000000099", NULL};
    expect_refused(nowhere, "not a checkpoint folder", dir, before, len);

    /* one byte of the body's state flipped */
    char state[300];
    snprintf(state, sizeof state, "%s/rank_000.state", ck);
    FILE *f = fopen(state, "r+b");
    cr_assert(f);
    fseek(f, -100000, SEEK_END);
    int c = fgetc(f);
    fseek(f, -100000, SEEK_END);
    fputc(c ^ 0x40, f);
    fclose(f);
    char *one[] = {BRAINBODY, "run", "--resume", (char *)ck, NULL};
    expect_refused(one, "fails its CRC-32: the file is damaged", dir, before, len);
    free(before);
}

/* A file-size limit stands in for a full disk: the write fails with EFBIG
 * (SIGXFSZ ignored) where a full disk fails with ENOSPC. */
static void run_with_file_limit(char *const argv[], rlim_t bytes)
{
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = bytes;
    signal(SIGXFSZ, SIG_IGN);
    setenv("PMIX_MCA_gds", "hash", 1); /* MPI_Init's shared-memory store would hit the limit first */
    setrlimit(RLIMIT_FSIZE, &lim);
    spawn_run(argv, 300, &r);
    setrlimit(RLIMIT_FSIZE, &old);
    unsetenv("PMIX_MCA_gds");
    signal(SIGXFSZ, SIG_DFL);
}


Test(checkpoint, a_full_disk_stops_the_run_with_a_clear_error_and_keeps_what_was_written, .timeout = 600)
{
    /* body.h5 grows about 16 KB an exchange and a flush of it asks for room
     * for 0.6-1.2 MB (every chunk it touches, uncompressed); cortex_spikes.h5
     * grows about 11 KB and asks for 1.8 MB (62 populations): one of them
     * finds no room within 0.4 s under a 1.5 MB limit, before it writes. */
    char *rows[] = {BRAINBODY, "run", DEMO, "--out", OUT "/full", "--force", "--set", DURATION,
                    "--set", "recording.flush_s=0.05", NULL};
    run_with_file_limit(rows, 1500000);
    cr_expect(r.exited && r.status == 6, "exit %d, not 6:\n%s", r.status, r.out);
    cr_expect(strstr(r.out, ".h5: no room for the next") && strstr(r.out, "(disk full?)"), "%s", r.out);
    hsize_t n = rows_of(OUT "/full/body.h5", "/time");
    cr_expect(n > 0 && n < 80 && n % 10 == 0, "%llu rows kept: not whole flushes", (unsigned long long)n);
    expect_readable(OUT "/full/body.h5");
    expect_readable(OUT "/full/spikes.h5");
    expect_readable(OUT "/full/cortex_spikes.h5");
    char *y = slurp(OUT "/full/run.yaml", NULL);
    cr_assert(y);
    cr_expect(strstr(y, "status: failed") && strstr(y, "disk full?"), "%s", y);
    free(y);

    /* A checkpoint (about 12 MB a rank for the demo) that does not fit: the
     * run stops, the partial checkpoint is removed, the outputs stay. */
    char *ck[] = {BRAINBODY, "run", DEMO, "--out", OUT "/full_ck", "--force", "--set", DURATION,
                  "--set", "checkpoint.every_s=0.1", NULL};
    run_with_file_limit(ck, 8000000);
    cr_expect(r.exited && r.status == 6, "exit %d, not 6:\n%s", r.status, r.out);
    cr_expect(strstr(r.out, "checkpoint after exchange 20: ") && strstr(r.out, "File too large"), "%s", r.out);
    cr_expect(!exists(OUT "/full_ck/checkpoints/.partial_000000020") &&
                  !exists(OUT "/full_ck/checkpoints/exchange_000000020"),
              "a failed checkpoint left a folder behind");
    cr_expect(rows_of(OUT "/full_ck/body.h5", "/time") == 20, "the outputs up to the checkpoint are kept");
    expect_readable(OUT "/full_ck/body.h5");
}

Test(checkpoint, a_push_that_blows_the_physics_up_is_reported_with_time_and_cause, .timeout = 300)
{
    char *argv[] = {BRAINBODY, "run", DEMO, "--out", OUT "/blowup", "--force", "--set", "experiment.duration_s=0.3",
                    "--set", "body.perturb.enabled=true", "--set", "body.perturb.body=R_fdigits",
                    "--set", "body.perturb.z_N=1000", "--set", "body.perturb.start_s=0.1", NULL};
    spawn_run(argv, 300, &r);
    cr_expect(r.exited && r.status == 5, "exit %d, not 5:\n%s", r.status, r.out);
    cr_expect(strstr(r.out, "body: t = 0.10") && strstr(r.out, "physics unstable: kinetic energy"), "%s", r.out);
    char *y = slurp(OUT "/blowup/run.yaml", NULL);
    cr_assert(y);
    cr_expect(strstr(y, "status: failed") && strstr(y, "exchanges_recorded: 20"), "%s", y);
    free(y);
    cr_expect(rows_of(OUT "/blowup/body.h5", "/time") == 20, "the 20 exchanges before the push are kept");
    expect_readable(OUT "/blowup/body.h5");
}
