/* brain.model = cortex: the layered M1/S1 model (brain/cortex.h) on the
 * brain ranks. Its output cells are the M1 L5B excitatory cells, left
 * hemisphere then right, each in pool order (tail, hindlimb, trunk,
 * forelimb, head/neck): output id k is the k-th of them. The first brain
 * rank, which sees every spike after the engine's exchange, records every
 * population in <output.dir>/cortex_spikes.h5 (SONATA). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afferent.h"
#include "control_cmd.h"
#include "brainbody/cortex.h"
#include "record_spikes.h"
#include "roles.h"
#include "spinal.h"

/* A stimulus switched on by a control command (stimulate): a DC step on an
 * M1 strip until the exchange `end`. */
#define MAX_CONTROL_STIMULI 16
typedef struct control_stimulus {
    int pop[2 * BB_N_TYPES], n_pops;
    bb_region strip;
    double pA;
    uint64_t end;
} control_stimulus;

typedef struct cortex_brain {
    bb_cortex c;
    bb_cortex_spec spec;
    double exchange_ms;
    control_stimulus stim[MAX_CONTROL_STIMULI];
    uint32_t n_stim;
    bb_sim *sim;
    uint32_t steps;
    uint32_t out_first[BB_N_HEMISPHERES], out_count[BB_N_HEMISPHERES]; /* L5B exc ids */
    bb_block local;
    /* the interval being integrated */
    uint64_t iv_start;
    bb_spike *out;
    size_t n_out, cap_out;
    int overflow;
    /* recording (first brain rank only) */
    int record;
    char path[BB_PATH_MAX + 32];
    bb_spike_file *file;
    int rec_failed;
    char rec_err[256];
    uint64_t flush_every, since_flush;
    /* body feedback into the thalamic afferent ports */
    bb_afferent_map aff;
    double *aff_values;
    /* the task's inputs: step currents gated by the feedback's task channels */
    int gated[2 * BB_N_LAYERS * BB_N_TYPES * BB_N_HEMISPHERES];
    int gate_channel[2 * BB_N_LAYERS * BB_N_TYPES * BB_N_HEMISPHERES];
    int n_gated;
    /* brain.cpg: the spinal circuit's motor pools, after the L5B cells */
    int with_spinal;
    bb_spinal spinal;
    bb_spike *spinal_out, *merged;
    size_t cap_spinal;
} cortex_brain;

static void on_spikes(void *ctx, const bb_spike *s, uint32_t n, uint64_t block_start)
{
    cortex_brain *b = ctx;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gid = s[i].source;
        uint64_t step = block_start + s[i].offset;
        if (b->file && !b->rec_failed) {
            int pop = bb_network_population_of(b->c.net, gid);
            if (bb_spike_file_add_one(b->file, pop, step, gid - bb_network_population_first(b->c.net, pop),
                                      b->rec_err, sizeof b->rec_err))
                b->rec_failed = 1;
        }
        if (gid < b->local.first || gid >= b->local.first + b->local.count) continue; /* another rank sends it */
        uint32_t base = 0;
        for (int h = 0; h < BB_N_HEMISPHERES; h++) {
            if (gid >= b->out_first[h] && gid < b->out_first[h] + b->out_count[h]) {
                if (b->n_out == b->cap_out) {
                    b->overflow = 1;
                    return;
                }
                b->out[b->n_out++] = (bb_spike){base + gid - b->out_first[h], (uint32_t)(step - b->iv_start)};
            }
            base += b->out_count[h];
        }
    }
}

static int open_recording(cortex_brain *b, char *err, size_t cap)
{
    int np = bb_network_n_populations(b->c.net);
    const char **names = calloc((size_t)np, sizeof *names);
    if (!names) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    for (int p = 0; p < np; p++) names[p] = bb_network_population_name(b->c.net, p);
    remove(b->path); /* the coupler rank has checked the folder (new, or --force) */
    b->file = bb_spike_file_create_many(b->path, names, np, bb_network_dt_ms(b->c.net), err, cap);
    free(names);
    return b->file ? 0 : -1;
}

/* The spinal pools' spikes of the interval, merged into out (both lists are
 * in offset order and every spinal id is above every cortical one). */
