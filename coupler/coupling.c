/* The efferent coupling map (docs/coupling.md). A map file:
 *
 *   gain_spikes: 10            # spikes per interval at which a pathway saturates
 *   pathways:
 *     - pool: M1L_forelimb     # an output pool of the brain
 *       regions: [forelimb]    # optional: only muscles of these body regions
 *       muscles: ["R_*"]       # names or fnmatch patterns of the body's muscles
 *       weight: 1              # optional, default 1
 *       gain_spikes: 10        # optional, default the map's
 *       delay_intervals: 0     # optional: extra conduction delay in intervals
 *       enabled: true          # optional: false lesions the pathway
 *
 * A muscle's excitation is the sum over its pathways of weight x pool count
 * (delay intervals ago) / gain_spikes, clipped to [0, 1]. */
#include "coupling.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "suggest.h"

#define MAX_DELAY 1000

typedef struct parse {
    const char *path;
    yaml_document_t *doc;
    bb_coupling *c;
    const bb_pools *pools;
    const bb_body_role *body;
    uint32_t n_muscles;
    char *err;
    size_t cap;
    uint32_t targets_cap;
} parse;

__attribute__((format(printf, 4, 5))) static int fail(parse *p, const yaml_node_t *at, const char *field,
                                                      const char *fmt, ...)
{
    int n = at ? snprintf(p->err, p->cap, "%s:%d:%d: %s: ", p->path, (int)at->start_mark.line + 1,
                          (int)at->start_mark.column + 1, field)
               : snprintf(p->err, p->cap, "%s: %s: ", p->path, field);
    if (n < 0 || (size_t)n >= p->cap) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->cap - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *get(parse *p, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, q->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return yaml_document_get_node(p->doc, q->value);
    }
    return NULL;
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int number(parse *p, yaml_node_t *n, const char *field, double lo, double hi, double *out)
{
    char *end;
    if (n->type != YAML_SCALAR_NODE) return fail(p, n, field, "expected a number");
    *out = strtod(scalar(n), &end);
    if (end == scalar(n) || *end || !(*out >= lo && *out <= hi))
        return fail(p, n, field, "'%s' is not a number in [%g, %g]", scalar(n), lo, hi);
    return 0;
}

static int only_keys(parse *p, yaml_node_t *map, const char *field, const char *const *allowed)
{
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, q->key);
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), *a);
        if (!ok) return fail(p, k, field, "unknown key '%s'", k->type == YAML_SCALAR_NODE ? scalar(k) : "?");
    }
    return 0;
}

