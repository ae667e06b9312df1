#define _GNU_SOURCE /* fallocate */
#include "h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

hid_t bb_h5_untimed(hid_t class_id)
{
    hid_t p = H5Pcreate(class_id);
    H5Pset_obj_track_times(p, 0);
    return p;
}

hid_t bb_h5_group(hid_t parent, const char *name)
{
    hid_t props = bb_h5_untimed(H5P_GROUP_CREATE);
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    return g;
}

void bb_h5_detach(hid_t file)
{
    int *fd = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, (void **)&fd) < 0 || !fd) return;
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0) return;
    dup2(nul, *fd);
    close(nul);
}

int bb_h5_room(hid_t file, unsigned long long bytes)
{
    int *fd = NULL;
    struct stat st;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, (void **)&fd) < 0 || !fd || fstat(*fd, &st)) return 1;
    if (fallocate(*fd, 0, st.st_size, (off_t)bytes)) return errno == EOPNOTSUPP || errno == ENOSYS ? 1 : 0;
    return ftruncate(*fd, st.st_size) == 0;
}

int bb_h5_flush_room(hid_t file, const char *path, const char *what, unsigned long long most, char *err, size_t cap)
{
    if (bb_h5_room(file, most)) return 0;
    snprintf(err, cap, "%s: no room for %s (%llu bytes at most): %s (disk full?)", path, what, most, strerror(errno));
    bb_h5_detach(file);
    return -1;
}

unsigned long long bb_h5_chunk_bound(unsigned long long written, unsigned long long rows, unsigned long long chunk_rows,
                                     unsigned long long row_bytes)
{
    if (!rows) return 0;
    unsigned long long chunks = (written % chunk_rows + rows + chunk_rows - 1) / chunk_rows;
    unsigned long long bytes = chunks * chunk_rows * row_bytes;
    return bytes + bytes / 3000 + 64 * chunks;
}

unsigned long long bb_h5_chunk_rows(hid_t d)
{
    hsize_t dims[2] = {1, 1};
    hid_t p = H5Dget_create_plist(d);
    int ok = p >= 0 && H5Pget_layout(p) == H5D_CHUNKED && H5Pget_chunk(p, 2, dims) >= 1;
    if (p >= 0) H5Pclose(p);
    return ok && dims[0] ? dims[0] : 1;
}