static int add_spinal(cortex_brain *b, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                      char *err, size_t errcap)
{
    /* deafferented without feedback (feedback.enabled false, or the first interval) */
    bb_spinal_feel(&b->spinal, fb && fb->sensing && fb->n_task >= BB_TASK_CHANNELS + BB_SPINAL_CHANNELS
                                   ? fb->task + BB_TASK_CHANNELS
                                   : NULL);
    long ns = bb_spinal_step(&b->spinal, iv->start_step, b->steps, b->spinal_out, b->cap_spinal);
    if (ns < 0 || b->n_out + (size_t)ns > cap) {
        snprintf(err, errcap, "more than %zu output spikes in one interval", cap);
        return -1;
    }
    size_t i = 0, j = 0, k = 0;
    while (i < b->n_out || j < (size_t)ns)
        b->merged[k++] = j == (size_t)ns || (i < b->n_out && out[i].offset <= b->spinal_out[j].offset)
                             ? out[i++]
                             : b->spinal_out[j++];
    memcpy(out, b->merged, k * sizeof *out);
    b->n_out = k;
    return 0;
}

/* Ends the control stimuli due to end at exchange k, in the order they began. */
static int end_stimuli(cortex_brain *b, uint64_t k)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < b->n_stim; i++) {
        control_stimulus *s = &b->stim[i];
        if (s->end != k) {
            b->stim[kept++] = *s;
            continue;
        }
        for (int p = 0; p < s->n_pops; p++)
            if (bb_sim_add_dc_region(b->sim, s->pop[p], &s->strip, -s->pA)) return -1;
    }
    b->n_stim = kept;
    return 0;
}

static long cortex_step(void *ctx, const bb_interval *iv, const bb_feedback *fb, bb_spike *out, size_t cap,
                        char *err, size_t errcap)
{
    cortex_brain *b = ctx;
    const bb_feedback *now = fb; /* the spinal circuit's afferents are not delayed like the cortex's */
    if (b->n_stim && end_stimuli(b, iv->exchange)) {
        snprintf(err, errcap, "cannot end a control stimulus");
        return -1;
    }
    for (int g = 0; g < b->n_gated; g++)
        if (bb_sim_set_stimulus_gain(b->sim, b->gated[g], fb ? fb->task[b->gate_channel[g]] : 0)) {
            snprintf(err, errcap, "cannot gate the task's input");
            return -1;
        }
    fb = bb_afferent_map_delay(&b->aff, fb && fb->sensing ? fb : NULL);
    for (int h = 0; h < BB_N_HEMISPHERES; h++) {
        if (b->c.afferent_port[h] < 0) continue;
        bb_afferent_map_rates(&b->aff, h, fb, b->aff_values);
        if (bb_sim_set_afferent(b->sim, b->c.afferent_port[h], b->aff_values, b->aff.n_channels)) {
            snprintf(err, errcap, "cannot set the thalamic afferent port");
            return -1;
        }
    }
    if (b->record && !b->file && !b->rec_failed && open_recording(b, err, errcap)) return -1;
    b->iv_start = iv->start_step;
    b->out = out, b->n_out = 0, b->cap_out = cap, b->overflow = 0;
    if (bb_sim_run(b->sim, b->steps, on_spikes, b, err, errcap)) return -1;
    if (b->overflow) {
        snprintf(err, errcap, "more than %zu output spikes in one interval", cap);
        return -1;
    }
    if (b->rec_failed) {
        snprintf(err, errcap, "%s", b->rec_err);
        return -1;
    }
    if (b->with_spinal && add_spinal(b, iv, now, out, cap, err, errcap)) return -1;
    if (b->file && ++b->since_flush >= b->flush_every) {
        b->since_flush = 0;
        if (bb_spike_file_flush(b->file, err, errcap)) return BB_BRAIN_OUTPUT_FAILED;
    }
    return (long)b->n_out;
}

/* The brain rank's state for checkpoints: the engine, the feedback in
 * flight, the spinal circuit, and how much of cortex_spikes.h5 is written
 * (restoring opens the file the run wrote and cuts it back to that). */
