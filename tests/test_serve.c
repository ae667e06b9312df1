/* A served run (brainbody serve): control commands answered between
 * exchanges, bad ones refused while the run goes on, telemetry decoded,
 * a subscriber that never reads does not stop the run, serving changes
 * nothing in the results, and only local endpoints are accepted. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "brainbody/proto.h"
#include "h5same.h"
#include "spawn.h"

#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"
#define OUT BB_BINARY_DIR "/tests/out_serve"
#define TELEMETRY "ipc://" OUT "/served/telemetry.sock"

static spawn_result res;
static pid_t served; /* the served run in the background, killed (whole group) if a test ends early */
static char control[700]; /* its control endpoint */

static void kill_served(void)
{
    if (served > 0 && waitpid(served, NULL, WNOHANG) == 0) {
        kill(-served, SIGKILL);
        waitpid(served, NULL, 0);
    }
}

/* The cortex demo for 2 s (5-10 s of wall time, by the machine), served, in the
 * background (through mpirun when ranks > 1); returns its pid once its
 * control socket exists. */
static pid_t start_served(const char *dir, const char *extra, const char *ranks)
{
    char out[512];
    snprintf(out, sizeof out, "%s.log", dir);
    mkdir(OUT, 0755);
    mpi_test_env();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        setpgid(0, 0);
        if (strcmp(ranks, "1"))
            execlp(BB_MPIEXEC, BB_MPIEXEC, "-np", ranks, BRAINBODY, "serve", BB_SOURCE_DIR "/run/demo.yaml", "--out",
                   dir, "--force", "--set", "experiment.duration_s=2", "--set", extra, (char *)NULL);
        else
            execl(BRAINBODY, BRAINBODY, "serve", BB_SOURCE_DIR "/run/demo.yaml", "--out", dir, "--force", "--set",
                  "experiment.duration_s=2", "--set", extra, (char *)NULL);
        _exit(127);
    }
    char sock[600];
    snprintf(sock, sizeof sock, "%s/control.sock", dir);
    struct stat st;
    for (int i = 0; i < 600 && stat(sock, &st) != 0; i++) nanosleep(&(struct timespec){0, 50000000L}, NULL);
    cr_assert(stat(sock, &st) == 0, "the served run never opened %s", sock);
    snprintf(control, sizeof control, "ipc://%s", sock);
    served = pid;
    return pid;
}

static int finish(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    served = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One request, one reply (or "" after 5 s without one). */
static const char *ask(void *ctx, const void *msg, size_t len)
{
    static char answer[4096];
    void *req = zmq_socket(ctx, ZMQ_REQ);
    int t = 5000, linger = 0;
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &t, sizeof t);
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(req, control), 0);
    zmq_send(req, msg, len, 0);
    int n = zmq_recv(req, answer, sizeof answer - 1, 0);
    answer[n > 0 ? (n < (int)sizeof answer ? n : (int)sizeof answer - 1) : 0] = '\0';
    zmq_close(req);
    return answer;
}

static const char *ask_text(void *ctx, const char *text) { return ask(ctx, text, strlen(text)); }

/* Waits (up to 2 minutes: the machine may be busy) until status says what
 * is asked, and returns that status. */
static const char *status_until(void *ctx, const char *want, unsigned long long min_exchange)
{
    const char *a = "";
    for (int i = 0; i < 240; i++) {
        a = ask_text(ctx, "status");
        const char *e = strstr(a, "exchange=");
        if (strstr(a, want) && e && strtoull(e + 9, NULL, 10) >= min_exchange) return a;
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
    }
    return a;
}

