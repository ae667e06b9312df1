#define _XOPEN_SOURCE 700 /* realpath */
#include "serve.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "brainbody/body.h"
#include "brainbody/proto.h"
#include "commands.h"
#include "control_cmd.h"
#include "curve_keys.h"

/* Messages larger than this drop the connection (libzmq's ZMQ_MAXMSGSIZE):
 * no memory is spent on them. Up to it, a command too long for the parser
 * gets an error reply. */
#define CONTROL_MAX_MESSAGE 65536

struct bb_serve {
    const bb_config *cfg;
    void *zmq, *rep, *pub;
    void *zap;          /* CURVE: the ZAP handler that lets in the listed client keys; NULL without CURVE */
    uint8_t (*client_keys)[32];
    int n_client_keys;
    uint64_t refused;   /* clients refused by the ZAP handler */
    int bound[2];       /* control, telemetry: bound by this run (their ipc:// files are ours to remove) */
    char endpoint[BB_PATH_MAX + 32], telemetry[BB_PATH_MAX + 32];
    const struct bb_body *body;
    bb_pools pools;
    uint32_t *pool_of;  /* output cell -> pool */
    uint32_t n_cells;
    float *rates;
    uint8_t paws[BB_TELEMETRY_MAX_PAWS];
    uint32_t n_paws;
    unsigned char *packet;
    size_t packet_cap;
    unsigned char request[CONTROL_MAX_MESSAGE];
    uint64_t n_exchanges, exchange, published, dropped, commands;
    bb_loop_control *control;
    uint64_t run_until; /* run-for: hold when this many exchanges are done; 0: no limit */
    double t0, sim_s, last_rtf;
};

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* "default" -> ipc:// in the output folder (absolute: clients run anywhere). */
static int resolve(const char *given, const char *dir, const char *file, char *out, size_t cap, char *err,
                   size_t errcap)
{
    if (strcmp(given, "default")) {
        snprintf(out, cap, "%s", given);
        return 0;
    }
    char abs[BB_PATH_MAX];
    if (!realpath(dir, abs)) {
        snprintf(err, errcap, "control: cannot resolve the output folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    int n = snprintf(out, cap, "ipc://%s/%s", abs, file);
    if (n < 0 || strlen(out) - 6 >= 107) { /* a Unix socket path holds 107 bytes */
        snprintf(err, errcap, "control: the socket path %s/%s is longer than a Unix socket allows (107 bytes): "
                              "set control.endpoint and control.telemetry to shorter ipc:// paths",
                 abs, file);
        return -1;
    }
    return 0;
}

/* CURVE (control.curve.*): both sockets are CURVE servers with the run's
 * secret key, and a ZAP handler (ZeroMQ RFC 27) lets in only the clients
 * whose public key is listed; a client without one never completes its
 * handshake, so it gets nothing: no reply, no telemetry. */
static int setup_curve(bb_serve *s, char *err, size_t cap)
{
    const bb_config *cfg = s->cfg;
    if (!strcmp(cfg->control.secret_key_file, "none")) return 0;
    char secret[BB_Z85_KEY];
    s->client_keys = calloc(BB_MAX_CLIENT_KEYS, sizeof *s->client_keys);
    if (!s->client_keys) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    if (bb_curve_read_key(cfg->control.secret_key_file, 1, secret, err, cap) ||
        bb_curve_read_client_keys(cfg->control.client_keys_file, s->client_keys, BB_MAX_CLIENT_KEYS,
                                  &s->n_client_keys, err, cap))
        return -1;
    s->zap = zmq_socket(s->zmq, ZMQ_REP);
    int one = 1;
    void *socks[2] = {s->rep, s->pub};
    if (!s->zap || zmq_bind(s->zap, "inproc://zeromq.zap.01")) {
        snprintf(err, cap, "control: cannot start the CURVE authenticator: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    for (int k = 0; k < 2; k++)
        if (zmq_setsockopt(socks[k], ZMQ_CURVE_SERVER, &one, sizeof one) ||
            zmq_setsockopt(socks[k], ZMQ_CURVE_SECRETKEY, secret, 40) ||
            zmq_setsockopt(socks[k], ZMQ_ZAP_DOMAIN, "brainbody", 9)) {
            snprintf(err, cap, "control: cannot set CURVE up: %s", zmq_strerror(zmq_errno()));
            return -1;
        }
    memset(secret, 0, sizeof secret);
    return 0;
}

/* Answers the ZAP requests waiting: 200 for a listed client key, 400 otherwise. */
static void authenticate(bb_serve *s)
{
    if (!s->zap) return;
    for (int budget = 0; budget < 16; budget++) {
        unsigned char part[7][256];
        int len[7] = {0}, n = 0, more = 1;
        size_t ml = sizeof more;
        if ((len[0] = zmq_recv(s->zap, part[0], sizeof part[0], ZMQ_DONTWAIT)) < 0) return;
        for (n = 1;; n++) { /* every part of the request, the ones past the seventh read and dropped */
            zmq_getsockopt(s->zap, ZMQ_RCVMORE, &more, &ml);
            if (!more) break;
            unsigned char skip[256];
            int got = zmq_recv(s->zap, n < 7 ? part[n] : skip, 256, 0);
            if (n < 7) len[n] = got;
            if (got < 0) break;
        }
        /* version, request id, domain, address, routing id, mechanism, client key */
        int listed = 0;
        if (n == 7 && len[5] == 5 && !memcmp(part[5], "CURVE", 5) && len[6] == 32)
            for (int k = 0; k < s->n_client_keys && !listed; k++) listed = !memcmp(part[6], s->client_keys[k], 32);
        if (!listed) s->refused++;
        int id = len[1] > 0 && len[1] <= 255 ? len[1] : 0;
        zmq_send(s->zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(s->zap, part[1], (size_t)id, ZMQ_SNDMORE);
        zmq_send(s->zap, listed ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send(s->zap, listed ? "OK" : "client key not listed", listed ? 2 : 21, ZMQ_SNDMORE);
        zmq_send(s->zap, "", 0, ZMQ_SNDMORE);
        zmq_send(s->zap, "", 0, 0);
    }
}

static int bind_socket(void *sock, const char *endpoint, const char *what, char *err, size_t cap)
{
    if (zmq_bind(sock, endpoint) == 0) return 0;
    snprintf(err, cap, "control: cannot bind the %s socket to %s: %s", what, endpoint, zmq_strerror(zmq_errno()));
    return -1;
}

bb_serve *bb_serve_open(const bb_config *cfg, const bb_pools *pools, const struct bb_body *body,
                        uint64_t n_exchanges, bb_loop_control *control, char *err, size_t cap)
{
    bb_serve *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    s->cfg = cfg, s->body = body, s->pools = *pools, s->n_exchanges = n_exchanges, s->control = control;
    for (uint32_t p = 0; p < pools->n; p++)
        if (pools->pool[p].first + pools->pool[p].count > s->n_cells)
            s->n_cells = pools->pool[p].first + pools->pool[p].count;
    s->pool_of = calloc(s->n_cells + 1, sizeof *s->pool_of);
    s->rates = calloc(pools->n + 1, sizeof *s->rates);
    s->n_paws = body ? bb_body_n_touch_grids(body) : 0;
    if (s->n_paws > BB_TELEMETRY_MAX_PAWS) s->n_paws = BB_TELEMETRY_MAX_PAWS;
    s->packet_cap = bb_telemetry_packet_size(pools->n, s->n_paws);
    s->packet = malloc(s->packet_cap);
    if (!s->pool_of || !s->rates || !s->packet) {
        snprintf(err, cap, "out of memory");
        bb_serve_close(s);
        return NULL;
    }
    for (uint32_t p = 0; p < pools->n; p++)
        for (uint32_t c = 0; c < pools->pool[p].count; c++) s->pool_of[pools->pool[p].first + c] = p;
    if (resolve(cfg->control.endpoint, cfg->output_dir, "control.sock", s->endpoint, sizeof s->endpoint, err, cap) ||
        resolve(cfg->control.telemetry, cfg->output_dir, "telemetry.sock", s->telemetry, sizeof s->telemetry, err,
                cap)) {
        bb_serve_close(s);
        return NULL;
    }
    s->zmq = zmq_ctx_new();
    s->rep = s->zmq ? zmq_socket(s->zmq, ZMQ_REP) : NULL;
    s->pub = s->zmq ? zmq_socket(s->zmq, ZMQ_PUB) : NULL;
    int64_t maxmsg = CONTROL_MAX_MESSAGE;
    int linger = 0, hwm = (int)cfg->control.telemetry_hwm, nodrop = 1;
    if (!s->rep || !s->pub || zmq_setsockopt(s->rep, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) ||
        zmq_setsockopt(s->rep, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s->pub, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s->pub, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        /* a subscriber at its high-water mark makes send() say EAGAIN (counted as
         * a drop) instead of PUB's silent discard */
        zmq_setsockopt(s->pub, ZMQ_XPUB_NODROP, &nodrop, sizeof nodrop)) {
        snprintf(err, cap, "control: cannot set up ZeroMQ: %s", zmq_strerror(zmq_errno()));
        bb_serve_close(s);
        return NULL;
    }
    if (setup_curve(s, err, cap)) {
        bb_serve_close(s);
        return NULL;
    }
    if (!(s->bound[0] = !bind_socket(s->rep, s->endpoint, "control", err, cap)) ||
        !(s->bound[1] = !bind_socket(s->pub, s->telemetry, "telemetry", err, cap))) {
        bb_serve_close(s);
        return NULL;
    }
    s->t0 = wall_now();
    return s;
}

const char *bb_serve_endpoint(const bb_serve *s) { return s->endpoint; }
const char *bb_serve_telemetry_endpoint(const bb_serve *s) { return s->telemetry; }

static uint32_t flags_now(const bb_serve *s, const bb_exchange_record *r, double t)
{
    const bb_config *c = s->cfg;
    uint32_t f = 0;
    if (r->task && r->task[BB_TASK_CUE] > 0) f |= BB_TELEMETRY_CUE;
    if (r->task && r->task[BB_TASK_REWARD] > 0) f |= BB_TELEMETRY_REWARD;
    if (c->stimulus.enabled && t >= c->stimulus.start_s && t < c->stimulus.stop_s) f |= BB_TELEMETRY_STIMULUS;
    if (c->world.perturb && t >= c->world.perturb_start_s && t < c->world.perturb_start_s + c->world.perturb_duration_s)
        f |= BB_TELEMETRY_PUSH;
    return f;
}

static void publish(bb_serve *s, const bb_exchange_record *r)
{
    const double exchange_s = s->cfg->exchange_ms * 1e-3;
    memset(s->rates, 0, s->pools.n * sizeof *s->rates);
    for (uint32_t i = 0; i < r->n_spikes; i++)
        if (r->spikes[i].source < s->n_cells) s->rates[s->pool_of[r->spikes[i].source]] += 1;
    for (uint32_t p = 0; p < s->pools.n; p++)
        s->rates[p] = s->pools.pool[p].count ? (float)(s->rates[p] / (s->pools.pool[p].count * exchange_s)) : 0;
    double sum = 0, max = 0;
    for (uint32_t m = 0; m < r->n_muscles; m++) {
        sum += r->excitation[m];
        if (r->excitation[m] > max) max = r->excitation[m];
    }
    bb_task_state task = {0};
    if (s->body) {
        uint8_t all[256];
        if (bb_body_n_touch_grids(s->body) <= sizeof all) {
            bb_body_paw_contacts(s->body, all);
            memcpy(s->paws, all, s->n_paws);
        }
        bb_body_task(s->body, &task);
    }
    bb_telemetry t = {.exchange = r->interval->exchange,
                      .time_s = s->sim_s,
                      .realtime_factor = (float)s->last_rtf,
                      .excitation_mean = r->n_muscles ? (float)(sum / r->n_muscles) : 0,
                      .excitation_max = (float)max,
                      .n_pools = s->pools.n,
                      .n_paws = s->n_paws,
                      .flags = flags_now(s, r, s->sim_s - 1e-12),
                      .lever_presses = task.lever_presses,
                      .dropped = (uint32_t)(s->dropped > UINT32_MAX ? UINT32_MAX : s->dropped),
                      .pool_rate_hz = s->rates,
                      .paw_contact = s->paws};
    size_t len = bb_encode_telemetry(s->packet, s->packet_cap, r->interval->exchange, &t);
    if (len && zmq_send(s->pub, s->packet, len, ZMQ_DONTWAIT) < 0) s->dropped++; /* EAGAIN: over the high-water mark */
    else s->published++;
}

static void reply(bb_serve *s, const char *text)
{
    zmq_send(s->rep, text, strlen(text), ZMQ_DONTWAIT); /* REP: the reply goes to the asker */
}

/* refused: why the message was not even parsed, or NULL */
static void answer(bb_serve *s, const unsigned char *msg, size_t len, const char *refused)
{
    char out[2048], why[256];
    bb_control_cmd cmd;
    s->commands++;
    if (refused) {
        snprintf(out, sizeof out, "error: %s", refused);
    } else if (bb_control_parse(msg, len, &cmd, why, sizeof why)) {
        snprintf(out, sizeof out, "error: %s", why);
    } else if (cmd.verb == BB_CTL_STATUS) {
        const bb_loop_control *lc = s->control;
        snprintf(out, sizeof out,
                 "ok experiment=%s state=%s exchange=%llu of=%llu simulated_s=%.6f realtime_factor=%.4f "
                 "telemetry_published=%llu telemetry_dropped=%llu curve=%s clients_refused=%llu",
                 s->cfg->name, lc->stop ? "stopping" : lc->hold ? "paused" : "running", (unsigned long long)s->exchange,
                 (unsigned long long)s->n_exchanges, s->sim_s, s->last_rtf, (unsigned long long)s->published,
                 (unsigned long long)s->dropped, s->zap ? "on" : "off", (unsigned long long)s->refused);
    } else if (cmd.verb == BB_CTL_PAUSE) {
        s->control->hold = 1, s->run_until = 0;
        snprintf(out, sizeof out, "ok paused after exchange %llu (simulated %.6f s)", (unsigned long long)s->exchange,
                 s->sim_s);
    } else if (cmd.verb == BB_CTL_RESUME) {
        s->control->hold = 0, s->run_until = 0;
        snprintf(out, sizeof out, "ok running from exchange %llu", (unsigned long long)s->exchange);
    } else if (cmd.verb == BB_CTL_RUN_FOR) {
        uint64_t more = (uint64_t)llround(cmd.seconds / (s->cfg->exchange_ms * 1e-3));
        if (more == 0) more = 1;
        s->run_until = s->exchange + more;
        s->control->hold = 0;
        snprintf(out, sizeof out, "ok running %llu exchanges (%.6f s), then paused at exchange %llu",
                 (unsigned long long)more, more * s->cfg->exchange_ms * 1e-3, (unsigned long long)s->run_until);
    } else if (cmd.verb == BB_CTL_STOP) {
        s->control->stop = 1;
        snprintf(out, sizeof out, "ok stopping after exchange %llu: outputs closed, run.yaml says stopped",
                 (unsigned long long)s->exchange);
    } else if (bb_control_changes_inputs(&cmd)) {
        char text[BB_CONTROL_MAX_BYTES + 1];
        bb_control_format(&cmd, text, sizeof text);
        if (s->exchange >= s->n_exchanges)
            snprintf(out, sizeof out, "error: the run has ended");
        else if (s->control->n_pending == BB_MAX_PENDING)
            snprintf(out, sizeof out, "error: %d commands are waiting for the next exchange already", BB_MAX_PENDING);
        else if (bb_command_check(&cmd, s->cfg, &s->pools, s->body, why, sizeof why))
            snprintf(out, sizeof out, "error: %s", why);
        else {
            s->control->pending[s->control->n_pending++] = cmd;
            snprintf(out, sizeof out, "ok %s from exchange %llu (t = %.6f s), recorded in events.tsv", text,
                     (unsigned long long)s->exchange, s->sim_s);
        }
    } else if (cmd.verb == BB_CTL_CHECKPOINT) {
        s->control->checkpoint = 1;
        snprintf(out, sizeof out, "ok checkpoint after exchange %llu: %s/checkpoints/exchange_%09llu",
                 (unsigned long long)s->exchange, s->cfg->output_dir, (unsigned long long)s->exchange);
    } else if (cmd.verb == BB_CTL_POOLS) {
        size_t n = (size_t)snprintf(out, sizeof out, "ok pools=%u", s->pools.n);
        for (uint32_t p = 0; p < s->pools.n && n < sizeof out; p++)
            n += (size_t)snprintf(out + n, sizeof out - n, " %s:%u+%u", s->pools.pool[p].name,
                                  s->pools.pool[p].first, s->pools.pool[p].count);
    } else { /* help */
        snprintf(out, sizeof out, "ok commands: %s", bb_control_verbs());
    }
    reply(s, out);
}

static void take_commands(bb_serve *s);

void bb_serve_exchange(bb_serve *s, const bb_exchange_record *r)
{
    s->exchange = r->interval->exchange + 1;
    if (s->run_until && s->exchange >= s->run_until) s->control->hold = 1, s->run_until = 0;
    s->sim_s = (double)s->exchange * s->cfg->exchange_ms * 1e-3;
    double wall = wall_now() - s->t0;
    s->last_rtf = wall > 0 ? s->sim_s / wall : 0;
    if (r->interval->exchange % s->cfg->control.telemetry_every == 0) publish(s, r);
    take_commands(s);
}

void bb_serve_idle(bb_serve *s, int wait_ms)
{
    zmq_pollitem_t items[2] = {{.socket = s->rep, .events = ZMQ_POLLIN}, {.socket = s->zap, .events = ZMQ_POLLIN}};
    if (zmq_poll(items, s->zap ? 2 : 1, wait_ms) > 0) take_commands(s);
}

/* Answers what has arrived, without waiting. */
static void take_commands(bb_serve *s)
{
    authenticate(s);
    for (int budget = 0; budget < 16; budget++) { /* bounded: commands never stall the run */
        int n = zmq_recv(s->rep, s->request, sizeof s->request, ZMQ_DONTWAIT);
        if (n < 0) break; /* EAGAIN: nothing waiting */
        int more = 0, parts = 1;
        size_t more_len = sizeof more;
        zmq_getsockopt(s->rep, ZMQ_RCVMORE, &more, &more_len);
        while (more) { /* the rest of a multipart message: read, then refused */
            unsigned char skip[64];
            if (zmq_recv(s->rep, skip, sizeof skip, 0) < 0) break;
            parts++;
            zmq_getsockopt(s->rep, ZMQ_RCVMORE, &more, &more_len);
        }
        size_t len = (size_t)n < sizeof s->request ? (size_t)n : sizeof s->request;
        answer(s, s->request, len, parts > 1 ? "a command is one message part" : NULL);
    }
}

void bb_serve_close(bb_serve *s)
{
    if (!s) return;
    if (s->rep) zmq_close(s->rep);
    if (s->pub) zmq_close(s->pub);
    if (s->zap) zmq_close(s->zap);
    free(s->client_keys);
    if (s->zmq) zmq_ctx_term(s->zmq);
    for (int k = 0; k < 2; k++) { /* the ipc:// socket files this run made */
        const char *e = k ? s->telemetry : s->endpoint;
        if (s->bound[k] && !strncmp(e, "ipc://", 6)) remove(e + 6);
    }
    free(s->pool_of);
    free(s->rates);
    free(s->packet);
    free(s);
}
