/* The lockstep pipeline (docs/timing.md). The coupler rank steps the body
 * through interval k while the brain ranks integrate interval k; then spikes
 * of k go to the coupler and feedback of k goes to the brain ranks, to be used
 * in interval k+1. With one rank the same packets are encoded and decoded in
 * one process, so every rank count exchanges the same bytes. */
#include "loop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop_internal.h"
#include "status.h"
#include "transport.h"

double bb_loop_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The feedback's channels: the task's, then the spinal afferents with brain.cpg. */
static uint32_t feedback_channels(const bb_config *cfg)
{
    return BB_TASK_CHANNELS + (cfg->cpg.enabled ? BB_SPINAL_CHANNELS : 0);
}

static bb_interval interval_of(const bb_plan *p, uint64_t k)
{
    uint64_t n = p->brain_steps_per_exchange;
    return (bb_interval){k, k * n, (k + 1) * n};
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) bb_fatal(4, "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

/* ---- setup: build roles on every rank, agree on sizes, all-or-nothing */

/* The brain's output pools reach the coupler rank from the first brain
 * rank; the coupler rank reads the coupling map against them and the body's
 * muscles. Returns 1 if this rank is fine. */
static int setup_map(const bb_config *cfg, const bb_plan *plan, const bb_body_role *body,
                     const bb_brain_role *brain, bb_pools *pools, bb_coupling *map, int *have_map, char *err,
                     size_t cap)
{
    memset(pools, 0, sizeof *pools);
    if (plan->role == BB_ROLE_BRAIN || plan->single_process) *pools = brain->pools;
    MPI_Bcast(pools, (int)sizeof *pools, MPI_BYTE, bb_brain_world_rank(plan, 0), plan->comm);
    if (plan->role != BB_ROLE_BODY || !strcmp(cfg->coupling_map, "uniform")) return 1;
    const char *lesion = strcmp(cfg->coupling_lesion, "none") ? cfg->coupling_lesion : "";
    if (bb_coupling_load(map, cfg->coupling_map, pools, cfg->output_cells, body, lesion, err, cap)) return 0;
    *have_map = 1;
    return 1;
}

/* The body's feedback layout, from the body rank to every rank (*layout:
 * area then side arrays, freed by the caller). */
static void share_layout(const bb_plan *plan, const bb_body_role *body, bb_body_sizes *sizes, uint8_t **layout)
{
    uint32_t n = sizes->n_taxels + sizes->n_muscles, known = 0;
    if (plan->role == BB_ROLE_BODY) known = body->sizes.area && body->sizes.side;
    MPI_Bcast(&known, 1, MPI_UINT32_T, BB_BODY_RANK, plan->comm);
    if (!known) return;
    *layout = xcalloc(2 * (size_t)n, 1);
    if (plan->role == BB_ROLE_BODY) {
        memcpy(*layout, body->sizes.area, n);
        memcpy(*layout + n, body->sizes.side, n);
    }
    MPI_Bcast(*layout, (int)(2 * n), MPI_UINT8_T, BB_BODY_RANK, plan->comm);
    sizes->area = *layout;
    sizes->side = *layout + n;
}

/* The task's trial structure, on the coupler rank (NULL without a task). */
static int setup_trials(const bb_config *cfg, const bb_body_role *body, bb_trials **trials, char *err, size_t cap)
{
    if (!strcmp(cfg->task.kind, "none")) return 0;
    if (!body->body) {
        snprintf(err, cap, "%s: task.kind %s needs a MuJoCo body", cfg->file, cfg->task.kind);
        return -1;
    }
    *trials = bb_trials_create(cfg, body->body, err, cap);
    return *trials ? 0 : -1;
}

/* Postural tone and the righting reflex, on the body rank (NULL: none). */
static int setup_posture(const bb_config *cfg, const bb_body_role *body, bb_posture **posture, char *err,
                         size_t cap)
{
    char where[BB_PATH_MAX + 96], why[512];
    if (cfg->posture.tone <= 0 && cfg->posture.adductor_tone > 0) { /* the adductors oppose the tone's abductors */
        snprintf(err, cap, "%s: needs brain.posture.tone above 0",
                 bb_config_where(cfg, "brain.posture.adductors.tone", where, sizeof where));
        return -1;
    }
    if (cfg->posture.tone <= 0) return 0;
    if (!body->body) {
        snprintf(err, cap, "%s: needs a MuJoCo body", bb_config_where(cfg, "brain.posture.tone", where, sizeof where));
        return -1;
    }
    *posture = xcalloc(1, sizeof **posture);
    const bb_posture_params params = {.muscles = cfg->posture.muscles,
                                       .tone = cfg->posture.tone,
                                       .gain = cfg->posture.righting_gain,
                                       .velocity_s = cfg->posture.righting_velocity_s,
                                       .rate_filter_s = cfg->posture.righting_rate_filter_ms * 1e-3,
                                       .interval_s = cfg->exchange_ms * 1e-3,
                                       .gate_muscles = cfg->posture.swing_gate_muscles,
                                       .gate_full_at = cfg->posture.swing_gate_full_at,
                                       .adductor_muscles = cfg->posture.adductor_muscles,
                                       .adductor_tone = cfg->posture.adductor_tone};
    int rc = bb_posture_init(*posture, body->body, &params, why, sizeof why);
    if (!rc) return 0;
    free(*posture);
    *posture = NULL;
    const char *key = rc == BB_POSTURE_NO_TRUNK  ? "brain.posture.righting_gain"
                      : rc == BB_POSTURE_BAD_GATE ? "brain.posture.swing_gate.muscles"
                      : rc == BB_POSTURE_BAD_ADDUCTORS ? "brain.posture.adductors.muscles"
                                                  : "brain.posture.muscles";
    snprintf(err, cap, "%s: %s", bb_config_where(cfg, key, where, sizeof where), why);
    return -1;
}

static int setup(const bb_config *cfg, const bb_plan *plan, const bb_role_factory *f, const bb_run_hooks *h,
                 bb_body_role *body, bb_brain_role *brain, int *have_body, int *have_brain, bb_body_sizes *sizes,
                 uint8_t **layout, bb_coupling *map, int *have_map, bb_trials **trials, bb_posture **posture, char *err,
                 size_t cap)
{
    MPI_Comm brain_comm;
    MPI_Comm_split(plan->comm, plan->role == BB_ROLE_BRAIN ? 1 : 0, plan->world_rank, &brain_comm);
    int ok = 1;
    uint32_t msg[4] = {1, 0, 0, 0}; /* body ok, n_muscles, n_taxels, n_proprio */
    if (plan->role == BB_ROLE_BODY) {
        ok = f->make_body(cfg, plan, body, err, cap) == 0;
        *have_body = ok;
        if (ok) ok = setup_trials(cfg, body, trials, err, cap) == 0;
        if (ok) ok = setup_posture(cfg, body, posture, err, cap) == 0;
        msg[0] = (uint32_t)ok;
        if (ok) msg[1] = body->sizes.n_muscles, msg[2] = body->sizes.n_taxels, msg[3] = body->sizes.n_proprio;
    }
    MPI_Bcast(msg, 4, MPI_UINT32_T, BB_BODY_RANK, plan->comm);
    *sizes = (bb_body_sizes){msg[1], msg[2], msg[3], NULL, NULL};
    if (msg[0]) share_layout(plan, body, sizes, layout);
    if (msg[0] && (plan->role == BB_ROLE_BRAIN || plan->single_process)) {
        ok = f->make_brain(cfg, plan, brain_comm, sizes, brain, err, cap) == 0;
        *have_brain = ok;
    }
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, plan->comm);
    if (all) {
        bb_pools pools;
        ok = setup_map(cfg, plan, body, brain, &pools, map, have_map, err, cap);
        if (ok && plan->role == BB_ROLE_BODY && h && h->prepare) ok = h->prepare(h->ctx, body, &pools, err, cap) == 0;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, plan->comm);
    }
    MPI_Comm_free(&brain_comm);
    return all ? 0 : 2;
}

