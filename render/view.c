/* MuJoCo 2.2.2's mjVIS_ACTIVATION flag does not colour tendons (a frame
 * with every activation at 1 has the same pixels as one at 0, checked with
 * this model), so each muscle's tendon gets its colour from its recorded
 * activation here, through tendon_rgba of this view's own model copy. */
#include "view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brainbody/body.h"

struct bb_view {
    bb_body *body;
    mjModel *m; /* the body's model: only its visual fields are changed */
    mjData *d;
    mjvScene scn;
    mjvCamera cam;
    mjvOption opt;
    mjrContext con;
    bb_render_camera camera;
    int *tendon; /* muscle -> tendon id, -1 for none */
    uint32_t n_muscles;
    double com0[3];
};

/* resting tendons grey-blue, fully active ones red (rgba) */
static const float REST[4] = {0.42f, 0.46f, 0.62f, 1}, ACTIVE[4] = {1.0f, 0.12f, 0.04f, 1};

void bb_view_tendon_colour(double a, float rgba[4])
{
    if (!(a > 0)) a = 0; /* NaN too */
    if (a > 1) a = 1;
    for (int k = 0; k < 4; k++) rgba[k] = (float)(REST[k] + a * (ACTIVE[k] - REST[k]));
}

bb_view *bb_view_open(const bb_replay *r, int width, int height, bb_render_camera camera, int best, char *err,
                      size_t cap)
{
    bb_view *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    bb_world_spec w;
    v->body = bb_body_open_world(r->cfg.body_model, bb_config_world_spec(&r->cfg, &w), err, cap);
    if (!v->body) {
        free(v);
        return NULL;
    }
    v->m = (mjModel *)bb_body_mj_model(v->body); /* this view's own instance */
    v->d = bb_body_mj_data(v->body);
    v->n_muscles = bb_body_n_muscles(v->body);
    if (v->m->nq != (int)r->nq || (r->qvel && v->m->nv != (int)r->nv) || v->n_muscles != r->n_muscles) {
        snprintf(err, cap, "%s/body.h5 does not match the model %s (nq %u, muscles %u; the model has nq %d, "
                           "%u muscles): was the model changed after the run?",
                 r->dir, r->cfg.body_model, r->nq, r->n_muscles, v->m->nq, v->n_muscles);
        bb_view_close(v);
        return NULL;
    }
    v->tendon = calloc(v->n_muscles + 1, sizeof *v->tendon);
    if (!v->tendon) {
        snprintf(err, cap, "out of memory");
        bb_view_close(v);
        return NULL;
    }
    for (uint32_t i = 0; i < v->n_muscles; i++) v->tendon[i] = bb_body_muscle_tendon(v->body, i);

    v->m->vis.global.offwidth = width;
    v->m->vis.global.offheight = height;
    v->m->vis.quality.offsamples = best ? 4 : 0; /* llvmpipe: 4x MSAA doubles the time of a frame */
    v->m->vis.quality.shadowsize = 2048;
    v->m->vis.map.force = (float)(0.2 * v->m->stat.meanmass); /* 50 mN -> 1 cm arrow (a 20-30 g mouse) */
    v->m->vis.scale.forcewidth = 0.12f; /* these three: fractions of the model's mean body size (8 mm) */
    v->m->vis.scale.contactwidth = 0.12f;
    v->m->vis.scale.contactheight = 0.03f;
    mjv_defaultScene(&v->scn);
    mjv_defaultCamera(&v->cam);
    mjv_defaultOption(&v->opt);
    mjr_defaultContext(&v->con);
    mjv_makeScene(v->m, &v->scn, 6000);
    mjr_makeContext(v->m, &v->con, mjFONTSCALE_100);
    if (v->con.offWidth < width || v->con.offHeight < height) {
        snprintf(err, cap, "the OpenGL offscreen buffer is %d x %d, smaller than the %d x %d asked for",
                 v->con.offWidth, v->con.offHeight, width, height);
        bb_view_close(v);
        return NULL;
    }
    mjr_setBuffer(mjFB_OFFSCREEN, &v->con);
    v->scn.flags[mjRND_SHADOW] = best; /* llvmpipe: shadows triple it */
    v->opt.flags[mjVIS_CONTACTPOINT] = 1;
    v->opt.flags[mjVIS_CONTACTFORCE] = 1;

    v->camera = camera;
    bb_body_set_state(v->body, r->qpos, r->qvel, r->activation, r->excitation);
    bb_body_com(v->body, v->com0);
    v->cam.type = mjCAMERA_FREE;
    v->cam.distance = camera == BB_CAMERA_TOP ? 0.15 : 0.13;
    /* side: from the mouse's right (+x ahead, +y its left); rear: from behind,
     * level, to see the trunk's roll and the stance width */
    v->cam.azimuth = camera == BB_CAMERA_FOLLOW ? -135 : camera == BB_CAMERA_REAR ? 0 : -90;
    v->cam.elevation = camera == BB_CAMERA_TOP ? -89.9 : camera == BB_CAMERA_FOLLOW ? -25 : camera == BB_CAMERA_REAR ? -5 : -12;
    return v;
}

