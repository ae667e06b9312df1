/* brainbody render: a short recorded run replayed into a video and stills,
 * on a machine without a display (the command starts its own Xvfb). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "brainbody/render.h"
#include "gl_context.h"
#include "replay.h"
#include "spawn.h"
#include "view.h"

#define RUN_DIR BB_BINARY_DIR "/tests/out_render_run"
#define BRAINBODY BB_BINARY_DIR "/coupler/brainbody"

static spawn_result res;

/* The recording every test here replays: ctest's render_record fixture
 * (tests/CMakeLists.txt) makes it, a 0.6 s demo with the stimulus on from
 * 0.1 to 0.5 s. */
static void recorded_run(void)
{
    char *grep[] = {"grep", "-q", "^status: complete", RUN_DIR "/run.yaml", NULL};
    spawn_run(grep, 10, &res);
    cr_assert(res.exited && res.status == 0,
              "no complete recording in " RUN_DIR ": run this through ctest (-R render), which records it first");
}

/* ffprobe's answer for one stream field, counting frames by decoding. */
static long probe_field(const char *file, const char *field)
{
    char entries[64], *argv[] = {"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                                 "-show_entries", entries, "-of", "default=noprint_wrappers=1:nokey=1",
                                 (char *)file, NULL};
    snprintf(entries, sizeof entries, "stream=%s", field);
    spawn_result p;
    spawn_run(argv, 60, &p);
    cr_assert(p.exited && p.status == 0, "ffprobe %s failed:\n%s", file, p.out);
    return strtol(p.out, NULL, 10);
}

Test(render, video_has_the_frames_and_size_asked_for)
{
    recorded_run();
    const char *mp4 = RUN_DIR "/test.mp4";
    remove(mp4);
    char *argv[] = {BRAINBODY, "render", RUN_DIR, "--out", (char *)mp4, "--size", "320x240", "--fps", "20",
                    "--speed", "0.5", "--quiet", NULL};
    unsetenv("DISPLAY"); /* as on a server: the command must bring its own display */
    spawn_run(argv, 300, &res);
    cr_assert(res.exited && res.status == 0, "render failed (%d):\n%s", res.status, res.out);
    /* 0.6 s recorded at half speed and 20 fps: t = 0, 0.025, ... 0.6 s */
    long want = (long)bb_render_frame_count(0.6, 0.5, 20);
    cr_assert_eq(want, 25);
    cr_expect_eq(probe_field(mp4, "nb_read_frames"), want);
    cr_expect_eq(probe_field(mp4, "width"), 320);
    cr_expect_eq(probe_field(mp4, "height"), 240);
    struct stat st;
    cr_expect(stat(RUN_DIR "/test.mp4.partial", &st) != 0, "the partial file was left behind");
}

Test(render, still_png_and_bad_input)
{
    recorded_run();
    const char *png = RUN_DIR "/still.png";
    remove(png);
    char *still[] = {BRAINBODY, "render", RUN_DIR, "--frame", "0.3", (char *)png, "--size", "400x300", NULL};
    spawn_run(still, 120, &res);
    cr_assert(res.exited && res.status == 0, "still failed (%d):\n%s", res.status, res.out);
    cr_expect_eq(probe_field(png, "width"), 400);
    cr_expect_eq(probe_field(png, "height"), 300);
    struct stat before, after;
    cr_assert(stat(png, &before) == 0);

    /* an existing file is not overwritten without --force */
    spawn_run(still, 120, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "exists: not overwritten"), "%s", res.out);
    cr_assert(stat(png, &after) == 0);
    cr_expect_eq(before.st_mtime, after.st_mtime);
    cr_expect_eq(before.st_size, after.st_size);

    /* a time outside the recording */
    char *late[] = {BRAINBODY, "render", RUN_DIR, "--frame", "5", RUN_DIR "/late.png", NULL};
    spawn_run(late, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "outside the recording (0 to 0.600 s)"), "%s", res.out);

    /* a folder without a recording names the file it needs */
    char *none[] = {BRAINBODY, "render", BB_SOURCE_DIR "/run", "--out", "/tmp/bb_never.mp4", NULL};
    spawn_run(none, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "/run/run.yaml"), "%s", res.out);
    cr_expect(stat("/tmp/bb_never.mp4", &after) != 0);

    char *part[] = {BRAINBODY, "render", RUN_DIR, "--start", "0.4", "--end", "0.2", "--out", "/tmp/bb_never.mp4", NULL};
    spawn_run(part, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "expected 0 <= start < end <= 0.600 s"), "%s", res.out);

    char *bad[] = {BRAINBODY, "render", RUN_DIR, "--camera", "fisheye", NULL};
    spawn_run(bad, 60, &res);
    cr_expect_eq(res.status, 2, "%s", res.out);
    cr_expect(strstr(res.out, "--camera: expected side, top, follow or rear, got 'fisheye'"), "%s", res.out);
}