/* ---- coupler rank */

static void coupler_init(coupler *c, const bb_config *cfg, const bb_plan *plan, bb_body_role *body,
                         const bb_run_hooks *hooks, bb_coupling *map, bb_trials *trials, bb_posture *posture)
{
    *c = (coupler){.cfg = cfg, .plan = plan, .body = body, .hooks = hooks, .map = map, .trials = trials,
                   .posture = posture};
    const bb_body_sizes *s = &body->sizes;
    if (bb_efferent_init(&c->eff, cfg->output_cells, s->n_muscles, cfg->gain_spikes, cfg->coupling_enabled))
        bb_fatal(4, "out of memory");
    c->excitation = xcalloc(s->n_muscles, sizeof(float));
    c->next_excitation = xcalloc(s->n_muscles, sizeof(float));
    c->taxels = xcalloc(s->n_taxels, sizeof(float));
    c->proprio = xcalloc(s->n_proprio, sizeof(float));
    c->n_channels = feedback_channels(cfg);
    if (cfg->cpg.enabled && body->body) {
        if (bb_spinal_sense_init(&c->spinal, body->body)) bb_fatal(4, "out of memory");
        c->has_spinal = 1;
    }
    /* the stretch reflex is the spindles' segmental loop: deafferented
     * (feedback.enabled false), there is none, as after a dorsal rhizotomy */
    if (cfg->stretch_reflex.gain > 0 && cfg->feedback_enabled && body->body) {
        if (bb_stretch_reflex_init(&c->reflex, body->body, cfg->stretch_reflex.gain, cfg->stretch_reflex.velocity_s))
            bb_fatal(4, "out of memory");
        c->has_reflex = 1;
        if (cfg->stretch_reflex.reciprocal_hz > 0 && c->map) {
            int32_t *antagonist = xcalloc(s->n_muscles, sizeof *antagonist);
            uint32_t *cells = xcalloc(c->map->n_pools, sizeof *cells);
            bb_coupling_antagonists(c->map, antagonist, cells);
            if (bb_stretch_reflex_reciprocal(&c->reflex, antagonist, cells, c->map->n_pools,
                                             cfg->stretch_reflex.reciprocal_hz, cfg->exchange_ms * 1e-3))
                bb_fatal(4, "out of memory");
            free(antagonist), free(cells);
        }
    }
    c->fb_len = bb_feedback_packet_size(s->n_taxels, s->n_proprio, c->n_channels);
    int nb = plan->n_brain;
    c->fb = xcalloc(c->fb_len, 1);
    c->fb_req = xcalloc((size_t)nb, sizeof(MPI_Request));
    for (int r = 0; r < nb; r++) c->fb_req[r] = MPI_REQUEST_NULL;
    c->bucket = xcalloc((size_t)plan->brain_steps_per_exchange + 1, sizeof *c->bucket);
    c->rx = xcalloc((size_t)nb, sizeof *c->rx);
    c->rx_cap = xcalloc((size_t)nb, sizeof *c->rx_cap);
    c->digest = 0;
    if (cfg->checkpoint_every_s > 0) {
        double every = cfg->checkpoint_every_s * 1e3 / cfg->exchange_ms;
        c->checkpoint_every = every < 1 ? 1 : (uint64_t)llround(every);
    }
}

