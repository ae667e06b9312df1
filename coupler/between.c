/* Between two exchanges (loop_internal.h): the commands that change the
 * inputs, checkpoints, holds and stops on the coupler rank, their answers on
 * the brain ranks, and a resume's restore. Everything here happens after
 * exchange k and before exchange k + 1, so every rank agrees on where. */
#include <stdio.h>
#include <string.h>

#include "brainbody/body.h"
#include "checkpoint.h"
#include "loop_internal.h"
#include "status.h"
#include "transport.h"

/* ---- checkpoints: every rank's state between exchanges (checkpoint.h) */

/* What every state file starts with: the rank layout and the exchanges done. */
static int meta_state(const bb_plan *p, uint64_t *done, bb_state_io *io)
{
    return bb_state_same(io, "plan.ranks", (uint64_t)p->world_size) ||
                   bb_state_same(io, "plan.rank", (uint64_t)p->world_rank) ||
                   bb_state_u64(io, "plan.exchanges_done", done)
               ? -1
               : 0;
}

static int brain_state(brain_side *b, bb_state_io *io)
{
    if (b->brain->state) return b->brain->state(b->brain->ctx, io);
    snprintf(io->why, sizeof io->why, "this brain cannot be checkpointed");
    return -1;
}

/* The coupler's buffers (the excitation for the next interval, the feedback
 * packet not yet sent), its map and trials, the body and the recording. */
static int coupler_state(coupler *c, bb_state_io *io)
{
    const bb_body_sizes *s = &c->body->sizes;
    if (!c->body->state) {
        snprintf(io->why, sizeof io->why, "this body cannot be checkpointed");
        return -1;
    }
    return bb_state_same(io, "coupler.muscles", s->n_muscles) || bb_state_same(io, "coupler.taxels", s->n_taxels) ||
                   bb_state_same(io, "coupler.proprio", s->n_proprio) ||
                   bb_state_same(io, "coupler.map", c->map != NULL) ||
                   bb_state_same(io, "coupler.trials", c->trials != NULL) ||
                   bb_state_field(io, "coupler.excitation", c->excitation, s->n_muscles * sizeof(float)) ||
                   bb_state_field(io, "coupler.taxels", c->taxels, s->n_taxels * sizeof(float)) ||
                   bb_state_field(io, "coupler.proprio", c->proprio, s->n_proprio * sizeof(float)) ||
                   bb_state_field(io, "coupler.task", c->task, sizeof c->task) ||
                   bb_state_field(io, "coupler.digest", &c->digest, sizeof c->digest) ||
                   bb_state_field(io, "coupler.spikes", &c->spikes_total, sizeof c->spikes_total) ||
                   bb_state_field(io, "coupler.feedback_packet", c->fb, c->fb_len) ||
                   (c->map && bb_coupling_state(c->map, io)) || (c->trials && bb_trials_state(c->trials, io)) ||
                   (c->posture && bb_posture_state(c->posture, io)) ||
                   c->body->state(c->body->ctx, io) ||
                   (c->hooks && c->hooks->state && c->hooks->state(c->hooks->ctx, io))
               ? -1
               : 0;
}

/* Saves this rank's state file into dir, or restores it from there (*done:
 * the exchanges done). c and b: this rank's sides, NULL where it has none. */
static int rank_file(const bb_plan *p, const char *dir, int restoring, uint64_t *done, coupler *c, brain_side *b,
                     char *err, size_t cap)
{
    char path[BB_PATH_MAX + 64];
    bb_checkpoint_rank_file(dir, p->world_rank, path, sizeof path);
    bb_state_file *f = restoring ? bb_state_file_open(path, err, cap) : bb_state_file_create(path, err, cap);
    if (!f) return -1;
    bb_state_io *io = bb_state_file_io(f);
    int failed = meta_state(p, done, io) || (b && brain_state(b, io)) || (c && coupler_state(c, io));
    return bb_state_file_close(f, failed, err, cap);
}

static void send_hold(coupler *c, uint64_t k, uint32_t state);

/* On the coupler rank: every brain rank's answer (a hold packet, done or
 * failed, for exchange k) to what it was just asked; a missing or
 * undecodable answer is an exchange fault. Returns the rank of the first
 * that failed (it printed why), or -1. */
