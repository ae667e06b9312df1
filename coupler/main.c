/* brainbody: command line. `run` needs MPI (started by mpirun, or a single
 * process); `check` and `version` do not. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <mpi.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/proto.h"
#include "checkpoint.h"
#include "config.h"
#include "loop.h"
#include "model_info.h"
#include "output.h"
#include "plan.h"
#include "commands.h"
#include "ctl.h"
#include "curve_keys.h"
#include "serve.h"
#include "render_cli.h"
#include "status.h"
#include "transport.h"
#include "version.h"

#define MAX_OVERRIDES 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage:\n"
            "  brainbody run EXPERIMENT.yaml [--set key.path=value]... [--out DIR] [--force] [--serve]\n"
            "      run the experiment; under mpirun -np N, rank 0 holds the body and the coupler\n"
            "      and ranks 1..N-1 the brain; --out DIR is --set output.dir=DIR\n"
            "  brainbody run --resume OUTDIR/checkpoints/exchange_N [--serve]\n"
            "      continue a run from a checkpoint, on as many ranks, in its output folder\n"
            "  brainbody serve EXPERIMENT.yaml [run options]   (or run --serve)\n"
            "      run it with the control and telemetry sockets (docs/operations.md)\n"
            "  brainbody ctl [--server-key S.pub --key C.key] ENDPOINT COMMAND...   |   ... TELEMETRY_ENDPOINT watch [N]\n"
            "      send a command to a served run, or print its telemetry\n"
            "  brainbody keygen NAME\n"
            "      make a CURVE key pair, NAME.key (secret) and NAME.pub, for served runs (docs/operations.md)\n"
            "  brainbody check EXPERIMENT.yaml [--set key.path=value]... [--ranks N]\n"
            "      validate the experiment and print the resolved plan for N ranks (default 1)\n"
            "  brainbody model-info MODEL.xml\n"
            "      print a body model's bodies, joints, muscles per region, touch grids and mass\n"
            "  brainbody render OUTDIR [--out FILE.mp4] [--camera side|top|follow|rear] [--speed X] [--frame T FILE.png]\n"
            "      replay a run's output folder into a video or a still (brainbody render --help)\n"
            "  brainbody version\n"
            "exit status: 0 ok, 2 bad input (nothing run or written), 3 exchange fault,\n"
            "             4 out of memory, 5 brain or body failure, 6 output failure\n");
}

typedef struct args {
    const char *cmd, *file;
    const char *resume; /* --resume CHECKPOINT */
    char out[4096]; /* --out DIR, as an override */
    bb_override ov[MAX_OVERRIDES];
    int n_ov, force, ranks;
} args;

static int parse_args(int argc, char **argv, args *a, char *err, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->ranks = 1;
    if (argc < 2) {
        snprintf(err, cap, "no command given");
        return -1;
    }
    a->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        if ((strcmp(s, "--set") == 0 && i + 1 < argc) || strncmp(s, "--set=", 6) == 0) {
            if (a->n_ov == MAX_OVERRIDES) {
                snprintf(err, cap, "more than %d --set options", MAX_OVERRIDES);
                return -1;
            }
            a->ov[a->n_ov++].text = s[5] == '=' ? s + 6 : argv[++i];
        } else if (strcmp(s, "--out") == 0 && i + 1 < argc) {
            if (a->n_ov == MAX_OVERRIDES || a->out[0]) {
                snprintf(err, cap, a->out[0] ? "--out given twice" : "more than %d --set options", MAX_OVERRIDES);
                return -1;
            }
            snprintf(a->out, sizeof a->out, "output.dir=%s", argv[++i]);
            a->ov[a->n_ov++].text = a->out;
        } else if (strcmp(s, "--resume") == 0 && i + 1 < argc) {
            a->resume = argv[++i];
        } else if (strcmp(s, "--force") == 0) {
            a->force = 1;
        } else if (strcmp(s, "--serve") == 0) {
            if (a->n_ov == MAX_OVERRIDES) {
                snprintf(err, cap, "more than %d --set options", MAX_OVERRIDES);
                return -1;
            }
            a->ov[a->n_ov++].text = "control.enabled=true";
        } else if (strcmp(s, "--ranks") == 0 && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 1000000) {
                snprintf(err, cap, "--ranks: expected a positive integer, got '%s'", argv[i]);
                return -1;
            }
            a->ranks = (int)n;
        } else if (s[0] == '-') {
            snprintf(err, cap, "unknown option '%s'", s);
            return -1;
        } else if (!a->file) {
            a->file = s;
        } else {
            snprintf(err, cap, "unexpected argument '%s'", s);
            return -1;
        }
    }
    if (strcmp(a->cmd, "serve") == 0) { /* serve = run --serve */
        if (a->n_ov == MAX_OVERRIDES) {
            snprintf(err, cap, "more than %d --set options", MAX_OVERRIDES);
            return -1;
        }
        a->ov[a->n_ov++].text = "control.enabled=true";
        a->cmd = "run";
    }
    if (a->resume) {
        int serve_only = a->n_ov == 0 || (a->n_ov == 1 && !strcmp(a->ov[0].text, "control.enabled=true"));
        if (strcmp(a->cmd, "run") || a->file || !serve_only || a->force) {
            snprintf(err, cap, "--resume takes the experiment, its folder and its seed from the checkpoint: "
                               "no experiment file, --set, --out or --force with it (only --serve)");
            return -1;
        }
        return 0;
    }
    if ((strcmp(a->cmd, "run") == 0 || strcmp(a->cmd, "check") == 0 || strcmp(a->cmd, "model-info") == 0) &&
        !a->file) {
        snprintf(err, cap, "%s: no %s file given", a->cmd, strcmp(a->cmd, "model-info") ? "experiment" : "model");
        return -1;
    }
    return 0;
}

