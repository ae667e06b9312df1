/* brainbody render: a recorded run (its output folder) replayed through
 * MuJoCo's renderer into a video or a still (docs/rendering.md). */
#ifndef BRAINBODY_RENDER_H
#define BRAINBODY_RENDER_H

#include <stddef.h>

typedef enum bb_render_camera { BB_CAMERA_SIDE, BB_CAMERA_TOP, BB_CAMERA_FOLLOW, BB_CAMERA_REAR } bb_render_camera;

typedef struct bb_render_options {
    const char *run_dir;       /* the run's output folder */
    const char *out;           /* FILE.mp4, or FILE.png with still */
    bb_render_camera camera;
    double speed;              /* simulated seconds per second of video */
    double fps;
    int width, height;         /* the whole frame, body view above the strip; even */
    double start_s, end_s;     /* the part of the run in the video; NAN: from the start, to the end */
    int still;                 /* one frame at still_t (s) */
    double still_t;
    int best;                  /* shadows and 4x multisampling: about 4x slower in software GL */
    int force;                 /* overwrite out */
    int quiet;
} bb_render_options;

void bb_render_defaults(bb_render_options *o);
/* Frames a video of recorded_s simulated seconds has: one per 1/fps of
 * video, from its start to its end inclusive. */
unsigned bb_render_frame_count(double recorded_s, double speed, double fps);
/* Renders. Returns 0, 2 for bad input (a message naming the file or option
 * in err), 1 for a failure of the renderer or encoder. */
int bb_render_run(const bb_render_options *o, char *err, size_t cap);

#endif