static int brain_answers(coupler *c, uint64_t k, const char *what)
{
    const bb_plan *p = c->plan;
    char why[256];
    int failed = -1;
    for (int r = 0; r < p->n_brain && !p->single_process; r++) {
        int from = bb_brain_world_rank(p, r);
        long len = bb_recv_any_size(from, BB_TAG_HOLD, p->comm, &c->rx[r], &c->rx_cap[r], c->cfg->watchdog_s);
        uint64_t at = 0;
        uint32_t state = 0;
        bb_proto_status st;
        if (len < 0) bb_fatal(3, "%s: no answer from brain rank %d within %g s (watchdog.timeout_s)", what, from,
                              c->cfg->watchdog_s);
        if (bb_decode_hold(c->rx[r], (size_t)len, &at, &state, &st) || at != k ||
            (state != BB_HOLD_SAVED && state != BB_HOLD_FAILED))
            bb_fatal(3, "%s: bad answer from brain rank %d: %s", what, from,
                     st.code ? bb_proto_describe(&st, why, sizeof why) : "not a done/failed hold packet for it");
        if (state == BB_HOLD_FAILED && failed < 0) failed = from;
    }
    return failed;
}

/* On a brain rank: tells the coupler that what it asked after exchange at
 * is done (ok) or failed. */
static void answer(const brain_side *b, uint64_t at, int ok)
{
    unsigned char m[BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE];
    size_t len = bb_encode_hold(m, sizeof m, at, at, ok ? BB_HOLD_SAVED : BB_HOLD_FAILED);
    MPI_Send(m, (int)len, MPI_BYTE, BB_BODY_RANK, BB_TAG_HOLD, b->plan->comm);
}

/* After exchange k, on the coupler rank: every rank writes its state file
 * into the partial folder, the brain ranks answer, and the folder is renamed
 * into place. b: the brain side in a single process, else NULL. */
static void write_checkpoint(coupler *c, brain_side *b, uint64_t k)
{
    const bb_plan *p = c->plan;
    uint64_t done = k + 1;
    char final[BB_PATH_MAX + 64], partial[BB_PATH_MAX + 64], err[1024] = "";
    double t0 = bb_loop_now_s();
    bb_checkpoint_paths(c->cfg->output_dir, done, final, partial, sizeof final);
    bb_status_set(k, BB_CHECKPOINTING, -1);
    if (c->hooks && c->hooks->control) c->hooks->control->checkpoint = 0;
    int ok = bb_checkpoint_begin(c->cfg->output_dir, partial, err, sizeof err) == 0, told = ok;
    if (told) send_hold(c, k, BB_HOLD_CHECKPOINT);
    if (ok && rank_file(p, partial, 0, &done, c, b, err, sizeof err)) ok = 0;
    int failed = told ? brain_answers(c, k, "checkpoint") : -1;
    if (failed >= 0 && ok) {
        snprintf(err, sizeof err, "brain rank %d could not write its state (its message above)", failed);
        ok = 0;
    }
    if (ok && bb_checkpoint_commit(c->cfg->output_dir, partial, final, c->cfg->checkpoint_keep, err, sizeof err)) ok = 0;
    if (!ok) {
        bb_checkpoint_abandon(partial);
        bb_fatal(6, "checkpoint after exchange %llu: %s", (unsigned long long)done, err);
    }
    printf("brainbody: checkpoint after exchange %llu (%.3f s simulated): %s, %.1f MB in %.2f s\n",
           (unsigned long long)done, (double)done * c->cfg->exchange_ms * 1e-3, final,
           (double)bb_checkpoint_bytes(final, p->world_size) / 1e6, bb_loop_now_s() - t0);
    fflush(stdout);
}

/* On a brain rank, told by the coupler: saves this rank's state after
 * exchange k into the partial folder and answers saved or failed. */
void bb_brain_checkpoint(brain_side *b, uint64_t k, uint64_t at)
{
    const bb_plan *p = b->plan;
    uint64_t done = k;
    char partial[BB_PATH_MAX + 64], err[1024];
    if (at + 1 != k) bb_fatal(3, "checkpoint requested after exchange %llu while waiting for the feedback of %llu",
                              (unsigned long long)(at + 1), (unsigned long long)k);
    bb_status_set(k, BB_CHECKPOINTING, -1);
    bb_checkpoint_paths(b->cfg->output_dir, done, NULL, partial, sizeof partial);
    int ok = rank_file(p, partial, 0, &done, NULL, b, err, sizeof err) == 0;
    if (!ok) {
        fprintf(stderr, "brainbody: rank %d (brain): checkpoint after exchange %llu: %s\n", p->world_rank,
                (unsigned long long)done, err);
        fflush(stderr);
    }
    answer(b, at, ok);
    bb_status_set(k, BB_WAITING_FEEDBACK, BB_BODY_RANK);
}