static void coupler_free(coupler *c)
{
    if (c->has_spinal) bb_spinal_sense_free(&c->spinal);
    if (c->has_reflex) bb_stretch_reflex_free(&c->reflex);
    bb_efferent_free(&c->eff);
    free(c->merged);
    free(c->arrived);
    free(c->bucket);
    free(c->excitation);
    free(c->next_excitation);
    free(c->taxels);
    free(c->proprio);
    free(c->pkt);
    free(c->fb);
    free(c->fb_req);
    for (int r = 0; r < c->plan->n_brain; r++) free(c->rx[r]);
    free(c->rx);
    free(c->rx_cap);
}

static unsigned char *scratch(coupler *c, size_t need)
{
    if (need > c->pkt_cap) {
        free(c->pkt);
        c->pkt = xcalloc(need, 1);
        c->pkt_cap = need;
    }
    return c->pkt;
}

/* Decodes one brain rank's spike packet for interval iv and appends its spikes. */
static void coupler_take_spikes(coupler *c, const unsigned char *buf, size_t len, const bb_interval *iv, int from)
{
    bb_expect ex = {.kind = BB_MSG_SPIKES, .seq = iv->exchange, .check_seq = 1, .n_sources = c->cfg->output_cells};
    bb_spike_view v;
    bb_proto_status st;
    char why[256];
    if (bb_decode_spikes(buf, len, &ex, &v, &st))
        bb_fatal(3, "spike packet from rank %d rejected: %s", from, bb_proto_describe(&st, why, sizeof why));
    if (v.interval.exchange != iv->exchange || v.interval.start_step != iv->start_step ||
        v.interval.end_step != iv->end_step)
        bb_fatal(3, "spike packet from rank %d is for exchange %llu [%llu, %llu), expected [%llu, %llu)", from,
                 (unsigned long long)v.interval.exchange, (unsigned long long)v.interval.start_step,
                 (unsigned long long)v.interval.end_step, (unsigned long long)iv->start_step,
                 (unsigned long long)iv->end_step);
    if (c->merged_n + v.count > c->merged_cap) {
        size_t ncap = (c->merged_n + v.count) * 2 + 64;
        bb_spike *g = realloc(c->arrived, ncap * sizeof *g), *h = g ? realloc(c->merged, ncap * sizeof *h) : NULL;
        if (!g || !h) bb_fatal(4, "out of memory for %zu spikes", ncap);
        c->arrived = g;
        c->merged = h;
        c->merged_cap = ncap;
    }
    for (uint32_t i = 0; i < v.count; i++) c->arrived[c->merged_n++] = bb_spike_view_get(&v, i);
}

