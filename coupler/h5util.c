#include "h5util.h"

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
