/* The trial structure (trials.h). One state machine, stepped at exchange
 * boundaries; its only randomness (the inter-trial jitter) is drawn from the
 * experiment's seed, so trials fall at the same times on any rank count. */
#include "trials.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/brain.h"
#include "brainbody/proto.h"
#include "transport.h"

#define DEG_PER_RAD 57.29577951308232
#define TRIAL_RNG_STREAM 0x7472696131ull /* "trial": apart from every cell's stream */

typedef enum phase { WAITING, RESPONDING, REWARDED, DONE } phase;

struct bb_trials {
    const bb_config *cfg;
    const bb_body *body;
    int reach; /* 1 reach, 0 lever press */
    uint32_t grid, n_grids;
    double target[3], radius; /* m */
    int64_t window_ns, reward_ns, end_ns;
    phase ph;
    int64_t next_cue_ns, phase_end_ns;
    double *soles; /* 3 per touch grid */
    double start[3];       /* the paw at the cue */
    uint32_t presses_at_cue;
    bb_trial_result cur;
    bb_trial_result *done;
    uint32_t n_done, cap_done;
    bb_trial_event ev[BB_TRIAL_EVENTS_MAX];
    uint32_t n_ev;
    int finished_now;
    uint32_t postponed; /* boundaries at which a due cue waited for the goal to be unmet */
};

static int64_t ns(double s) { return (int64_t)llround(s * 1e9); }

bb_trials *bb_trials_create(const bb_config *cfg, const bb_body *body, char *err, size_t cap)
{
    bb_trials *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    t->cfg = cfg;
    t->body = body;
    t->reach = !strcmp(cfg->task.kind, "reach");
    t->n_grids = bb_body_n_touch_grids(body);
    t->grid = UINT32_MAX;
    for (uint32_t g = 0; g < t->n_grids; g++)
        if (!strcmp(bb_body_touch_grid_name(body, g), cfg->task.paw)) t->grid = g;
    if (t->grid == UINT32_MAX) {
        char w[BB_PATH_MAX + 64];
        snprintf(err, cap, "%s: the body has no touch grid '%s' (its grids: %s%s)",
                 bb_config_where(cfg, "task.paw", w, sizeof w), cfg->task.paw,
                 t->n_grids ? bb_body_touch_grid_name(body, 0) : "none", t->n_grids > 1 ? ", ..." : "");
        free(t);
        return NULL;
    }
    t->soles = calloc(3 * (size_t)t->n_grids, sizeof *t->soles);
    if (!t->soles) {
        snprintf(err, cap, "out of memory");
        free(t);
        return NULL;
    }
    for (int k = 0; k < 3; k++) t->target[k] = cfg->world.target_mm[k] * 1e-3;
    t->radius = cfg->world.target_radius_mm * 1e-3;
    t->window_ns = ns(cfg->task.window_s);
    t->reward_ns = ns(cfg->task.reward_s);
    t->end_ns = cfg->duration_ns;
    t->ph = WAITING;
    t->next_cue_ns = ns(cfg->task.first_cue_s);
    return t;
}

void bb_trials_free(bb_trials *t)
{
    if (!t) return;
    free(t->soles);
    free(t->done);
    free(t);
}

