/* body.h5, one row per exchange interval in every time-series dataset
 * (docs/recording.md):
 *   /time                   s, the end of the interval
 *   /muscles/{excitation, activation, length, velocity, force, fibre_length}
 *   /proprio/rates          Ia, II, Ib per muscle, Hz
 *   /joints/{angle, velocity}   every hinge, rad and rad/s
 *   /body/{com, qpos, qvel} centre of mass (m); the full generalized position
 *                           and velocity (exact replay, brainbody render)
 *   /touch/{force, merkel, paw_contact, paw_position}   per taxel N and Hz;
 *                           per paw 0/1 and the sole's world position (m)
 *   /task/{lever_angle, lever_presses, target_distance, belt_speed, belt_travel}
 * plus name lists /muscles/names, /muscles/regions, /joints/names,
 * /touch/grids. Datasets are chunked, compressed (shuffle + deflate 1) and
 * extended at every flush; no HDF5 timestamps, so the same run writes the
 * same bytes. */
#include "record_body.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"

/* Rows per chunk: a chunk of the widest series (853 muscles) is 55 KB, and
 * a flush must find room for every chunk it touches (bb_h5_room). */
#define ROWS_PER_CHUNK 16

typedef struct series {
    hid_t d, type;      /* file dataset, memory type */
    int rank;           /* 1: one value per row; 2: width values per row */
    int empty;          /* a row of no values (e.g. no touch grids): written once, empty */
    size_t width, size; /* values per row, bytes per value */
    unsigned long long chunk_rows; /* as the file has it */
    unsigned char *buf; /* buffered rows */
} series;

enum {
    TIME, EXCITATION, ACTIVATION, LENGTH, VELOCITY, FORCE, FIBRE, RATES, ANGLE, ANGVEL, COM, QPOS, QVEL, TFORCE, MERKEL,
    CONTACT, PAWPOS, LEVER, PRESSES, TARGET, BELT_SPEED, BELT_TRAVEL, N_SERIES
};

struct bb_body_file {
    hid_t file;
    int reopened; /* an existing file, continued (resume): datasets opened, not made */
    char path[1024];
    series s[N_SERIES];
    size_t rows, written, cap; /* buffered rows, rows in the file, buffer capacity in rows */
    int broken;                /* a write failed: the file is left as its last flush wrote it */
    uint32_t nm, nh, nt, ng, nq, nv;
    bb_muscle_state *ms;
    double *angle, *angvel;
    uint8_t *paws;
    double *pawpos;
};


