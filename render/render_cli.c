/* `brainbody render OUTDIR [options]`: the command line of render.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/render.h"
#include "render_cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: brainbody render OUTDIR [--out FILE.mp4] [--camera side|top|follow|rear] [--speed X] [--fps N]\n"
               "                        [--start S] [--end S] [--size WxH] [--quality fast|best]\n"
               "                        [--frame T FILE.png] [--force] [--quiet]\n"
               "  replays a run's output folder (body.h5, spikes.h5, events.tsv, run.yaml) through MuJoCo's\n"
               "  renderer into a video (default OUTDIR/run.mp4) or, with --frame, one still at T s.\n"
               "  --speed: simulated seconds per second of video (0.25: four times slower); default 1.\n"
               "  --start, --end: the part of the run to show (simulated s); default all of it.\n"
               "  --quality best: shadows and 4x multisampling (about 4x slower without a GPU); default fast.\n"
               "  Without a display an Xvfb is started for the render (package xvfb); ffmpeg encodes.\n");
}

static int number(const char *opt, const char *s, double *out, char *err, size_t cap)
{
    char *end;
    *out = strtod(s, &end);
    if (end == s || *end || !isfinite(*out)) {
        snprintf(err, cap, "%s: expected a number, got '%s'", opt, s);
        return -1;
    }
    return 0;
}

static int parse(int argc, char **argv, bb_render_options *o, char *outbuf, size_t outcap, char *err, size_t cap)
{
    bb_render_defaults(o);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        int has = i + 1 < argc;
        double x;
        if (!strcmp(s, "--out") && has) {
            o->out = argv[++i];
        } else if (!strcmp(s, "--camera") && has) {
            const char *c = argv[++i];
            if (!strcmp(c, "side")) o->camera = BB_CAMERA_SIDE;
            else if (!strcmp(c, "top")) o->camera = BB_CAMERA_TOP;
            else if (!strcmp(c, "follow")) o->camera = BB_CAMERA_FOLLOW;
            else if (!strcmp(c, "rear")) o->camera = BB_CAMERA_REAR;
            else {
                snprintf(err, cap, "--camera: expected side, top, follow or rear, got '%s'", c);
                return -1;
            }
        } else if (!strcmp(s, "--speed") && has) {
            if (number(s, argv[++i], &o->speed, err, cap)) return -1;
        } else if (!strcmp(s, "--start") && has) {
            if (number(s, argv[++i], &o->start_s, err, cap)) return -1;
        } else if (!strcmp(s, "--end") && has) {
            if (number(s, argv[++i], &o->end_s, err, cap)) return -1;
        } else if (!strcmp(s, "--fps") && has) {
            if (number(s, argv[++i], &o->fps, err, cap)) return -1;
        } else if (!strcmp(s, "--size") && has) {
            char tail;
            if (sscanf(argv[++i], "%dx%d%c", &o->width, &o->height, &tail) != 2) {
                snprintf(err, cap, "--size: expected WIDTHxHEIGHT, got '%s'", argv[i]);
                return -1;
            }
        } else if (!strcmp(s, "--frame") && i + 2 < argc) {
            if (number(s, argv[++i], &x, err, cap)) return -1;
            o->still = 1, o->still_t = x, o->out = argv[++i];
        } else if (!strcmp(s, "--quality") && has) {
            const char *q = argv[++i];
            if (!strcmp(q, "fast") || !strcmp(q, "best")) o->best = !strcmp(q, "best");
            else {
                snprintf(err, cap, "--quality: expected fast or best, got '%s'", q);
                return -1;
            }
        } else if (!strcmp(s, "--force")) {
            o->force = 1;
        } else if (!strcmp(s, "--quiet")) {
            o->quiet = 1;
        } else if (s[0] == '-') {
            snprintf(err, cap, "unknown or incomplete option '%s'", s);
            return -1;
        } else if (!o->run_dir) {
            o->run_dir = s;
        } else {
            snprintf(err, cap, "unexpected argument '%s'", s);
            return -1;
        }
    }
    if (!o->run_dir) {
        snprintf(err, cap, "no output folder given");
        return -1;
    }
    if (!o->out) {
        snprintf(outbuf, outcap, "%s/run.mp4", o->run_dir);
        o->out = outbuf;
    }
    return 0;
}

int bb_render_main(int argc, char **argv)
{
    bb_render_options o;
    char err[4096], out[4200];
    if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (parse(argc, argv, &o, out, sizeof out, err, sizeof err)) {
        fprintf(stderr, "brainbody render: %s\n", err);
        usage(stderr);
        return 2;
    }
    int rc = bb_render_run(&o, err, sizeof err);
    if (rc) fprintf(stderr, "brainbody render: %s\n", err);
    return rc;
}