Test(serve, commands_telemetry_and_bad_input_while_the_run_goes_on, .fini = kill_served)
{
    pid_t pid = start_served(OUT "/served", "control.telemetry_every=1", "1");
    void *ctx = zmq_ctx_new();

    const char *a = status_until(ctx, "state=running", 1);
    cr_expect(!strncmp(a, "ok experiment=demo state=running exchange=", 42), "%s", a);
    cr_expect(strstr(a, " of=400 "), "%s", a);
    /* held while the bad input comes (its timeouts take over 5 s, and the
     * 2 s run takes about 5 s of wall time here): still serving after it */
    cr_assert(!strncmp(ask_text(ctx, "pause"), "ok paused", 9));
    a = ask_text(ctx, "pools");
    cr_expect(!strncmp(a, "ok pools=10 M1L_tail:0+37", 25), "%s", a);
    cr_expect(!strncmp(ask_text(ctx, "fly"), "error: unknown command 'fly'", 28), "%s", ask_text(ctx, "fly"));
    cr_expect(strstr(ask_text(ctx, "stimulate"), "error: stimulate takes 5 arguments, not 0"), "%s",
              ask_text(ctx, "stimulate"));
    cr_expect(strstr(ask_text(ctx, "run-for soon"), "run-for: 'soon' is not a number of seconds"));
    cr_expect(strstr(ask_text(ctx, "run-for"), "run-for takes one number of simulated seconds"));
    cr_expect(strstr(ask(ctx, "sta\001tus", 7), "byte 3 is 0x01"));
    static char big[1000];
    memset(big, 'x', sizeof big);
    cr_expect(strstr(ask(ctx, big, sizeof big), "command of 1000 bytes, the limit is 512"));
    /* over ZMQ_MAXMSGSIZE: the connection is dropped, no reply, nothing allocated */
    static char huge[100000];
    memset(huge, 'x', sizeof huge);
    cr_expect_str_eq(ask(ctx, huge, sizeof huge), "");
    void *multi = zmq_socket(ctx, ZMQ_REQ);
    int t = 5000, linger = 0;
    zmq_setsockopt(multi, ZMQ_RCVTIMEO, &t, sizeof t);
    zmq_setsockopt(multi, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(multi, control);
    zmq_send(multi, "status", 6, ZMQ_SNDMORE);
    zmq_send(multi, "x", 1, 0);
    char answer[256] = "";
    int n = zmq_recv(multi, answer, sizeof answer - 1, 0);
    answer[n > 0 ? n : 0] = '\0';
    cr_expect_str_eq(answer, "error: a command is one message part");
    zmq_close(multi);

    /* telemetry: consecutive exchanges, every field valid */
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &t, sizeof t);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, TELEMETRY), 0);
    cr_expect(!strncmp(ask_text(ctx, "resume"), "ok running", 10));
    static unsigned char pkt[65536];
    static float rates[BB_TELEMETRY_MAX_POOLS];
    static uint8_t paws[BB_TELEMETRY_MAX_PAWS];
    uint64_t last = 0;
    for (int k = 0; k < 5; k++) {
        n = zmq_recv(sub, pkt, sizeof pkt, 0);
        cr_assert_gt(n, 0, "no telemetry");
        bb_telemetry tm;
        bb_proto_status st;
        cr_assert_eq(bb_decode_telemetry(pkt, (size_t)n, &tm, rates, paws, &st), BB_PROTO_OK);
        cr_expect_eq(tm.n_pools, 10);
        cr_expect_eq(tm.n_paws, 4);
        cr_expect_float_eq(tm.time_s, (tm.exchange + 1) * 0.005, 1e-9);
        if (k) cr_expect_eq(tm.exchange, last + 1, "exchange %llu after %llu", (unsigned long long)tm.exchange,
                            (unsigned long long)last);
        last = tm.exchange;
    }
    zmq_close(sub);
    a = ask_text(ctx, "status"); /* the run is still there after all of it */
    cr_expect(!strncmp(a, "ok experiment=demo", 18), "%s", a);
    zmq_ctx_term(ctx);
    cr_assert_eq(finish(pid), 0);

    /* serving changes nothing: the same run unserved gives the same files */
    char *plain[] = {BRAINBODY, "run", BB_SOURCE_DIR "/run/demo.yaml", "--out", OUT "/plain", "--force", "--set",
                     "experiment.duration_s=2", NULL};
    spawn_run(plain, 300, &res);
    cr_assert(res.exited && res.status == 0, "%s", res.out);
    const char *files[] = {"spikes.h5", "body.h5", "cortex_spikes.h5"};
    for (int f = 0; f < 3; f++) {
        char p1[600], p2[600];
        snprintf(p1, sizeof p1, OUT "/served/%s", files[f]);
        snprintf(p2, sizeof p2, OUT "/plain/%s", files[f]);
        size_t l1 = 0, l2 = 0;
        char *x = slurp(p1, &l1), *y = slurp(p2, &l2);
        cr_expect(x && y && l1 == l2 && !memcmp(x, y, l1), "%s differs between the served and the plain run", files[f]);
        free(x), free(y);
    }
    struct stat st;
    cr_expect(stat(OUT "/served/control.sock", &st) != 0, "the socket file was left behind");
}

