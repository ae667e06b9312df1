#include "control_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Argument kinds: N a name ([A-Za-z0-9_], up to 31), H left|right, A a
 * cortex body area, L M1 layers, P pA in [-1000, 1000], G a gain in
 * [0, 100], F a force in N in [-10^4, 10^4], S seconds in (0, 10^6]. */
static const struct {
    const char *word;
    bb_control_verb verb;
    const char *args;
    const char *usage;
} VERBS[] = {
    {"status", BB_CTL_STATUS, "", "status"},
    {"pools", BB_CTL_POOLS, "", "pools"},
    {"help", BB_CTL_HELP, "", "help"},
    {"pause", BB_CTL_PAUSE, "", "pause"},
    {"resume", BB_CTL_RESUME, "", "resume"},
    {"run-for", BB_CTL_RUN_FOR, "S", "run-for SECONDS"},
    {"stop", BB_CTL_STOP, "", "stop"},
    {"checkpoint", BB_CTL_CHECKPOINT, "", "checkpoint"},
    {"stimulate", BB_CTL_STIMULATE, "HALPS", "stimulate left|right AREA L5B|L23|L23_L5B PICOAMPERES SECONDS"},
    {"lesion", BB_CTL_LESION, "N", "lesion POOL"},
    {"restore", BB_CTL_RESTORE, "N", "restore POOL"},
    {"set-gain", BB_CTL_SET_GAIN, "NG", "set-gain POOL|all FACTOR"},
    {"perturb", BB_CTL_PERTURB, "NFFFS", "perturb BODY FX FY FZ SECONDS"},
};
#define N_VERBS (sizeof VERBS / sizeof *VERBS)

static const char *const AREAS[] = {"tail", "hindlimb", "trunk", "forelimb", "head_neck"};
static const char *const LAYERS[] = {"L5B", "L23", "L23_L5B"};

const char *bb_control_verbs(void)
{
    return "status, pools, help, pause, resume, run-for SECONDS, stop, checkpoint, "
           "stimulate left|right AREA LAYERS PICOAMPERES SECONDS, lesion POOL, restore POOL, "
           "set-gain POOL|all FACTOR, perturb BODY FX FY FZ SECONDS";
}

int bb_control_changes_inputs(const bb_control_cmd *c) { return c->verb >= BB_CTL_STIMULATE; }

static int one_of(const char *w, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w, set[i])) return 1;
    return 0;
}

