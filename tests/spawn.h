/* Runs a command with a time limit, capturing stdout+stderr to a file:
 * tests of whole programs (mpirun, the CLI) use it. */
#ifndef BB_TEST_SPAWN_H
#define BB_TEST_SPAWN_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct spawn_result {
    int exited;    /* 1 if it exited by itself within the limit */
    int status;    /* exit status, or 128 + signal */
    double seconds;
    char out[65536]; /* what it printed, truncated */
} spawn_result;

static inline void mpi_test_env(void)
{
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
    setenv("HWLOC_COMPONENTS", "-gl", 1); /* mpirun's hwloc must not hold the render tests' Xvfb (run/lib.sh) */
}

/* Removes what this test process wrote as /tmp/bb_NAME_PID_* and
 * /tmp/bb_NAME_PID.* (run directories, configs) and its spawn_run capture:
 * a suite's .fini (after each test, passed or failed), since a full test
 * run would otherwise leave about half a gigabyte in /tmp each time.
 * BB_KEEP_TEST_OUTPUT=1 in the environment keeps them to look at. */
static inline void remove_test_outputs(const char *name)
{
    if (getenv("BB_KEEP_TEST_OUTPUT")) return;
    char cmd[256];
    int pid = (int)getpid();
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/bb_%s_%d_* /tmp/bb_%s_%d.* /tmp/bb_spawn_%d.out", name, pid, name, pid, pid);
    if (system(cmd) != 0) fprintf(stderr, "could not remove the outputs: %s\n", cmd);
}

static inline double spawn_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline void spawn_run(char *const argv[], double limit_s, spawn_result *r)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/bb_spawn_%d.out", (int)getpid());
    memset(r, 0, sizeof *r);
    double t0 = spawn_now();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        setpgid(0, 0); /* its own group, so a hang can be killed whole */
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            r->exited = 1;
            break;
        }
        if (spawn_now() - t0 > limit_s) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    }
    r->seconds = spawn_now() - t0;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(r->out, 1, sizeof r->out - 1, f);
        r->out[n] = '\0';
        fclose(f);
    }
    remove(path);
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    if (len) *len = got;
    return b;
}

#endif