Test(serve, a_subscriber_that_never_reads_is_dropped_not_waited_for, .fini = kill_served)
{
    pid_t pid = start_served(OUT "/slow", "control.telemetry_hwm=1", "1");
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int one = 1, linger = 0;
    int tiny = 1024; /* and a small kernel buffer, so that backpressure comes within the run */
    zmq_setsockopt(sub, ZMQ_RCVHWM, &one, sizeof one);
    zmq_setsockopt(sub, ZMQ_RCVBUF, &tiny, sizeof tiny);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, "ipc://" OUT "/slow/telemetry.sock"), 0);
    /* never reads; ask the run how it is doing once it is well on */
    const char *a = "";
    unsigned long long exchange = 0, dropped = 0;
    for (int i = 0; i < 600 && exchange < 350; i++) { /* up to 2 minutes on a busy machine */
        nanosleep(&(struct timespec){0, 200000000L}, NULL);
        void *req = zmq_socket(ctx, ZMQ_REQ);
        int t = 5000;
        zmq_setsockopt(req, ZMQ_RCVTIMEO, &t, sizeof t);
        zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
        zmq_connect(req, "ipc://" OUT "/slow/control.sock");
        zmq_send(req, "status", 6, 0);
        static char answer[1024];
        int n = zmq_recv(req, answer, sizeof answer - 1, 0);
        zmq_close(req);
        if (n <= 0) break; /* finished */
        answer[n] = '\0';
        a = answer;
        const char *e = strstr(a, "exchange="), *d = strstr(a, "telemetry_dropped=");
        if (e) exchange = strtoull(e + 9, NULL, 10);
        if (d) dropped = strtoull(d + 18, NULL, 10);
    }
    cr_expect_geq(exchange, 350, "the run stalled at exchange %llu: %s", exchange, a);
    cr_expect_gt(dropped, 0, "nothing dropped for a subscriber that never reads: %s", a);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    cr_assert_eq(finish(pid), 0);
}

Test(serve, only_local_endpoints_without_curve_keys)
{
    char *wide[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/demo.yaml", "--set", "control.enabled=true", "--set",
                    "control.endpoint=tcp://0.0.0.0:5555", NULL};
    spawn_run(wide, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "--set control.endpoint: 'tcp://0.0.0.0:5555' is not a local endpoint"), "%s", res.out);
    char *lan[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/demo.yaml", "--set", "control.telemetry=tcp://10.0.0.5:1",
                   NULL};
    spawn_run(lan, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    char *loop[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/demo.yaml", "--set", "control.endpoint=tcp://127.0.0.1:5555",
                    "--set", "control.telemetry=ipc:///tmp/bb_t.sock", NULL};
    spawn_run(loop, 60, &res);
    cr_expect_eq(res.status, 0, "%s", res.out);
}

static unsigned long long exchange_of(const char *status)
{
    const char *e = strstr(status, "exchange=");
    return e ? strtoull(e + 9, NULL, 10) : 0;
}

