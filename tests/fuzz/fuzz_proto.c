/* libFuzzer target for every wire-format decoder (run/fuzz). Besides not
 * crashing, anything a decoder accepts must re-encode to the same bytes:
 * the decoder may not accept a message it cannot represent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/proto.h"
#include "reseal.h"

/* The sizes of a realistic run: 1,000 output cells, 853 muscles, 4 x 64 taxels. */
#define N_SOURCES 1000
#define N_MUSCLES 853
#define N_TAXELS 256
#define N_PROPRIO (3 * N_MUSCLES)

static unsigned char again[1 << 20], input[1 << 20];


static void same_bytes(const uint8_t *data, size_t size, size_t len)
{
    if (len != size || memcmp(again, data, size) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t raw_size)
{
    /* first byte: odd = reseal the checksum, even = decode as is */
    if (raw_size < 1 || raw_size - 1 > sizeof input) return 0;
    size_t size = raw_size - 1;
    memcpy(input, raw + 1, size);
    if (raw[0] & 1) reseal(input, size);
    const uint8_t *data = input;
    bb_proto_status st;
    bb_msg_header h;
    if (bb_decode_header(data, size, NULL, &h, &st) != BB_PROTO_OK) return 0;

    bb_expect ex = {.n_sources = N_SOURCES, .n_muscles = N_MUSCLES, .n_taxels = N_TAXELS, .n_proprio = N_PROPRIO,
                    .n_task = BB_TASK_CHANNELS};
    bb_spike_view v;
    if (bb_decode_spikes(data, size, &ex, &v, &st) == BB_PROTO_OK) {
        bb_spike *s = malloc(((size_t)v.count + 1) * sizeof *s);
        for (uint32_t i = 0; i < v.count; i++) {
            s[i] = bb_spike_view_get(&v, i);
            if (s[i].source >= N_SOURCES || s[i].offset >= v.interval.end_step - v.interval.start_step) abort();
        }
        size_t len = bb_encode_spikes(again, sizeof again, v.header.seq, v.header.sender, &v.interval, s, v.count);
        free(s);
        same_bytes(data, size, len);
    }
    static float a[N_MUSCLES], t[N_TAXELS], p[N_PROPRIO], c[BB_TASK_CHANNELS];
    uint64_t k;
    if (bb_decode_activation(data, size, &ex, &k, a, &st) == BB_PROTO_OK) {
        for (int i = 0; i < N_MUSCLES; i++)
            if (!(a[i] >= 0 && a[i] <= 1)) abort();
        same_bytes(data, size, bb_encode_activation(again, sizeof again, h.seq, h.sender, k, a, N_MUSCLES));
    }
    if (bb_decode_feedback(data, size, &ex, &k, t, p, c, &st) == BB_PROTO_OK)
        same_bytes(data, size, bb_encode_feedback(again, sizeof again, h.seq, h.sender, k, t, N_TAXELS, p, N_PROPRIO,
                                                  c, BB_TASK_CHANNELS));
    static bb_telemetry tm;
    static float rates[BB_TELEMETRY_MAX_POOLS];
    static uint8_t paws[BB_TELEMETRY_MAX_PAWS];
    if (bb_decode_telemetry(data, size, &tm, rates, paws, &st) == BB_PROTO_OK) {
        if (tm.n_pools > BB_TELEMETRY_MAX_POOLS || tm.n_paws > BB_TELEMETRY_MAX_PAWS) abort();
        if (h.sender != 0) return 0; /* the encoder writes sender 0: such a packet is valid but not re-encodable */
        same_bytes(data, size, bb_encode_telemetry(again, sizeof again, h.seq, &tm));
    }
    uint32_t state;
    if (bb_decode_hold(data, size, &k, &state, &st) == BB_PROTO_OK && h.sender == 0)
        same_bytes(data, size, bb_encode_hold(again, sizeof again, h.seq, k, state));
    char text[BB_COMMAND_MAX_TEXT + 1];
    if (bb_decode_command(data, size, &k, text, &st) == BB_PROTO_OK) {
        if (strlen(text) > BB_COMMAND_MAX_TEXT) abort();
        if (h.sender == 0) same_bytes(data, size, bb_encode_command(again, sizeof again, h.seq, k, text, strlen(text)));
    }
    return 0;
}