/* " (nearest: a, b, c)" from the body's muscle names */
static void nearest_muscles(const parse *p, const char *name, char *out, size_t cap)
{
    uint32_t best[3] = {0, 0, 0};
    size_t dist[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    for (uint32_t m = 0; m < p->n_muscles; m++) {
        size_t d = bb_edit_distance(name, p->body->muscle_name(p->body->ctx, m));
        for (int k = 0; k < 3; k++)
            if (d < dist[k]) {
                for (int j = 2; j > k; j--) dist[j] = dist[j - 1], best[j] = best[j - 1];
                dist[k] = d, best[k] = m;
                break;
            }
    }
    snprintf(out, cap, " (nearest: %s, %s, %s)", p->body->muscle_name(p->body->ctx, best[0]),
             p->n_muscles > 1 ? p->body->muscle_name(p->body->ctx, best[1]) : "-",
             p->n_muscles > 2 ? p->body->muscle_name(p->body->ctx, best[2]) : "-");
}

static int in_regions(parse *p, yaml_node_t *regions, uint32_t m)
{
    if (!regions) return 1;
    const char *r = p->body->muscle_region ? p->body->muscle_region(p->body->ctx, m) : "unassigned";
    for (yaml_node_item_t *i = regions->data.sequence.items.start; i < regions->data.sequence.items.top; i++)
        if (!strcmp(scalar(yaml_document_get_node(p->doc, *i)), r)) return 1;
    return 0;
}

static int add_target(parse *p, uint32_t m)
{
    bb_coupling *c = p->c;
    if (c->paths[c->n_paths].n + c->paths[c->n_paths].first >= p->targets_cap) {
        uint32_t ncap = p->targets_cap * 2 + 1024;
        uint32_t *t = realloc(c->targets, ncap * sizeof *t);
        if (!t) return -1;
        c->targets = t;
        p->targets_cap = ncap;
    }
    c->targets[c->paths[c->n_paths].first + c->paths[c->n_paths].n++] = m;
    return 0;
}

static int muscles_of(parse *p, yaml_node_t *muscles, yaml_node_t *regions, const char *field)
{
    if (!muscles || muscles->type != YAML_SEQUENCE_NODE) return fail(p, muscles, field, "expected a list of muscles");
    if (regions && regions->type != YAML_SEQUENCE_NODE) return fail(p, regions, field, "regions: expected a list");
    for (yaml_node_item_t *i = muscles->data.sequence.items.start; i < muscles->data.sequence.items.top; i++) {
        yaml_node_t *n = yaml_document_get_node(p->doc, *i);
        if (n->type != YAML_SCALAR_NODE) return fail(p, n, field, "expected a muscle name or pattern");
        const char *pat = scalar(n);
        int matched = 0;
        for (uint32_t m = 0; m < p->n_muscles; m++)
            if (!fnmatch(pat, p->body->muscle_name(p->body->ctx, m), 0) && in_regions(p, regions, m)) {
                int dup = 0; /* a muscle listed twice in one pathway counts once */
                const bb_pathway *w = &p->c->paths[p->c->n_paths];
                for (uint32_t k = w->first; k < w->first + w->n && !dup; k++) dup = p->c->targets[k] == m;
                if (!dup && add_target(p, m)) return fail(p, n, field, "out of memory");
                matched++;
            }
        if (!matched) {
            char near[512] = "";
            if (!strpbrk(pat, "*?[")) nearest_muscles(p, pat, near, sizeof near);
            return fail(p, n, field, "'%s' matches no muscle of the body%s%s", pat, regions ? " in these regions" : "",
                        near);
        }
    }
    return 0;
}

static int pathway(parse *p, yaml_node_t *n, uint32_t index, double map_gain)
{
    char field[64];
    snprintf(field, sizeof field, "pathways[%u]", index);
    if (n->type != YAML_MAPPING_NODE) return fail(p, n, field, "expected a mapping");
    static const char *const keys[] = {"pool", "regions", "muscles", "weight", "gain_spikes", "delay_intervals",
                                       "enabled", NULL};
    if (only_keys(p, n, field, keys)) return -1;
    bb_coupling *c = p->c;
    bb_pathway *w = &c->paths[c->n_paths];
    *w = (bb_pathway){.first = c->n_paths ? c->paths[c->n_paths - 1].first + c->paths[c->n_paths - 1].n : 0,
                      .enabled = 1};
    yaml_node_t *pool = get(p, n, "pool");
    if (!pool || pool->type != YAML_SCALAR_NODE) return fail(p, pool ? pool : n, field, "needs a pool name");
    uint32_t k = 0;
    while (k < p->pools->n && strcmp(p->pools->pool[k].name, scalar(pool))) k++;
    if (k == p->pools->n) {
        char list[BB_MAX_POOLS * (BB_POOL_NAME + 2)] = "";
        for (uint32_t j = 0; j < p->pools->n; j++)
            strcat(strcat(list, j ? ", " : ""), p->pools->pool[j].name);
        return fail(p, pool, field, "the brain has no pool '%s' (its pools: %s)", scalar(pool), list);
    }
    w->pool = k;
    double weight = 1, gain = map_gain, delay = 0;
    yaml_node_t *x;
    if ((x = get(p, n, "weight")) && number(p, x, field, -1e6, 1e6, &weight)) return -1;
    if ((x = get(p, n, "gain_spikes")) && number(p, x, field, 1e-9, 1e9, &gain)) return -1;
    if ((x = get(p, n, "delay_intervals")) &&
        (number(p, x, field, 0, MAX_DELAY, &delay) || delay != (double)(uint32_t)delay))
        return fail(p, x, field, "delay_intervals: a whole number 0..%d", MAX_DELAY);
    if ((x = get(p, n, "enabled"))) {
        if (x->type != YAML_SCALAR_NODE || (strcmp(scalar(x), "true") && strcmp(scalar(x), "false")))
            return fail(p, x, field, "enabled: expected true or false");
        w->enabled = !strcmp(scalar(x), "true");
    }
    w->weight_per_spike = (float)(weight / gain);
    w->delay = (uint32_t)delay;
    if (w->delay + 1 > c->ring) c->ring = w->delay + 1;
    if (muscles_of(p, get(p, n, "muscles"), get(p, n, "regions"), field)) return -1;
    c->n_paths++;
    return 0;
}

static int read_map(parse *p, yaml_node_t *root)
{
    if (!root || root->type != YAML_MAPPING_NODE) return fail(p, root, "map", "expected a mapping with pathways");
    static const char *const keys[] = {"gain_spikes", "pathways", NULL};
    if (only_keys(p, root, "map", keys)) return -1;
    double gain = 10;
    yaml_node_t *g = get(p, root, "gain_spikes");
    if (g && number(p, g, "gain_spikes", 1e-9, 1e9, &gain)) return -1;
    yaml_node_t *list = get(p, root, "pathways");
    if (!list || list->type != YAML_SEQUENCE_NODE) return fail(p, list ? list : root, "pathways", "expected a list");
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    p->c->paths = calloc(n + 1, sizeof *p->c->paths);
    if (!p->c->paths) return fail(p, NULL, "pathways", "out of memory");
    uint32_t i = 0;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, i++)
        if (pathway(p, yaml_document_get_node(p->doc, *it), i, gain)) return -1;
    return 0;
}

