/* Loads an experiment YAML file (libyaml document API) and validates it
 * against bb_config_schema: unknown keys, duplicates, wrong types, missing
 * required keys and bad ranges are errors naming file:line:column and key.
 * All errors found are reported, one per line. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"
#include "curve_keys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "brainbody/cpg.h"
#include "config_schema.h"
#include "suggest.h"

typedef struct ctx {
    const char *file;
    char dir[BB_PATH_MAX]; /* the experiment file's folder, absolute: run records name what they used */
    bb_config *cfg;
    unsigned char set[BB_CFG_MAX_KEYS]; /* 1 from file, 2 from --set */
    char *err;
    size_t errcap, errlen;
    int nerr;
} ctx;

static void add_err(ctx *c, int line, int col, const char *key, const char *fmt, ...)
{
    if (c->nerr >= 20) { /* enough to act on */
        if (c->nerr++ == 20) {
            size_t room = c->errcap - c->errlen;
            int n = snprintf(c->err + c->errlen, room, "\n(more errors not shown)");
            if (n > 0) c->errlen += (size_t)n < room ? (size_t)n : room - 1;
        }
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int n;
    if (line > 0)
        n = snprintf(c->err + c->errlen, c->errcap - c->errlen, "%s%s:%d:%d: %s%s%s", c->nerr ? "\n" : "",
                     c->file, line, col, key ? key : "", key ? ": " : "", msg);
    else if (line < 0) /* from a --set override */
        n = snprintf(c->err + c->errlen, c->errcap - c->errlen, "%s--set %s: %s", c->nerr ? "\n" : "",
                     key ? key : "", msg);
    else if (!key) /* the message names its place itself (bb_config_where) */
        n = snprintf(c->err + c->errlen, c->errcap - c->errlen, "%s%s", c->nerr ? "\n" : "", msg);
    else
        n = snprintf(c->err + c->errlen, c->errcap - c->errlen, "%s%s: %s: %s", c->nerr ? "\n" : "", c->file, key,
                     msg);
    if (n > 0) c->errlen += (size_t)n < c->errcap - c->errlen ? (size_t)n : c->errcap - c->errlen - 1;
    c->nerr++;
}

static int find_key(const char *key)
{
    for (size_t i = 0; i < bb_config_schema_len; i++)
        if (strcmp(bb_config_schema[i].key, key) == 0) return (int)i;
    return -1;
}

/* A section is a proper prefix "x" of some key "x.y". */
static int is_section(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < bb_config_schema_len; i++)
        if (strncmp(bb_config_schema[i].key, path, n) == 0 && bb_config_schema[i].key[n] == '.') return 1;
    return 0;
}

/* " (did you mean 'time.exchange_ms'?)" or "" */
static const char *suggest(const char *path, char *buf, size_t cap)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < bb_config_schema_len; i++) {
        size_t d = bb_edit_distance(path, bb_config_schema[i].key);
        if (d < bestd) bestd = d, best = bb_config_schema[i].key;
    }
    size_t limit = strlen(path) / 3 > 2 ? strlen(path) / 3 : 2;
    if (!best || bestd > limit) return "";
    snprintf(buf, cap, " (did you mean '%s'?)", best);
    return buf;
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    if (!*s || (s[0] == '-' && lo >= 0)) return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static void set_path(ctx *c, const bb_key_spec *k, const char *v, char *dst)
{
    int n;
    if ((k->type == BB_KEY_PATH_IN || k->type == BB_KEY_MAP) && v[0] != '/' && c->dir[0])
        n = snprintf(dst, k->size, "%s/%s", c->dir, v);
    else
        n = snprintf(dst, k->size, "%s", v);
    if (n < 0 || (size_t)n >= k->size) dst[0] = '\0';
}

