/* What both HDF5 writers (spikes.h5, body.h5) need. */
#ifndef BB_H5UTIL_H
#define BB_H5UTIL_H

#include <hdf5.h>

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

#endif
