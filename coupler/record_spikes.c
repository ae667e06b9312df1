/* SONATA spike file (AllenInstitute/sonata, SONATA_DEVELOPER_GUIDE.md,
 * "Spike file"): root attributes magic = 0x0A7A and version = [0, 1];
 * group /spikes/<population> with attribute sorting (enum none, by_id,
 * by_time; ours are by_time), datasets timestamps (float64, units "ms") and
 * node_ids (uint64), both chunked and extended at every flush. */
#include "record_spikes.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"

/* Spikes per chunk (16 KB a dataset): a flush must find room for every
 * chunk it touches (bb_h5_room), in every population. */
#define CHUNK 2048

typedef struct population {
    hid_t ts, ids;
    double *buf_t;
    uint64_t *buf_id;
    size_t n_buf, cap_buf;
    uint64_t written;
    unsigned long long chunk; /* spikes per chunk, as the file has it */
} population;

struct bb_spike_file {
    hid_t file;
    char path[1024];
    double dt_ms;
    population *pop;
    int n_pops;
    int broken; /* a write failed: the file is left as its last flush wrote it */
};

static int h5fail(const char *path, const char *what, char *err, size_t cap)
{
    snprintf(err, cap, "%s: cannot %s (HDF5)", path, what);
    return -1;
}

static int put_attr(hid_t obj, const char *name, hid_t type, hsize_t n, const void *value)
{
    hid_t space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}


