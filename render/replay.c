/* Reading a run's output folder back (docs/recording.md describes the files). */
#include "replay.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Reads dataset name of file into a new buffer of n_rows x width values of
 * mem_type (elem bytes each). width 0: a 1-D dataset. *width_out, when not
 * NULL, receives the dataset's width (any width accepted). */
static void *read_series(hid_t file, const char *path, const char *name, hid_t mem_type, size_t elem,
                         uint32_t n_rows, uint32_t width, uint32_t *width_out, char *err, size_t cap)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) {
        snprintf(err, cap, "%s: no dataset %s", path, name);
        return NULL;
    }
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    int rank = H5Sget_simple_extent_ndims(s);
    if (rank >= 1 && rank <= 2) H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s);
    uint32_t want_rank = (width || width_out) ? 2 : 1;
    if (rank != (int)want_rank || dims[0] != n_rows || (width && dims[1] != width)) {
        snprintf(err, cap, "%s: %s has shape %llu x %llu, expected %u rows%s", path, name,
                 (unsigned long long)dims[0], (unsigned long long)dims[1], n_rows,
                 width ? " of the model's width" : "");
        H5Dclose(d);
        return NULL;
    }
    size_t n = (size_t)n_rows * (rank == 2 ? dims[1] : 1);
    void *buf = malloc(n ? n * elem : 1);
    if (!buf || (n && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)) {
        snprintf(err, cap, "%s: cannot read %s", path, name);
        free(buf);
        H5Dclose(d);
        return NULL;
    }
    H5Dclose(d);
    if (width_out) *width_out = (uint32_t)dims[1];
    return buf;
}

static uint32_t n_rows_of(hid_t file)
{
    hid_t d = H5Dopen2(file, "/time", H5P_DEFAULT);
    if (d < 0) return 0;
    hid_t s = H5Dget_space(d);
    hsize_t n = 0;
    if (H5Sget_simple_extent_ndims(s) == 1) H5Sget_simple_extent_dims(s, &n, NULL);
    H5Sclose(s);
    H5Dclose(d);
    return (uint32_t)n;
}

static int read_body(bb_replay *r, char *err, size_t cap)
{
    char path[BB_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/body.h5", r->dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, cap, "%s: cannot open (the run must record the body: recording.body: true)", path);
        return -1;
    }
    int rc = -1;
    r->n_rows = n_rows_of(f);
    if (!r->n_rows) {
        snprintf(err, cap, "%s: no rows in /time (the run recorded nothing before it stopped)", path);
        goto out;
    }
    const uint32_t n = r->n_rows;
    if (!(r->time = read_series(f, path, "/time", H5T_NATIVE_DOUBLE, 8, n, 0, NULL, err, cap))) goto out;
    if (!(r->qpos = read_series(f, path, "/body/qpos", H5T_NATIVE_DOUBLE, 8, n, 0, &r->nq, err, cap))) goto out;
    htri_t has_qvel = H5Lexists(f, "/body/qvel", H5P_DEFAULT);
    if (has_qvel > 0 &&
        !(r->qvel = read_series(f, path, "/body/qvel", H5T_NATIVE_DOUBLE, 8, n, 0, &r->nv, err, cap)))
        goto out;
    if (!(r->activation =
              read_series(f, path, "/muscles/activation", H5T_NATIVE_FLOAT, 4, n, 0, &r->n_muscles, err, cap)) ||
        !(r->excitation =
              read_series(f, path, "/muscles/excitation", H5T_NATIVE_FLOAT, 4, n, r->n_muscles, NULL, err, cap)) ||
        !(r->merkel = read_series(f, path, "/touch/merkel", H5T_NATIVE_FLOAT, 4, n, 0, &r->n_taxels, err, cap)) ||
        !(r->paw_contact =
              read_series(f, path, "/touch/paw_contact", H5T_NATIVE_UINT8, 1, n, 0, &r->n_grids, err, cap)))
        goto out;
    for (uint32_t k = 1; k < n; k++)
        if (!(r->time[k] > r->time[k - 1])) {
            snprintf(err, cap, "%s: /time is not increasing at row %u", path, k);
            goto out;
        }
    rc = 0;
out:
    H5Fclose(f);
    return rc;
}

static int read_spikes(bb_replay *r, char *err, size_t cap)
{
    char path[BB_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/spikes.h5", r->dir);
    if (!r->cfg.record_spikes) return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, cap, "%s: cannot open", path);
        return -1;
    }
    int rc = -1;
    const char *ts = "/spikes/output_cells/timestamps", *ids = "/spikes/output_cells/node_ids";
    hid_t d = H5Dopen2(f, ts, H5P_DEFAULT);
    hsize_t n = 0;
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        if (H5Sget_simple_extent_ndims(s) == 1) H5Sget_simple_extent_dims(s, &n, NULL);
        H5Sclose(s);
        H5Dclose(d);
    }
    if (d < 0 || n > UINT32_MAX) {
        snprintf(err, cap, "%s: no readable %s", path, ts);
        goto out;
    }
    r->n_spikes = n;
    if (!(r->spike_ms = read_series(f, path, ts, H5T_NATIVE_DOUBLE, 8, (uint32_t)n, 0, NULL, err, cap)) ||
        !(r->spike_node = read_series(f, path, ids, H5T_NATIVE_UINT32, 4, (uint32_t)n, 0, NULL, err, cap)))
        goto out;
    for (uint64_t k = 0; k < n; k++) {
        if (r->spike_node[k] >= r->n_cells || (k && r->spike_ms[k] < r->spike_ms[k - 1])) {
            snprintf(err, cap, "%s: spike %llu (node %u at %.3f ms) is %s", path, (unsigned long long)k,
                     r->spike_node[k], r->spike_ms[k],
                     r->spike_node[k] >= r->n_cells ? "not an output cell" : "out of time order");
            goto out;
        }
    }
    rc = 0;