/* Chains a sealed packet into the run digest through its header (which holds
 * its own CRC of header and payload): no second pass over the payload. */
static void digest_packet(coupler *c, const unsigned char *packet)
{
    c->digest = bb_crc32(c->digest, packet, BB_PROTO_HEADER_SIZE);
}

/* After all spikes of interval iv are in: excitation, feedback packet, digest, observer.
 * The feedback packet goes into c->fb; its previous sends must be complete. */
static void coupler_finish(coupler *c, const bb_interval *iv)
{
    const bb_body_sizes *s = &c->body->sizes;
    bb_spikes_order(c->arrived, c->merged_n, c->plan->brain_steps_per_exchange, c->bucket, c->merged);
    if (!c->map) {
        bb_efferent_apply(&c->eff, c->merged, (uint32_t)c->merged_n, c->next_excitation);
    } else {
        bb_coupling_apply(c->map, c->merged, (uint32_t)c->merged_n, c->next_excitation);
        if (!c->cfg->coupling_enabled) memset(c->next_excitation, 0, s->n_muscles * sizeof(float));
    }
    if (c->posture) bb_posture_add(c->posture, c->body->body, c->next_excitation);
    if (c->has_reflex)
        bb_stretch_reflex_add(&c->reflex, c->body->body, c->map ? bb_coupling_last_counts(c->map) : NULL,
                              c->next_excitation);

    if (c->trials) bb_trials_update(c->trials, (int64_t)(iv->exchange + 1) * c->cfg->exchange_ns, c->task);
    if (c->has_spinal) bb_spinal_sense_read(&c->spinal, c->body->body, c->task + BB_TASK_CHANNELS);

    size_t need = bb_spikes_packet_size((uint32_t)c->merged_n);
    unsigned char *p = scratch(c, need);
    bb_encode_spikes(p, c->pkt_cap, iv->exchange, 0, iv, c->merged, (uint32_t)c->merged_n);
    digest_packet(c, p);
    bb_encode_feedback(c->fb, c->fb_len, iv->exchange, 0, iv->exchange, c->taxels, s->n_taxels, c->proprio,
                       s->n_proprio, c->task, c->n_channels);
    digest_packet(c, c->fb);
    /* Excitation crosses no rank (body and coupler share one), so it is not
     * packed; hashing it still catches any divergence in the efferent map. */
    c->digest = bb_crc32(c->digest, c->next_excitation, s->n_muscles * sizeof(float));
    c->spikes_total += c->merged_n;

    if (c->hooks && c->hooks->observe) {
        bb_exchange_record r = {iv, c->merged, (uint32_t)c->merged_n, c->next_excitation, s->n_muscles,
                                c->taxels, c->proprio, s->n_taxels, s->n_proprio, c->trials, c->task};
        char err[512];
        if (c->hooks->observe(c->hooks->ctx, &r, err, sizeof err)) bb_fatal(6, "output: %s", err);
    }
    float *t = c->excitation;
    c->excitation = c->next_excitation;
    c->next_excitation = t;
    c->merged_n = 0;
}