static int cortex_state(void *ctx, bb_state_io *io)
{
    cortex_brain *b = ctx;
    if (bb_state_same(io, "cortex.recording", (uint64_t)b->record) ||
        bb_state_same(io, "cortex.spinal", (uint64_t)b->with_spinal) || bb_sim_state(b->sim, io) ||
        bb_afferent_map_state(&b->aff, io) || (b->with_spinal && bb_spinal_state(&b->spinal, io)) ||
        bb_state_field(io, "cortex.since_flush", &b->since_flush, sizeof b->since_flush) ||
        bb_state_field(io, "cortex.control_stimuli", &b->n_stim, sizeof b->n_stim) || b->n_stim > MAX_CONTROL_STIMULI ||
        bb_state_field(io, "cortex.control_stimulus", b->stim, b->n_stim * sizeof *b->stim))
        return -1;
    if (!b->record) return 0;
    char err[512];
    if (!io->restoring && b->file && bb_spike_file_flush(b->file, err, sizeof err)) {
        snprintf(io->why, sizeof io->why, "%s", err);
        return -1;
    }
    if (io->restoring && !b->file) {
        int np = bb_network_n_populations(b->c.net);
        const char **names = calloc((size_t)np, sizeof *names);
        for (int p = 0; names && p < np; p++) names[p] = bb_network_population_name(b->c.net, p);
        b->file = names ? bb_spike_file_open_many(b->path, names, np, bb_network_dt_ms(b->c.net), err, sizeof err) : NULL;
        free(names);
        if (!b->file) {
            snprintf(io->why, sizeof io->why, "%s", names ? err : "out of memory");
            return -1;
        }
    }
    return b->file ? bb_spike_file_state(b->file, io) : 0;
}

static void cortex_destroy(void *ctx)
{
    cortex_brain *b = ctx;
    if (b->with_spinal) bb_spinal_free(&b->spinal);
    free(b->spinal_out);
    free(b->merged);
    char err[256];
    if (bb_spike_file_close(b->file, err, sizeof err)) fprintf(stderr, "brainbody: %s\n", err);
    bb_sim_free(b->sim);
    bb_cortex_free(&b->c);
    bb_afferent_map_free(&b->aff);
    free(b->aff_values);
    free(b);
}

/* Adds a step current to every cell type of the given layers of one body
 * area's strip of one hemisphere's M1; returns 0 or -1. When gate is not
 * NULL the currents' indices are appended there (for bb_sim_set_stimulus_gain). */
/* The populations (every cell type of the layers) and the region of one
 * body area's strip of one hemisphere's M1; returns the number of populations. */
static int m1_strip(const bb_cortex_spec *spec, const bb_cortex *c, const char *hemisphere, const char *body_area,
                    const char *layer_names, int pops[2 * BB_N_TYPES], bb_region *strip)
{
    int h = !strcmp(hemisphere, "right") ? BB_RIGHT : BB_LEFT; /* one the cortex has: checked by the caller */
    int area = 0;
    while (area < BB_N_BODY_AREAS && strcmp(bb_body_area_name(area), body_area)) area++;
    *strip = (bb_region){0, 0, 0, 1e9};
    bb_cortex_body_area_strip(spec, area, &strip->x0, &strip->x1);
    int layers[2] = {BB_L5B, BB_L23}, nl = !strcmp(layer_names, "L23_L5B") ? 2 : 1, n = 0;
    if (!strcmp(layer_names, "L23")) layers[0] = BB_L23;
    for (int l = 0; l < nl; l++)
        for (int type = 0; type < BB_N_TYPES; type++) pops[n++] = c->pop[h][BB_M1][layers[l]][type];
    return n;
}

/* A control command for the brain (the coupler has checked it against the
 * run): stimulate switches a DC step on an M1 strip on from exchange k for
 * the whole exchanges nearest its duration (at least one). */
