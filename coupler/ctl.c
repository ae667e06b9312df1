#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "brainbody/proto.h"
#include "config.h"
#include "control_cmd.h"
#include "curve_keys.h"

#define ANSWER_MS 5000 /* a served run answers between exchanges: well within this (--wait) */
static int answer_ms = ANSWER_MS;

static int usage(void)
{
    fprintf(stderr, "usage: brainbody ctl [KEYS] ENDPOINT COMMAND [ARG]...   (commands: %s)\n"
                    "       brainbody ctl [KEYS] TELEMETRY_ENDPOINT watch [N]   (print N telemetry packets, default 10)\n"
                    "KEYS, for a run served with CURVE: --server-key SERVER.pub --key CLIENT.key;\n"
                    "--wait SECONDS: how long to wait for an answer (default 5)\n",
            bb_control_verbs());
    return 2;
}

/* CURVE on a client socket: the server's public key, this client's key pair. */
typedef struct client_keys {
    int on;
    char server[BB_Z85_KEY], public_key[BB_Z85_KEY], secret[BB_Z85_KEY];
} client_keys;

static void *client_socket(void *ctx, int type, const client_keys *k)
{
    void *s = zmq_socket(ctx, type);
    int timeout = answer_ms, linger = 0;
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (k->on) {
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, k->server, 40);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, k->public_key, 40);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k->secret, 40);
    }
    return s;
}

static int command(void *ctx, const char *endpoint, int argc, char **argv, const client_keys *keys)
{
    char msg[BB_CONTROL_MAX_BYTES * 2 + 2] = "";
    for (int i = 0; i < argc; i++) {
        if (strlen(msg) + strlen(argv[i]) + 2 > sizeof msg) {
            fprintf(stderr, "brainbody ctl: the command is longer than %d bytes\n", BB_CONTROL_MAX_BYTES);
            return 2;
        }
        if (i) strcat(msg, " ");
        strcat(msg, argv[i]);
    }
    void *req = client_socket(ctx, ZMQ_REQ, keys);
    if (zmq_connect(req, endpoint)) {
        fprintf(stderr, "brainbody ctl: cannot connect to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        zmq_close(req);
        return 2;
    }
    char answer[4096];
    int rc = 3;
    if (zmq_send(req, msg, strlen(msg), 0) < 0) {
        fprintf(stderr, "brainbody ctl: %s: cannot send: %s\n", endpoint, zmq_strerror(zmq_errno()));
    } else {
        int n = zmq_recv(req, answer, sizeof answer - 1, 0);
        if (n < 0) {
            fprintf(stderr, "brainbody ctl: no answer from %s within %d ms (is the run served and running%s?)\n",
                    endpoint, answer_ms, keys->on ? ", and is this client's key listed" : "; does it want CURVE keys");
        } else {
            answer[n < (int)sizeof answer ? n : (int)sizeof answer - 1] = '\0';
            printf("%s\n", answer);
            rc = strncmp(answer, "ok", 2) == 0 ? 0 : 1;
        }
    }
    zmq_close(req);
    return rc;
}

static int watch(void *ctx, const char *endpoint, long count, const client_keys *keys)
{
    void *sub = client_socket(ctx, ZMQ_SUB, keys);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(sub, endpoint)) {
        fprintf(stderr, "brainbody ctl: cannot connect to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        zmq_close(sub);
        return 2;
    }
    static unsigned char buf[1 << 16];
    static float rates[BB_TELEMETRY_MAX_POOLS];
    static uint8_t paws[BB_TELEMETRY_MAX_PAWS];
    int rc = 0;
    for (long k = 0; k < count; k++) {
        int n = zmq_recv(sub, buf, sizeof buf, 0);
        if (n < 0) {
            fprintf(stderr, "brainbody ctl: no telemetry from %s within %d ms\n", endpoint, answer_ms);
            rc = 3;
            break;
        }
        bb_telemetry t;
        bb_proto_status st;
        char why[256];
        if (n > (int)sizeof buf || bb_decode_telemetry(buf, (size_t)n, &t, rates, paws, &st)) {
            fprintf(stderr, "brainbody ctl: telemetry packet rejected: %s\n",
                    n > (int)sizeof buf ? "larger than 64 KiB" : bb_proto_describe(&st, why, sizeof why));
            rc = 1;
            continue;
        }
        double top = 0;
        uint32_t top_pool = 0;
        for (uint32_t p = 0; p < t.n_pools; p++)
            if (t.pool_rate_hz[p] > top) top = t.pool_rate_hz[p], top_pool = p;
        printf("exchange %llu t=%.3f s rtf=%.3f excitation mean=%.3f max=%.3f top_pool=%u (%.1f Hz) paws=",
               (unsigned long long)t.exchange, t.time_s, (double)t.realtime_factor, (double)t.excitation_mean,
               (double)t.excitation_max, top_pool, top);
        for (uint32_t p = 0; p < t.n_paws; p++) putchar(t.paw_contact[p] ? '1' : '0');
        printf(" flags=%x presses=%u dropped=%u\n", t.flags, t.lever_presses, t.dropped);
        fflush(stdout);
    }
    zmq_close(sub);
    return rc;
}

/* --wait SECONDS, --server-key FILE and --key FILE, before the endpoint. */
static int read_options(int *argc, char ***argv, client_keys *k)
{
    const char *server = NULL, *mine = NULL;
    while (*argc >= 2 && (!strcmp((*argv)[0], "--server-key") || !strcmp((*argv)[0], "--key") ||
                          !strcmp((*argv)[0], "--wait"))) {
        if (!strcmp((*argv)[0], "--wait")) {
            char *end;
            double s = strtod((*argv)[1], &end);
            if (*end || !(s > 0 && s <= 3600)) {
                fprintf(stderr, "brainbody ctl: --wait: '%s' is not a number of seconds in (0, 3600]\n", (*argv)[1]);
                return -1;
            }
            answer_ms = (int)(s * 1000);
        } else if (!strcmp((*argv)[0], "--key")) {
            mine = (*argv)[1];
        } else {
            server = (*argv)[1];
        }
        *argc -= 2, *argv += 2;
    }
    if (!server && !mine) return 0;
    char err[BB_PATH_MAX + 256];
    if (!server || !mine) {
        fprintf(stderr, "brainbody ctl: CURVE needs both --server-key SERVER.pub and --key CLIENT.key\n");
        return -1;
    }
    if (bb_curve_read_key(server, 0, k->server, err, sizeof err) || bb_curve_read_key(mine, 1, k->secret, err, sizeof err) ||
        zmq_curve_public(k->public_key, k->secret)) {
        fprintf(stderr, "brainbody ctl: %s\n", err);
        return -1;
    }
    k->on = 1;
    return 0;
}

int bb_ctl_main(int argc, char **argv)
{
    client_keys keys = {0};
    if (read_options(&argc, &argv, &keys)) return 2;
    if (argc < 2) return usage();
    void *ctx = zmq_ctx_new();
    int rc;
    if (strcmp(argv[1], "watch") == 0) {
        long count = 10;
        if (argc > 3 || (argc == 3 && ((count = strtol(argv[2], NULL, 10)) < 1 || count > 100000000))) {
            zmq_ctx_term(ctx);
            return usage();
        }
        rc = watch(ctx, argv[0], count, &keys);
    } else {
        rc = command(ctx, argv[0], argc - 1, argv + 1, &keys);
    }
    zmq_ctx_term(ctx);
    return rc;
}
