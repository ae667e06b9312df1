#include "control_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    bb_control_verb verb;
} VERBS[] = {
    {"status", BB_CTL_STATUS}, {"pools", BB_CTL_POOLS}, {"help", BB_CTL_HELP}, {"pause", BB_CTL_PAUSE},
    {"resume", BB_CTL_RESUME}, {"run-for", BB_CTL_RUN_FOR}, {"stop", BB_CTL_STOP}, {"checkpoint", BB_CTL_CHECKPOINT},
    /* the daemon issue's other commands: recognised, answered "not served yet" */
    {"stimulate", BB_CTL_UNSUPPORTED}, {"lesion", BB_CTL_UNSUPPORTED},
    {"restore", BB_CTL_UNSUPPORTED}, {"set-gain", BB_CTL_UNSUPPORTED}, {"perturb", BB_CTL_UNSUPPORTED},
};
#define N_VERBS (sizeof VERBS / sizeof *VERBS)

const char *bb_control_verbs(void) { return "status, pools, help, pause, resume, run-for SECONDS, stop, checkpoint"; }

/* run-for's one argument at byte c: a number of seconds, > 0 and at most 10^6. */
static int parse_seconds(const unsigned char *p, size_t len, size_t c, bb_control_cmd *out, char *err, size_t cap)
{
    char word[64];
    size_t e = c;
    while (e < len && p[e] != ' ') e++;
    size_t rest = e;
    while (rest < len && p[rest] == ' ') rest++;
    if (c == len || e - c >= sizeof word || rest < len) {
        snprintf(err, cap, "run-for takes one number of simulated seconds (byte %zu)", c == len || e - c >= sizeof word ? c : rest);
        return -1;
    }
    memcpy(word, p + c, e - c);
    word[e - c] = '\0';
    char *end;
    double s = strtod(word, &end);
    if (*end || !(s > 0 && s <= 1e6)) {
        snprintf(err, cap, "run-for: '%s' is not a number of seconds in (0, 10^6] (byte %zu)", word, c);
        return -1;
    }
    out->seconds = s;
    return 0;
}

int bb_control_parse(const void *msg, size_t len, bb_control_cmd *out, char *err, size_t cap)
{
    const unsigned char *p = msg;
    memset(out, 0, sizeof *out);
    if (len == 0) {
        snprintf(err, cap, "empty command (commands: %s)", bb_control_verbs());
        return -1;
    }
    if (len > BB_CONTROL_MAX_BYTES) {
        snprintf(err, cap, "command of %zu bytes, the limit is %d", len, BB_CONTROL_MAX_BYTES);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e) {
            snprintf(err, cap, "byte %zu is 0x%02x: commands are printable ASCII", i, p[i]);
            return -1;
        }
    size_t a = 0;
    while (a < len && p[a] == ' ') a++;
    size_t b = a;
    while (b < len && p[b] != ' ') b++;
    size_t wl = b - a;
    if (wl == 0) {
        snprintf(err, cap, "no command word (commands: %s)", bb_control_verbs());
        return -1;
    }
    snprintf(out->word, sizeof out->word, "%.*s", (int)(wl < sizeof out->word ? wl : sizeof out->word - 1),
             (const char *)p + a);
    for (size_t v = 0; v < N_VERBS; v++)
        if (strlen(VERBS[v].word) == wl && memcmp(VERBS[v].word, p + a, wl) == 0) {
            out->verb = VERBS[v].verb;
            size_t c = b;
            while (c < len && p[c] == ' ') c++;
            if (out->verb == BB_CTL_RUN_FOR) return parse_seconds(p, len, c, out, err, cap);
            if (out->verb != BB_CTL_UNSUPPORTED && c < len) {
                snprintf(err, cap, "'%s' takes no arguments (byte %zu)", out->word, c);
                return -1;
            }
            return 0;
        }
    snprintf(err, cap, "unknown command '%s' (commands: %s)", out->word, bb_control_verbs());
    return -1;
}
