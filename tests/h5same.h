/* Do two HDF5 files hold the same data? Every dataset of the first is
 * looked up in the second and compared value by value (dimensions, type
 * size, bytes; variable-length strings as strings), and both must have as
 * many datasets. The files' own layout (free space, chunk placement) is not
 * compared: a resumed run cuts its files back and writes on, so its bytes
 * on disk differ where its data does not. */
#ifndef BB_TEST_H5SAME_H
#define BB_TEST_H5SAME_H

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct h5same_ctx {
    hid_t other;
    char *why;
    size_t cap;
    int datasets, bad;
} h5same_ctx;

static int h5same_strings(hid_t da, hid_t db, hid_t space, hssize_t n, h5same_ctx *c, const char *name)
{
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    char **va = calloc((size_t)n + 1, sizeof *va), **vb = calloc((size_t)n + 1, sizeof *vb);
    int same = va && vb && H5Dread(da, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, va) >= 0 &&
               H5Dread(db, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, vb) >= 0;
    for (hssize_t i = 0; same && i < n; i++) same = va[i] && vb[i] && !strcmp(va[i], vb[i]);
    if (!same) snprintf(c->why, c->cap, "%s: the strings differ", name);
    if (va && vb) {
        H5Dvlen_reclaim(str, space, H5P_DEFAULT, va);
        H5Dvlen_reclaim(str, space, H5P_DEFAULT, vb);
    }
    free(va);
    free(vb);
    H5Tclose(str);
    return same;
}

static herr_t h5same_visit(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    h5same_ctx *c = data;
    if (info->type != H5O_TYPE_DATASET || c->bad) return 0;
    c->datasets++;
    hid_t da = H5Dopen2(obj, name, H5P_DEFAULT), db = H5Dopen2(c->other, name, H5P_DEFAULT);
    if (db < 0) {
        snprintf(c->why, c->cap, "%s: only in the first file", name);
        c->bad = 1;
        H5Dclose(da);
        return 0;
    }
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db), ta = H5Dget_type(da), tb = H5Dget_type(db);
    hsize_t dima[8] = {0}, dimb[8] = {0};
    int ra = H5Sget_simple_extent_dims(sa, dima, NULL), rb = H5Sget_simple_extent_dims(sb, dimb, NULL);
    hssize_t n = H5Sget_simple_extent_npoints(sa);
    size_t size = H5Tget_size(ta);
    if (ra != rb || memcmp(dima, dimb, sizeof dima) || H5Tget_size(tb) != size ||
        H5Tget_class(ta) != H5Tget_class(tb)) {
        snprintf(c->why, c->cap, "%s: other shape or type (%llu vs %llu rows)", name, (unsigned long long)dima[0],
                 (unsigned long long)dimb[0]);
        c->bad = 1;
    } else if (H5Tget_class(ta) == H5T_STRING && H5Tis_variable_str(ta)) {
        c->bad = !h5same_strings(da, db, sa, n, c, name);
    } else if (n > 0) {
        unsigned char *a = malloc((size_t)n * size), *b = malloc((size_t)n * size);
        if (!a || !b || H5Dread(da, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0 ||
            H5Dread(db, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, b) < 0 || memcmp(a, b, (size_t)n * size)) {
            size_t at = 0;
            while (a && b && at < (size_t)n * size && a[at] == b[at]) at++;
            snprintf(c->why, c->cap, "%s: the values differ (first at value %zu of %lld)", name, size ? at / size : 0,
                     (long long)n);
            c->bad = 1;
        }
        free(a);
        free(b);
    }
    H5Tclose(ta), H5Tclose(tb), H5Sclose(sa), H5Sclose(sb), H5Dclose(da), H5Dclose(db);
    return 0;
}

static herr_t h5same_count(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)obj, (void)name;
    if (info->type == H5O_TYPE_DATASET) ++*(int *)data;
    return 0;
}

/* 1 if same; else 0 with the first difference in why. */
static int h5_same_data(const char *pa, const char *pb, char *why, size_t cap)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fa = H5Fopen(pa, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(pb, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fa < 0 || fb < 0) {
        snprintf(why, cap, "cannot open %.200s", fa < 0 ? pa : pb);
        if (fa >= 0) H5Fclose(fa);
        if (fb >= 0) H5Fclose(fb);
        return 0;
    }
    h5same_ctx c = {fb, why, cap, 0, 0};
    int in_b = 0;
    H5Ovisit(fa, H5_INDEX_NAME, H5_ITER_NATIVE, h5same_visit, &c);
    H5Ovisit(fb, H5_INDEX_NAME, H5_ITER_NATIVE, h5same_count, &in_b);
    if (!c.bad && in_b != c.datasets) {
        snprintf(why, cap, "%d datasets in %.200s, %d in %.200s", c.datasets, pa, in_b, pb);
        c.bad = 1;
    }
    H5Fclose(fa);
    H5Fclose(fb);
    return !c.bad && c.datasets > 0;
}

#endif
