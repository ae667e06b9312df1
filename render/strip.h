/* What is drawn around the body: the strip below it (the output cells'
 * spike raster over the last second, each paw's touch grid as a heat map)
 * and the text over it (time, the task's state, recent events). */
#ifndef BB_RENDER_STRIP_H
#define BB_RENDER_STRIP_H

#include <mujoco/mujoco.h>

#include "brainbody/body.h"
#include "replay.h"

#define BB_RASTER_WINDOW_S 1.0 /* raster width, simulated seconds ending now */
#define BB_TOUCH_FULL_HZ 100.0 /* Merkel rate drawn at full brightness */

void bb_strip_raster(const bb_replay *r, double t, mjrRect rect, const mjrContext *con);
/* names: the body, for the touch grids' names */
void bb_strip_touch(const bb_replay *r, const bb_body *names, uint32_t row, mjrRect rect, const mjrContext *con);
void bb_strip_overlay(const bb_replay *r, double t, double speed, mjrRect rect, const mjrContext *con);

#endif