/* A time series: one value (width 0) or width values per row. */
static int make_series(bb_body_file *f, int i, const char *name, hid_t file_type, hid_t mem_type, size_t width,
                       const char *units)
{
    series *s = &f->s[i];
    s->type = mem_type;
    s->size = H5Tget_size(mem_type);
    s->empty = width == (size_t)-1;
    s->rank = width ? 2 : 1;
    s->width = width && !s->empty ? width : 1;
    hsize_t dims[2] = {0, s->empty ? 0 : s->width}, max[2] = {H5S_UNLIMITED, dims[1]},
            chunk[2] = {ROWS_PER_CHUNK, dims[1]};
    if (f->reopened) {
        s->d = H5Dopen2(f->file, name, H5P_DEFAULT);
        if (s->d >= 0) s->chunk_rows = bb_h5_chunk_rows(s->d);
        return s->d < 0 ? -1 : 0;
    }
    hid_t props = bb_h5_untimed(H5P_DATASET_CREATE), space;
    if (s->empty) {
        space = H5Screate_simple(2, dims, NULL); /* 0 x 0, never extended */
    } else {
        space = H5Screate_simple(s->rank, dims, max);
        H5Pset_chunk(props, s->rank, chunk);
        H5Pset_shuffle(props);
        H5Pset_deflate(props, 1);
    }
    s->d = H5Dcreate2(f->file, name, file_type, space, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    H5Sclose(space);
    if (s->d < 0) return -1;
    s->chunk_rows = bb_h5_chunk_rows(s->d);
    if (units) {
        hid_t str = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
        H5Tset_size(str, strlen(units) + 1);
        hid_t a = H5Acreate2(s->d, "units", str, sp, H5P_DEFAULT, H5P_DEFAULT);
        herr_t rc = a < 0 ? -1 : H5Awrite(a, str, units);
        if (a >= 0) H5Aclose(a);
        H5Sclose(sp);
        H5Tclose(str);
        if (rc < 0) return -1;
    }
    return 0;
}

/* width of a per-item series: (size_t)-1 marks "no items" (an empty dataset) */
static size_t items(uint32_t n) { return n ? n : (size_t)-1; }

/* A fixed list of names as a dataset of variable-length strings. */
static int write_names(hid_t file, const char *name, uint32_t n, const char *(*get)(const bb_body *, uint32_t),
                       const bb_body *b)
{
    const char **v = calloc(n ? n : 1, sizeof *v);
    if (!v) return -1;
    for (uint32_t i = 0; i < n; i++) v[i] = get(b, i);
    hsize_t dims = n;
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    hid_t space = H5Screate_simple(1, &dims, NULL), props = bb_h5_untimed(H5P_DATASET_CREATE);
    hid_t d = H5Dcreate2(file, name, str, space, H5P_DEFAULT, props, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : n ? H5Dwrite(d, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0;
    if (d >= 0) H5Dclose(d);
    H5Pclose(props);
    H5Sclose(space);
    H5Tclose(str);
    free(v);
    return rc < 0 ? -1 : 0;
}

static int layout(bb_body_file *f, const bb_body *b)
{
    static const char *groups[] = {"/muscles", "/proprio", "/joints", "/body", "/touch", "/task"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0] && !f->reopened; i++) {
        hid_t g = bb_h5_group(f->file, groups[i]);
        if (g < 0) return -1;
        H5Gclose(g);
    }
    hid_t F32 = H5T_IEEE_F32LE, F64 = H5T_IEEE_F64LE, MF = H5T_NATIVE_FLOAT, MD = H5T_NATIVE_DOUBLE;
    int rc = make_series(f, TIME, "/time", F64, MD, 0, "s") ||
             make_series(f, EXCITATION, "/muscles/excitation", F32, MF, items(f->nm), "1") ||
             make_series(f, ACTIVATION, "/muscles/activation", F32, MF, items(f->nm), "1") ||
             make_series(f, LENGTH, "/muscles/length", F32, MF, items(f->nm), "m") ||
             make_series(f, VELOCITY, "/muscles/velocity", F32, MF, items(f->nm), "m/s") ||
             make_series(f, FORCE, "/muscles/force", F32, MF, items(f->nm), "N") ||
             make_series(f, FIBRE, "/muscles/fibre_length", F32, MF, items(f->nm), "optimal fibre lengths") ||
             make_series(f, RATES, "/proprio/rates", F32, MF, items(3 * f->nm), "Hz") ||
             make_series(f, ANGLE, "/joints/angle", F32, MD, items(f->nh), "rad") ||
             make_series(f, ANGVEL, "/joints/velocity", F32, MD, items(f->nh), "rad/s") ||
             make_series(f, COM, "/body/com", F64, MD, 3, "m") ||
             make_series(f, QPOS, "/body/qpos", F64, MD, items(f->nq), "MuJoCo qpos") ||
             make_series(f, QVEL, "/body/qvel", F64, MD, items(f->nv), "MuJoCo qvel") ||
             make_series(f, TFORCE, "/touch/force", F32, MF, items(f->nt), "N") ||
             make_series(f, MERKEL, "/touch/merkel", F32, MF, items(f->nt), "Hz") ||
             make_series(f, CONTACT, "/touch/paw_contact", H5T_STD_U8LE, H5T_NATIVE_UINT8, items(f->ng), "1") ||
             make_series(f, PAWPOS, "/touch/paw_position", F64, MD, items(3 * f->ng), "m") ||
             make_series(f, LEVER, "/task/lever_angle", F64, MD, 0, "rad") ||
             make_series(f, PRESSES, "/task/lever_presses", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0, "1") ||
             make_series(f, TARGET, "/task/target_distance", F64, MD, 0, "m") ||
             make_series(f, BELT_SPEED, "/task/belt_speed", F64, MD, 0, "m/s") ||
             make_series(f, BELT_TRAVEL, "/task/belt_travel", F64, MD, 0, "m");
    if (f->reopened) return rc ? -1 : 0;
    rc = rc || write_names(f->file, "/muscles/names", f->nm, bb_body_muscle_name, b) ||
         write_names(f->file, "/muscles/regions", f->nm, bb_body_muscle_region, b) ||
         write_names(f->file, "/joints/names", f->nh, bb_body_hinge_name, b) ||
         write_names(f->file, "/touch/grids", f->ng, bb_body_touch_grid_name, b);
    return rc ? -1 : 0;
}

static bb_body_file *open_file(const char *path, const bb_body *b, int reopen, char *err, size_t cap)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    bb_body_file *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    f->nm = bb_body_n_muscles(b), f->nh = bb_body_n_hinges(b), f->nt = bb_body_n_taxels(b);
    f->ng = bb_body_n_touch_grids(b), f->nq = bb_body_nq(b), f->nv = bb_body_nv(b);
    for (int i = 0; i < N_SERIES; i++) f->s[i].d = -1;
    f->ms = calloc(f->nm + 1, sizeof *f->ms);
    f->angle = calloc(f->nh + 1, sizeof *f->angle);
    f->angvel = calloc(f->nh + 1, sizeof *f->angvel);
    f->paws = calloc(f->ng + 1, 1);
    f->pawpos = calloc(3 * (size_t)f->ng + 1, sizeof *f->pawpos);
    f->reopened = reopen;
    if (reopen) {
        f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    } else {
        hid_t fcpl = bb_h5_untimed(H5P_FILE_CREATE);
        f->file = H5Fcreate(path, H5F_ACC_EXCL, fcpl, H5P_DEFAULT);
        H5Pclose(fcpl);
    }
    if (!f->ms || !f->angle || !f->angvel || !f->paws || !f->pawpos || f->file < 0 || layout(f, b)) {
        snprintf(err, cap, "%s: cannot %s the body file (HDF5)", path, reopen ? "open, to continue," : "create");
        bb_body_file_close(f, err, 0);
        return NULL;
    }
    if (!reopen && bb_body_file_flush(f, err, cap)) { /* a readable file from the start */
        bb_body_file_close(f, err, 0);
        return NULL;
    }
    return f;
}

bb_body_file *bb_body_file_create(const char *path, const bb_body *b, char *err, size_t cap)
{
    return open_file(path, b, 0, err, cap);
}

bb_body_file *bb_body_file_open(const char *path, const bb_body *b, char *err, size_t cap)
{
    return open_file(path, b, 1, err, cap);
}

int bb_body_file_state(bb_body_file *f, bb_state_io *io)
{
    if (!io->restoring && f->rows) {
        snprintf(io->why, sizeof io->why, "%s: rows not flushed before the checkpoint", f->path);
        return -1;
    }
    uint64_t n = f->written;
    if (bb_state_u64(io, "body_file.rows", &n)) return -1;
    if (!io->restoring) return 0;
    for (int i = 0; i < N_SERIES; i++) {
        series *s = &f->s[i];
        if (s->empty) continue;
        hsize_t dims[2] = {0, 0};
        hid_t sp = H5Dget_space(s->d);
        if (sp >= 0) H5Sget_simple_extent_dims(sp, dims, NULL), H5Sclose(sp);
        if (dims[0] < n) {
            snprintf(io->why, sizeof io->why, "%s holds %llu rows, fewer than the %llu at the checkpoint", f->path,
                     (unsigned long long)dims[0], (unsigned long long)n);
            return -1;
        }
        dims[0] = n;
        if (H5Dset_extent(s->d, dims) < 0) {
            snprintf(io->why, sizeof io->why, "%s: cannot cut back to the checkpoint (HDF5)", f->path);
            return -1;
        }
    }
    f->written = n;
    f->rows = 0;
    return 0;
}

static int grow(bb_body_file *f)
{
    if (f->rows < f->cap) return 0;
    size_t ncap = f->cap * 2 + ROWS_PER_CHUNK;
    for (int i = 0; i < N_SERIES; i++) {
        unsigned char *p = realloc(f->s[i].buf, ncap * f->s[i].width * f->s[i].size);
        if (!p) return -1;
        f->s[i].buf = p;
    }
    f->cap = ncap;
    return 0;
}

/* Where series i's row being written starts. */
static void *row(bb_body_file *f, int i)
{
    series *s = &f->s[i];
    return s->buf + f->rows * s->width * s->size;
}

/* Copies one row of series i from values of its memory type. */
static void put(bb_body_file *f, int i, const void *values)
{
    series *s = &f->s[i];
    if (!s->empty) memcpy(row(f, i), values, s->width * s->size);
}

int bb_body_file_add(bb_body_file *f, const bb_body *b, const float *excitation, const float *merkel,
                     const float *rates, char *err, size_t cap)
{
    if (grow(f)) {
        snprintf(err, cap, "%s: out of memory buffering body rows", f->path);
        return -1;
    }
    bb_body_muscles(b, f->ms);
    bb_body_hinges(b, f->angle, f->angvel);
    bb_body_paw_contacts(b, f->paws);
    bb_task_state task;
    bb_body_task(b, &task);
    double t = bb_body_time_s(b), com[3];
    bb_body_com(b, com);
    put(f, TIME, &t);
    put(f, EXCITATION, excitation);
    float *col[] = {row(f, ACTIVATION), row(f, LENGTH), row(f, VELOCITY), row(f, FORCE), row(f, FIBRE)};
    for (uint32_t m = 0; m < f->nm; m++) {
        col[0][m] = f->ms[m].activation;
        col[1][m] = f->ms[m].length;
        col[2][m] = f->ms[m].velocity;
        col[3][m] = f->ms[m].force;
        col[4][m] = f->ms[m].fibre_length;
    }
    put(f, RATES, rates);
    put(f, ANGLE, f->angle);
    put(f, ANGVEL, f->angvel);
    put(f, COM, com);
    put(f, QPOS, bb_body_qpos(b));
    put(f, QVEL, bb_body_qvel(b));
    if (!f->s[TFORCE].empty) bb_body_taxel_forces(b, row(f, TFORCE));
    put(f, MERKEL, merkel);
    put(f, CONTACT, f->paws);
    bb_body_touch_grid_positions(b, f->pawpos);
    put(f, PAWPOS, f->pawpos);
    put(f, LEVER, &task.lever_angle);
    put(f, PRESSES, &task.lever_presses);
    put(f, TARGET, &task.target_distance);
    put(f, BELT_SPEED, &task.belt_speed);
    put(f, BELT_TRAVEL, &task.belt_travel);
    f->rows++;
    return 0;
}

int bb_body_file_flush(bb_body_file *f, char *err, size_t cap)
{
    if (f->broken) {
        snprintf(err, cap, "%s: an earlier write failed", f->path);
        return -1;
    }
    unsigned long long most = BB_H5_METADATA_ROOM;
    for (int i = 0; i < N_SERIES; i++)
        if (!f->s[i].empty) most += bb_h5_chunk_bound(f->written, f->rows, f->s[i].chunk_rows, f->s[i].width * f->s[i].size);
    char what[64];
    snprintf(what, sizeof what, "the next %zu rows", f->rows);
    if (bb_h5_flush_room(f->file, f->path, what, most, err, cap)) {
        f->broken = 1;
        return -1;
    }
    if (f->rows) {
        for (int i = 0; i < N_SERIES; i++) {
            series *s = &f->s[i];
            if (s->empty) continue;
            int rank = s->rank;
            hsize_t size[2] = {f->written + f->rows, s->width}, at[2] = {f->written, 0}, n[2] = {f->rows, s->width};
            herr_t rc = H5Dset_extent(s->d, size);
            hid_t fs = H5Dget_space(s->d), ms = H5Screate_simple(rank, n, NULL);
            if (rc >= 0) rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, n, NULL);
            if (rc >= 0) rc = H5Dwrite(s->d, s->type, ms, fs, H5P_DEFAULT, s->buf);
            H5Sclose(ms);
            H5Sclose(fs);
            if (rc < 0) {
                snprintf(err, cap, "%s: cannot append body rows (disk full?) (HDF5)", f->path);
                f->broken = 1;
                bb_h5_detach(f->file);
                return -1;
            }
        }
        f->written += f->rows;
        f->rows = 0;
    }
    if (H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) {
        snprintf(err, cap, "%s: cannot flush (disk full?) (HDF5)", f->path);
        f->broken = 1;
        bb_h5_detach(f->file);
        return -1;
    }
    return 0;
}

int bb_body_file_close(bb_body_file *f, char *err, size_t cap)
{
    if (!f) return 0;
    int rc = 0, complete = f->file >= 0 && !f->broken;
    for (int i = 0; i < N_SERIES; i++) complete = complete && f->s[i].d >= 0;
    if (cap && complete) rc = bb_body_file_flush(f, err, cap);
    for (int i = 0; i < N_SERIES; i++) {
        if (f->s[i].d >= 0) H5Dclose(f->s[i].d);
        free(f->s[i].buf);
    }
    if (f->file >= 0 && H5Fclose(f->file) < 0 && !rc && cap && !f->broken) {
        snprintf(err, cap, "%s: cannot close (HDF5)", f->path);
        rc = -1;
    }
    free(f->ms);
    free(f->angle);
    free(f->angvel);
    free(f->paws);
    free(f->pawpos);
    free(f);
    return rc;
}
