/* Task objects: MJCF text added to the model's worldbody at load time (MuJoCo
 * 2.2.2 has no model-editing API), so the mouse file itself is never edited.
 * World objects collide with the model's contact geoms (contype 1,
 * conaffinity 2 here; the mouse's contact class is contype 2, conaffinity 1)
 * and with plain geoms of other models, never with each other. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OBJ "contype=\"1\" conaffinity=\"2\" solref=\"0.002 1\" friction=\"1 0.005 0.0001\""

/* the belt is 1 m long and jumps back by BELT_WRAP when it has run that far:
 * the surface under the mouse looks the same */
#define BELT_HALF 0.5
#define BELT_WRAP 0.25

/* Appends printf-style text, growing the buffer. */
__attribute__((format(printf, 4, 5))) static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0) return -1;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        size_t ncap = 2 * *cap + (size_t)n;
        char *nb = realloc(*buf, ncap);
        if (!nb) return -1;
        *buf = nb;
        *cap = ncap;
    }
}

static const char *last(const char *text, const char *what)
{
    const char *found = NULL;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what)) found = p;
    return found;
}

/* The model text with the task objects before the end of its worldbody (an
 * empty <worldbody/> is opened up) and the head weld before </mujoco>. */
char *bb_world_compose(const char *text, const bb_world_spec *w, char *err, size_t errcap)
{
    const char *wend = last(text, "</worldbody>"), *skip = wend;
    int empty = !wend && (wend = strstr(text, "<worldbody/>"));
    if (empty) skip = wend + strlen("<worldbody/>");
    const char *mend = last(text, "</mujoco>");
    if (!wend || !mend || mend < wend) {
        snprintf(err, errcap, "the body model has no <worldbody> to add task objects to");
        return NULL;
    }
    size_t cap = strlen(text) + 4096, len = 0;
    char *out = malloc(cap);
    if (!out) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    int rc = append(&out, &len, &cap, "%.*s%s", (int)(wend - text), text, empty ? "<worldbody>" : "");
    rc |= append(&out, &len, &cap, "\n<!-- task objects added by brainbody -->\n"
                                   "<light name=\"bb_light\" pos=\"0 0 0.3\" dir=\"0 0 -1\" directional=\"true\"/>\n");
    if (w->floor)
        rc |= append(&out, &len, &cap,
                     "<geom name=\"bb_floor\" type=\"plane\" size=\"2 2 0.01\" rgba=\"0.85 0.85 0.8 1\" " OBJ "/>\n");
    if (w->treadmill) {
        /* a free belt is pushed by the paws alone, so its mass and friction
         * matter; a motor-driven one's velocity is set (bb_world_before_step) */
        char damping[48] = "";
        if (w->treadmill_free) snprintf(damping, sizeof damping, " damping=\"%.6g\"", w->belt_damping);
        rc |= append(&out, &len, &cap,
                     "<body name=\"bb_treadmill\" pos=\"0 0 -0.001\"><joint name=\"bb_belt\" type=\"slide\" axis=\"1 0 0\"%s/>"
                     "<geom name=\"bb_belt\" type=\"box\" size=\"%g 0.04 0.001\" mass=\"%.6g\" rgba=\"0.2 0.2 0.2 1\" " OBJ
                     "/></body>\n",
                     damping, BELT_HALF, w->treadmill_free ? w->belt_mass : 1.0);
    }
    if (w->reach_target)
        rc |= append(&out, &len, &cap,
                     "<site name=\"bb_target\" group=\"0\" type=\"sphere\" pos=\"%.6g %.6g %.6g\" size=\"%.6g\" rgba=\"0.1 0.8 0.1 0.4\"/>\n",
                     w->target_pos[0], w->target_pos[1], w->target_pos[2], w->target_radius);
    if (w->lever) {
        /* press: a bar from the pivot towards the mouse (-x), pressed down;
         * push: a paddle standing up from the pivot, pushed forward (+x) */
        double half = w->lever_length / 2;
        const char *axis = w->lever_push ? "0 1 0" : "0 -1 0";
        double gx = w->lever_push ? 0 : -half, gz = w->lever_push ? half : 0;
        double sx = w->lever_push ? 0.0005 : half, sz = w->lever_push ? half : 0.0005;
        rc |= append(&out, &len, &cap,
                     "<body name=\"bb_lever\" pos=\"%.6g %.6g %.6g\">"
                     "<joint name=\"bb_lever\" type=\"hinge\" axis=\"%s\" range=\"0 30\" limited=\"true\" "
                     "stiffness=\"%.6g\" damping=\"1e-5\" armature=\"1e-8\" solreflimit=\"0.002 1\"/>"
                     "<geom name=\"bb_lever\" type=\"box\" pos=\"%.6g 0 %.6g\" size=\"%.6g %.6g %.6g\" mass=\"0.0002\" "
                     "rgba=\"0.8 0.7 0.1 1\" " OBJ "/></body>\n",
                     w->lever_pos[0], w->lever_pos[1], w->lever_pos[2], axis, w->lever_stiffness, gx, gz, sx,
                     w->lever_width / 2, sz);
    }
    if (w->tube) { /* two side walls, 1 mm thick, from the floor up */
        for (int side = -1; side <= 1; side += 2)
            rc |= append(&out, &len, &cap,
                         "<geom name=\"bb_tube_%s\" type=\"box\" pos=\"%.6g %.6g %.6g\" size=\"%.6g 0.0005 %.6g\" "
                         "rgba=\"0.6 0.7 0.9 0.25\" " OBJ "/>\n",
                         side < 0 ? "R" : "L", (w->tube_x[0] + w->tube_x[1]) / 2, side * (w->tube_half_width + 0.0005),
                         w->tube_height / 2, (w->tube_x[1] - w->tube_x[0]) / 2, w->tube_height / 2);
    }
    rc |= append(&out, &len, &cap, "%s%.*s", empty ? "</worldbody>" : "", (int)(mend - skip), skip);
    if (w->head_fixed) /* a stiff weld of the head to the world, at its pose in qpos0 */
        rc |= append(&out, &len, &cap,
                     "<equality><weld name=\"bb_head_fixed\" body1=\"%s\" solref=\"0.002 1\"/></equality>\n",
                     w->head_body);
    rc |= append(&out, &len, &cap, "%s", mend);
    if (rc) {
        free(out);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    return out;
}

void bb_world_bind(bb_body *b, const bb_world_spec *w)
{
    const mjModel *m = b->m;
    bb_world_state *s = &b->world;
    memset(s, 0, sizeof *s);
    s->belt_joint = mj_name2id(m, mjOBJ_JOINT, "bb_belt");
    if (s->belt_joint >= 0) {
        s->belt_qpos = m->jnt_qposadr[s->belt_joint];
        s->belt_dof = m->jnt_dofadr[s->belt_joint];
        s->belt_speed = w->treadmill_speed;
        s->belt_free = w->treadmill_free;
    }
    s->lever_joint = mj_name2id(m, mjOBJ_JOINT, "bb_lever");
    s->lever_threshold = w->lever_threshold;
    s->lever_armed = 1;
    s->last_press_s = -1;
    s->target_site = mj_name2id(m, mjOBJ_SITE, "bb_target");
    s->push_body = -1;
    /* eq_data[3..5] of a weld to the world is where the world's origin sits
     * in the head's frame; raising the head by h moves it by -R^T (0,0,h),
     * with R the head's orientation at the start pose (d holds it now) */
    s->head_weld = mj_name2id(m, mjOBJ_EQUALITY, "bb_head_fixed");
    if (s->head_weld >= 0) {
        const mjtNum *R = b->d->xmat + 9 * m->eq_obj1id[s->head_weld];
        for (int k = 0; k < 3; k++) {
            s->head_relpos[k] = m->eq_data[mjNEQDATA * s->head_weld + 3 + k];
            s->head_shift[k] = -R[3 * 2 + k] * w->head_height;
        }
    }
}

int bb_body_has_body(const bb_body *b, const char *body) { return mj_name2id(b->m, mjOBJ_BODY, body) > 0; }

int bb_body_push(bb_body *b, const char *body, const double force[3], double start_s, double duration_s, char *err,
                 size_t errcap)
{
    int id = mj_name2id(b->m, mjOBJ_BODY, body);
    if (id <= 0) {
        snprintf(err, errcap, "the push's body '%s' is not a body of the model", body);
        return -1;
    }
    if (!(start_s >= 0 && duration_s > 0)) {
        snprintf(err, errcap, "a push needs start >= 0 and duration > 0 s (got %g, %g)", start_s, duration_s);
        return -1;
    }
    bb_world_state *s = &b->world;
    if (s->push_body > 0) memset(b->d->xfrc_applied + 6 * s->push_body, 0, 3 * sizeof(mjtNum));
    s->push_body = id;
    memcpy(s->push_force, force, sizeof s->push_force);
    s->push_start = start_s;
    s->push_end = start_s + duration_s;
    return 0;
}

/* The push is switched on and off on the step grid: it acts on the steps
 * that start in [start, start + duration). A motor-driven belt is driven
 * kinematically: its velocity is set before each step (a 1 kg belt under a
 * 25 g mouse barely notices the feet). A free one moves as the paws push it,
 * either way; both jump back by BELT_WRAP when they have run that far. */
void bb_world_before_step(bb_body *b)
{
    bb_world_state *s = &b->world;
    bb_support_clear(b); /* first: the push may act on one of its bodies */
    if (s->push_body > 0) { /* xfrc_applied: force at the body's centre of mass, world frame */
        double t = b->d->time, *f = b->d->xfrc_applied + 6 * s->push_body;
        int on = t >= s->push_start - 1e-12 && t < s->push_end - 1e-12;
        for (int k = 0; k < 3; k++) f[k] = on ? s->push_force[k] : 0;
    }
    bb_support_add(b);
    if (s->head_weld >= 0) {
        double f = b->d->time / BB_HEAD_POST_RAMP_S;
        if (f > 1) f = 1;
        for (int k = 0; k < 3; k++)
            b->m->eq_data[mjNEQDATA * s->head_weld + 3 + k] = s->head_relpos[k] + f * s->head_shift[k];
    }
    if (s->belt_joint < 0) return;
    if (!s->belt_free) b->d->qvel[s->belt_dof] = -s->belt_speed;
    double *x = &b->d->qpos[s->belt_qpos];
    if (*x < -BELT_WRAP) *x += BELT_WRAP, s->belt_wrapped += BELT_WRAP;
    if (*x > BELT_WRAP) *x -= BELT_WRAP, s->belt_wrapped -= BELT_WRAP;
}

/* Presses: counted when the angle passes the threshold, re-armed below half
 * of it (hysteresis, so that jitter at the threshold is one press). */
void bb_world_after_step(bb_body *b)
{
    bb_world_state *s = &b->world;
    if (s->lever_joint < 0) return;
    double a = b->d->qpos[b->m->jnt_qposadr[s->lever_joint]];
    if (s->lever_armed && a >= s->lever_threshold) {
        s->lever_presses++;
        s->last_press_s = b->d->time;
        s->lever_armed = 0;
    } else if (!s->lever_armed && a < s->lever_threshold / 2) {
        s->lever_armed = 1;
    }
}

void bb_body_task(const bb_body *b, bb_task_state *out)
{
    const bb_world_state *s = &b->world;
    memset(out, 0, sizeof *out);
    out->last_press_s = s->last_press_s;
    out->lever_presses = s->lever_presses;
    out->target_distance = -1;
    if (s->lever_joint >= 0) out->lever_angle = b->d->qpos[b->m->jnt_qposadr[s->lever_joint]];
    if (s->belt_joint >= 0) {
        out->belt_speed = s->belt_free ? -b->d->qvel[s->belt_dof] : s->belt_speed;
        out->belt_travel = s->belt_wrapped - b->d->qpos[s->belt_qpos];
    }
    if (s->target_site >= 0) {
        const double *tp = b->d->site_xpos + 3 * s->target_site;
        for (uint32_t g = 0; g < b->touch.ngrids; g++) {
            double dist = mju_dist3(tp, b->d->site_xpos + 3 * b->touch.grids[g].site);
            if (out->target_distance < 0 || dist < out->target_distance) out->target_distance = dist;
        }
    }
}