/* ---- commands changing the inputs, applied between exchanges k and k + 1 */

/* The brain's part: on every brain rank (a hold packet, the command packet,
 * an answer), or in this process. */
static void command_brain(coupler *c, brain_side *b, const bb_control_cmd *cmd, uint64_t k)
{
    const bb_plan *p = c->plan;
    char err[512];
    if (p->single_process) {
        if (!b->brain->command) bb_fatal(5, "'%s': this brain takes no commands", cmd->word);
        if (b->brain->command(b->brain->ctx, cmd, k + 1, err, sizeof err)) bb_fatal(5, "brain: %s", err);
        return;
    }
    char text[BB_CONTROL_MAX_BYTES + 1];
    size_t n = bb_control_format(cmd, text, sizeof text);
    unsigned char pkt[BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + BB_COMMAND_MAX_TEXT + 4];
    size_t len = bb_encode_command(pkt, sizeof pkt, k, k + 1, text, n);
    if (!len) bb_fatal(5, "command '%s' cannot be encoded", text);
    send_hold(c, k, BB_HOLD_COMMAND);
    for (int r = 0; r < p->n_brain; r++)
        MPI_Send(pkt, (int)len, MPI_BYTE, bb_brain_world_rank(p, r), BB_TAG_HOLD, p->comm);
    int failed = brain_answers(c, k, "command");
    if (failed >= 0) bb_fatal(5, "command '%s' failed on brain rank %d (its message above)", text, failed);
}

/* The coupler's and the body's part. */
static void command_coupler(coupler *c, const bb_control_cmd *cmd, uint64_t k)
{
    char err[512];
    int bad = 0;
    if (cmd->verb == BB_CTL_LESION || cmd->verb == BB_CTL_RESTORE)
        bad = !c->map || bb_coupling_lesion(c->map, cmd->name, cmd->verb == BB_CTL_LESION);
    else if (cmd->verb == BB_CTL_SET_GAIN)
        bad = !c->map || bb_coupling_set_gain(c->map, strcmp(cmd->name, "all") ? cmd->name : NULL, cmd->value[0]);
    if (bad) bb_fatal(5, "'%s %s': the coupling map has no such pool", cmd->word, cmd->name);
    if (cmd->verb == BB_CTL_PERTURB) {
        double t = (double)(k + 1) * c->cfg->exchange_ms * 1e-3;
        if (!c->body->body) bb_fatal(5, "perturb: this body cannot be pushed");
        if (bb_body_push(c->body->body, cmd->name, cmd->value, t, cmd->seconds, err, sizeof err))
            bb_fatal(5, "perturb: %s", err);
    }
}

/* Applies the queued commands before exchange k + 1 and records each. */
static void apply_commands(coupler *c, brain_side *b, uint64_t k)
{
    bb_loop_control *lc = c->hooks ? c->hooks->control : NULL;
    for (int i = 0; lc && i < lc->n_pending; i++) {
        const bb_control_cmd *cmd = &lc->pending[i];
        if (cmd->verb == BB_CTL_STIMULATE) command_brain(c, b, cmd, k);
        else command_coupler(c, cmd, k);
        char err[512];
        if (c->hooks->commanded && c->hooks->commanded(c->hooks->ctx, cmd, k + 1, err, sizeof err))
            bb_fatal(6, "output: %s", err);
    }
    if (lc) lc->n_pending = 0;
}

/* On a brain rank, told by the coupler: takes the command packet that
 * follows and applies it before exchange k. */