/* Keys the user gave that the experiment makes inert, on stderr (bb_config_warnings). */
static void print_warnings(const bb_config *cfg)
{
    static char buf[4096]; /* not the caller's err: a later failure must not print these as its reason */
    if (!bb_config_warnings(cfg, buf, sizeof buf)) return;
    for (char *line = buf, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) break;
        fprintf(stderr, "brainbody: warning: %.*s\n", (int)(nl - line), line);
    }
}

static int cmd_check(const args *a)
{
    static bb_config cfg;
    static char err[8192];
    bb_plan plan;
    if (bb_config_load(a->file, a->ov, a->n_ov, &cfg, err, sizeof err) ||
        bb_plan_make(&cfg, a->ranks, 0, &plan, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    print_warnings(&cfg);
    printf("# %s is valid; resolved experiment:\n", a->file);
    bb_config_write_yaml(&cfg, stdout, 0);
    bb_plan_print(&plan, &cfg, stdout);
    return 0;
}

static void fail_output(void *ctx, const char *why) { bb_output_fail(ctx, why); }

/* What the coupler rank does around the loop: the output folder, and the
 * control and telemetry sockets when the run is served. */
typedef struct coupler_side {
    bb_output out;
    bb_serve *serve;
    bb_loop_control control; /* what the served run's commands ask of the loop */
    bb_command_script *script; /* control.commands: commands replayed at their exchanges */
} coupler_side;

static void idle_serve(void *ctx, int wait_ms) { bb_serve_idle(((coupler_side *)ctx)->serve, wait_ms); }

static int prepare_output(void *ctx, const bb_body_role *body, const bb_pools *pools, char *err, size_t cap)
{
    coupler_side *c = ctx;
    c->out.pools = *pools;
    if (bb_output_prepare(&c->out, body, err, cap)) return -1;
    bb_fatal_set_cleanup(fail_output, &c->out);
    if (strcmp(c->out.cfg->control.commands_file, "none") &&
        !(c->script = bb_command_script_load(c->out.cfg, pools, body->body, c->out.plan->n_exchanges, err, cap)))
        return -1;
    if (c->out.cfg->control.enabled) {
        c->serve = bb_serve_open(c->out.cfg, pools, body->body, c->out.plan->n_exchanges, &c->control, err, cap);
        if (!c->serve) return -1;
        printf("brainbody: serving: control %s, telemetry %s (brainbody ctl ENDPOINT status)\n",
               bb_serve_endpoint(c->serve), bb_serve_telemetry_endpoint(c->serve));
        fflush(stdout);
    }
    return 0;
}

static int record_command(void *ctx, const bb_control_cmd *cmd, uint64_t k, char *err, size_t cap)
{
    return bb_output_command(&((coupler_side *)ctx)->out, cmd, k, err, cap);
}

/* The recording's part of a checkpoint: flushed to disk first, so that
 * the lengths saved are on disk. */
static int output_state(void *ctx, bb_state_io *io)
{
    coupler_side *c = ctx;
    char err[512];
    if (!io->restoring && bb_output_flush(&c->out, err, sizeof err)) {
        snprintf(io->why, sizeof io->why, "%s", err);
        return -1;
    }
    return bb_output_state(&c->out, io);
}

static int observe_output(void *ctx, const bb_exchange_record *r, char *err, size_t cap)
{
    coupler_side *c = ctx;
    if (bb_output_observe(&c->out, r, err, cap)) return -1;
    bb_loop_control *lc = &c->control;
    if (c->script)
        lc->n_pending += bb_command_script_due(c->script, r->interval->exchange + 1, lc->pending + lc->n_pending,
                                               BB_MAX_PENDING - lc->n_pending);
    if (c->serve) bb_serve_exchange(c->serve, r);
    return 0;
}

/* One line on the trials: the success rate and the timing, the reach
 * duration next to the published median (PMC10634836: head-restrained
 * reach about 300 ms; ../shared/reference/mouse-body.md). */
static void print_task(const bb_config *cfg, const bb_trials_summary *t)
{
    printf("brainbody: %s: %u trial%s, %u hit%s (%.0f %%)", cfg->task.kind, t->trials, t->trials == 1 ? "" : "s",
           t->hits, t->hits == 1 ? "" : "s", t->trials ? 100.0 * t->hits / t->trials : 0.0);
    if (!isnan(t->median_response_ms)) printf("; median response %.0f ms after the cue", t->median_response_ms);
    if (!isnan(t->median_reach_ms))
        printf(", reach %.0f ms from movement onset (head-restrained mice: about 300 ms)", t->median_reach_ms);
    printf("; trials in %s/trials.tsv\n", cfg->output_dir);
}

/* experiment.ensemble: N independent members, each on size/N consecutive
 * ranks of its own communicator, member m with seed + m and its outputs in
 * output.dir/member_m. Each member's configuration is what a standalone run
 * of that member would have (ensemble 1), so its run.yaml reproduces it. */
static int split_ensemble(bb_config *cfg, MPI_Comm *comm, int *size, int *rank, char *err, size_t cap)
{
    uint32_t n = cfg->ensemble;
    if (n <= 1) return 0;
    if (*size % (int)n) {
        char w[BB_PATH_MAX + 64];
        snprintf(err, cap, "%s: %u members need a multiple of %u ranks; mpirun gave %d",
                 bb_config_where(cfg, "experiment.ensemble", w, sizeof w), n, n, *size);
        return -1;
    }
    int per = *size / (int)n, member = *rank / per;
    MPI_Comm_split(MPI_COMM_WORLD, member, *rank, comm);
    MPI_Comm_size(*comm, size);
    MPI_Comm_rank(*comm, rank);
    char dir[BB_PATH_MAX];
    int len = snprintf(dir, sizeof dir, "%s/member_%03d", cfg->output_dir, member);
    if (len < 0 || (size_t)len >= sizeof cfg->output_dir) {
        snprintf(err, cap, "output.dir: too long for the member folders");
        return -1;
    }
    memcpy(cfg->output_dir, dir, (size_t)len + 1);
    cfg->seed += (uint64_t)member;
    cfg->member = (uint32_t)member, cfg->members = n;
    cfg->ensemble = 1;
    return 0;
}

/* The experiment file with its overrides, or, with --resume, the run
 * record saved in the checkpoint (resume: the checkpoint's full path). */
static int load_experiment(const args *a, bb_config *cfg, char *resume, char *err, size_t cap)
{
    if (!a->resume) return bb_config_load(a->file, a->ov, a->n_ov, cfg, err, cap) ? -1 : 0;
    char record[BB_PATH_MAX + 16];
    errno = 0;
    if (!realpath(a->resume, resume) || bb_checkpoint_exchanges(resume) < 0) {
        snprintf(err, cap, "--resume %s: not a checkpoint folder (OUTDIR/checkpoints/exchange_N)%s%s", a->resume,
                 errno ? ": " : "", errno ? strerror(errno) : "");
        return -1;
    }
    snprintf(record, sizeof record, "%s/run.yaml", resume);
    if (bb_config_load_run_record(record, cfg, err, cap)) return -1;
    cfg->control.enabled = cfg->control.enabled || a->n_ov == 1; /* --serve */
    /* The run goes on in the folder the checkpoint is in (OUTDIR/checkpoints/exchange_N),
     * wherever that folder was moved. */
    char *slash = strrchr(resume, '/');
    size_t n = slash ? (size_t)(slash - resume) : 0;
    if (n < 12 || strncmp(resume + n - 12, "/checkpoints", 12)) {
        snprintf(err, cap, "--resume %s: not inside an output folder's checkpoints/ folder", a->resume);
        return -1;
    }
    memcpy(cfg->output_dir, resume, n - 12);
    cfg->output_dir[n - 12] = '\0';
    return 0;
}

static int cmd_run(const args *a)
{
    static bb_config cfg;
    static char err[8192];
    int size = 1, rank = 0, rc = 0;
    /* MPI_Init's hwloc otherwise opens every X display it finds (its GL
     * component) and dies with it: an Xvfb that a render started and ends
     * mid-run took the run down. Nothing here places ranks on GPUs. */
    setenv("HWLOC_COMPONENTS", "-gl", 0);
    MPI_Init(NULL, NULL);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    bb_status_install_signal_handlers();

    bb_plan plan;
    MPI_Comm comm = MPI_COMM_WORLD;
    int world_rank = rank;
    static char resume[BB_PATH_MAX];
    if (load_experiment(a, &cfg, resume, err, sizeof err) || split_ensemble(&cfg, &comm, &size, &rank, err, sizeof err) ||
        bb_plan_make(&cfg, size, rank, &plan, err, sizeof err)) {
        if (world_rank == 0) fprintf(stderr, "%s\n", err);
        MPI_Finalize();
        return 2;
    }
    plan.comm = comm;
    if (world_rank == 0 && !a->resume) print_warnings(&cfg); /* a run record sets every key */
    coupler_side side = {.out = {.cfg = &cfg, .plan = &plan, .force = a->force, .resume_from = a->resume ? resume : NULL}};
    bb_output *out = &side.out;
    bb_run_hooks hooks = {.ctx = &side, .prepare = prepare_output, .observe = observe_output,
                          .control = &side.control, .idle = idle_serve, .state = output_state,
                          .commanded = record_command,
                          .resume = a->resume ? resume : NULL};
    bb_run_result res;
    rc = bb_coupler_run(&cfg, &plan, &bb_product_roles, &hooks, &res, err, sizeof err);
    bb_fatal_set_cleanup(NULL, NULL);
    bb_serve_close(side.serve);
    bb_command_script_free(side.script);
    if (rc) {
        if (err[0]) fprintf(stderr, "brainbody: rank %d: %s\n", rank, err);
        if (plan.role == BB_ROLE_BODY) bb_output_abandon(out);
    } else if (plan.role == BB_ROLE_BODY) {
        if (bb_output_finish(out, &res, err, sizeof err)) {
            fprintf(stderr, "brainbody: %s\n", err);
            rc = 6;
        }
        double sim_s = (double)(res.exchanges - res.resumed_at) * cfg.exchange_ms * 1e-3;
        if (res.resumed_at)
            printf("brainbody: %s: resumed at exchange %llu, ", cfg.name, (unsigned long long)res.resumed_at);
        else
            printf("brainbody: %s: ", cfg.name);
        printf("%llu exchanges of %g ms (%.3f s simulated) in %.3f s wall (%.3fx real time)\n",
               (unsigned long long)(res.exchanges - res.resumed_at), cfg.exchange_ms, sim_s, res.wall_s,
               res.wall_s > 0 ? sim_s / res.wall_s : 0.0);
        if (plan.single_process)
            printf("brainbody: 1 rank: brain and body in one process\n");
        else
            printf("brainbody: %d ranks: rank 0 body+coupler, %d brain rank%s\n", size, plan.n_brain,
                   plan.n_brain > 1 ? "s" : "");
        printf("brainbody: %llu output-cell spikes from %u cells drove the body's muscles; digest %08x\n",
               (unsigned long long)res.spikes, cfg.output_cells, (unsigned)res.digest);
        if (bb_output_summary(out)[0]) printf("brainbody: %s.\n", bb_output_summary(out));
        if (strcmp(cfg.task.kind, "none")) print_task(&cfg, &out->task);
        printf("brainbody: run record in %s/run.yaml%s%s%s\n", cfg.output_dir,
               cfg.record_spikes ? ", output-cell spikes in spikes.h5 (SONATA)" : "",
               cfg.record_body ? ", the body in body.h5" : "",
               cfg.record_spikes && strcmp(cfg.brain_model, "cortex") == 0 ? ", every cortex spike in cortex_spikes.h5"
                                                                           : "");
    }
    if (comm != MPI_COMM_WORLD) MPI_Comm_free(&comm);
    MPI_Finalize();
    return rc;
}

int main(int argc, char **argv)
{
    args a;
    char err[512];
    if (argc >= 2 && strcmp(argv[1], "render") == 0) return bb_render_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "ctl") == 0) return bb_ctl_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0) return bb_keygen_main(argc - 2, argv + 2);
    if (parse_args(argc, argv, &a, err, sizeof err)) {
        fprintf(stderr, "brainbody: %s\n", err);
        usage(stderr);
        return 2;
    }
    if (strcmp(a.cmd, "run") == 0) return cmd_run(&a);
    if (strcmp(a.cmd, "check") == 0) return cmd_check(&a);
    if (strcmp(a.cmd, "model-info") == 0) return bb_model_info(a.file, stdout);
    if (strcmp(a.cmd, "version") == 0) {
        printf("brainbody %s (wire protocol %u)\n", BRAINBODY_VERSION, BB_PROTO_VERSION);
        return 0;
    }
    if (strcmp(a.cmd, "help") == 0 || strcmp(a.cmd, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "brainbody: unknown command '%s'\n", a.cmd);
    usage(stderr);
    return 2;
}