void bb_view_close(bb_view *v)
{
    if (!v) return;
    mjr_freeContext(&v->con);
    mjv_freeScene(&v->scn);
    bb_body_close(v->body);
    free(v->tendon);
    free(v);
}

const mjrContext *bb_view_mjr(const bb_view *v) { return &v->con; }
const bb_body *bb_view_body(const bb_view *v) { return v->body; }

void bb_view_draw(bb_view *v, const bb_replay *r, uint32_t row, mjrRect rect, int static_only)
{
    bb_body_set_state(v->body, r->qpos + (size_t)row * r->nq, r->qvel ? r->qvel + (size_t)row * r->nv : NULL,
                      r->activation + (size_t)row * r->n_muscles, r->excitation + (size_t)row * r->n_muscles);
    const float *act = r->activation + (size_t)row * r->n_muscles;
    for (uint32_t i = 0; i < v->n_muscles; i++)
        if (v->tendon[i] >= 0) bb_view_tendon_colour(act[i], v->m->tendon_rgba + 4 * v->tendon[i]);
    double c[3];
    if (v->camera == BB_CAMERA_FOLLOW || v->camera == BB_CAMERA_REAR) bb_body_com(v->body, c);
    else memcpy(c, v->com0, sizeof c); /* a fixed camera: the mouse moves through the frame */
    for (int k = 0; k < 3; k++) v->cam.lookat[k] = c[k];
    mjv_updateScene(v->m, v->d, &v->opt, NULL, &v->cam, static_only ? mjCAT_STATIC : mjCAT_ALL, &v->scn);
    mjr_render(rect, &v->scn, &v->con);
}

int bb_view_project(const bb_view *v, mjrRect rect, const double xyz[3], double px[2])
{
    /* the average of the two eyes' cameras, as mjr_render uses without stereo */
    const mjvGLCamera *g = &v->scn.camera[0], *h = &v->scn.camera[1];
    double pos[3], fwd[3], up[3], right[3], d[3];
    for (int k = 0; k < 3; k++) {
        pos[k] = 0.5 * (g->pos[k] + h->pos[k]);
        fwd[k] = 0.5 * (g->forward[k] + h->forward[k]);
        up[k] = 0.5 * (g->up[k] + h->up[k]);
        d[k] = xyz[k] - pos[k];
    }
    right[0] = fwd[1] * up[2] - fwd[2] * up[1];
    right[1] = fwd[2] * up[0] - fwd[0] * up[2];
    right[2] = fwd[0] * up[1] - fwd[1] * up[0];
    double z = d[0] * fwd[0] + d[1] * fwd[1] + d[2] * fwd[2];
    if (z <= g->frustum_near) return -1;
    double x = d[0] * right[0] + d[1] * right[1] + d[2] * right[2], y = d[0] * up[0] + d[1] * up[1] + d[2] * up[2];
    double half_h = 0.5 * (g->frustum_top - g->frustum_bottom), mid_y = 0.5 * (g->frustum_top + g->frustum_bottom);
    double half_w = half_h * rect.width / rect.height;
    double nx = (x * g->frustum_near / z - g->frustum_center) / half_w, ny = (y * g->frustum_near / z - mid_y) / half_h;
    px[0] = rect.left + 0.5 * (nx + 1) * rect.width;
    px[1] = rect.bottom + 0.5 * (ny + 1) * rect.height;
    return 0;
}

uint32_t bb_view_mouse_points(const bb_view *v, double *xyz, uint32_t cap)
{
    uint32_t n = 0;
    for (int i = 1; i < v->m->nbody && n < cap; i++) {
        const char *name = mj_id2name(v->m, mjOBJ_BODY, i);
        if (name && !strncmp(name, "bb_", 3)) continue;
        memcpy(xyz + 3 * n++, v->d->xpos + 3 * i, 3 * sizeof *xyz);
    }
    return n;
}