static int cortex_command(void *ctx, const bb_control_cmd *cmd, uint64_t k, char *err, size_t cap)
{
    cortex_brain *b = ctx;
    if (cmd->verb != BB_CTL_STIMULATE) {
        snprintf(err, cap, "'%s' is not a command for the brain", cmd->word);
        return -1;
    }
    if (!strcmp(cmd->name, "right") && b->spec.hemispheres < 2) {
        snprintf(err, cap, "stimulate right: the cortex has the left hemisphere only");
        return -1;
    }
    if (b->n_stim == MAX_CONTROL_STIMULI) {
        snprintf(err, cap, "stimulate: %d control stimuli are on already", MAX_CONTROL_STIMULI);
        return -1;
    }
    control_stimulus *s = &b->stim[b->n_stim];
    s->n_pops = m1_strip(&b->spec, &b->c, cmd->name, cmd->area, cmd->layers, s->pop, &s->strip);
    s->pA = cmd->value[0];
    double n = llround(cmd->seconds / (b->exchange_ms * 1e-3));
    s->end = k + (uint64_t)(n < 1 ? 1 : n);
    for (int p = 0; p < s->n_pops; p++)
        if (bb_sim_add_dc_region(b->sim, s->pop[p], &s->strip, s->pA)) {
            snprintf(err, cap, "stimulate: cannot set the current");
            return -1;
        }
    b->n_stim++;
    return 0;
}

static int add_m1_strip(const bb_cortex_spec *spec, bb_cortex *c, const char *hemisphere, const char *body_area,
                        const char *layer_names, uint32_t n, const double *t, const double *v, int *gate, int *n_gate,
                        char *err, size_t cap)
{
    int pops[2 * BB_N_TYPES];
    bb_region strip;
    int n_pops = m1_strip(spec, c, hemisphere, body_area, layer_names, pops, &strip);
    for (int i = 0; i < n_pops; i++) {
        int k = bb_network_add_step_current(c->net, pops[i], &strip, n, t, v, err, cap);
        if (k < 0) return -1;
        if (gate) gate[(*n_gate)++] = k;
    }
    return 0;
}

/* brain.stimulus: a DC step on one M1 body-area strip; task.cue: the cue's
 * drive on one, gated by the cue channel; task.reward: a drive on S1 layer 4
 * (the water drop's touch) of each hemisphere, gated by the reward channel. */
static int add_inputs(const bb_config *cfg, const bb_cortex_spec *spec, cortex_brain *b, char *err, size_t cap)
{
    const struct bb_config_stimulus *st = &cfg->stimulus;
    if (st->enabled) {
        double t[2] = {st->start_s * 1e3, st->stop_s * 1e3}, v[2] = {st->amplitude_pA, 0};
        if (add_m1_strip(spec, &b->c, st->hemisphere, st->body_area, st->layers, 2, t, v, NULL,
                         NULL, err, cap))
            return -1;
    }
    const struct bb_config_task *tk = &cfg->task;
    if (!strcmp(tk->kind, "none")) return 0;
    double t0 = 0, cue = tk->cue_amplitude_pA, reward = tk->reward_amplitude_pA;
    int first = b->n_gated;
    if (add_m1_strip(spec, &b->c, tk->cue_hemisphere, tk->cue_body_area, tk->cue_layers, 1, &t0, &cue,
                     b->gated, &b->n_gated, err, cap))
        return -1;
    for (int g = first; g < b->n_gated; g++) b->gate_channel[g] = BB_TASK_CUE;
    if (reward == 0) return 0;
    for (int h = 0; h < spec->hemispheres; h++) {
        int k = bb_network_add_step_current(b->c.net, b->c.pop[h][BB_S1][BB_L4][BB_EXC], NULL, 1, &t0, &reward, err,
                                            cap);
        if (k < 0) return -1;
        b->gate_channel[b->n_gated] = BB_TASK_REWARD;
        b->gated[b->n_gated++] = k;
    }
    return 0;
}