/* In-process: the mouse is in the picture where its bodies project, and
 * active tendons are drawn in another colour than resting ones. */
#define W 480
#define H 270 /* the body view's shape in a render: the top three quarters of a 4:3 frame */

static long count_differing(const uint8_t *a, const uint8_t *b, int x0, int y0, int x1, int y1, int inside)
{
    long n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int in = x >= x0 && x <= x1 && y >= y0 && y <= y1;
            if (in != inside) continue;
            const uint8_t *p = a + 3 * ((size_t)y * W + x), *q = b + 3 * ((size_t)y * W + x);
            n += abs(p[0] - q[0]) + abs(p[1] - q[1]) + abs(p[2] - q[2]) > 30;
        }
    return n;
}

Test(render, mouse_visible_and_tendons_coloured_by_activation)
{
    recorded_run();
    char err[4096];
    bb_replay r;
    cr_assert_eq(bb_replay_open(RUN_DIR, &r, err, sizeof err), 0, "%s", err);
    unsetenv("DISPLAY");
    bb_gl_context *gl = bb_gl_context_open(err, sizeof err);
    cr_assert(gl, "%s", err);
    bb_view *v = bb_view_open(&r, W, H, BB_CAMERA_SIDE, 0, err, sizeof err);
    cr_assert(v, "%s", err);
    mjrRect all = {0, 0, W, H};
    static uint8_t with[W * H * 3], without[W * H * 3], rest[W * H * 3], active[W * H * 3];
    uint32_t row = r.n_rows / 2;

    bb_view_draw(v, &r, row, all, 0);
    mjr_readPixels(with, NULL, all, bb_view_mjr(v));
    bb_view_draw(v, &r, row, all, 1); /* the static world only */
    mjr_readPixels(without, NULL, all, bb_view_mjr(v));
    double pts[3 * 512], px[2], lo[2] = {1e9, 1e9}, hi[2] = {-1e9, -1e9};
    uint32_t n = bb_view_mouse_points(v, pts, 512);
    cr_assert_gt(n, 50u);
    bb_view_draw(v, &r, row, all, 0); /* the projection of the mouse's drawing */
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(bb_view_project(v, all, pts + 3 * i, px), 0);
        for (int k = 0; k < 2; k++) lo[k] = px[k] < lo[k] ? px[k] : lo[k], hi[k] = px[k] > hi[k] ? px[k] : hi[k];
    }
    cr_assert(lo[0] > 0 && lo[1] > 0 && hi[0] < W && hi[1] < H, "the mouse is not all in the frame: x %g-%g y %g-%g",
              lo[0], hi[0], lo[1], hi[1]);
    int x0 = (int)lo[0] - 8, y0 = (int)lo[1] - 8, x1 = (int)hi[0] + 8, y1 = (int)hi[1] + 8; /* body radii */
    long box = (long)(x1 - x0 + 1) * (y1 - y0 + 1);
    long in = count_differing(with, without, x0, y0, x1, y1, 1);
    long out = count_differing(with, without, x0, y0, x1, y1, 0);
    cr_expect_gt(in, box / 10, "only %ld of %ld pixels in the mouse's box differ from the empty world", in, box);
    cr_expect_lt(out, (long)W * H / 100, "%ld pixels outside the mouse's box changed", out);

    /* every muscle at rest, then every muscle fully active */
    size_t nm = r.n_muscles;
    float *saved = malloc(nm * sizeof *saved);
    memcpy(saved, r.activation + row * nm, nm * sizeof *saved);
    for (size_t i = 0; i < nm; i++) r.activation[row * nm + i] = 0;
    bb_view_draw(v, &r, row, all, 0);
    mjr_readPixels(rest, NULL, all, bb_view_mjr(v));
    for (size_t i = 0; i < nm; i++) r.activation[row * nm + i] = 1;
    bb_view_draw(v, &r, row, all, 0);
    mjr_readPixels(active, NULL, all, bb_view_mjr(v));
    memcpy(r.activation + row * nm, saved, nm * sizeof *saved);
    free(saved);
    long changed = 0;
    double red_rest = 0, red_active = 0; /* red minus blue, over the changed pixels */
    for (long p = 0; p < (long)W * H; p++) {
        const uint8_t *a = rest + 3 * p, *b = active + 3 * p;
        if (abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]) <= 30) continue;
        changed++;
        red_rest += a[0] - a[2];
        red_active += b[0] - b[2];
    }
    cr_expect_gt(changed, 500, "activation changed only %ld pixels", changed);
    cr_expect_gt(red_active / (changed ? changed : 1), red_rest / (changed ? changed : 1) + 40,
                 "active tendons are not redder: red-blue %g at rest, %g active", red_rest / (changed ? changed : 1),
                 red_active / (changed ? changed : 1));
    float c0[4], c1[4];
    bb_view_tendon_colour(0, c0);
    bb_view_tendon_colour(1, c1);
    cr_expect_gt(c1[0] - c1[2], c0[0] - c0[2] + 0.5f);

    bb_view_close(v);
    bb_gl_context_close(gl);
    bb_replay_close(&r);
}