/* Across ranks the hold packets reach the brain ranks: a pause longer than
 * their watchdog is no fault, run-for runs that far, and a paused and
 * resumed run writes what an uninterrupted one does; stop ends it cleanly.
 * The watchdog is short, but not so short that a rank slowed by ASan and a
 * loaded machine trips it while running (1 s did, once, in CI). */
Test(serve, pause_run_for_resume_and_stop_across_ranks, .fini = kill_served)
{
    pid_t pid = start_served(OUT "/held", "watchdog.timeout_s=2.5", "3");
    void *ctx = zmq_ctx_new();
    const char *a = status_until(ctx, "state=running", 1);
    a = ask_text(ctx, "pause");
    cr_assert(!strncmp(a, "ok paused after exchange", 24), "pause: '%s'", a);
    nanosleep(&(struct timespec){6, 0}, NULL); /* longer than the brain ranks' 5 s watchdog */
    unsigned long long k1 = exchange_of(ask_text(ctx, "status"));
    nanosleep(&(struct timespec){0, 500000000L}, NULL);
    a = ask_text(ctx, "status");
    cr_expect(strstr(a, "state=paused"), "%s", a);
    cr_expect_eq(exchange_of(a), k1, "a paused run moved: %s", a);
    /* a checkpoint asked for while paused: written before the run goes on */
    a = ask_text(ctx, "checkpoint");
    char ck[512];
    snprintf(ck, sizeof ck, "ok checkpoint after exchange %llu: %s/checkpoints/exchange_%09llu", k1, OUT "/held", k1);
    cr_expect_str_eq(a, ck);
    snprintf(ck, sizeof ck, OUT "/held/checkpoints/exchange_%09llu/rank_002.state", k1);
    for (int i = 0; i < 100 && stat(ck, &(struct stat){0}) != 0; i++) nanosleep(&(struct timespec){0, 50000000L}, NULL);
    cr_expect(stat(ck, &(struct stat){0}) == 0, "no %s after the checkpoint command", ck);
    cr_expect_eq(exchange_of(ask_text(ctx, "status")), k1, "the checkpoint moved the paused run");
    a = ask_text(ctx, "run-for 0.05");
    cr_expect(strstr(a, "ok running 10 exchanges"), "%s", a);
    a = status_until(ctx, "state=paused", k1 + 10);
    cr_expect(strstr(a, "state=paused") && exchange_of(a) == k1 + 10, "after run-for 0.05 from %llu: %s", k1, a);
    cr_expect(!strncmp(ask_text(ctx, "resume"), "ok running", 10));
    zmq_ctx_term(ctx);
    cr_assert_eq(finish(pid), 0, "the held run failed; see " OUT "/held.log");
    /* the plain run of the first test, or made here when this test runs alone */
    struct stat st;
    if (stat(OUT "/plain/body.h5", &st) != 0) {
        char *plain[] = {BRAINBODY, "run", BB_SOURCE_DIR "/run/demo.yaml", "--out", OUT "/plain", "--force", "--set",
                         "experiment.duration_s=2", NULL};
        spawn_run(plain, 300, &res);
        cr_assert(res.exited && res.status == 0, "%s", res.out);
    }
    /* the same data (the checkpoint's extra flush lays the files out otherwise) */
    char why[512];
    cr_expect(h5_same_data(OUT "/held/spikes.h5", OUT "/plain/spikes.h5", why, sizeof why),
              "a paused and checkpointed run's spikes differ: %s", why);
    cr_expect(h5_same_data(OUT "/held/body.h5", OUT "/plain/body.h5", why, sizeof why),
              "a paused and checkpointed run's body differs: %s", why);

    pid = start_served(OUT "/stopped", "watchdog.timeout_s=5", "3");
    ctx = zmq_ctx_new();
    status_until(ctx, "state=running", 20);
    a = ask_text(ctx, "stop");
    cr_assert(!strncmp(a, "ok stopping after exchange ", 27), "%s", a);
    unsigned long long k = strtoull(a + 27, NULL, 10);
    zmq_ctx_term(ctx);
    cr_assert_eq(finish(pid), 0, "the stopped run failed; see " OUT "/stopped.log");
    size_t n = 0;
    char *yaml = slurp(OUT "/stopped/run.yaml", &n);
    cr_assert(yaml);
    cr_expect(strstr(yaml, "status: stopped"), "%s", yaml);
    char want[64];
    snprintf(want, sizeof want, "exchanges: %llu\n", k);
    cr_expect(strstr(yaml, want), "run.yaml does not record %s", want);
    free(yaml);
}

