/* Writes valid packets of every kind into a folder: the fuzzer's seed corpus. */
#include <stdio.h>
#include <string.h>

#include "brainbody/proto.h"

static unsigned char buf[1 << 16];

/* Each seed starts with the fuzz target's mode byte (1: reseal the checksum). */
static void save(const char *dir, const char *name, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(1, f) == EOF || fwrite(buf, 1, len, f) != len) {
        perror(path);
        return;
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    bb_spike s[3] = {{0, 0}, {500, 10}, {999, 49}};
    bb_interval iv = {3, 150, 200};
    save(argv[1], "spikes", bb_encode_spikes(buf, sizeof buf, 3, 1, &iv, s, 3));
    save(argv[1], "spikes_empty", bb_encode_spikes(buf, sizeof buf, 0, 2, &iv, s, 0));
    static float a[853], t[256], p[3 * 853];
    for (int i = 0; i < 853; i++) a[i] = (float)i / 853.0f, p[3 * i] = 0.01f, p[3 * i + 1] = -0.1f, p[3 * i + 2] = 0.2f;
    for (int i = 0; i < 256; i++) t[i] = (float)(i % 7);
    save(argv[1], "activation", bb_encode_activation(buf, sizeof buf, 4, 0, 4, a, 853));
    float c[BB_TASK_CHANNELS] = {1, 0};
    save(argv[1], "feedback", bb_encode_feedback(buf, sizeof buf, 5, 0, 5, t, 256, p, 3 * 853, c, BB_TASK_CHANNELS));
    float rates[10] = {0, 1.5f, 20, 0, 0, 3, 0, 0, 0, 120};
    uint8_t paws[4] = {1, 0, 1, 1};
    bb_telemetry tm = {.exchange = 6, .time_s = 0.035, .realtime_factor = 0.12f, .excitation_mean = 0.05f,
                       .excitation_max = 0.9f, .n_pools = 10, .n_paws = 4, .flags = BB_TELEMETRY_CUE,
                       .lever_presses = 2, .pool_rate_hz = rates, .paw_contact = paws};
    save(argv[1], "telemetry", bb_encode_telemetry(buf, sizeof buf, 6, &tm));
    save(argv[1], "hold", bb_encode_hold(buf, sizeof buf, 7, 7, BB_HOLD_PAUSE));
    const char *cmd = "stimulate left forelimb L5B 30 0.2";
    save(argv[1], "command", bb_encode_command(buf, sizeof buf, 8, 8, cmd, strlen(cmd)));
    return 0;
}