/* The mouse's drawing projected by a camera: its bounding box in pixels. */
static void projected_box(bb_view *v, mjrRect all, double lo[2], double hi[2])
{
    double pts[3 * 512], px[2];
    uint32_t n = bb_view_mouse_points(v, pts, 512);
    cr_assert_gt(n, 50u);
    lo[0] = lo[1] = 1e9, hi[0] = hi[1] = -1e9;
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(bb_view_project(v, all, pts + 3 * i, px), 0);
        for (int k = 0; k < 2; k++) lo[k] = px[k] < lo[k] ? px[k] : lo[k], hi[k] = px[k] > hi[k] ? px[k] : hi[k];
    }
}

/* The rear camera looks along the mouse's length: it sees the body end-on,
 * narrower than from the side (about 20 mm wide against about 90 mm long)
 * and all in the frame. */
Test(render, rear_camera_sees_the_mouse_end_on)
{
    recorded_run();
    char err[4096];
    bb_replay r;
    cr_assert_eq(bb_replay_open(RUN_DIR, &r, err, sizeof err), 0, "%s", err);
    unsetenv("DISPLAY");
    bb_gl_context *gl = bb_gl_context_open(err, sizeof err);
    cr_assert(gl, "%s", err);
    mjrRect all = {0, 0, W, H};
    double lo[2][2], hi[2][2];
    bb_render_camera cams[2] = {BB_CAMERA_SIDE, BB_CAMERA_REAR};
    for (int c = 0; c < 2; c++) {
        bb_view *v = bb_view_open(&r, W, H, cams[c], 0, err, sizeof err);
        cr_assert(v, "%s", err);
        bb_view_draw(v, &r, 0, all, 0);
        projected_box(v, all, lo[c], hi[c]);
        bb_view_close(v);
    }
    cr_expect(lo[1][0] > 0 && lo[1][1] > 0 && hi[1][0] < W && hi[1][1] < H, "rear: not all in the frame: x %g-%g y %g-%g",
              lo[1][0], hi[1][0], lo[1][1], hi[1][1]);
    double side_w = hi[0][0] - lo[0][0], rear_w = hi[1][0] - lo[1][0];
    cr_expect_lt(rear_w, 0.5 * side_w, "rear view %g px wide, side view %g px", rear_w, side_w);
    bb_gl_context_close(gl);
    bb_replay_close(&r);
}