/* Parses one scalar into its field. plain: the scalar was unquoted. */
static void set_value(ctx *c, int idx, const char *v, int plain, int line, int col)
{
    const bb_key_spec *k = &bb_config_schema[idx];
    char *field = (char *)c->cfg + k->off;
    const char *key = k->key;
    switch (k->type) {
    case BB_KEY_STR:
    case BB_KEY_PATH_IN:
    case BB_KEY_PATH_OUT:
    case BB_KEY_MAP:
        if (!*v) { add_err(c, line, col, key, "must not be empty"); return; }
        if (strlen(v) >= k->size) { add_err(c, line, col, key, "longer than %zu characters", k->size - 1); return; }
        if (k->type == BB_KEY_STR || (k->type == BB_KEY_MAP && !strcmp(v, k->choices))) memcpy(field, v, strlen(v) + 1);
        else set_path(c, k, v, field);
        if (!*field) add_err(c, line, col, key, "path too long");
        return;
    case BB_KEY_ENUM: {
        size_t n = strlen(v);
        for (const char *p = k->choices; *p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == n && strncmp(p, v, n) == 0) { memcpy(field, v, n + 1); return; }
            p += len + (bar ? 1 : 0);
        }
        add_err(c, line, col, key, "'%s' is not one of: %s", v, k->choices);
        return;
    }
    case BB_KEY_BOOL:
        if (plain && strcmp(v, "true") == 0) *(int *)field = 1;
        else if (plain && strcmp(v, "false") == 0) *(int *)field = 0;
        else add_err(c, line, col, key, "expected true or false, got '%s'", v);
        return;
    case BB_KEY_RANKS:
        if (plain && strcmp(v, "auto") == 0) { *(int *)field = 0; return; }
        __attribute__((fallthrough)); /* an integer */
    case BB_KEY_INT:
    case BB_KEY_U32:
    case BB_KEY_U64: {
        if (!plain) { add_err(c, line, col, key, "expected an integer, got the string \"%s\"", v); return; }
        if (k->type == BB_KEY_U64) {
            errno = 0;
            char *end;
            unsigned long long u = (*v >= '0' && *v <= '9') ? strtoull(v, &end, 10) : 0;
            if (!(*v >= '0' && *v <= '9') || errno || *end) {
                add_err(c, line, col, key, "expected a non-negative integer, got '%s'", v);
                return;
            }
            *(uint64_t *)field = u;
            return;
        }
        long long x;
        if (!parse_int(v, (long long)k->lo, (long long)k->hi, &x)) {
            if (k->lo == k->hi) add_err(c, line, col, key, "must be %.0f, got '%s'", k->lo, v);
            else add_err(c, line, col, key, "expected an integer from %.0f to %.0f%s, got '%s'", k->lo, k->hi,
                         k->type == BB_KEY_RANKS ? " or auto" : "", v);
            return;
        }
        if (k->type == BB_KEY_U32) *(uint32_t *)field = (uint32_t)x;
        else *(int *)field = (int)x;
        return;
    }
    case BB_KEY_FLOAT: {
        errno = 0;
        char *end;
        double x = plain ? strtod(v, &end) : NAN;
        if (!plain || errno || *end || !*v || !isfinite(x)) {
            add_err(c, line, col, key, "expected a number, got '%s'", v);
            return;
        }
        if (x < k->lo || (k->lo_open && x == k->lo) || x > k->hi) {
            add_err(c, line, col, key, "must be %s %g and at most %g, got %g", k->lo_open ? "above" : "at least",
                    k->lo, k->hi, x);
            return;
        }
        *(double *)field = x;
        return;
    }
    }
}

static void record_where(ctx *c, int idx, int line, int col, int how)
{
    c->set[idx] = (unsigned char)how;
    c->cfg->where[idx] = (struct bb_config_where){line, col, how == 2, 0};
}

