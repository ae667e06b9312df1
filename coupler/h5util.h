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

#endif