static void coupler_step_body(coupler *c, uint64_t k)
{
    char err[512];
    bb_status_set(k, BB_COMPUTING, -1);
    if (c->body->step(c->body->ctx, k, c->excitation, c->taxels, c->proprio, err, sizeof err))
        bb_fatal(5, "body: %s", err);
}

/* Sends the feedback of exchange k to every brain rank and waits until it has left. */
static void send_feedback(coupler *c, uint64_t k)
{
    const bb_plan *p = c->plan;
    double timeout = c->cfg->watchdog_s;
    for (int r = 0; r < p->n_brain; r++)
        MPI_Isend(c->fb, (int)c->fb_len, MPI_BYTE, bb_brain_world_rank(p, r), BB_TAG_FEEDBACK, p->comm, &c->fb_req[r]);
    /* Feedback packets are larger than a shared-memory eager message
     * (about 11 KB for the mouse): they move only while both sides are
     * inside MPI. The brain ranks are already waiting for it, so finishing
     * the send now takes microseconds; left pending, it would move only
     * after the next body interval, and every brain interval would start one
     * body interval late. So the buffer is free again before the next
     * interval's packet. */
    bb_status_set(k, BB_SENDING_FEEDBACK, -1);
    int stuck = bb_wait_all(p->n_brain, c->fb_req, NULL, timeout);
    if (stuck >= 0)
        bb_fatal(3, "feedback to brain rank %d not delivered within %g s", bb_brain_world_rank(p, stuck), timeout);
}

/* From exchange start (0, or where a resumed checkpoint left off). */
static void run_coupler_rank(coupler *c, uint64_t start)
{
    const bb_plan *p = c->plan;
    double timeout = c->cfg->watchdog_s;
    if (start > 0) send_feedback(c, start - 1);
    for (uint64_t k = start; k < p->n_exchanges; k++) {
        bb_interval iv = interval_of(p, k);
        coupler_step_body(c, k);
        for (int r = 0; r < p->n_brain; r++) {
            int from = bb_brain_world_rank(p, r);
            bb_status_set(k, BB_WAITING_SPIKES, from);
            long len = bb_recv_any_size(from, BB_TAG_SPIKES, p->comm, &c->rx[r], &c->rx_cap[r], timeout);
            if (len < 0) bb_fatal(3, "no spike packet from brain rank %d within %g s (watchdog.timeout_s)", from, timeout);
            coupler_take_spikes(c, c->rx[r], (size_t)len, &iv, from);
        }
        coupler_finish(c, &iv);
        c->exchanges_done = k + 1;
        if (k + 1 < p->n_exchanges && bb_between_exchanges(c, NULL, k)) break;
        if (k + 1 < p->n_exchanges) send_feedback(c, k);
    }
    bb_status_set(p->n_exchanges, BB_FINISHING, -1);
}

/* ---- brain ranks */

static void brain_init(brain_side *b, const bb_config *cfg, const bb_plan *plan, bb_brain_role *brain,
                       const bb_body_sizes *sizes)
{
    *b = (brain_side){.cfg = cfg, .plan = plan, .brain = brain, .sizes = *sizes};
    b->local = xcalloc(brain->max_spikes, sizeof *b->local);
    b->tx_cap = bb_spikes_packet_size((uint32_t)brain->max_spikes);
    b->n_channels = feedback_channels(cfg);
    b->fb_len = bb_feedback_packet_size(sizes->n_taxels, sizes->n_proprio, b->n_channels);
    for (int i = 0; i < 2; i++) {
        b->tx[i] = xcalloc(b->tx_cap, 1);
        b->fbrx[i] = xcalloc(b->fb_len, 1);
        b->tx_req[i] = b->fb_req[i] = MPI_REQUEST_NULL;
    }
    b->taxels = xcalloc(sizes->n_taxels, sizeof(float));
    b->proprio = xcalloc(sizes->n_proprio, sizeof(float));
}

static void brain_free(brain_side *b)
{
    free(b->local);
    for (int i = 0; i < 2; i++) free(b->tx[i]), free(b->fbrx[i]);
    free(b->taxels);
    free(b->proprio);
}