__attribute__((format(printf, 4, 5))) static void event(bb_trials *t, int64_t t_ns, const char *what,
                                                        const char *fmt, ...)
{
    if (t->n_ev == BB_TRIAL_EVENTS_MAX) return; /* at most cue_off+outcome+reward per boundary */
    bb_trial_event *e = &t->ev[t->n_ev++];
    e->t_ns = t_ns;
    snprintf(e->what, sizeof e->what, "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

static const double *paw(bb_trials *t)
{
    bb_body_touch_grid_positions(t->body, t->soles);
    return t->soles + 3 * t->grid;
}

static double dist(const double *a, const double *b)
{
    double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
    return sqrt(d0 * d0 + d1 * d1 + d2 * d2);
}

static void next_trial(bb_trials *t, int64_t from_ns)
{
    const struct bb_config_task *k = &t->cfg->task;
    double u = bb_rng_uniform(t->cfg->seed, TRIAL_RNG_STREAM, t->cur.trial);
    t->next_cue_ns = from_ns + ns(k->iti_s + k->iti_jitter_s * (2 * u - 1));
    t->ph = WAITING;
}

static void finish(bb_trials *t, int64_t t_ns, int hit)
{
    bb_trial_result *r = &t->cur;
    r->hit = hit;
    r->outcome_s = (double)t_ns * 1e-9;
    r->response_ms = hit ? (r->outcome_s - r->cue_s) * 1e3 : NAN;
    r->reach_ms = hit && !isnan(r->onset_ms) ? r->response_ms - r->onset_ms : NAN;
    if (t->n_done == t->cap_done) {
        uint32_t ncap = t->cap_done ? 2 * t->cap_done : 64;
        bb_trial_result *g = realloc(t->done, ncap * sizeof *g);
        if (!g) bb_fatal(4, "out of memory for %u trials", ncap);
        t->done = g;
        t->cap_done = ncap;
    }
    t->done[t->n_done++] = *r;
    t->finished_now = 1;
}

static void respond(bb_trials *t, int64_t t_ns)
{
    bb_trial_result *r = &t->cur;
    const double *p = paw(t);
    bb_task_state ts;
    bb_body_task(t->body, &ts);
    double d = dist(p, t->target);
    if (d * 1e3 < r->closest_mm) r->closest_mm = d * 1e3;
    if (ts.lever_angle * DEG_PER_RAD > r->lever_deg) r->lever_deg = ts.lever_angle * DEG_PER_RAD;
    if (isnan(r->onset_ms) && dist(p, t->start) * 1e3 >= t->cfg->task.onset_mm)
        r->onset_ms = (double)t_ns * 1e-6 - r->cue_s * 1e3;
    int hit = t->reach ? d <= t->radius : ts.lever_presses > t->presses_at_cue;
    if (hit || t_ns >= t->phase_end_ns) {
        finish(t, t_ns, hit);
        event(t, t_ns, "cue_off", "trial %u", r->trial);
        if (hit) {
            event(t, t_ns, "hit", "trial %u: %s after %.0f ms", r->trial, t->reach ? "target reached" : "lever pressed",
                  r->response_ms);
            if (t->reward_ns > 0) {
                event(t, t_ns, "reward_on", "trial %u", r->trial);
                t->ph = REWARDED;
                t->phase_end_ns = t_ns + t->reward_ns;
                return;
            }
        } else {
            event(t, t_ns, "miss", "trial %u: no %s within %g s", r->trial, t->reach ? "reach" : "press",
                  t->cfg->task.window_s);
        }
        next_trial(t, t_ns);
    }
}

/* Is the goal met already (the paw in the target, the lever past half its
 * threshold)? Then the cue waits: a trial starts with something to do. */
static int goal_met(bb_trials *t)
{
    bb_task_state ts;
    bb_body_task(t->body, &ts);
    if (!t->reach) return ts.lever_angle >= t->cfg->world.lever_threshold_deg / DEG_PER_RAD / 2;
    return dist(paw(t), t->target) <= t->radius;
}

static void start(bb_trials *t, int64_t t_ns)
{
    if (t_ns + t->window_ns > t->end_ns) { /* a trial that cannot end within the run is not started */
        t->ph = DONE;
        return;
    }
    if (goal_met(t)) {
        t->postponed++;
        return;
    }
    bb_trial_result *r = &t->cur;
    uint32_t n = r->trial + 1;
    *r = (bb_trial_result){.trial = n, .cue_s = (double)t_ns * 1e-9, .onset_ms = NAN, .reach_ms = NAN,
                           .response_ms = NAN, .closest_mm = INFINITY, .lever_deg = 0};
    memcpy(t->start, paw(t), sizeof t->start);
    bb_task_state ts;
    bb_body_task(t->body, &ts);
    t->presses_at_cue = ts.lever_presses;
    r->closest_mm = dist(t->start, t->target) * 1e3;
    t->ph = RESPONDING;
    t->phase_end_ns = t_ns + t->window_ns;
    event(t, t_ns, "cue_on", "trial %u", n);
}

void bb_trials_update(bb_trials *t, int64_t t_ns, float *task)
{
    t->n_ev = 0;
    t->finished_now = 0;
    if (t->ph == RESPONDING) respond(t, t_ns);
    if (t->ph == REWARDED && t_ns >= t->phase_end_ns) {
        event(t, t_ns, "reward_off", "trial %u", t->cur.trial);
        next_trial(t, t_ns);
    }
    if (t->ph == WAITING && t_ns >= t->next_cue_ns) start(t, t_ns);
    task[BB_TASK_CUE] = t->ph == RESPONDING;
    task[BB_TASK_REWARD] = t->ph == REWARDED;
}

uint32_t bb_trials_events(const bb_trials *t, const bb_trial_event **events)
{
    *events = t->ev;
    return t->n_ev;
}

const bb_trial_result *bb_trials_finished(const bb_trials *t)
{
    return t->finished_now ? &t->done[t->n_done - 1] : NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the finite values among n (NAN when there are none). */
static double median(double *v, uint32_t n)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!isnan(v[i])) v[m++] = v[i];
    if (!m) return NAN;
    qsort(v, m, sizeof *v, cmp_double);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

void bb_trials_summarise(const bb_trials *t, bb_trials_summary *out)
{
    memset(out, 0, sizeof *out);
    out->median_response_ms = out->median_reach_ms = out->median_onset_ms = NAN;
    out->trials = t->n_done;
    out->cue_waited_s = t->postponed * t->cfg->exchange_ms * 1e-3;
    double *v = malloc((t->n_done + 1) * sizeof *v);
    if (!v) return;
    for (int which = 0; which < 3; which++) {
        for (uint32_t i = 0; i < t->n_done; i++) {
            const bb_trial_result *r = &t->done[i];
            v[i] = which == 0 ? r->response_ms : which == 1 ? r->reach_ms : r->onset_ms;
            if (which == 0) out->hits += (uint32_t)r->hit;
        }
        double m = median(v, t->n_done);
        if (which == 0) out->median_response_ms = m;
        else if (which == 1) out->median_reach_ms = m;
        else out->median_onset_ms = m;
    }
    free(v);
}

int bb_trials_state(bb_trials *t, bb_state_io *io)
{
    uint64_t n = t->n_done;
    if (bb_state_u64(io, "trials.done", &n)) return -1;
    if (io->restoring) {
        if (n > UINT32_MAX) return -1;
        if (n > t->cap_done) {
            bb_trial_result *d = realloc(t->done, (size_t)n * sizeof *d);
            if (!d) {
                snprintf(io->why, sizeof io->why, "out of memory for %llu trials", (unsigned long long)n);
                return -1;
            }
            t->done = d;
            t->cap_done = (uint32_t)n;
        }
        t->n_done = (uint32_t)n;
    }
    return bb_state_field(io, "trials.results", t->done, t->n_done * sizeof *t->done) ||
                   bb_state_field(io, "trials.phase", &t->ph, sizeof t->ph) ||
                   bb_state_field(io, "trials.next_cue_ns", &t->next_cue_ns, sizeof t->next_cue_ns) ||
                   bb_state_field(io, "trials.phase_end_ns", &t->phase_end_ns, sizeof t->phase_end_ns) ||
                   bb_state_field(io, "trials.start", t->start, sizeof t->start) ||
                   bb_state_field(io, "trials.presses_at_cue", &t->presses_at_cue, sizeof t->presses_at_cue) ||
                   bb_state_field(io, "trials.current", &t->cur, sizeof t->cur) ||
                   bb_state_field(io, "trials.events", t->ev, sizeof t->ev) ||
                   bb_state_field(io, "trials.n_events", &t->n_ev, sizeof t->n_ev) ||
                   bb_state_field(io, "trials.finished_now", &t->finished_now, sizeof t->finished_now) ||
                   bb_state_field(io, "trials.postponed", &t->postponed, sizeof t->postponed)
               ? -1
               : 0;
}
