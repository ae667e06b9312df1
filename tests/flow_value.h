/* A number from a one-line YAML flow map in a text, such as the gait: block
 * of run.yaml: flow_value(text, "step_deg", "R_pes") reads 18.8 from
 * "  step_deg: {L_manus: 5.2, ..., R_pes: 18.8}". The key must start the
 * line's content (after indentation); NAN when there is no such line or
 * field on it. Shared by the tests that check a run's gait, as is
 * line_value below; exchange_digest reads a run's digest. */
#ifndef BB_TEST_FLOW_VALUE_H
#define BB_TEST_FLOW_VALUE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static inline double flow_value(const char *text, const char *key, const char *field)
{
    char want[96], name[64];
    snprintf(want, sizeof want, " %s: {", key);
    snprintf(name, sizeof name, "%s: ", field);
    for (const char *line = strstr(text, want); line; line = strstr(line + 1, want)) {
        const char *start = line;
        while (start > text && start[-1] == ' ') start--;
        if (start > text && start[-1] != '\n') continue; /* the key ends a longer word */
        const char *end = strchr(line, '\n'), *at = strstr(line + strlen(want), name);
        for (; at && (!end || at < end); at = strstr(at + 1, name)) {
            double v;
            if ((at[-1] == '{' || at[-1] == ' ') && sscanf(at + strlen(name), "%lf", &v) == 1) return v;
        }
    }
    return NAN;
}

/* The number of a "key: value" line (the key starting the line's content,
 * after indentation), such as "  stride_hz: 3.27" of run.yaml's gait:
 * block; NAN when there is none. */
static inline double line_value(const char *text, const char *key)
{
    char want[96];
    snprintf(want, sizeof want, " %s: ", key);
    for (const char *line = strstr(text, want); line; line = strstr(line + 1, want)) {
        const char *start = line;
        while (start > text && start[-1] == ' ') start--;
        if (start > text && start[-1] != '\n') continue; /* the key ends a longer word */
        double v;
        if (sscanf(line + strlen(want), "%lf", &v) == 1) return v;
    }
    return NAN;
}

/* The 8 hex digits of run.yaml's "exchange_digest: \"...\"" line (the
 * body and spikes, bit for bit) into digest; 0, or -1 when there is none. */
static inline int exchange_digest(const char *text, char digest[9])
{
    const char *d = strstr(text, "exchange_digest: \"");
    if (!d || strlen(d) < 26) return -1;
    memcpy(digest, d + 18, 8);
    digest[8] = '\0';
    return 0;
}

#endif