out:
    H5Fclose(f);
    return rc;
}

/* run.yaml's pools: block (name: [first, count]); absent is fine. */
static int read_pools(bb_replay *r, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    yaml_parser_t p;
    yaml_document_t doc;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int rc = 0;
    if (!yaml_parser_load(&p, &doc)) {
        snprintf(err, cap, "%s:%d: YAML syntax error", path, (int)p.problem_mark.line + 1);
        yaml_parser_delete(&p);
        fclose(f);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    for (yaml_node_pair_t *q = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
         q && q < root->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(&doc, q->key), *v = yaml_document_get_node(&doc, q->value);
        if (k->type != YAML_SCALAR_NODE || strcmp((char *)k->data.scalar.value, "pools") ||
            v->type != YAML_MAPPING_NODE)
            continue;
        size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        r->pools = calloc(n + 1, sizeof *r->pools);
        if (!r->pools) {
            snprintf(err, cap, "out of memory");
            rc = -1;
            break;
        }
        for (yaml_node_pair_t *e = v->data.mapping.pairs.start; e < v->data.mapping.pairs.top; e++) {
            yaml_node_t *pk = yaml_document_get_node(&doc, e->key), *pv = yaml_document_get_node(&doc, e->value);
            unsigned first = 0, count = 0;
            int ok = pk->type == YAML_SCALAR_NODE && pv->type == YAML_SEQUENCE_NODE &&
                     pv->data.sequence.items.top - pv->data.sequence.items.start == 2;
            if (ok) {
                yaml_node_t *a = yaml_document_get_node(&doc, pv->data.sequence.items.start[0]);
                yaml_node_t *b = yaml_document_get_node(&doc, pv->data.sequence.items.start[1]);
                ok = a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
                     sscanf((char *)a->data.scalar.value, "%u", &first) == 1 &&
                     sscanf((char *)b->data.scalar.value, "%u", &count) == 1 &&
                     (uint64_t)first + count <= UINT32_MAX;
            }
            if (!ok) {
                snprintf(err, cap, "%s:%d: pools: expected name: [first, count]", path,
                         (int)pk->start_mark.line + 1);
                rc = -1;
                break;
            }
            bb_replay_pool *pool = &r->pools[r->n_pools++];
            snprintf(pool->name, sizeof pool->name, "%s", (char *)pk->data.scalar.value);
            pool->first = first, pool->count = count;
            if (first + count > r->n_cells) r->n_cells = first + count; /* spinal pools follow the cortex's */
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    fclose(f);
    return rc;
}

static int read_events(bb_replay *r, char *err, size_t cap)
{
    char path[BB_PATH_MAX + 16], line[512];
    snprintf(path, sizeof path, "%s/events.tsv", r->dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    uint32_t capn = 0, lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        if (++lineno == 1) continue; /* header */
        bb_replay_event e = {0};
        if (sscanf(line, "%lf\t%23[^\t\n]", &e.t, e.name) != 2) {
            snprintf(err, cap, "%s:%u: expected time_s<TAB>event", path, lineno);
            rc = -1;
            break;
        }
        if (r->n_events == capn) {
            capn = capn ? 2 * capn : 64;
            bb_replay_event *g = realloc(r->events, capn * sizeof *g);
            if (!g) {
                snprintf(err, cap, "out of memory");
                rc = -1;
                break;
            }
            r->events = g;
        }
        r->events[r->n_events++] = e;
    }
    fclose(f);
    return rc;
}

int bb_replay_open(const char *dir, bb_replay *r, char *err, size_t cap)
{
    memset(r, 0, sizeof *r);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char path[BB_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/run.yaml", dir);
    if (bb_config_load_run_record(path, &r->cfg, err, cap)) return -1;
    r->n_cells = r->cfg.output_cells;
    if (read_pools(r, path, err, cap) || read_body(r, err, cap) || read_spikes(r, err, cap) ||
        read_events(r, err, cap)) {
        bb_replay_close(r);
        return -1;
    }
    return 0;
}

void bb_replay_close(bb_replay *r)
{
    free(r->time);
    free(r->qpos);
    free(r->qvel);
    free(r->activation);
    free(r->excitation);
    free(r->merkel);
    free(r->paw_contact);
    free(r->spike_ms);
    free(r->spike_node);
    free(r->pools);
    free(r->events);
    memset(r, 0, sizeof *r);
}

uint32_t bb_replay_row_at(const bb_replay *r, double t)
{
    uint32_t lo = 0, hi = r->n_rows; /* first row with time > t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->time[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo ? lo - 1 : 0;
}

uint64_t bb_replay_first_spike(const bb_replay *r, double t_ms)
{
    uint64_t lo = 0, hi = r->n_spikes;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (r->spike_ms[mid] < t_ms) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}