/* Decodes the feedback of exchange k; returns what the brain role should see. */
static const bb_feedback *brain_take_feedback(brain_side *b, const unsigned char *buf, size_t len, uint64_t k)
{
    bb_expect ex = {.kind = BB_MSG_FEEDBACK, .seq = k, .check_seq = 1,
                    .n_taxels = b->sizes.n_taxels, .n_proprio = b->sizes.n_proprio, .n_task = b->n_channels};
    bb_proto_status st;
    char why[256];
    uint64_t exchange = 0;
    if (bb_decode_feedback(buf, len, &ex, &exchange, b->taxels, b->proprio, b->task, &st))
        bb_fatal(3, "feedback packet from rank 0 rejected: %s", bb_proto_describe(&st, why, sizeof why));
    if (exchange != k) bb_fatal(3, "feedback packet is for exchange %llu, expected %llu", (unsigned long long)exchange,
                                (unsigned long long)k);
    b->fb = (bb_feedback){k, b->taxels, b->sizes.n_taxels, b->proprio, b->sizes.n_proprio, b->task,
                          b->cfg->feedback_enabled, b->n_channels};
    return &b->fb;
}

/* Integrates interval iv and encodes its spike packet into tx; returns its length. */
static size_t brain_step(brain_side *b, const bb_interval *iv, const bb_feedback *fb, unsigned char *tx)
{
    char err[512];
    bb_status_set(iv->exchange, BB_COMPUTING, -1);
    long n = b->brain->step(b->brain->ctx, iv, fb, b->local, b->brain->max_spikes, err, sizeof err);
    if (n == BB_BRAIN_OUTPUT_FAILED) bb_fatal(6, "brain's output: %s", err);
    if (n < 0) bb_fatal(5, "brain: %s", err);
    return bb_encode_spikes(tx, b->tx_cap, iv->exchange, (uint32_t)b->plan->world_rank, iv, b->local, (uint32_t)n);
}

static void run_brain_rank(brain_side *b, uint64_t start)
{
    const bb_plan *p = b->plan;
    /* Twice the coupler's limit: when a brain rank falls silent, the coupler,
     * which knows which rank it is waiting for, reports first. */
    double timeout = 2 * b->cfg->watchdog_s;
    b->exchanges_done = p->n_exchanges;
    if (start > 0) /* resumed: the feedback of the checkpoint's last exchange comes first */
        MPI_Irecv(b->fbrx[(start - 1) & 1], (int)b->fb_len, MPI_BYTE, BB_BODY_RANK, BB_TAG_FEEDBACK, p->comm,
                  &b->fb_req[(start - 1) & 1]);
    for (uint64_t k = start; k < p->n_exchanges; k++) {
        bb_interval iv = interval_of(p, k);
        const bb_feedback *fb = NULL;
        if (k > 0) {
            int slot = (int)((k - 1) & 1);
            MPI_Status st;
            bb_status_set(k, BB_WAITING_FEEDBACK, BB_BODY_RANK);
            char why[512];
            uint64_t at = 0;
            int w;
            while ((w = bb_wait_or_hold(&b->fb_req[slot], &st, BB_BODY_RANK, p->comm, timeout, &b->held, &at, why,
                                        sizeof why)) >= 2) {
                if (w == 2) bb_brain_checkpoint(b, k, at);
                else bb_brain_command(b, k, at);
            }
            if (w < 0) bb_fatal(3, "%s", why);
            if (w == 1) { /* stopped: the coupler sends nothing more */
                b->exchanges_done = k;
                break;
            }
            int len = 0;
            MPI_Get_count(&st, MPI_BYTE, &len);
            fb = brain_take_feedback(b, b->fbrx[slot], (size_t)len, k - 1);
        }
        if (k + 1 < p->n_exchanges)
            MPI_Irecv(b->fbrx[k & 1], (int)b->fb_len, MPI_BYTE, BB_BODY_RANK, BB_TAG_FEEDBACK, p->comm,
                      &b->fb_req[k & 1]);
        int slot = (int)(k & 1);
        if (bb_wait_all(1, &b->tx_req[slot], NULL, timeout) >= 0)
            bb_fatal(3, "spike packet not delivered to rank %d within %g s", BB_BODY_RANK, timeout);
        size_t len = brain_step(b, &iv, fb, b->tx[slot]);
        MPI_Isend(b->tx[slot], (int)len, MPI_BYTE, BB_BODY_RANK, BB_TAG_SPIKES, p->comm, &b->tx_req[slot]);
    }
    bb_status_set(p->n_exchanges, BB_FINISHING, -1);
    for (int more = 1; more;) { /* hold packets not taken (a resume that came with its feedback) */
        MPI_Status ps;
        MPI_Iprobe(BB_BODY_RANK, BB_TAG_HOLD, p->comm, &more, &ps);
        if (more) {
            unsigned char m[BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE];
            MPI_Recv(m, sizeof m, MPI_BYTE, BB_BODY_RANK, BB_TAG_HOLD, p->comm, MPI_STATUS_IGNORE);
        }
    }
    if (bb_wait_all(2, b->tx_req, NULL, timeout) >= 0)
        bb_fatal(3, "spike packets not delivered within %g s at the end of the run", timeout);
}

