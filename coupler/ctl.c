#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "brainbody/proto.h"
#include "control_cmd.h"

#define ANSWER_MS 5000 /* a served run answers between exchanges: well within this */

static int usage(void)
{
    fprintf(stderr, "usage: brainbody ctl ENDPOINT COMMAND [ARG]...   (commands: %s)\n"
                    "       brainbody ctl TELEMETRY_ENDPOINT watch [N]   (print N telemetry packets, default 10)\n",
            bb_control_verbs());
    return 2;
}

static int command(void *ctx, const char *endpoint, int argc, char **argv)
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
    void *req = zmq_socket(ctx, ZMQ_REQ);
    int timeout = ANSWER_MS, linger = 0;
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(req, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
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
            fprintf(stderr, "brainbody ctl: no answer from %s within %d ms (is the run served and running?)\n",
                    endpoint, ANSWER_MS);
        } else {
            answer[n < (int)sizeof answer ? n : (int)sizeof answer - 1] = '\0';
            printf("%s\n", answer);
            rc = strncmp(answer, "ok", 2) == 0 ? 0 : 1;
        }
    }
    zmq_close(req);
    return rc;
}

static int watch(void *ctx, const char *endpoint, long count)
{
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int timeout = ANSWER_MS, linger = 0;
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
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
            fprintf(stderr, "brainbody ctl: no telemetry from %s within %d ms\n", endpoint, ANSWER_MS);
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

int bb_ctl_main(int argc, char **argv)
{
    if (argc < 2) return usage();
    void *ctx = zmq_ctx_new();
    int rc;
    if (strcmp(argv[1], "watch") == 0) {
        long count = 10;
        if (argc > 3 || (argc == 3 && ((count = strtol(argv[2], NULL, 10)) < 1 || count > 100000000))) {
            zmq_ctx_term(ctx);
            return usage();
        }
        rc = watch(ctx, argv[0], count);
    } else {
        rc = command(ctx, argv[0], argc - 1, argv + 1);
    }
    zmq_ctx_term(ctx);
    return rc;
}