static hid_t make_dataset(hid_t group, const char *name, hid_t type)
{
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = CHUNK;
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t props = bb_h5_untimed(H5P_DATASET_CREATE);
    H5Pset_chunk(props, 1, &chunk);
    H5Pset_shuffle(props); /* times and ids compress well once byte-shuffled */
    H5Pset_deflate(props, 1);
    hid_t d = H5Dcreate2(group, name, type, space, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    H5Sclose(space);
    return d;
}

static int write_population(hid_t spikes, population *p, const char *name)
{
    hid_t pop = bb_h5_group(spikes, name);
    int rc = pop < 0 ? -1 : 0;
    if (!rc) {
        hid_t sorting = H5Tenum_create(H5T_NATIVE_UINT8);
        uint8_t v = 0;
        H5Tenum_insert(sorting, "none", &v);
        v = 1;
        H5Tenum_insert(sorting, "by_id", &v);
        v = 2;
        H5Tenum_insert(sorting, "by_time", &v);
        rc = put_attr(pop, "sorting", sorting, 1, &v); /* v = by_time */
        H5Tclose(sorting);
        p->ts = make_dataset(pop, "timestamps", H5T_IEEE_F64LE);
        p->ids = make_dataset(pop, "node_ids", H5T_STD_U64LE);
        hid_t str = H5Tcopy(H5T_C_S1);
        H5Tset_size(str, 3);
        if (rc || p->ts < 0 || p->ids < 0 || put_attr(p->ts, "units", str, 1, "ms")) rc = -1;
        if (!rc) p->chunk = bb_h5_chunk_rows(p->ts);
        H5Tclose(str);
    }
    if (pop >= 0) H5Gclose(pop);
    return rc;
}

static int write_layout(bb_spike_file *f, const char *const *names)
{
    uint32_t magic = 0x0A7A, version[2] = {0, 1};
    if (put_attr(f->file, "magic", H5T_NATIVE_UINT32, 1, &magic) || put_attr(f->file, "version", H5T_NATIVE_UINT32, 2, version))
        return -1;
    hid_t spikes = bb_h5_group(f->file, "spikes");
    int rc = spikes < 0 ? -1 : 0;
    for (int i = 0; !rc && i < f->n_pops; i++) rc = write_population(spikes, &f->pop[i], names[i]);
    if (spikes >= 0) H5Gclose(spikes);
    return rc;
}

bb_spike_file *bb_spike_file_create(const char *path, const char *population, double dt_ms, char *err, size_t cap)
{
    return bb_spike_file_create_many(path, &population, 1, dt_ms, err, cap);
}

/* A spike file object of n populations, its file not yet created or opened. */
static bb_spike_file *new_file(const char *path, int n, double dt_ms, char *err, size_t cap)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages, not HDF5's stack dumps */
    bb_spike_file *f = calloc(1, sizeof *f);
    if (!f || !(f->pop = calloc((size_t)(n > 0 ? n : 1), sizeof *f->pop))) {
        free(f);
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    f->dt_ms = dt_ms;
    f->n_pops = n;
    for (int i = 0; i < n; i++) f->pop[i].ts = f->pop[i].ids = -1;
    return f;
}

bb_spike_file *bb_spike_file_create_many(const char *path, const char *const *populations, int n, double dt_ms,
                                         char *err, size_t cap)
{
    bb_spike_file *f = new_file(path, n, dt_ms, err, cap);
    if (!f) return NULL;
    hid_t fcpl = bb_h5_untimed(H5P_FILE_CREATE);
    f->file = H5Fcreate(path, H5F_ACC_EXCL, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (f->file < 0) {
        h5fail(path, "create the spike file", err, cap);
        bb_spike_file_close(f, err, 0); /* frees the populations too */
        return NULL;
    }
    if (write_layout(f, populations)) {
        h5fail(path, "write the SONATA layout", err, cap);
        bb_spike_file_close(f, err, 0);
        return NULL;
    }
    if (bb_spike_file_flush(f, err, cap)) { /* a readable file from the start */
        bb_spike_file_close(f, err, 0);
        return NULL;
    }
    return f;
}

bb_spike_file *bb_spike_file_open_many(const char *path, const char *const *populations, int n, double dt_ms,
                                       char *err, size_t cap)
{
    bb_spike_file *f = new_file(path, n, dt_ms, err, cap);
    if (!f) return NULL;
    f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    int ok = f->file >= 0;
    for (int i = 0; ok && i < n; i++) {
        char name[512];
        snprintf(name, sizeof name, "/spikes/%s/timestamps", populations[i]);
        f->pop[i].ts = H5Dopen2(f->file, name, H5P_DEFAULT);
        snprintf(name, sizeof name, "/spikes/%s/node_ids", populations[i]);
        f->pop[i].ids = H5Dopen2(f->file, name, H5P_DEFAULT);
        ok = f->pop[i].ts >= 0 && f->pop[i].ids >= 0;
        if (ok) f->pop[i].chunk = bb_h5_chunk_rows(f->pop[i].ts);
    }
    if (!ok) {
        h5fail(path, "open the spike file to continue it", err, cap);
        bb_spike_file_close(f, err, 0);
        return NULL;
    }
    return f;
}

static hsize_t rows_of(hid_t d)
{
    hid_t sp = H5Dget_space(d);
    hsize_t n = 0;
    if (sp >= 0) H5Sget_simple_extent_dims(sp, &n, NULL), H5Sclose(sp);
    return n;
}

int bb_spike_file_state(bb_spike_file *f, bb_state_io *io)
{
    if (bb_state_same(io, "spikes.populations", (uint64_t)f->n_pops)) return -1;
    for (int i = 0; i < f->n_pops; i++) {
        population *p = &f->pop[i];
        if (!io->restoring && p->n_buf) {
            snprintf(io->why, sizeof io->why, "%s: spikes not flushed before the checkpoint", f->path);
            return -1;
        }
        uint64_t n = p->written;
        if (bb_state_u64(io, "spikes.written", &n)) return -1;
        if (!io->restoring) continue;
        hsize_t have = rows_of(p->ts), cut = n;
        if (have < n || rows_of(p->ids) < n) {
            snprintf(io->why, sizeof io->why, "%s holds %llu spikes, fewer than the %llu at the checkpoint", f->path,
                     (unsigned long long)have, (unsigned long long)n);
            return -1;
        }
        if (H5Dset_extent(p->ts, &cut) < 0 || H5Dset_extent(p->ids, &cut) < 0) {
            snprintf(io->why, sizeof io->why, "%s: cannot cut back to the checkpoint (HDF5)", f->path);
            return -1;
        }
        p->written = n;
        p->n_buf = 0;
    }
    return 0;
}

int bb_spike_file_add(bb_spike_file *f, const bb_interval *iv, const bb_spike *s, uint32_t n, char *err, size_t cap)
{
    for (uint32_t i = 0; i < n; i++)
        if (bb_spike_file_add_one(f, 0, iv->start_step + s[i].offset, s[i].source, err, cap)) return -1;
    return 0;
}

int bb_spike_file_add_one(bb_spike_file *f, int pop, uint64_t step, uint64_t node_id, char *err, size_t cap)
{
    population *p = &f->pop[pop];
    if (p->n_buf == p->cap_buf) {
        size_t ncap = p->cap_buf * 2 + 1024;
        double *t = realloc(p->buf_t, ncap * sizeof *t);
        if (t) p->buf_t = t;
        uint64_t *id = t ? realloc(p->buf_id, ncap * sizeof *id) : NULL;
        if (!t || !id) {
            snprintf(err, cap, "%s: out of memory buffering %zu spikes", f->path, ncap);
            return -1;
        }
        p->buf_id = id;
        p->cap_buf = ncap;
    }
    /* integer step first, one rounding to ms: no drift over long runs */
    p->buf_t[p->n_buf] = (double)step * f->dt_ms;
    p->buf_id[p->n_buf++] = node_id;
    return 0;
}

static int append(hid_t d, hid_t type, hsize_t at, hsize_t n, const void *data)
{
    hsize_t size = at + n;
    if (H5Dset_extent(d, &size) < 0) return -1;
    hid_t file_space = H5Dget_space(d);
    hid_t mem_space = H5Screate_simple(1, &n, NULL);
    herr_t rc = H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &at, NULL, &n, NULL);
    if (rc >= 0) rc = H5Dwrite(d, type, mem_space, file_space, H5P_DEFAULT, data);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    return rc < 0 ? -1 : 0;
}

/* A write failed: the file keeps its last flush (h5util.h). */
static int broken(bb_spike_file *f, const char *what, char *err, size_t cap)
{
    f->broken = 1;
    bb_h5_detach(f->file);
    return h5fail(f->path, what, err, cap);
}

int bb_spike_file_flush(bb_spike_file *f, char *err, size_t cap)
{
    if (f->broken) return h5fail(f->path, "write after an earlier failure", err, cap);
    unsigned long long most = BB_H5_METADATA_ROOM;
    for (int i = 0; i < f->n_pops; i++) /* a timestamp and a node id, 8 bytes each */
        most += 2 * bb_h5_chunk_bound(f->pop[i].written, f->pop[i].n_buf, f->pop[i].chunk, 8);
    if (bb_h5_flush_room(f->file, f->path, "the next spikes", most, err, cap)) {
        f->broken = 1;
        return -1;
    }
    for (int i = 0; i < f->n_pops; i++) {
        population *p = &f->pop[i];
        if (!p->n_buf) continue;
        if (append(p->ts, H5T_NATIVE_DOUBLE, p->written, p->n_buf, p->buf_t) ||
            append(p->ids, H5T_NATIVE_UINT64, p->written, p->n_buf, p->buf_id))
            return broken(f, "append spikes (disk full?)", err, cap);
        p->written += p->n_buf;
        p->n_buf = 0;
    }
    if (H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) return broken(f, "flush (disk full?)", err, cap);
    return 0;
}

int bb_spike_file_close(bb_spike_file *f, char *err, size_t cap)
{
    if (!f) return 0;
    int rc = 0, complete = f->file >= 0 && !f->broken;
    for (int i = 0; i < f->n_pops; i++) complete = complete && f->pop[i].ts >= 0 && f->pop[i].ids >= 0;
    if (cap && complete) rc = bb_spike_file_flush(f, err, cap);
    for (int i = 0; i < f->n_pops; i++) {
        if (f->pop[i].ts >= 0) H5Dclose(f->pop[i].ts);
        if (f->pop[i].ids >= 0) H5Dclose(f->pop[i].ids);
        free(f->pop[i].buf_t);
        free(f->pop[i].buf_id);
    }
    if (f->file >= 0 && H5Fclose(f->file) < 0 && !rc && cap && !f->broken) rc = h5fail(f->path, "close", err, cap);
    free(f->pop);
    free(f);
    return rc;
}

uint64_t bb_spike_file_count(const bb_spike_file *f)
{
    uint64_t n = 0;
    for (int i = 0; i < f->n_pops; i++) n += f->pop[i].written + f->pop[i].n_buf;
    return n;
}