/* ---- one process: the same packets, encoded and decoded in place */

static void run_single_process(coupler *c, brain_side *b, uint64_t start)
{
    const bb_feedback *fb = start > 0 ? brain_take_feedback(b, c->fb, c->fb_len, start - 1) : NULL;
    for (uint64_t k = start; k < c->plan->n_exchanges; k++) {
        bb_interval iv = interval_of(c->plan, k);
        size_t len = brain_step(b, &iv, fb, b->tx[0]);
        coupler_take_spikes(c, b->tx[0], len, &iv, 0);
        coupler_step_body(c, k);
        coupler_finish(c, &iv);
        c->exchanges_done = k + 1;
        if (k + 1 < c->plan->n_exchanges && bb_between_exchanges(c, b, k)) break;
        fb = brain_take_feedback(b, c->fb, c->fb_len, k);
    }
}

int bb_coupler_run(const bb_config *cfg, const bb_plan *plan, const bb_role_factory *roles,
                   const bb_run_hooks *hooks, bb_run_result *res, char *err, size_t cap)
{
    bb_body_role body = {0};
    bb_brain_role brain = {0};
    int have_body = 0, have_brain = 0;
    err[0] = '\0';
    bb_status_init(plan->world_rank, plan->single_process ? "brain+body" : plan->role == BB_ROLE_BODY ? "body+coupler" : "brain");
    bb_status_set_interval_ns(cfg->exchange_ns);
    bb_body_sizes sizes;
    bb_coupling map;
    int have_map = 0;
    uint8_t *layout = NULL;
    bb_trials *trials = NULL;
    bb_posture *posture = NULL;
    int rc = setup(cfg, plan, roles, hooks, &body, &brain, &have_body, &have_brain, &sizes, &layout, &map, &have_map,
                   &trials, &posture, err, cap);
    memset(res, 0, sizeof *res);
    if (rc == 0) {
        double t0 = bb_loop_now_s();
        coupler c;
        brain_side b;
        if (have_body) coupler_init(&c, cfg, plan, &body, hooks, have_map ? &map : NULL, trials, posture);
        if (have_brain) brain_init(&b, cfg, plan, &brain, &sizes);
        uint64_t start = 0;
        if (hooks && hooks->resume) rc = bb_loop_resume(plan, hooks->resume, have_body ? &c : NULL, have_brain ? &b : NULL,
                                                &start, err, cap);
        if (rc == 0 && plan->single_process) run_single_process(&c, &b, start);
        else if (rc == 0 && have_body) run_coupler_rank(&c, start);
        else if (rc == 0) run_brain_rank(&b, start);
        res->exchanges = have_body ? c.exchanges_done : b.exchanges_done;
        res->resumed_at = start;
        res->stopped = res->exchanges < plan->n_exchanges;
        res->wall_s = bb_loop_now_s() - t0;
        if (have_body) {
            res->spikes = c.spikes_total;
            res->digest = c.digest;
            coupler_free(&c);
        }
        if (have_brain) brain_free(&b);
    }
    if (have_map) bb_coupling_free(&map);
    bb_trials_free(trials);
    if (posture) bb_posture_free(posture);
    free(posture);
    free(layout);
    if (have_brain && brain.destroy) brain.destroy(brain.ctx);
    if (have_body && body.destroy) body.destroy(body.ctx);
    return rc;
}
