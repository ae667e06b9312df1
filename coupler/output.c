#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "brainbody/proto.h"
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
        if (!o->force) {
            snprintf(err, cap, "%s: output folder '%s' already exists; choose another (--set output.dir=...) or "
                               "pass --force to overwrite its files",
                     bb_config_where(o->cfg, "output.dir", w, sizeof w), dir);
            return -1;
        }
    } else if (make_dirs(dir, err, cap)) {
        return -1;
    }
    if (bb_output_write_run_yaml(o, "running", NULL, err, cap)) return -1;
    o->flush_ns = o->next_flush_ns = (int64_t)(o->cfg->flush_s * 1e9);
    if (o->cfg->record_spikes) {
        char path[BB_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/spikes.h5", dir);
        remove(path); /* only reached for a new folder or with --force */
        o->spikes = bb_spike_file_create(path, "output_cells", o->cfg->brain_dt_ms, err, cap);
        if (!o->spikes) return -1;
    }
    if (o->cfg->record_body && body->body) {
        char path[BB_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/body.h5", dir);
        remove(path);
        o->body = body->body;
        o->n_muscles = body->sizes.n_muscles;
        o->drove = calloc(o->n_muscles + 1, sizeof *o->drove);
        o->body_file = o->drove ? bb_body_file_create(path, o->body, err, cap) : NULL;
        if (!o->body_file) {
            if (!o->drove) snprintf(err, cap, "out of memory");
            return -1;
        }
    }
    return 0;
}

int bb_output_observe(bb_output *o, const bb_exchange_record *r, char *err, size_t cap)
{
    o->exchanges = r->interval->exchange + 1;
    if (o->spikes && bb_spike_file_add(o->spikes, r->interval, r->spikes, r->n_spikes, err, cap)) return -1;
    if (o->body_file) {
        /* the body at the end of this interval, and what drove it through it;
         * the record's excitation drives the next interval */
        if (bb_body_file_add(o->body_file, o->body, o->drove, err, cap)) return -1;
        memcpy(o->drove, r->excitation, o->n_muscles * sizeof *o->drove);
    }
    int64_t end_ns = (int64_t)(r->interval->exchange + 1) * o->cfg->exchange_ns;
    if (end_ns >= o->next_flush_ns) {
        o->next_flush_ns += o->flush_ns;
        if (o->spikes && bb_spike_file_flush(o->spikes, err, cap)) return -1;
        if (o->body_file && bb_body_file_flush(o->body_file, err, cap)) return -1;
    }
    return 0;
}

/* Closes the recording files, flushing what they hold; 0 or -1 (first error in err). */
static int close_files(bb_output *o, char *err, size_t cap)
{
    int rc = bb_spike_file_close(o->spikes, err, cap);
    o->spikes = NULL;
    char err2[512];
    if (bb_body_file_close(o->body_file, err2, sizeof err2) && !rc) {
        snprintf(err, cap, "%s", err2);
        rc = -1;
    }
    o->body_file = NULL;
    free(o->drove);
    o->drove = NULL;
    return rc;
}

int bb_output_finish(bb_output *o, const bb_run_result *res, char *err, size_t cap)
{
    if (close_files(o, err, cap)) return -1;
    return bb_output_write_run_yaml(o, "complete", res, err, cap);
}

void bb_output_fail(bb_output *o, const char *why)
{
    char err[512];
    o->failure = why;
    if (close_files(o, err, sizeof err)) fprintf(stderr, "brainbody: %s\n", err);
    if (bb_output_write_run_yaml(o, "failed", NULL, err, sizeof err)) fprintf(stderr, "brainbody: %s\n", err);
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
    fprintf(f, "config:\n");
    bb_config_write_yaml(o->cfg, f, 2);
    bb_plan_print(o->plan, o->cfg, f);
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
        fprintf(f, "  files: [run.yaml%s%s]\n", o->cfg->record_spikes ? ", spikes.h5" : "",
                o->cfg->record_body && o->body ? ", body.h5" : "");
        fprintf(f, "  exchange_digest: \"%08x\"\n", (unsigned)res->digest);
        fprintf(f, "  wall_s: %.3f\n", res->wall_s);
        fprintf(f, "  realtime_factor: %.4f\n", res->wall_s > 0 ? sim_s / res->wall_s : 0.0);
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