/* Keys for the CURVE test: the server's, a listed client's, an unlisted one's. */
static void keygen(const char *name)
{
    char path[600];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, OUT "/keys/%s.%s", name, k ? "pub" : "key");
        remove(path);
    }
    snprintf(path, sizeof path, OUT "/keys/%s", name);
    char *argv[] = {BRAINBODY, "keygen", path, NULL};
    spawn_run(argv, 30, &res);
    cr_assert_eq(res.status, 0, "%s", res.out);
}

/* brainbody ctl with a client's keys (NULL: none) against the run's server key. */
static void ctl_as(const char *client, const char *endpoint, const char *cmd, const char *arg)
{
    char key[600];
    snprintf(key, sizeof key, OUT "/keys/%s.key", client ? client : "");
    char *with[] = {BRAINBODY, "ctl", "--wait", "1.5", "--server-key", OUT "/keys/server.pub", "--key", key,
                    (char *)endpoint, (char *)cmd, (char *)arg, NULL};
    char *without[] = {BRAINBODY, "ctl", "--wait", "1.5", (char *)endpoint, (char *)cmd, (char *)arg, NULL};
    spawn_run(client ? with : without, 60, &res);
}

/* Bound to every interface, which only CURVE allows: the listed client is
 * answered and gets telemetry; a client without keys, or with a key the run
 * does not list, gets nothing at all. */