/* One argument of kind k (word w at byte at) into out; 0 or -1 with err. */
static int take_arg(char k, const char *w, size_t at, bb_control_cmd *out, int *nv, int *nn, const char *usage,
                    char *err, size_t cap)
{
    if (k == 'N' || k == 'H' || k == 'A' || k == 'L') {
        size_t n = strlen(w), ok = n > 0 && n < BB_CONTROL_NAME;
        for (size_t i = 0; ok && i < n; i++)
            ok = (w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9') ||
                 w[i] == '_';
        if (ok && k == 'H') ok = !strcmp(w, "left") || !strcmp(w, "right");
        if (ok && k == 'A') ok = one_of(w, AREAS, sizeof AREAS / sizeof *AREAS);
        if (ok && k == 'L') ok = one_of(w, LAYERS, sizeof LAYERS / sizeof *LAYERS);
        if (!ok) {
            snprintf(err, cap, "'%s' is not a %s (byte %zu; usage: %s)", w,
                     k == 'H' ? "hemisphere" : k == 'A' ? "body area" : k == 'L' ? "layer choice" : "name", at, usage);
            return -1;
        }
        char *dst = k == 'A' ? out->area : k == 'L' ? out->layers : out->name;
        if (k == 'N' || k == 'H') ++*nn;
        snprintf(dst, BB_CONTROL_NAME, "%s", w);
        return 0;
    }
    char *end;
    double v = strtod(w, &end);
    double lo = k == 'P' ? -1000 : k == 'G' ? 0 : k == 'F' ? -1e4 : 0, hi = k == 'P' ? 1000 : k == 'G' ? 100 : k == 'F' ? 1e4 : 1e6;
    int ok = *w && !*end && v >= lo && v <= hi && (k != 'S' || v > 0);
    if (!ok) {
        snprintf(err, cap, "'%s' is not a number in %s%g, %g] (byte %zu; usage: %s)", w, k == 'S' ? "(" : "[", lo, hi,
                 at, usage);
        return -1;
    }
    if (k == 'S') out->seconds = v;
    else out->value[(*nv)++] = v;
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
    /* the words, with their byte offsets */
    char words[8][64];
    size_t at[8], n = 0, i = 0;
    for (;;) {
        while (i < len && p[i] == ' ') i++;
        if (i == len) break;
        size_t b = i;
        while (i < len && p[i] != ' ') i++;
        if (n == 8 || i - b >= sizeof words[0]) {
            snprintf(err, cap, n == 8 ? "too many words (byte %zu)" : "a word of %zu bytes at byte %zu is too long",
                     n == 8 ? b : i - b, b);
            return -1;
        }
        memcpy(words[n], p + b, i - b);
        words[n][i - b] = '\0';
        at[n++] = b;
    }
    if (n == 0) {
        snprintf(err, cap, "no command word (commands: %s)", bb_control_verbs());
        return -1;
    }
    snprintf(out->word, sizeof out->word, "%.31s", words[0]);
    for (size_t v = 0; v < N_VERBS; v++) {
        if (strcmp(VERBS[v].word, words[0])) continue;
        out->verb = VERBS[v].verb;
        size_t want = strlen(VERBS[v].args);
        if (n - 1 != want) {
            if (want == 0) snprintf(err, cap, "'%s' takes no arguments (byte %zu)", out->word, at[1]);
            else if (out->verb == BB_CTL_RUN_FOR)
                snprintf(err, cap, "run-for takes one number of simulated seconds (byte %zu)", n > 2 ? at[2] : len);
            else snprintf(err, cap, "%s takes %zu arguments, not %zu (usage: %s)", out->word, want, n - 1, VERBS[v].usage);
            return -1;
        }
        int nv = 0, nn = 0;
        for (size_t a = 0; a < want; a++)
            if (take_arg(VERBS[v].args[a], words[a + 1], at[a + 1], out, &nv, &nn, VERBS[v].usage, err, cap)) {
                if (out->verb == BB_CTL_RUN_FOR) /* the wording users of run-for know */
                    snprintf(err, cap, "run-for: '%s' is not a number of seconds in (0, 10^6] (byte %zu)", words[1],
                             at[1]);
                return -1;
            }
        return 0;
    }
    snprintf(err, cap, "unknown command '%s' (commands: %s)", out->word, bb_control_verbs());
    return -1;
}

/* The shortest %g text that reads back as v. */
static const char *num(double v, char buf[32])
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, 32, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

size_t bb_control_format(const bb_control_cmd *c, char *out, size_t cap)
{
    int n = 0;
    char a[32], b[32], d[32], e[32];
    switch (c->verb) {
    case BB_CTL_RUN_FOR: n = snprintf(out, cap, "run-for %s", num(c->seconds, a)); break;
    case BB_CTL_STIMULATE:
        n = snprintf(out, cap, "stimulate %s %s %s %s %s", c->name, c->area, c->layers, num(c->value[0], a),
                     num(c->seconds, b));
        break;
    case BB_CTL_LESION:
    case BB_CTL_RESTORE: n = snprintf(out, cap, "%s %s", c->word, c->name); break;
    case BB_CTL_SET_GAIN: n = snprintf(out, cap, "set-gain %s %s", c->name, num(c->value[0], a)); break;
    case BB_CTL_PERTURB:
        n = snprintf(out, cap, "perturb %s %s %s %s %s", c->name, num(c->value[0], a), num(c->value[1], b),
                     num(c->value[2], d), num(c->seconds, e));
        break;
    default: n = snprintf(out, cap, "%s", c->word); break;
    }
    return n < 0 ? 0 : (size_t)n;
}