static void walk(ctx *c, yaml_document_t *doc, yaml_node_t *map, const char *prefix)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(doc, p->value);
        int line = (int)kn->start_mark.line + 1, col = (int)kn->start_mark.column + 1;
        if (kn->type != YAML_SCALAR_NODE) {
            add_err(c, line, col, prefix[0] ? prefix : NULL, "keys must be plain names");
            continue;
        }
        char path[256], sug[128];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", (const char *)kn->data.scalar.value);
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *other = yaml_document_get_node(doc, q->key);
            if (other->type == YAML_SCALAR_NODE &&
                strcmp((const char *)other->data.scalar.value, (const char *)kn->data.scalar.value) == 0) {
                add_err(c, line, col, path, "duplicate key (first set at line %d)", (int)other->start_mark.line + 1);
                goto next;
            }
        }
        int idx = find_key(path);
        if (idx >= 0) {
            int vl = (int)vn->start_mark.line + 1, vc = (int)vn->start_mark.column + 1;
            if (vn->type != YAML_SCALAR_NODE) {
                add_err(c, vl, vc, path, "expected a single value, got a %s",
                        vn->type == YAML_MAPPING_NODE ? "mapping" : "list");
            } else if (c->set[idx] != 2) { /* --set wins over the file */
                set_value(c, idx, (const char *)vn->data.scalar.value,
                          vn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, vl, vc);
                record_where(c, idx, vl, vc, 1);
            }
        } else if (is_section(path)) {
            if (vn->type != YAML_MAPPING_NODE)
                add_err(c, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path,
                        "expected a section (a mapping of keys)");
            else
                walk(c, doc, vn, path);
        } else {
            add_err(c, line, col, path, "unknown key%s", suggest(path, sug, sizeof sug));
        }
    next:;
    }
}

static void apply_overrides(ctx *c, const bb_override *ov, int n)
{
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(ov[i].text, '=');
        char key[256], sug[128];
        if (!eq || eq == ov[i].text || (size_t)(eq - ov[i].text) >= sizeof key) {
            add_err(c, -1, 0, ov[i].text, "expected key.path=value");
            continue;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - ov[i].text), ov[i].text);
        int idx = find_key(key);
        if (idx < 0) {
            add_err(c, -1, 0, key, "unknown key%s", suggest(key, sug, sizeof sug));
            continue;
        }
        /* Errors from here name the override, not a file position. */
        const char *v = eq + 1;
        int plain = !(v[0] == '"' || v[0] == '\'');
        char unq[BB_PATH_MAX];
        if (!plain) {
            size_t n2 = strlen(v);
            if (n2 < 2 || v[n2 - 1] != v[0] || n2 - 2 >= sizeof unq) {
                add_err(c, -1, 0, key, "unbalanced quotes");
                continue;
            }
            snprintf(unq, sizeof unq, "%.*s", (int)(n2 - 2), v + 1);
            v = unq;
        }
        set_value(c, idx, v, plain, -1, 0);
        record_where(c, idx, -1, 0, 2);
    }
}

/* Exact ms -> ns; 0 if the value is not a whole number of nanoseconds. */
static int64_t to_ns(double value, double scale)
{
    double x = value * scale;
    double r = nearbyint(x);
    if (r < 1 || fabs(x - r) > 1e-6 * (r > 1 ? r : 1)) return 0;
    return (int64_t)r;
}

