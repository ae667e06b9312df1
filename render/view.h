/* The 3D view of a replayed body: MuJoCo's scene (mjv) drawn by its own
 * renderer (mjr) into the offscreen framebuffer, tendons coloured by their
 * muscle's activation, contact points and forces shown. */
#ifndef BB_RENDER_VIEW_H
#define BB_RENDER_VIEW_H

#include <mujoco/mujoco.h>
#include <stddef.h>
#include <stdint.h>

#include "brainbody/body.h"
#include "brainbody/render.h"
#include "replay.h"

typedef struct bb_view bb_view;

/* Needs a current OpenGL context (gl_context.h). The framebuffer is
 * width x height pixels. best: shadows and 4x multisampling. */
bb_view *bb_view_open(const bb_replay *r, int width, int height, bb_render_camera camera, int best, char *err,
                      size_t cap);
void bb_view_close(bb_view *v);
const mjrContext *bb_view_mjr(const bb_view *v);
/* The replayed body (names of its muscles and touch grids). */
const bb_body *bb_view_body(const bb_view *v);
/* Sets the body to row of the recording and draws it into rect.
 * static_only: the world without the mouse (tests compare against it). */
void bb_view_draw(bb_view *v, const bb_replay *r, uint32_t row, mjrRect rect, int static_only);
/* Pixel (x right, y up, from the framebuffer's bottom-left) where world
 * point xyz (m) appears in the last drawing into rect; -1 if behind the camera. */
int bb_view_project(const bb_view *v, mjrRect rect, const double xyz[3], double px[2]);
/* World positions of the mouse's bodies (every body but the world and the
 * task objects, bb_*) in the current state: n * 3 doubles into xyz (cap n). */
uint32_t bb_view_mouse_points(const bb_view *v, double *xyz, uint32_t cap);
/* Colour of a tendon at activation a in [0, 1] (rgba). */
void bb_view_tendon_colour(double a, float rgba[4]);

#endif
