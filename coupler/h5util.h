/* What both HDF5 writers (spikes.h5, body.h5) need. */
#ifndef BB_H5UTIL_H
#define BB_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>

/* A property list of class_id without object timestamps: HDF5 stamps
 * creation and modification times into object headers by default, and the
 * same run must write the same bytes. */
hid_t bb_h5_untimed(hid_t class_id);
/* A group without timestamps. */
hid_t bb_h5_group(hid_t parent, const char *name);
/* After a failed write (a full disk): nothing more reaches the file. Its
 * descriptor is pointed at /dev/null, so what HDF5 still writes when the
 * file is closed (metadata describing rows that never reached the disk,
 * and a superblock claiming them) goes nowhere, and the file stays as its
 * last successful flush left it: readable, with every row flushed. */
void bb_h5_detach(hid_t file);
/* Whether the file can grow by `bytes` now: it is extended by that much
 * (fallocate) and cut back. A writer asks before a flush, for the most the
 * flush can add, because a flush that fails part-way may already have
 * written a superblock claiming data that never reached the disk, and
 * bb_h5_detach cannot undo that. Exact for file-size limits and quotas,
 * racy only against other processes filling the same disk. 1: room (or a
 * file system without fallocate, unchecked); 0: no room (errno ENOSPC,
 * EFBIG, EDQUOT). */
int bb_h5_room(hid_t file, unsigned long long bytes);
/* Before a flush: 0 if the file has room for `most` bytes; otherwise -1,
 * the file detached and err "PATH: no room for WHAT (MOST bytes at most):
 * strerror (disk full?)". */
int bb_h5_flush_room(hid_t file, const char *path, const char *what, unsigned long long most, char *err, size_t cap);
/* The most a chunked dataset's flush can add to its file: every chunk that
 * rows [written, written + rows) touch, uncompressed (deflate adds at most
 * 5 bytes per 16 KiB when it cannot compress), chunk_rows rows of row_bytes. */
unsigned long long bb_h5_chunk_bound(unsigned long long written, unsigned long long rows, unsigned long long chunk_rows,
                                     unsigned long long row_bytes);
/* Rows (first dimension) per chunk of dataset d, as the file says: a file
 * continued on resume keeps the chunks it was made with. 1 if not chunked. */
unsigned long long bb_h5_chunk_rows(hid_t d);
/* Room for a flush's metadata (object headers, chunk indexes, superblock). */
#define BB_H5_METADATA_ROOM 65536ull

#endif