static void check_times(ctx *c)
{
    bb_config *g = c->cfg;
    static const struct { const char *key; size_t value, ns; double scale; } t[] = {
        {"experiment.duration_s", offsetof(bb_config, duration_s), offsetof(bb_config, duration_ns), 1e9},
        {"time.brain_dt_ms", offsetof(bb_config, brain_dt_ms), offsetof(bb_config, brain_dt_ns), 1e6},
        {"time.body_dt_ms", offsetof(bb_config, body_dt_ms), offsetof(bb_config, body_dt_ns), 1e6},
        {"time.exchange_ms", offsetof(bb_config, exchange_ms), offsetof(bb_config, exchange_ns), 1e6},
    };
    char w[BB_PATH_MAX + 64];
    int bad = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t *ns = (int64_t *)((char *)g + t[i].ns);
        *ns = to_ns(*(double *)((char *)g + t[i].value), t[i].scale);
        if (!*ns) {
            bb_config_where(g, t[i].key, w, sizeof w);
            add_err(c, 0, 0, NULL, "%s: must be a whole number of nanoseconds", w);
            bad = 1;
        }
    }
    if (bad) return;
    if (g->exchange_ns % g->brain_dt_ns || g->exchange_ns % g->body_dt_ns) {
        bb_config_where(g, "time.exchange_ms", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: %g ms is not a whole multiple of both brain_dt_ms (%g) and body_dt_ms (%g)", w,
                g->exchange_ms, g->brain_dt_ms, g->body_dt_ms);
    }
    if (g->duration_ns % g->exchange_ns) {
        bb_config_where(g, "experiment.duration_s", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: %g s is not a whole number of exchange intervals (%g ms)", w, g->duration_s,
                g->exchange_ms);
    }
    if (g->exchange_ns / g->brain_dt_ns > UINT32_MAX) {
        bb_config_where(g, "time.exchange_ms", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: more than 2^32 brain steps per exchange interval", w);
    }
    if (g->world.perturb && g->world.perturb_start_s >= g->duration_s) {
        bb_config_where(g, "body.perturb.start_s", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the push starts (%g s) after the run ends (%g s)", w, g->world.perturb_start_s,
                g->duration_s);
    }
    if (g->stretch_reflex.reciprocal_hz > 0 && (g->stretch_reflex.gain <= 0 || !strcmp(g->coupling_map, "uniform"))) {
        bb_config_where(g, "brain.stretch_reflex.reciprocal_hz", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: reciprocal inhibition gates the stretch reflex by the coupling map's pools; it needs "
                "brain.stretch_reflex.gain > 0 and a coupling.map", w);
    }
    if (g->world.head_height_mm != 0 && !g->world.head_fixed) {
        bb_config_where(g, "body.head_height_mm", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: sets the head post's height, but body.head_fixed is false (no head post)", w);
    }
    if (strcmp(g->start_pose, "model") != 0 && g->world.head_fixed) {
        bb_config_where(g, "body.start_pose", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: a start pose with body.head_fixed: the head post holds the head where the model's "
                "own posture has it, so a head-fixed body starts in that posture", w);
    }
}

/* The cortex spec a configuration describes. */
bb_cortex_spec bb_config_cortex_spec(const bb_config *g)
{
    bb_cortex_spec s = bb_cortex_defaults();
    s.seed = g->seed;
    s.dt_ms = g->brain_dt_ms;
    s.hemispheres = g->cortex.hemispheres;
    s.with_s1 = g->cortex.with_s1;
    s.m1_nx = g->cortex.m1_nx, s.m1_ny = g->cortex.m1_ny;
    s.s1_nx = g->cortex.s1_nx, s.s1_ny = g->cortex.s1_ny;
    s.density_scale = g->cortex.density_scale;
    s.background_hz = g->cortex.background_hz;
    s.afferent_channels = g->cortex.afferent_channels;
    return s;
}

bb_world_spec *bb_config_world_spec(const bb_config *g, bb_world_spec *w)
{
    bb_world_defaults(w);
    const struct bb_config_world *cw = &g->world;
    w->floor = cw->floor;
    w->treadmill = cw->treadmill;
    w->treadmill_speed = cw->treadmill_speed_m_per_s;
    w->treadmill_free = !strcmp(cw->treadmill_drive, "free");
    w->belt_mass = cw->belt_mass_g * 1e-3;
    w->belt_damping = cw->belt_damping_mN_s_per_m * 1e-3;
    w->reach_target = cw->reach_target;
    w->target_radius = cw->target_radius_mm * 1e-3;
    w->lever = cw->lever;
    w->lever_push = !strcmp(cw->lever_kind, "push");
    w->lever_length = cw->lever_length_mm * 1e-3;
    w->lever_width = cw->lever_width_mm * 1e-3;
    w->lever_stiffness = cw->lever_stiffness_mNm_per_rad * 1e-3;
    w->lever_threshold = cw->lever_threshold_deg * 3.14159265358979323846 / 180;
    for (int k = 0; k < 3; k++) {
        w->target_pos[k] = cw->target_mm[k] * 1e-3;
        w->lever_pos[k] = cw->lever_mm[k] * 1e-3;
    }
    w->head_fixed = cw->head_fixed;
    w->head_height = cw->head_height_mm * 1e-3;
    w->tube = cw->tube;
    w->tube_x[0] = cw->tube_x_mm[0] * 1e-3, w->tube_x[1] = cw->tube_x_mm[1] * 1e-3;
    w->tube_half_width = cw->tube_half_width_mm * 1e-3;
    w->tube_height = cw->tube_height_mm * 1e-3;
    snprintf(w->head_body, sizeof w->head_body, "%s", cw->head_body);
    w->taxels_x = cw->taxels_x;
    w->taxels_y = cw->taxels_y;
    return w;
}

/* Without CURVE keys a served run binds only where this machine alone can
 * connect: an ipc:// path, or TCP on a loopback address. */
static int local_endpoint(const char *e)
{
    static const char *const prefix[] = {"ipc://", "tcp://127.0.0.1:", "tcp://localhost:", "tcp://[::1]:"};
    if (!strcmp(e, "default")) return 1;
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++) /* the prefix and something after it */
        if (!strncmp(e, prefix[i], strlen(prefix[i])) && e[strlen(prefix[i])]) return 1;
    return 0;
}