int bb_make_cortex_brain(const bb_config *cfg, const bb_plan *plan, MPI_Comm brain_comm, const bb_body_sizes *body,
                         bb_brain_role *out, char *err, size_t cap)
{
    cortex_brain *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    bb_cortex_spec spec = bb_config_cortex_spec(cfg);
    b->spec = spec;
    b->exchange_ms = cfg->exchange_ms;
    if (bb_cortex_build(&spec, &b->c, err, cap)) {
        free(b);
        return -1;
    }
    if (add_inputs(cfg, &spec, b, err, cap)) {
        bb_cortex_free(&b->c);
        free(b);
        return -1;
    }
    b->sim = bb_sim_create(b->c.net, brain_comm, err, cap);
    if (!b->sim) {
        cortex_destroy(b);
        return -1;
    }
    for (int g = 0; g < b->n_gated; g++) bb_sim_set_stimulus_gain(b->sim, b->gated[g], 0); /* off until cued */
    b->steps = plan->brain_steps_per_exchange;
    if (b->steps % bb_sim_min_delay_steps(b->sim)) {
        snprintf(err, cap, "time.exchange_ms: %u brain steps per exchange is not a multiple of the cortex's spike "
                           "exchange (%u steps)", b->steps, bb_sim_min_delay_steps(b->sim));
        cortex_destroy(b);
        return -1;
    }
    for (int h = 0; h < spec.hemispheres; h++) {
        int pop = b->c.pop[h][BB_M1][BB_L5B][BB_EXC];
        b->out_first[h] = bb_network_population_first(b->c.net, pop);
        b->out_count[h] = bb_network_population_size(b->c.net, pop);
    }
    /* feedback off: the map stays empty and the ports silent */
    bb_body_sizes none = {0};
    if (bb_afferent_map_build(&b->aff, cfg->feedback_enabled ? body : &none, spec.afferent_channels,
                              cfg->feedback_lesion, cfg->feedback_convergence, err, cap) ||
        !(b->aff_values = calloc(spec.afferent_channels + 1, sizeof *b->aff_values)) ||
        bb_afferent_map_set_delay(&b->aff, cfg->feedback_delay_intervals, body->n_taxels, body->n_proprio)) {
        if (!b->aff_values && !err[0]) snprintf(err, cap, "out of memory");
        cortex_destroy(b);
        return -1;
    }
    b->local = bb_sim_local_block(b->sim);
    b->record = cfg->record_spikes && plan->brain_index == 0;
    snprintf(b->path, sizeof b->path, "%s/cortex_spikes.h5", cfg->output_dir);
    double per_flush = cfg->flush_s * 1e3 / cfg->exchange_ms;
    b->flush_every = per_flush < 1 ? 1 : (uint64_t)per_flush;
    /* at most every output cell this rank owns firing in every step */
    uint32_t mine = 0;
    for (int h = 0; h < spec.hemispheres; h++) {
        uint32_t lo = b->out_first[h] > b->local.first ? b->out_first[h] : b->local.first;
        uint32_t hi = b->out_first[h] + b->out_count[h] < b->local.first + b->local.count
                          ? b->out_first[h] + b->out_count[h]
                          : b->local.first + b->local.count;
        if (hi > lo) mine += hi - lo;
    }
    size_t max_spikes = (size_t)mine * b->steps + 1;
    if (cfg->cpg.enabled) {
        uint32_t first = 0;
        for (int h = 0; h < spec.hemispheres; h++) first += b->out_count[h];
        if (bb_spinal_init(&b->spinal, cfg, first, plan->n_brain, plan->brain_index, err, cap)) {
            cortex_destroy(b);
            return -1;
        }
        b->with_spinal = 1;
        b->cap_spinal = (size_t)b->spinal.local.count * b->steps + 1;
        max_spikes += b->cap_spinal;
        b->spinal_out = malloc(b->cap_spinal * sizeof *b->spinal_out);
        b->merged = malloc(max_spikes * sizeof *b->merged);
        if (!b->spinal_out || !b->merged) {
            snprintf(err, cap, "out of memory");
            cortex_destroy(b);
            return -1;
        }
    }
    *out = (bb_brain_role){b, max_spikes, cortex_step, cortex_destroy, {0}, cortex_state, cortex_command};
    /* output ids run hemisphere by hemisphere; each hemisphere's pools are
     * contiguous within it: M1L_tail .. M1L_head_neck, M1R_tail .. */
    uint32_t base = 0;
    for (int h = 0; h < spec.hemispheres; h++) {
        for (int a = 0; a < BB_N_BODY_AREAS; a++) {
            bb_pool *p = &out->pools.pool[out->pools.n++];
            snprintf(p->name, sizeof p->name, "M1%c_%s", h == BB_LEFT ? 'L' : 'R', bb_body_area_name(a));
            p->first = base + b->c.pool_first[h][a] - b->out_first[h];
            p->count = b->c.pool_count[h][a];
        }
        base += b->out_count[h];
    }
    if (b->with_spinal) bb_spinal_pools(&b->spinal, &out->pools);
    return 0;
}
