#include "h5util.h"

#include <fcntl.h>
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
