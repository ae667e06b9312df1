#include "commands.h"

#include "loop.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bb_command_check(const bb_control_cmd *cmd, const bb_config *cfg, const bb_pools *pools, const bb_body *body,
                     char *err, size_t cap)
{
    switch (cmd->verb) {
    case BB_CTL_STIMULATE:
        if (strcmp(cfg->brain_model, "cortex")) {
            snprintf(err, cap, "stimulate: brain.model %s has no cortex to stimulate", cfg->brain_model);
            return -1;
        }
        if (!strcmp(cmd->name, "right") && cfg->cortex.hemispheres < 2) {
            snprintf(err, cap, "stimulate right: the cortex has the left hemisphere only");
            return -1;
        }
        return 0;
    case BB_CTL_LESION:
    case BB_CTL_RESTORE:
    case BB_CTL_SET_GAIN: {
        if (!strcmp(cfg->coupling_map, "uniform")) {
            snprintf(err, cap, "%s: coupling.map is uniform: there are no pools to %s", cmd->word, cmd->word);
            return -1;
        }
        if (cmd->verb == BB_CTL_SET_GAIN && !strcmp(cmd->name, "all")) return 0;
        for (uint32_t k = 0; k < pools->n; k++)
            if (!strcmp(pools->pool[k].name, cmd->name)) return 0;
        snprintf(err, cap, "%s: the brain has no pool '%s' (the command pools lists them)", cmd->word, cmd->name);
        return -1;
    }
    case BB_CTL_PERTURB:
        if (!body || !bb_body_has_body(body, cmd->name)) {
            snprintf(err, cap, "perturb: the body model has no body '%s'", cmd->name);
            return -1;
        }
        return 0;
    default:
        snprintf(err, cap, "'%s' does not change the run's inputs", cmd->word);
        return -1;
    }
}

typedef struct entry {
    uint64_t k;
    bb_control_cmd cmd;
} entry;

struct bb_command_script {
    entry *e;
    size_t n, next;
};

void bb_command_script_free(bb_command_script *s)
{
    if (!s) return;
    free(s->e);
    free(s);
}

/* One "time_s \t command \t text" row; 0 (not a command row), 1, or -1. */
static int row(char *line, const bb_config *cfg, const bb_pools *pools, const bb_body *body, uint64_t n_exchanges,
               entry *out, char *why, size_t cap)
{
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2 || strncmp(t1 + 1, "command\t", 8)) return 0;
    *t1 = '\0';
    char *end, *text = t2 + 1;
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
    double t = strtod(line, &end);
    double k = t / (cfg->exchange_ms * 1e-3);
    if (*end || !isfinite(t) || fabs(k - llround(k)) > 1e-6 || llround(k) < 1 || (uint64_t)llround(k) >= n_exchanges) {
        snprintf(why, cap, "time '%.40s' is not the start of an exchange between the first and the last", line);
        return -1;
    }
    out->k = (uint64_t)llround(k);
    if (bb_control_parse(text, n, &out->cmd, why, cap)) return -1;
    if (!bb_control_changes_inputs(&out->cmd)) {
        snprintf(why, cap, "'%s' does not change the run's inputs", out->cmd.word);
        return -1;
    }
    return bb_command_check(&out->cmd, cfg, pools, body, why, cap) ? -1 : 1;
}

bb_command_script *bb_command_script_load(const bb_config *cfg, const bb_pools *pools, const bb_body *body,
                                          uint64_t n_exchanges, char *err, size_t cap)
{
    const char *path = cfg->control.commands_file;
    char key[BB_PATH_MAX + 64];
    bb_config_where(cfg, "control.commands", key, sizeof key);
    FILE *f = fopen(path, "r");
    bb_command_script *s = calloc(1, sizeof *s);
    if (!f || !s) {
        snprintf(err, cap, "%s: %s: %s", key, path, f ? "out of memory" : strerror(errno));
        if (f) fclose(f);
        free(s);
        return NULL;
    }
    char line[2048], why[512];
    size_t cap_e = 0;
    uint64_t last = 0;
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        entry e;
        int rc = row(line, cfg, pools, body, n_exchanges, &e, why, sizeof why);
        if (rc == 1 && e.k < last) {
            snprintf(why, sizeof why, "the rows are not in time order");
            rc = -1;
        }
        size_t same = 0;
        for (size_t i = s->n; rc == 1 && i > 0 && s->e[i - 1].k == e.k; i--) same++;
        if (rc == 1 && same == BB_MAX_PENDING) {
            snprintf(why, sizeof why, "more than %d commands at one exchange", BB_MAX_PENDING);
            rc = -1;
        }
        if (rc < 0) {
            snprintf(err, cap, "%s: %s:%d: %s", key, path, no, why);
            fclose(f);
            bb_command_script_free(s);
            return NULL;
        }
        if (rc == 0) continue;
        if (s->n == cap_e) {
            entry *g = realloc(s->e, (cap_e = cap_e * 2 + 16) * sizeof *g);
            if (!g) {
                snprintf(err, cap, "out of memory");
                fclose(f);
                bb_command_script_free(s);
                return NULL;
            }
            s->e = g;
        }
        s->e[s->n++] = e;
        last = e.k;
    }
    fclose(f);
    return s;
}

int bb_command_script_due(bb_command_script *s, uint64_t k, bb_control_cmd *out, int max)
{
    while (s->next < s->n && s->e[s->next].k < k) s->next++; /* before a resumed run's start: in its state already */
    int n = 0;
    while (n < max && s->next < s->n && s->e[s->next].k == k) out[n++] = s->e[s->next++].cmd;
    return n;
}
