/* Frames to a file through ffmpeg (Debian's ffmpeg package): H.264 MP4 for a
 * video, PNG for a still. Written to FILE.partial and renamed when ffmpeg
 * succeeds, so a failed render never leaves a half file under the name. */
#ifndef BB_RENDER_ENCODE_H
#define BB_RENDER_ENCODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct bb_encoder bb_encoder;

/* still: one PNG frame; otherwise MP4 at fps. width and height even. */
bb_encoder *bb_encoder_open(const char *path, int width, int height, double fps, int still, char *err, size_t cap);
/* One frame: width x height RGB rows, bottom row first (as glReadPixels gives them). */
int bb_encoder_frame(bb_encoder *e, const uint8_t *rgb, char *err, size_t cap);
/* Finishes the file; returns -1 (and removes the partial file) if ffmpeg failed. */
int bb_encoder_close(bb_encoder *e, char *err, size_t cap);
/* Stops ffmpeg and removes the partial file; nothing is renamed. NULL is fine. */
void bb_encoder_abort(bb_encoder *e);

#endif