Test(serve, beyond_loopback_only_with_curve_and_only_listed_clients_get_in, .fini = kill_served, .timeout = 300)
{
    mkdir(OUT, 0755);
    mkdir(OUT "/keys", 0700);
    keygen("server");
    keygen("friend");
    keygen("stranger");
    char listed[600];
    snprintf(listed, sizeof listed, OUT "/keys/clients.txt");
    char *pub = slurp(OUT "/keys/friend.pub", NULL);
    FILE *f = fopen(listed, "w");
    cr_assert(f && pub);
    fprintf(f, "# who may connect\n%s", pub);
    fclose(f);
    free(pub);

    /* a secret key others can read is refused when the experiment loads */
    chmod(OUT "/keys/server.key", 0644);
    char *loose[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/demo.yaml", "--set", "control.endpoint=tcp://0.0.0.0:5555",
                     "--set", "control.curve.secret_key_file=" OUT "/keys/server.key", "--set",
                     "control.curve.client_keys_file=" OUT "/keys/clients.txt", NULL};
    spawn_run(loose, 60, &res);
    cr_expect(res.status == 2 && strstr(res.out, "a secret key readable by others (mode 644): chmod 600 it"), "%s",
              res.out);
    chmod(OUT "/keys/server.key", 0600);

    int port = 20000 + (int)(getpid() % 20000);
    char ep[64], tel[64], set_ep[96], set_tel[96];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    snprintf(tel, sizeof tel, "tcp://127.0.0.1:%d", port + 1);
    snprintf(set_ep, sizeof set_ep, "control.endpoint=tcp://0.0.0.0:%d", port);
    snprintf(set_tel, sizeof set_tel, "control.telemetry=tcp://0.0.0.0:%d", port + 1);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(OUT "/curve.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        setpgid(0, 0);
        execl(BRAINBODY, BRAINBODY, "serve", BB_SOURCE_DIR "/run/demo.yaml", "--out", OUT "/curve", "--force", "--set",
              "experiment.duration_s=2", "--set", set_ep, "--set", set_tel, "--set",
              "control.curve.secret_key_file=" OUT "/keys/server.key", "--set",
              "control.curve.client_keys_file=" OUT "/keys/clients.txt", (char *)NULL);
        _exit(127);
    }
    served = pid;
    for (int i = 0; i < 60; i++) { /* until it answers the listed client */
        ctl_as("friend", ep, "status", NULL);
        if (res.status == 0) break;
    }
    cr_assert_eq(res.status, 0, "the listed client is not answered: %s", res.out);
    cr_expect(strstr(res.out, "ok experiment=demo") && strstr(res.out, "curve=on"), "%s", res.out);
    ctl_as("friend", tel, "watch", "2");
    cr_expect(res.status == 0 && strstr(res.out, "exchange "), "the listed client gets no telemetry: %s", res.out);

    ctl_as("friend", ep, "pause", NULL); /* held while the others knock: the run waits for the last question */
    cr_expect_eq(res.status, 0, "%s", res.out);

    ctl_as(NULL, ep, "status", NULL);
    cr_expect(res.status == 3 && !strstr(res.out, "ok"), "a client without keys got in (%d): %s", res.status, res.out);
    ctl_as("stranger", ep, "status", NULL);
    cr_expect(res.status == 3 && !strstr(res.out, "ok"), "an unlisted key got in (%d): %s", res.status, res.out);
    ctl_as("stranger", tel, "watch", "1");
    cr_expect(res.status == 3 && !strstr(res.out, "exchange "), "an unlisted key got telemetry: %s", res.out);

    ctl_as("friend", ep, "status", NULL);
    cr_expect(strstr(res.out, "clients_refused=") && !strstr(res.out, "clients_refused=0"),
              "the refusals are not counted: %s", res.out);
    ctl_as("friend", ep, "stop", NULL);
    cr_expect_eq(res.status, 0, "%s", res.out);
    cr_assert_eq(finish(pid), 0, "the CURVE run failed; see " OUT "/curve.log");
}

/* The commands that change a run's inputs, sent to a paused 3-rank run:
 * each is answered, applied from the next exchange and recorded in
 * events.tsv; bad ones are refused with the reason. A run given that
 * events.tsv as control.commands (one process, checkpointed, and resumed
 * from inside the stimulus) writes the served run's data: a served run is
 * reproducible. */