void bb_brain_command(brain_side *b, uint64_t k, uint64_t at)
{
    const bb_plan *p = b->plan;
    unsigned char pkt[BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + BB_COMMAND_MAX_TEXT + 4];
    MPI_Status ms;
    int len = 0;
    MPI_Recv(pkt, sizeof pkt, MPI_BYTE, BB_BODY_RANK, BB_TAG_HOLD, p->comm, &ms);
    MPI_Get_count(&ms, MPI_BYTE, &len);
    uint64_t from = 0;
    char text[BB_COMMAND_MAX_TEXT + 1], err[512], why[256];
    bb_proto_status st;
    bb_control_cmd cmd;
    int ok = 0;
    if (at + 1 != k) snprintf(err, sizeof err, "a command after exchange %llu while at %llu", (unsigned long long)at,
                              (unsigned long long)k);
    else if (bb_decode_command(pkt, (size_t)len, &from, text, &st))
        snprintf(err, sizeof err, "command packet rejected: %s", bb_proto_describe(&st, why, sizeof why));
    else if (from != k || bb_control_parse(text, strlen(text), &cmd, err, sizeof err)) {
        if (from != k) snprintf(err, sizeof err, "command packet for exchange %llu, expected %llu",
                                (unsigned long long)from, (unsigned long long)k);
    } else if (!b->brain->command) snprintf(err, sizeof err, "'%s': this brain takes no commands", cmd.word);
    else ok = b->brain->command(b->brain->ctx, &cmd, k, err, sizeof err) == 0;
    if (!ok) {
        fprintf(stderr, "brainbody: rank %d (brain): %s\n", p->world_rank, err);
        fflush(stderr);
    }
    answer(b, at, ok);
}

static int checkpoint_due(const coupler *c, uint64_t k)
{
    const bb_loop_control *lc = c->hooks ? c->hooks->control : NULL;
    return (c->checkpoint_every && (k + 1) % c->checkpoint_every == 0) || (lc && lc->checkpoint);
}

/* Tells every brain rank the run is held, resumed or stopped after exchange k. */
static void send_hold(coupler *c, uint64_t k, uint32_t state)
{
    unsigned char m[BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE];
    size_t len = bb_encode_hold(m, sizeof m, k, k, state);
    for (int r = 0; r < c->plan->n_brain && !c->plan->single_process; r++)
        MPI_Send(m, (int)len, MPI_BYTE, bb_brain_world_rank(c->plan, r), BB_TAG_HOLD, c->plan->comm);
}

/* Between exchanges k and k + 1: writes a checkpoint when one is due, waits
 * while the hooks hold the run (writing the checkpoints asked for
 * meanwhile); 1 when they stop it (the brain ranks told). b: the brain side
 * in a single process, else NULL. */
int bb_between_exchanges(coupler *c, brain_side *b, uint64_t k)
{
    apply_commands(c, b, k);
    if (checkpoint_due(c, k)) write_checkpoint(c, b, k);
    bb_loop_control *lc = c->hooks ? c->hooks->control : NULL;
    if (!lc || !(lc->hold || lc->stop)) return 0;
    if (lc->hold && !lc->stop) {
        send_hold(c, k, BB_HOLD_PAUSE);
        bb_status_set(k + 1, BB_HELD, -1);
        while (lc->hold && !lc->stop) {
            c->hooks->idle(c->hooks->ctx, 100);
            apply_commands(c, b, k);
            if (lc->checkpoint) {
                write_checkpoint(c, b, k);
                bb_status_set(k + 1, BB_HELD, -1);
            }
        }
        if (!lc->stop) send_hold(c, k, BB_HOLD_RESUME);
    }
    if (!lc->stop) return 0;
    send_hold(c, k, BB_HOLD_STOP);
    return 1;
}

/* Every rank restores its state file from the checkpoint dir; all or
 * nothing. *start: the exchange to go on from. */
int bb_loop_resume(const bb_plan *p, const char *dir, coupler *c, brain_side *b, uint64_t *start, char *err,
                   size_t cap)
{
    /* Every rank's file is read through first: a damaged or missing file
     * stops the resume before any output file is cut back. */
    char path[BB_PATH_MAX + 64];
    bb_checkpoint_rank_file(dir, p->world_rank, path, sizeof path);
    int ok = bb_state_file_check(path, err, cap) == 0, all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, p->comm);
    if (all) ok = rank_file(p, dir, 1, start, c, b, err, cap) == 0;
    if (ok && *start >= p->n_exchanges) {
        snprintf(err, cap, "%s: the checkpoint is at the run's end (exchange %llu of %llu): nothing to resume", dir,
                 (unsigned long long)*start, (unsigned long long)p->n_exchanges);
        ok = 0;
    }
    if (ok && c) c->exchanges_done = *start;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, p->comm);
    if (ok && !all) err[0] = '\0'; /* another rank failed and says why */
    return all ? 0 : 2;
}