static int apply_lesion(parse *p, const char *lesion)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", lesion);
    char *save = NULL;
    for (char *name = strtok_r(buf, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        uint32_t k = 0;
        while (k < p->pools->n && strcmp(p->pools->pool[k].name, name)) k++;
        if (k == p->pools->n) {
            snprintf(p->err, p->cap, "coupling.lesion: the brain has no pool '%s'", name);
            return -1;
        }
        for (uint32_t i = 0; i < p->c->n_paths; i++)
            if (p->c->paths[i].pool == k) p->c->paths[i].enabled = 0;
    }
    return 0;
}

int bb_coupling_load(bb_coupling *c, const char *path, const bb_pools *pools, uint32_t n_cells,
                     const bb_body_role *body, const char *lesion, char *err, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->ring = 1;
    c->n_cells = n_cells;
    c->n_muscles = body->sizes.n_muscles;
    c->n_pools = pools->n;
    parse p = {.path = path, .c = c, .pools = pools, .body = body, .n_muscles = body->sizes.n_muscles,
               .err = err, .cap = cap};
    if (!body->muscle_name) {
        snprintf(err, cap, "%s: the body does not name its muscles", path);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: cannot open coupling map", path);
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = -1;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, cap, "%s:%d:%d: YAML syntax error: %s", path, (int)parser.problem_mark.line + 1,
                 (int)parser.problem_mark.column + 1, parser.problem ? parser.problem : "unknown");
    } else {
        p.doc = &doc;
        rc = read_map(&p, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (!rc) rc = apply_lesion(&p, lesion);
    for (uint32_t i = 0; !rc && i < c->n_paths; i++) {
        c->paths[i].weight_cfg = c->paths[i].weight_per_spike;
        c->paths[i].enabled_cfg = c->paths[i].enabled;
    }
    if (!rc) {
        c->pool_of_cell = malloc(n_cells ? n_cells : 1);
        c->counts = calloc((size_t)c->ring * (pools->n ? pools->n : 1), sizeof *c->counts);
        if (!c->pool_of_cell || !c->counts) {
            snprintf(err, cap, "out of memory");
            rc = -1;
        } else {
            memset(c->pool_of_cell, 255, n_cells);
            for (uint32_t k = 0; k < pools->n; k++) {
                snprintf(c->pool_names[k], BB_POOL_NAME, "%s", pools->pool[k].name);
                for (uint32_t i = pools->pool[k].first; i < pools->pool[k].first + pools->pool[k].count && i < n_cells;
                     i++)
                    c->pool_of_cell[i] = (uint8_t)k;
            }
        }
    }
    if (rc) bb_coupling_free(c);
    return rc;
}

static int pool_index(const bb_coupling *c, const char *pool)
{
    for (uint32_t k = 0; k < c->n_pools; k++)
        if (!strcmp(c->pool_names[k], pool)) return (int)k;
    return -1;
}

int bb_coupling_lesion(bb_coupling *c, const char *pool, int lesioned)
{
    int k = pool_index(c, pool);
    if (k < 0) return -1;
    for (uint32_t i = 0; i < c->n_paths; i++)
        if (c->paths[i].pool == (uint32_t)k) c->paths[i].enabled = lesioned ? 0 : c->paths[i].enabled_cfg;
    return 0;
}

int bb_coupling_set_gain(bb_coupling *c, const char *pool, double factor)
{
    int k = pool ? pool_index(c, pool) : -1;
    if (pool && k < 0) return -1;
    for (uint32_t i = 0; i < c->n_paths; i++)
        if (!pool || c->paths[i].pool == (uint32_t)k) c->paths[i].weight_per_spike = (float)(c->paths[i].weight_cfg * factor);
    return 0;
}

void bb_coupling_free(bb_coupling *c)
{
    free(c->pool_of_cell);
    free(c->counts);
    free(c->paths);
    free(c->targets);
    memset(c, 0, sizeof *c);
}

void bb_coupling_apply(bb_coupling *c, const bb_spike *spikes, uint32_t n, float *excitation)
{
    uint32_t *now = c->counts + (size_t)(c->k % c->ring) * c->n_pools;
    memset(now, 0, c->n_pools * sizeof *now);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t src = spikes[i].source;
        if (src < c->n_cells && c->pool_of_cell[src] != 255) now[c->pool_of_cell[src]]++;
    }
    memset(excitation, 0, c->n_muscles * sizeof *excitation);
    for (uint32_t p = 0; p < c->n_paths; p++) {
        const bb_pathway *w = &c->paths[p];
        if (!w->enabled || w->delay > c->k) continue; /* nothing sent that long ago yet */
        uint32_t count = c->counts[(size_t)((c->k - w->delay) % c->ring) * c->n_pools + w->pool];
        float drive = w->weight_per_spike * (float)count;
        for (uint32_t t = w->first; t < w->first + w->n; t++) excitation[c->targets[t]] += drive;
    }
    for (uint32_t m = 0; m < c->n_muscles; m++)
        excitation[m] = excitation[m] < 0 ? 0 : excitation[m] > 1 ? 1 : excitation[m];
    c->k++;
}