Test(serve, input_commands_are_applied_recorded_and_replayed, .fini = kill_served, .timeout = 600)
{
    pid_t pid = start_served(OUT "/commands", "control.telemetry_every=1", "3");
    void *ctx = zmq_ctx_new();
    status_until(ctx, "state=running", 20);
    cr_assert(!strncmp(ask_text(ctx, "pause"), "ok paused", 9));
    unsigned long long k = exchange_of(ask_text(ctx, "status"));
    const char *good[] = {"stimulate left hindlimb L5B 40 0.3", "lesion M1L_forelimb", "set-gain M1R_forelimb 2.5",
                          "perturb pelvis 0 0 0.5 0.02"};
    for (int i = 0; i < 4; i++) {
        char want[256];
        snprintf(want, sizeof want, "ok %s from exchange %llu", good[i], k);
        const char *a = ask_text(ctx, good[i]);
        cr_expect(!strncmp(a, want, strlen(want)), "'%s': %s", good[i], a);
    }
    cr_expect(strstr(ask_text(ctx, "lesion nope"), "error: lesion: the brain has no pool 'nope'"));
    cr_expect(strstr(ask_text(ctx, "perturb nobody 0 0 1 1"), "error: perturb: the body model has no body 'nobody'"));
    cr_expect(strstr(ask_text(ctx, "stimulate left tail L5B 5000 1"), "'5000' is not a number in [-1000, 1000]"));
    cr_expect(strstr(ask_text(ctx, "stimulate up tail L5B 5 1"), "'up' is not a hemisphere"));
    cr_expect(strstr(ask_text(ctx, "set-gain all -1"), "'-1' is not a number in [0, 100]"));
    cr_expect(!strncmp(ask_text(ctx, "resume"), "ok running", 10));
    zmq_ctx_term(ctx);
    cr_assert_eq(finish(pid), 0, "the commanded run failed; see " OUT "/commands.log");
    char *ev = slurp(OUT "/commands/events.tsv", NULL);
    cr_assert(ev);
    for (int i = 0; i < 4; i++) cr_expect(strstr(ev, good[i]), "'%s' is not recorded:\n%s", good[i], ev);
    free(ev);

    char *replay[] = {BRAINBODY, "run", BB_SOURCE_DIR "/run/demo.yaml", "--out", OUT "/replayed", "--force", "--set",
                      "experiment.duration_s=2", "--set", "control.commands=" OUT "/commands/events.tsv", "--set",
                      "checkpoint.every_s=0.25", "--set", "checkpoint.keep=0", NULL};
    spawn_run(replay, 300, &res);
    cr_assert(res.exited && res.status == 0, "%s", res.out);
    const char *files[] = {"spikes.h5", "body.h5", "cortex_spikes.h5"};
    char a[600], b[600], why[512];
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, OUT "/replayed/%s", files[i]);
        snprintf(b, sizeof b, OUT "/commands/%s", files[i]);
        cr_expect(h5_same_data(a, b, why, sizeof why), "replayed %s differs from the served run's: %s", files[i], why);
    }
    char *e1 = slurp(OUT "/commands/events.tsv", NULL), *e2 = slurp(OUT "/replayed/events.tsv", NULL);
    cr_expect(e1 && e2 && !strcmp(e1, e2), "the replayed events differ:\n%s\n---\n%s", e1, e2);
    free(e2);

    /* resumed from inside the stimulus (it lasts 0.3 s = 60 exchanges from k) */
    unsigned long long inside = (k / 50 + 1) * 50; /* a checkpoint every 50 exchanges */
    char ck[600];
    snprintf(ck, sizeof ck, OUT "/replayed/checkpoints/exchange_%09llu", inside);
    char *resume[] = {BRAINBODY, "run", "--resume", ck, NULL};
    spawn_run(resume, 300, &res);
    cr_assert(res.exited && res.status == 0, "%s", res.out);
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, OUT "/replayed/%s", files[i]);
        snprintf(b, sizeof b, OUT "/commands/%s", files[i]);
        cr_expect(h5_same_data(a, b, why, sizeof why), "resumed %s differs from the served run's: %s", files[i], why);
    }
    e2 = slurp(OUT "/replayed/events.tsv", NULL);
    cr_expect(e1 && e2 && !strcmp(e1, e2), "the resumed run's events differ");
    free(e1), free(e2);

    /* a replay file naming a pool the run does not have: refused at the start */
    FILE *f = fopen(OUT "/bad_commands.tsv", "w");
    cr_assert(f);
    fprintf(f, "time_s\tevent\tdetail\n0.100000\tcommand\tlesion M1L_wings\n");
    fclose(f);
    char *bad[] = {BRAINBODY, "run", BB_SOURCE_DIR "/run/demo.yaml", "--out", OUT "/bad_replay", "--force", "--set",
                   "control.commands=" OUT "/bad_commands.tsv", NULL};
    spawn_run(bad, 120, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "bad_commands.tsv:2: lesion: the brain has no pool 'M1L_wings'"), "%s", res.out);
    char *missing[] = {BRAINBODY, "check", BB_SOURCE_DIR "/run/demo.yaml", "--set", "control.commands=/nonexistent.tsv",
                       NULL};
    spawn_run(missing, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "--set control.commands: /nonexistent.tsv: No such file or directory"), "%s", res.out);
}