/* The CURVE keys, when given: both files, each readable and well formed
 * (curve_keys.h). Returns whether the run has them. */
static int check_curve(ctx *c)
{
    const bb_config *g = c->cfg;
    const char *sk = g->control.secret_key_file, *ck = g->control.client_keys_file;
    int has_sk = strcmp(sk, "none") != 0, has_ck = strcmp(ck, "none") != 0;
    char w[BB_PATH_MAX + 64], why[BB_PATH_MAX + 256], z85[BB_Z85_KEY];
    if (has_sk != has_ck) {
        bb_config_where(g, has_sk ? "control.curve.secret_key_file" : "control.curve.client_keys_file", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: CURVE needs both the server's secret key and the client keys it lets in (%s)", w,
                has_sk ? "control.curve.client_keys_file is none" : "control.curve.secret_key_file is none");
        return 0;
    }
    if (!has_sk) return 0;
    static uint8_t keys[BB_MAX_CLIENT_KEYS][32];
    int n = 0;
    if (bb_curve_read_key(sk, 1, z85, why, sizeof why)) {
        bb_config_where(g, "control.curve.secret_key_file", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: %s", w, why);
    }
    if (bb_curve_read_client_keys(ck, keys, BB_MAX_CLIENT_KEYS, &n, why, sizeof why)) {
        bb_config_where(g, "control.curve.client_keys_file", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: %s", w, why);
    }
    return 1;
}

static void check_control(ctx *c)
{
    const bb_config *g = c->cfg;
    const char *keys[2] = {"control.endpoint", "control.telemetry"}, *vals[2] = {g->control.endpoint,
                                                                                   g->control.telemetry};
    char w[BB_PATH_MAX + 64];
    int curve = check_curve(c);
    if (strcmp(g->control.commands_file, "none")) { /* its rows are checked against the run when it starts */
        FILE *f = fopen(g->control.commands_file, "r");
        if (!f) {
            bb_config_where(g, "control.commands", w, sizeof w);
            add_err(c, 0, 0, NULL, "%s: %s: %s", w, g->control.commands_file, strerror(errno));
        } else {
            fclose(f);
        }
    }
    for (int k = 0; k < 2 && !curve; k++)
        if (!local_endpoint(vals[k])) {
            bb_config_where(g, keys[k], w, sizeof w);
            add_err(c, 0, 0, NULL,
                    "%s: '%s' is not a local endpoint: without CURVE keys a served run binds to ipc://PATH or "
                    "tcp://127.0.0.1:PORT (localhost, [::1]) only; set control.curve.secret_key_file and "
                    "control.curve.client_keys_file to bind beyond this machine",
                    w, vals[k]);
        }
    if (strcmp(vals[0], "default") && !strcmp(vals[0], vals[1])) {
        bb_config_where(g, keys[1], w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the telemetry needs its own endpoint, not the control one", w);
    }
}

/* An M1 strip input (brain.stimulus, task.cue) must name a hemisphere the
 * cortex has. */
static void check_hemisphere(ctx *c, const char *key, const char *hemisphere)
{
    char w[BB_PATH_MAX + 64];
    if (!strcmp(hemisphere, "right") && c->cfg->cortex.hemispheres < 2) {
        bb_config_where(c->cfg, key, w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: right, but brain.cortex.hemispheres is 1 (the left hemisphere only)", w);
    }
}

/* The task needs the cortex (its cue and reward are cortical inputs) and
 * its object in the body's world; the trials must fit the run. */
static void check_task(ctx *c)
{
    bb_config *g = c->cfg;
    char w[BB_PATH_MAX + 64];
    if (!strcmp(g->task.kind, "none")) return;
    bb_config_where(g, "task.kind", w, sizeof w);
    if (strcmp(g->brain_model, "cortex"))
        add_err(c, 0, 0, NULL, "%s: %s needs brain.model cortex (the cue and the reward are inputs to the cortex)", w,
                g->task.kind);
    else check_hemisphere(c, "task.cue.hemisphere", g->task.cue_hemisphere);
    if (!strcmp(g->task.kind, "reach") && !g->world.reach_target)
        add_err(c, 0, 0, NULL, "%s: reach needs a target to reach: set body.reach_target.enabled: true", w);
    if (!strcmp(g->task.kind, "lever_press") && !g->world.lever)
        add_err(c, 0, 0, NULL, "%s: lever_press needs a lever: set body.lever.enabled: true", w);
    if (g->task.reward_amplitude_pA != 0 && !g->cortex.with_s1) {
        bb_config_where(g, "task.reward.amplitude_pA", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the reward reaches S1 layer 4, but brain.cortex.with_s1 is false (set the "
                "amplitude to 0 for no reward input)", w);
    }
    if (g->task.first_cue_s + g->task.window_s > g->duration_s) {
        bb_config_where(g, "task.first_cue_s", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the first trial (cue at %g s, window %g s) does not end within the run (%g s)", w,
                g->task.first_cue_s, g->task.window_s, g->duration_s);
    }
    if (g->task.iti_jitter_s > g->task.iti_s) {
        bb_config_where(g, "task.iti_jitter_s", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: a jitter of %g s could make the inter-trial interval (%g s) negative", w,
                g->task.iti_jitter_s, g->task.iti_s);
    }
}

/* What depends on the brain model: the output cell count and, for the
 * cortex, the exchange interval against the engine's spike exchange. */
static void check_brain(ctx *c)
{
    bb_config *g = c->cfg;
    char w[BB_PATH_MAX + 64];
    if (g->stimulus.enabled && g->stimulus.stop_s <= g->stimulus.start_s) {
        bb_config_where(g, "brain.stimulus.stop_s", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the stimulus stops (%g s) before it starts (%g s)", w, g->stimulus.stop_s,
                g->stimulus.start_s);
    }
    if (strcmp(g->brain_model, "poisson") == 0) {
        if (g->stimulus.enabled) {
            bb_config_where(g, "brain.stimulus.enabled", w, sizeof w);
            add_err(c, 0, 0, NULL, "%s: brain.model poisson has no cortex to stimulate", w);
        }
        if (g->output_cells == 0) {
            bb_config_where(g, "brain.output_cells", w, sizeof w);
            add_err(c, 0, 0, NULL, "%s: brain.model poisson needs the number of output cells (at least 1)", w);
        }
        if (g->cpg.enabled) {
            bb_config_where(g, "brain.cpg.enabled", w, sizeof w);
            add_err(c, 0, 0, NULL, "%s: the spinal circuit runs with brain.model cortex", w);
        }
        return;
    }
    bb_cortex_spec s = bb_config_cortex_spec(g);
    char why[256];
    if (bb_cortex_check(&s, why, sizeof why)) {
        add_err(c, 0, 0, NULL, "%s: brain.%s", g->file, why); /* why names the brain.cortex key */
        return;
    }
    uint32_t n = (uint32_t)s.hemispheres * bb_cortex_population_size(&s, BB_M1, BB_L5B, BB_EXC);
    uint32_t spinal = g->cpg.enabled ? 2 * BB_N_LIMBS * g->cpg.cells_per_pool : 0;
    if (g->output_cells && g->output_cells != n + spinal) {
        bb_config_where(g, "brain.output_cells", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: the cortex model has %u L5B output cells with these brain.cortex settings "
                "(and %u spinal ones); leave brain.output_cells out or set it to %u", w, n, spinal, n + spinal);
    }
    n += spinal;
    g->output_cells = n;
    if (g->stimulus.enabled) check_hemisphere(c, "brain.stimulus.hemisphere", g->stimulus.hemisphere);
    if (g->exchange_ns % (int64_t)500000) {
        bb_config_where(g, "time.exchange_ms", w, sizeof w);
        add_err(c, 0, 0, NULL, "%s: brain.model cortex exchanges spikes between brain ranks every 0.5 ms (its "
                "shortest delay); %g ms is not a multiple", w, g->exchange_ms);
    }
}

/* The mapping under root key `section`, or the root itself when section is NULL. */
static yaml_node_t *section_node(ctx *c, yaml_document_t *doc, yaml_node_t *root, const char *section)
{
    if (!section) return root;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        if (kn->type != YAML_SCALAR_NODE || strcmp((const char *)kn->data.scalar.value, section)) continue;
        if (vn->type == YAML_MAPPING_NODE) return vn;
        add_err(c, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, section,
                "expected the experiment (a mapping of sections)");
        return NULL;
    }
    add_err(c, 0, 0, section, "missing: not a brainbody run record");
    return NULL;
}

static int load(const char *path, const char *section, const bb_override *ov, int n_ov, bb_config *cfg, char *err,
                size_t errcap)
{
    memset(cfg, 0, sizeof *cfg);
    err[0] = '\0';
    ctx c = {.file = path, .cfg = cfg, .err = err, .errcap = errcap};
    snprintf(cfg->file, sizeof cfg->file, "%s", path);
    {
        char folder[BB_PATH_MAX];
        const char *slash = strrchr(path, '/');
        snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        if (!realpath(slash == path ? "/" : folder, c.dir)) c.dir[0] = '\0'; /* then paths stay as written */
    }

    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open %s: %s", path, section ? "the run record" : "experiment file",
                 strerror(errno));
        return 2;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errcap, "%s:%d:%d: YAML syntax error: %s%s%s", path, (int)parser.problem_mark.line + 1,
                 (int)parser.problem_mark.column + 1, parser.problem ? parser.problem : "unknown",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        fclose(f);
        return 2;
    }
    apply_overrides(&c, ov, n_ov);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        add_err(&c, 0, 0, NULL, "%s: the experiment file is empty", path);
    else if (root->type != YAML_MAPPING_NODE)
        add_err(&c, (int)root->start_mark.line + 1, (int)root->start_mark.column + 1, NULL,
                "the experiment must be a mapping of sections");
    else if ((root = section_node(&c, &doc, root, section)))
        walk(&c, &doc, root, "");
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);

    for (size_t i = 0; i < bb_config_schema_len; i++) {
        const bb_key_spec *k = &bb_config_schema[i];
        if (c.set[i]) continue;
        if (k->required) {
            add_err(&c, 0, 0, k->key, "missing required key");
            continue;
        }
        set_value(&c, (int)i, k->def, 1, 0, 0);
        cfg->where[i] = (struct bb_config_where){0, 0, 0, 1};
    }
    if (c.nerr == 0) check_times(&c);
    if (c.nerr == 0) check_brain(&c);
    if (c.nerr == 0) check_task(&c);
    if (c.nerr == 0) check_control(&c);
    return c.nerr ? 2 : 0;
}

int bb_config_load(const char *path, const bb_override *ov, int n_ov, bb_config *cfg, char *err, size_t errcap)
{
    return load(path, NULL, ov, n_ov, cfg, err, errcap);
}

int bb_config_load_run_record(const char *path, bb_config *cfg, char *err, size_t errcap)
{
    return load(path, "config", NULL, 0, cfg, err, errcap);
}

const char *bb_config_where(const bb_config *cfg, const char *key, char *buf, size_t cap)
{
    int i = find_key(key);
    if (i < 0) snprintf(buf, cap, "%s: %s", cfg->file, key);
    else if (cfg->where[i].from_override) snprintf(buf, cap, "--set %s", key);
    else if (cfg->where[i].is_default) snprintf(buf, cap, "%s: %s (default)", cfg->file, key);
    else snprintf(buf, cap, "%s:%d:%d: %s", cfg->file, cfg->where[i].line, cfg->where[i].col, key);
    return buf;
}

/* Appends "where: why" for key to buf when the key was given (not left at its default). */
static int warn_if_given(const bb_config *cfg, const char *key, const char *why, char *buf, size_t cap)
{
    int i = find_key(key);
    if (i < 0 || cfg->where[i].is_default) return 0;
    char where[BB_PATH_MAX + 96];
    size_t len = strlen(buf);
    snprintf(buf + len, len < cap ? cap - len : 0, "%s: %s\n", bb_config_where(cfg, key, where, sizeof where), why);
    return 1;
}

int bb_config_warnings(const bb_config *cfg, char *buf, size_t cap)
{
    int n = 0;
    if (cap) buf[0] = '\0';
    if (cfg->world.treadmill && !strcmp(cfg->world.treadmill_drive, "free"))
        n += warn_if_given(cfg, "body.treadmill.speed_m_per_s",
                           "has no effect with body.treadmill.drive free (nothing drives the belt: the paws move it, "
                           "and its speed is the mouse's)",
                           buf, cap);
    return n;
}

static void write_value(const bb_key_spec *k, const bb_config *cfg, FILE *f)
{
    const char *field = (const char *)cfg + k->off;
    switch (k->type) {
    case BB_KEY_STR: case BB_KEY_ENUM: case BB_KEY_PATH_IN: case BB_KEY_PATH_OUT: case BB_KEY_MAP:
        fputc('"', f);
        for (const char *s = field; *s; s++) {
            if (*s == '"' || *s == '\\') fputc('\\', f);
            fputc(*s, f);
        }
        fputc('"', f);
        break;
    case BB_KEY_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)field); break;
    case BB_KEY_U32: fprintf(f, "%u", (unsigned)*(const uint32_t *)field); break;
    case BB_KEY_INT: fprintf(f, "%d", *(const int *)field); break;
    case BB_KEY_RANKS:
        if (*(const int *)field) fprintf(f, "%d", *(const int *)field);
        else fputs("auto", f);
        break;
    case BB_KEY_FLOAT: {
        /* shortest form that reads back to the same double */
        double x = *(const double *)field;
        char b[40];
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(b, sizeof b, "%.*g", prec, x);
            if (strtod(b, NULL) == x) break;
        }
        fputs(b, f);
        break;
    }
    case BB_KEY_BOOL: fputs(*(const int *)field ? "true" : "false", f); break;
    }
}

void bb_config_write_yaml(const bb_config *cfg, FILE *f, int indent)
{
    char section[64] = "";
    for (size_t i = 0; i < bb_config_schema_len; i++) {
        const bb_key_spec *k = &bb_config_schema[i];
        const char *dot = strchr(k->key, '.');
        size_t sl = (size_t)(dot - k->key);
        if (strlen(section) != sl || strncmp(section, k->key, sl) != 0) {
            snprintf(section, sizeof section, "%.*s", (int)sl, k->key);
            fprintf(f, "%*s%s:\n", indent, "", section);
        }
        fprintf(f, "%*s  %s: ", indent, "", dot + 1);
        write_value(k, cfg, f);
        fputc('\n', f);
    }
}

size_t bb_config_n_keys(void) { return bb_config_schema_len; }
const char *bb_config_key_name(size_t i) { return i < bb_config_schema_len ? bb_config_schema[i].key : NULL; }
