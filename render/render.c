/* One frame: the body view on top, the strip (raster | touch grids) below,
 * text over the body; read back and handed to ffmpeg. */
#include "brainbody/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "gl_context.h"
#include "replay.h"
#include "strip.h"
#include "view.h"

void bb_render_defaults(bb_render_options *o)
{
    memset(o, 0, sizeof *o);
    o->camera = BB_CAMERA_SIDE;
    o->speed = 1;
    o->fps = 30;
    o->width = 960;
    o->height = 720;
    o->start_s = o->end_s = NAN;
}

unsigned bb_render_frame_count(double recorded_s, double speed, double fps)
{
    return (unsigned)floor(recorded_s * fps / speed + 1e-9) + 1;
}

typedef struct layout {
    mjrRect all, body, raster, touch;
} layout;

static layout make_layout(int w, int h)
{
    int strip = h / 4, raster_w = w * 3 / 5;
    return (layout){{0, 0, w, h}, {0, strip, w, h - strip}, {0, 0, raster_w, strip}, {raster_w, 0, w - raster_w, strip}};
}

static void draw_frame(bb_view *v, const bb_replay *r, const layout *l, double t, double speed, uint8_t *rgb)
{
    uint32_t row = bb_replay_row_at(r, t);
    const mjrContext *con = bb_view_mjr(v);
    bb_view_draw(v, r, row, l->body, 0);
    bb_strip_overlay(r, t, speed, l->body, con);
    bb_strip_raster(r, t, l->raster, con);
    bb_strip_touch(r, bb_view_body(v), row, l->touch, con);
    mjr_readPixels(rgb, NULL, l->all, con);
}

static int check_options(const bb_render_options *o, char *err, size_t cap)
{
    if (!(o->speed > 0 && o->speed <= 1000)) {
        snprintf(err, cap, "--speed: expected a number in (0, 1000], got %g", o->speed);
        return -1;
    }
    if (!(o->fps >= 1 && o->fps <= 240)) {
        snprintf(err, cap, "--fps: expected 1 to 240 frames per second, got %g", o->fps);
        return -1;
    }
    if (o->width < 160 || o->height < 120 || o->width > 4096 || o->height > 4096 || o->width % 2 ||
        o->height % 2) {
        snprintf(err, cap, "--size: expected an even width 160-4096 and an even height 120-4096, got %dx%d",
                 o->width, o->height);
        return -1;
    }
    struct stat st;
    if (!o->force && stat(o->out, &st) == 0) {
        snprintf(err, cap, "%s exists: not overwritten (--force to replace it)", o->out);
        return -1;
    }
    return 0;
}

int bb_render_run(const bb_render_options *o, char *err, size_t cap)
{
    if (check_options(o, err, cap)) return 2;
    bb_replay r;
    if (bb_replay_open(o->run_dir, &r, err, cap)) return 2;
    const double end_s = r.time[r.n_rows - 1];
    if (o->still && !(o->still_t >= 0 && o->still_t <= end_s)) {
        snprintf(err, cap, "--frame: %g s is outside the recording (0 to %.3f s)", o->still_t, end_s);
        bb_replay_close(&r);
        return 2;
    }
    const double from = isnan(o->start_s) ? 0 : o->start_s, to = isnan(o->end_s) ? end_s : o->end_s;
    if (!(from >= 0 && to <= end_s && from < to)) {
        snprintf(err, cap, "--start %g --end %g: expected 0 <= start < end <= %.3f s (the recording)", from, to,
                 end_s);
        bb_replay_close(&r);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 1;
    bb_view *v = NULL;
    bb_encoder *e = NULL;
    uint8_t *rgb = malloc((size_t)o->width * (size_t)o->height * 3);
    bb_gl_context *gl = bb_gl_context_open(err, cap);
    if (!gl || !rgb) {
        if (!rgb) snprintf(err, cap, "out of memory");
        goto out;
    }
    if (!(v = bb_view_open(&r, o->width, o->height, o->camera, o->best, err, cap))) goto out;
    unsigned n = o->still ? 1 : bb_render_frame_count(to - from, o->speed, o->fps);
    if (!(e = bb_encoder_open(o->out, o->width, o->height, o->fps, o->still, err, cap))) goto out;
    layout l = make_layout(o->width, o->height);
    const int progress = !o->quiet && !o->still && isatty(2);
    for (unsigned k = 0; k < n; k++) {
        double t = o->still ? o->still_t : from + k * o->speed / o->fps;
        draw_frame(v, &r, &l, t, o->speed, rgb);
        if (bb_encoder_frame(e, rgb, err, cap)) goto out;
        if (progress && (k + 1) % 50 == 0) fprintf(stderr, "render: %u/%u frames\r", k + 1, n);
    }
    if (progress) fprintf(stderr, "%24s\r", ""); /* clear the progress line */
    rc = bb_encoder_close(e, err, cap) ? 1 : 0;
    e = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && !o->quiet) {
        double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (o->still)
            printf("brainbody render: %s: t = %.3f s, %dx%d (%s)\n", o->out, o->still_t, o->width, o->height,
                   bb_gl_context_describe(gl));
        else
            printf("brainbody render: %s: %u frames, %dx%d at %g fps, %.2f s of video for %.3f-%.3f s simulated "
                   "(speed %g), in %.1f s (%s)\n",
                   o->out, n, o->width, o->height, o->fps, n / o->fps, from, to, o->speed, wall,
                   bb_gl_context_describe(gl));
    }
out:
    bb_encoder_abort(e);
    bb_view_close(v);
    bb_gl_context_close(gl);
    free(rgb);
    bb_replay_close(&r);
    return rc;
}