/* The index of the pool named like pools' p with from replaced by to at its end, or -1. */
static int32_t swapped_pool(const bb_coupling *c, uint32_t p, const char *from, const char *to)
{
    const char *name = c->pool_names[p];
    size_t n = strlen(name), nf = strlen(from);
    if (n < nf || strcmp(name + n - nf, from)) return -1;
    char want[BB_POOL_NAME + 16];
    snprintf(want, sizeof want, "%.*s%s", (int)(n - nf), name, to);
    return pool_index(c, want);
}

void bb_coupling_antagonists(const bb_coupling *c, int32_t *antagonist, uint32_t *pool_cells)
{
    for (uint32_t m = 0; m < c->n_muscles; m++) antagonist[m] = -1;
    memset(pool_cells, 0, c->n_pools * sizeof *pool_cells);
    for (uint32_t i = 0; i < c->n_cells; i++)
        if (c->pool_of_cell[i] != 255) pool_cells[c->pool_of_cell[i]]++;
    for (uint32_t p = 0; p < c->n_paths; p++) {
        const bb_pathway *w = &c->paths[p];
        int32_t other = swapped_pool(c, w->pool, "_flexor", "_extensor");
        if (other < 0) other = swapped_pool(c, w->pool, "_extensor", "_flexor");
        if (other < 0) continue;
        for (uint32_t t = w->first; t < w->first + w->n; t++) {
            int32_t *a = &antagonist[c->targets[t]];
            if (*a == -1) *a = other;
            else if (*a != other) *a = -2; /* driven by both halves: no antagonist */
        }
    }
    for (uint32_t m = 0; m < c->n_muscles; m++)
        if (antagonist[m] < 0) antagonist[m] = -1;
}

const uint32_t *bb_coupling_last_counts(const bb_coupling *c)
{
    return c->counts + (size_t)((c->k + c->ring - 1) % c->ring) * c->n_pools;
}

int bb_coupling_state(bb_coupling *c, bb_state_io *io)
{
    return bb_state_same(io, "coupling.ring", c->ring) || bb_state_same(io, "coupling.pools", c->n_pools) ||
                   bb_state_same(io, "coupling.pathways", c->n_paths) ||
                   bb_state_field(io, "coupling.k", &c->k, sizeof c->k) ||
                   bb_state_field(io, "coupling.counts", c->counts,
                                  (size_t)c->ring * c->n_pools * sizeof *c->counts) ||
                   bb_state_field(io, "coupling.paths", c->paths, c->n_paths * sizeof *c->paths)
               ? -1
               : 0;
}
