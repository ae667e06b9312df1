#include "output.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brainbody/proto.h"
#include "checkpoint.h"
#include "record_trials.h"
#include "version.h"

/* mkdir -p */
static int make_dirs(const char *path, char *err, size_t cap)
{
    char tmp[BB_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char keep = *p;
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
                snprintf(err, cap, "cannot create output folder '%s': %s", tmp, strerror(errno));
                return -1;
            }
            *p = keep;
            if (!keep) return 0;
        }
    }
}

int bb_output_prepare(bb_output *o, const bb_body_role *body, char *err, size_t cap)
{
    struct stat st;
    char w[BB_PATH_MAX + 64];
    const char *dir = o->cfg->output_dir;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, cap, "%s: '%s' exists and is not a folder", bb_config_where(o->cfg, "output.dir", w, sizeof w),
                     dir);
            return -1;
        }
        if (!o->force && !o->resume_from) {
            snprintf(err, cap, "%s: output folder '%s' already exists; choose another (--set output.dir=...) or "
                               "pass --force to overwrite its files",
                     bb_config_where(o->cfg, "output.dir", w, sizeof w), dir);
            return -1;
        }
    } else if (o->resume_from) {
        snprintf(err, cap, "%s: cannot resume: the run's output folder '%s' is gone", o->resume_from, dir);
        return -1;
    } else if (make_dirs(dir, err, cap)) {
        return -1;
    }
    if (!o->resume_from) bb_checkpoint_remove_all(dir); /* --force: an old run's checkpoints must not resume into this one */
    /* resuming: run.yaml is rewritten once the checkpoint is restored (bb_output_state) */
    if (!o->resume_from && bb_output_write_run_yaml(o, "running", NULL, err, cap)) return -1;
    o->flush_ns = o->next_flush_ns = (int64_t)(o->cfg->flush_s * 1e9);
    if (o->cfg->record_spikes) {
        char path[BB_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/spikes.h5", dir);
        const char *pop = "output_cells";
        if (o->resume_from) {
            o->spikes = bb_spike_file_open_many(path, &pop, 1, o->cfg->brain_dt_ms, err, cap);
        } else {
            remove(path); /* only reached for a new folder or with --force */
            o->spikes = bb_spike_file_create(path, pop, o->cfg->brain_dt_ms, err, cap);
        }
        if (!o->spikes) return -1;
    }
    if (o->cfg->record_body && body->body) {
        char path[BB_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/body.h5", dir);
        if (!o->resume_from) remove(path);
        o->body = body->body;
        o->n_muscles = body->sizes.n_muscles;
        o->drove = calloc(o->n_muscles + 1, sizeof *o->drove);
        o->n_hinges = bb_body_n_hinges(o->body);
        o->angle = calloc(3 * (size_t)o->n_hinges + 1, sizeof *o->angle);
        o->peak = calloc(o->n_muscles + 1, sizeof *o->peak);
        o->body_file = !o->drove || !o->angle || !o->peak ? NULL
                       : o->resume_from     ? bb_body_file_open(path, o->body, err, cap)
                                            : bb_body_file_create(path, o->body, err, cap);
        if (!o->body_file) {
            if (!o->drove || !o->angle || !o->peak) snprintf(err, cap, "out of memory");
            return -1;
        }
        /* no gait block for a body without a left hind paw grid */
        if (o->cfg->world.treadmill || o->cfg->cpg.enabled)
            o->has_gait = !bb_gait_log_init(&o->gait, o->body, o->cfg->exchange_ms * 1e-3);
        if (o->has_gait && o->cfg->world.perturb) {
            o->gait.push_on_s = o->cfg->world.perturb_start_s;
            o->gait.push_off_s = o->cfg->world.perturb_start_s + o->cfg->world.perturb_duration_s;
        }
        if (o->has_gait && o->cfg->stimulus.enabled) {
            o->gait.stim_on_s = o->cfg->stimulus.start_s;
            o->gait.stim_off_s = o->cfg->stimulus.stop_s;
        }
        o->lo = o->angle + o->n_hinges;
        o->hi = o->lo + o->n_hinges;
        bb_body_hinges(o->body, o->lo, NULL);
        memcpy(o->hi, o->lo, o->n_hinges * sizeof *o->hi);
    }
    char epath[BB_PATH_MAX + 16];
    snprintf(epath, sizeof epath, "%s/events.tsv", dir);
    o->events = fopen(epath, o->resume_from ? "r+" : "w");
    if (!o->events) {
        snprintf(err, cap, "cannot write '%s': %s", epath, strerror(errno));
        return -1;
    }
    if (!o->resume_from) fprintf(o->events, "time_s\tevent\tdetail\n");
    if (strcmp(o->cfg->task.kind, "none") &&
        !(o->trials = o->resume_from ? bb_trials_file_open(dir, err, cap) : bb_trials_file_create(dir, err, cap)))
        return -1;
    o->stim_on_ns = llround(o->cfg->stimulus.start_s * 1e9);
    o->stim_off_ns = llround(o->cfg->stimulus.stop_s * 1e9);
    bb_progress_start(&o->progress, o->cfg->duration_s);
    return 0;
}

/* Task events of the interval [t0, t1) (ns): the stimulus and the push
 * switching on or off, lever presses (docs/recording.md). */
static void note_events(bb_output *o, int64_t t0, int64_t t1)
{
    const struct bb_config_world *cw = &o->cfg->world;
    if (cw->perturb) {
        int64_t on = llround(cw->perturb_start_s * 1e9), off = llround((cw->perturb_start_s + cw->perturb_duration_s) * 1e9);
        if (on >= t0 && on < t1)
            fprintf(o->events, "%.6f\tperturb_on\t%s %g %g %g N\n", cw->perturb_start_s, cw->perturb_body,
                    cw->perturb_N[0], cw->perturb_N[1], cw->perturb_N[2]);
        if (off >= t0 && off < t1)
            fprintf(o->events, "%.6f\tperturb_off\t%s\n", cw->perturb_start_s + cw->perturb_duration_s,
                    cw->perturb_body);
    }
    const struct bb_config_stimulus *st = &o->cfg->stimulus;
    int64_t on = o->stim_on_ns, off = o->stim_off_ns;
    if (st->enabled && on >= t0 && on < t1)
        fprintf(o->events, "%.6f\tstimulus_on\t%s M1 %s %s %g pA\n", st->start_s, st->hemisphere, st->body_area,
                st->layers, st->amplitude_pA);
    if (st->enabled && off >= t0 && off < t1)
        fprintf(o->events, "%.6f\tstimulus_off\t%s M1 %s\n", st->stop_s, st->hemisphere, st->body_area);
    if (o->body && o->cfg->world.lever) {
        bb_task_state task;
        bb_body_task(o->body, &task);
        if (task.lever_presses != o->presses)
            fprintf(o->events, "%.6f\tlever_press\tpress %u\n", task.last_press_s, task.lever_presses);
        o->presses = task.lever_presses;
    }
}

/* The trial structure's events of this boundary, and the trial that ended at it. */
static int note_trials(bb_output *o, const bb_trials *t, char *err, size_t cap)
{
    const bb_trial_event *ev;
    uint32_t n = bb_trials_events(t, &ev);
    for (uint32_t i = 0; i < n; i++)
        fprintf(o->events, "%.6f\t%s\t%s\n", (double)ev[i].t_ns * 1e-9, ev[i].what, ev[i].detail);
    const bb_trial_result *r = bb_trials_finished(t);
    if (!r) return 0;
    bb_trials_summarise(t, &o->task);
    if (bb_trials_file_add(o->trials, r)) {
        snprintf(err, cap, "%s/trials.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* the k largest of n values, by index, largest first */
static void top(const double *v, uint32_t n, uint32_t *idx, int k)
{
    for (int j = 0; j < k; j++) {
        idx[j] = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++) {
            int taken = 0;
            for (int q = 0; q < j; q++) taken |= idx[q] == i;
            if (!taken && (idx[j] == UINT32_MAX || v[i] > v[idx[j]])) idx[j] = i;
        }
    }
}

/* The summary sentence, from the joint ranges (over the stimulus, if there
 * is one) and the peak excitations. */
static void summarise(bb_output *o)
{
    size_t n = o->n_hinges > o->n_muscles ? o->n_hinges : o->n_muscles;
    double *v = calloc(n + 1, sizeof *v);
    if (!v || !o->n_hinges) {
        free(v);
        return;
    }
    char *s = o->summary;
    size_t cap = sizeof o->summary, len = 0;
    uint32_t j[3], m[3];
    for (uint32_t i = 0; i < o->n_hinges; i++) v[i] = (o->hi[i] - o->lo[i]) * 57.29577951308232;
    top(v, o->n_hinges, j, 3);
    const struct bb_config_stimulus *st = &o->cfg->stimulus;
    if (st->enabled)
        len += (size_t)snprintf(s + len, cap - len, "while the stimulus was on (%g-%g s), ", st->start_s,
                                st->stop_s < o->cfg->duration_s ? st->stop_s : o->cfg->duration_s);
    len += (size_t)snprintf(s + len, cap - len, "what moved: %s turned through %.0f deg", bb_body_hinge_name(o->body, j[0]),
                            v[j[0]]);
    for (int k = 1; k < 3 && j[k] != UINT32_MAX && len < cap; k++)
        len += (size_t)snprintf(s + len, cap - len, ", %s %.0f", bb_body_hinge_name(o->body, j[k]), v[j[k]]);
    for (uint32_t i = 0; i < o->n_muscles; i++) v[i] = o->peak[i];
    top(v, o->n_muscles, m, 3);
    if (len < cap && o->n_muscles && o->peak[m[0]] > 0) {
        len += (size_t)snprintf(s + len, cap - len, "; most excited: %s (peak %.2f)", bb_body_muscle_name(o->body, m[0]),
                                o->peak[m[0]]);
        for (int k = 1; k < 3 && m[k] != UINT32_MAX && o->peak[m[k]] > 0 && len < cap; k++)
            len += (size_t)snprintf(s + len, cap - len, ", %s (%.2f)", bb_body_muscle_name(o->body, m[k]), o->peak[m[k]]);
    } else if (len < cap) {
        snprintf(s + len, cap - len, "; no muscle was excited");
    }
    free(v);
}

const char *bb_output_summary(const bb_output *o) { return o->summary; }

int bb_output_observe(bb_output *o, const bb_exchange_record *r, char *err, size_t cap)
{
    o->exchanges = r->interval->exchange + 1;
    if (o->spikes && bb_spike_file_add(o->spikes, r->interval, r->spikes, r->n_spikes, err, cap)) return -1;
    if (o->body_file) {
        /* the body at the end of this interval, and what drove it through it;
         * the record's excitation drives the next interval */
        if (bb_body_file_add(o->body_file, o->body, o->drove, r->taxels, r->proprio, err, cap)) return -1;
        memcpy(o->drove, r->excitation, o->n_muscles * sizeof *o->drove);
        /* joint ranges over the run, or over the stimulus when there is
         * one: what the stimulus moved, not how the body settled before */
        const struct bb_config_stimulus *st = &o->cfg->stimulus;
        int64_t t_end = (int64_t)(r->interval->exchange + 1) * o->cfg->exchange_ns;
        int64_t on = o->stim_on_ns, off = o->stim_off_ns;
        int window = !st->enabled || (t_end >= on && t_end <= off + o->cfg->exchange_ns);
        bb_body_hinges(o->body, o->angle, NULL);
        if (st->enabled && t_end >= on && t_end - o->cfg->exchange_ns < on) {
            memcpy(o->lo, o->angle, o->n_hinges * sizeof *o->lo);
            memcpy(o->hi, o->angle, o->n_hinges * sizeof *o->hi);
        }
        for (uint32_t i = 0; i < o->n_hinges && window; i++) {
            if (o->angle[i] < o->lo[i]) o->lo[i] = o->angle[i];
            if (o->angle[i] > o->hi[i]) o->hi[i] = o->angle[i];
        }
        for (uint32_t i = 0; i < o->n_muscles; i++)
            if (r->excitation[i] > o->peak[i]) o->peak[i] = r->excitation[i];
        if (o->has_gait && bb_gait_log_add(&o->gait, o->body)) {
            snprintf(err, cap, "out of memory for the gait log");
            return -1;
        }
        if (r->interval->exchange + 1 == o->plan->n_exchanges) summarise(o);
    }
    int64_t t0 = (int64_t)r->interval->exchange * o->cfg->exchange_ns;
    if (o->events) note_events(o, t0, t0 + o->cfg->exchange_ns);
    if (o->events && o->trials && r->trials && note_trials(o, r->trials, err, cap)) return -1;
    bb_progress_update(&o->progress, (double)(t0 + o->cfg->exchange_ns) * 1e-9);
    int64_t end_ns = (int64_t)(r->interval->exchange + 1) * o->cfg->exchange_ns;
    if (end_ns >= o->next_flush_ns) {
        o->next_flush_ns += o->flush_ns;
        if (o->spikes && bb_spike_file_flush(o->spikes, err, cap)) return -1;
        if (o->body_file && bb_body_file_flush(o->body_file, err, cap)) return -1;
        if (o->events && fflush(o->events)) {
            snprintf(err, cap, "%s/events.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
            return -1;
        }
        if (o->trials && fflush(o->trials)) {
            snprintf(err, cap, "%s/trials.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int bb_output_command(bb_output *o, const bb_control_cmd *cmd, uint64_t k, char *err, size_t cap)
{
    char text[BB_CONTROL_MAX_BYTES + 1];
    bb_control_format(cmd, text, sizeof text);
    if (fprintf(o->events, "%.6f\tcommand\t%s\n", (double)k * o->cfg->exchange_ms * 1e-3, text) < 0) {
        snprintf(err, cap, "%s/events.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes everything recorded so far to disk (before a checkpoint). */
int bb_output_flush(bb_output *o, char *err, size_t cap)
{
    if (o->spikes && bb_spike_file_flush(o->spikes, err, cap)) return -1;
    if (o->body_file && bb_body_file_flush(o->body_file, err, cap)) return -1;
    if ((o->events && fflush(o->events)) || (o->trials && fflush(o->trials))) {
        snprintf(err, cap, "%s: cannot write events.tsv or trials.tsv: %s", o->cfg->output_dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* A text file's length at the checkpoint; restoring cuts it back there. */
static int text_state(FILE *f, const char *name, bb_state_io *io)
{
    long at = ftell(f);
    uint64_t n = at < 0 ? 0 : (uint64_t)at;
    if (bb_state_u64(io, name, &n)) return -1;
    if (!io->restoring) return 0;
    if (fseek(f, 0, SEEK_END) || ftell(f) < (long)n) {
        snprintf(io->why, sizeof io->why, "%s is shorter than at the checkpoint (%llu bytes)", name, (unsigned long long)n);
        return -1;
    }
    if (fflush(f) || ftruncate(fileno(f), (off_t)n) || fseek(f, (long)n, SEEK_SET)) {
        snprintf(io->why, sizeof io->why, "%s: cannot cut back to the checkpoint: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

int bb_output_state(bb_output *o, bb_state_io *io)
{
    if (bb_state_same(io, "output.spikes", o->spikes != NULL) || bb_state_same(io, "output.body", o->body_file != NULL) ||
        bb_state_same(io, "output.trials", o->trials != NULL) || bb_state_same(io, "output.gait", (uint64_t)o->has_gait) ||
        bb_state_field(io, "output.exchanges", &o->exchanges, sizeof o->exchanges) ||
        bb_state_field(io, "output.next_flush_ns", &o->next_flush_ns, sizeof o->next_flush_ns) ||
        bb_state_field(io, "output.presses", &o->presses, sizeof o->presses) ||
        bb_state_field(io, "output.task", &o->task, sizeof o->task) ||
        (o->spikes && bb_spike_file_state(o->spikes, io)) || (o->body_file && bb_body_file_state(o->body_file, io)) ||
        text_state(o->events, "events.tsv", io) || (o->trials && text_state(o->trials, "trials.tsv", io)))
        return -1;
    if (o->body_file && (bb_state_field(io, "output.drove", o->drove, o->n_muscles * sizeof *o->drove) ||
                         bb_state_field(io, "output.angles", o->angle, 3 * (size_t)o->n_hinges * sizeof *o->angle) ||
                         bb_state_field(io, "output.peak", o->peak, o->n_muscles * sizeof *o->peak) ||
                         (o->has_gait && bb_gait_log_state(&o->gait, io))))
        return -1;
    if (io->restoring && bb_output_write_run_yaml(o, "running", NULL, io->why, sizeof io->why)) return -1;
    return 0;
}

/* Closes the recording files, flushing what they hold (flush 0: writing
 * nothing more); 0 or -1 (first error in err). */
static int close_files(bb_output *o, int flush, char *err, size_t cap)
{
    int rc = bb_spike_file_close(o->spikes, err, flush ? cap : 0);
    o->spikes = NULL;
    char err2[512];
    if (bb_body_file_close(o->body_file, err2, flush ? sizeof err2 : 0) && !rc) {
        snprintf(err, cap, "%s", err2);
        rc = -1;
    }
    o->body_file = NULL;
    if (o->events && fclose(o->events) && !rc) {
        snprintf(err, cap, "%s/events.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
        rc = -1;
    }
    o->events = NULL;
    if (o->trials && fclose(o->trials) && !rc) {
        snprintf(err, cap, "%s/trials.tsv: cannot write: %s", o->cfg->output_dir, strerror(errno));
        rc = -1;
    }
    o->trials = NULL;
    free(o->drove);
    free(o->angle);
    free(o->peak);
    o->drove = o->peak = NULL;
    o->angle = o->lo = o->hi = NULL;
    bb_progress_end(&o->progress);
    return rc;
}

int bb_output_finish(bb_output *o, const bb_run_result *res, char *err, size_t cap)
{
    /* stopped: ended early by a served run's stop command, its outputs complete up to there */
    int rc = close_files(o, 1, err, cap) ? -1 : bb_output_write_run_yaml(o, res->stopped ? "stopped" : "complete", res,
                                                                      err, cap);
    bb_gait_log_free(&o->gait);
    o->has_gait = 0;
    return rc;
}

/* err holds a whole output_dir and the reason: a 512-byte buffer cut the
 * reason off a long path (and -O3's -Wformat-truncation said so) */
void bb_output_abandon(bb_output *o)
{
    char err[BB_PATH_MAX + 256];
    close_files(o, 0, err, sizeof err);
    bb_gait_log_free(&o->gait);
    o->has_gait = 0;
}

void bb_output_fail(bb_output *o, const char *why)
{
    char err[BB_PATH_MAX + 256];
    o->failure = why;
    if (close_files(o, 1, err, sizeof err)) fprintf(stderr, "brainbody: %s\n", err);
    if (bb_output_write_run_yaml(o, "failed", NULL, err, sizeof err)) fprintf(stderr, "brainbody: %s\n", err);
    bb_gait_log_free(&o->gait);
    o->has_gait = 0;
}

int bb_output_write_run_yaml(const bb_output *o, const char *status, const bb_run_result *res, char *err, size_t cap)
{
    char path[BB_PATH_MAX + 32], tmp[BB_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.yaml", o->cfg->output_dir);
    snprintf(tmp, sizeof tmp, "%s/.run.yaml.tmp", o->cfg->output_dir);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, cap, "cannot write '%s': %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "# brainbody run record: the resolved experiment, the rank layout and the outcome.\n");
    fprintf(f, "brainbody:\n  version: \"%s\"\n  protocol: %u\n", BRAINBODY_VERSION, BB_PROTO_VERSION);
    fprintf(f, "status: %s\n", status);
    fprintf(f, "experiment_file: \"%s\"\n", o->cfg->file);
    if (o->resume_from) fprintf(f, "resumed_from: \"%s\"  # a checkpoint; this run continued from it\n", o->resume_from);
    if (o->cfg->members > 1)
        fprintf(f, "ensemble_member: %u  # of %u (experiment.ensemble): this member's seed and folder, below\n",
                o->cfg->member, o->cfg->members);
    fprintf(f, "config:\n");
    bb_config_write_yaml(o->cfg, f, 2);
    bb_plan_print(o->plan, o->cfg, f);
    if (o->pools.n) {
        fprintf(f, "pools:  # output cells (spikes.h5 node_ids) of each pool: [first, count]\n");
        for (uint32_t k = 0; k < o->pools.n; k++)
            fprintf(f, "  %s: [%u, %u]\n", o->pools.pool[k].name, o->pools.pool[k].first, o->pools.pool[k].count);
    }
    if (o->failure) {
        fprintf(f, "failure:\n  exchanges_recorded: %llu\n  simulated_s: %.6f\n  reason: '",
                (unsigned long long)o->exchanges, (double)o->exchanges * o->cfg->exchange_ms * 1e-3);
        for (const char *p = o->failure; *p; p++) fputs(*p == '\'' ? "''" : (char[2]){*p, 0}, f);
        fprintf(f, "'\n");
    }
    if (res) {
        double sim_s = (double)res->exchanges * o->cfg->exchange_ms * 1e-3;
        fprintf(f, "result:\n");
        fprintf(f, "  exchanges: %llu\n", (unsigned long long)res->exchanges);
        fprintf(f, "  simulated_s: %.6f\n", sim_s);
        fprintf(f, "  output_spikes: %llu\n", (unsigned long long)res->spikes);
        fprintf(f, "  files: [run.yaml, events.tsv%s%s%s]\n", strcmp(o->cfg->task.kind, "none") ? ", trials.tsv" : "",
                o->cfg->record_spikes ? ", spikes.h5" : "", o->cfg->record_body && o->body ? ", body.h5" : "");
        fprintf(f, "  exchange_digest: \"%08x\"\n", (unsigned)res->digest);
        fprintf(f, "  wall_s: %.3f\n", res->wall_s);
        double ran_s = (double)(res->exchanges - res->resumed_at) * o->cfg->exchange_ms * 1e-3;
        if (res->resumed_at) fprintf(f, "  resumed_at_exchange: %llu  # wall_s and realtime_factor: from there\n",
                                     (unsigned long long)res->resumed_at);
        fprintf(f, "  realtime_factor: %.4f\n", res->wall_s > 0 ? ran_s / res->wall_s : 0.0);
    }
    if (o->has_gait && (res || o->failure)) bb_gait_log_write_yaml(&o->gait, f);
    if (strcmp(o->cfg->task.kind, "none")) {
        const bb_trials_summary *t = &o->task;
        fprintf(f, "task:  # trials that ended (trials.tsv); medians over hits, .nan when none\n");
        fprintf(f, "  kind: %s\n  trials: %u\n  hits: %u\n", o->cfg->task.kind, t->trials, t->hits);
        fprintf(f, "  success_rate: %.4f\n", t->trials ? (double)t->hits / t->trials : 0.0);
        fprintf(f, "  cue_waited_s: %.3f  # due cues held back while the goal was already met\n", t->cue_waited_s);
        double v[3] = {t->median_response_ms, t->median_onset_ms, t->median_reach_ms};
        const char *k[3] = {"median_response_ms", "median_onset_ms", "median_reach_ms"};
        for (int i = 0; i < 3; i++)
            if (isnan(v[i])) fprintf(f, "  %s: .nan\n", k[i]);
            else fprintf(f, "  %s: %.1f\n", k[i], v[i]);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, cap, "cannot write '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, cap, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        return -1;
    }
    return 0;
}
