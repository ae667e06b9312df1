/* Writes the MJCF text of the mouse. Every length in the tables is in mm and
 * every mass in g; the XML is in SI units. Right-side parts mirror the left
 * (y -> -y; hinge axes (x, y, z) -> (-x, y, -z), so that a positive angle is
 * the same anatomical motion on both sides). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define SPECIFIC_TENSION 0.25 /* N/mm^2; reference sheet: 0.2-0.3 N/mm^2 */
#define PAD_NX 4 /* contact spheres along a paw pad */
#define PAD_NY 2 /* and across it */

enum { LEFT, RIGHT, MID };
static const char *side_prefix[] = {"L_", "R_", ""};

typedef struct writer {
    const gen_model *m;
    const gen_tuning *t;
    FILE *f;
} writer;

static double mirror(int side, int axis_index, double v) { return side == RIGHT && axis_index == 1 ? -v : v; }

static void body_name(const gen_model *m, int b, int side, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", m->bones[b].bilateral ? side_prefix[side] : "", m->bones[b].name);
}

static void site_name(const gen_point *p, int side, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", side == MID ? "M_" : side_prefix[side], p->site);
}

/* Muscles in XML order: bilateral rows left, the same rows right, midline. */
typedef struct unit {
    const gen_muscle *mu;
    int side;
} unit;

static int units(const gen_model *m, unit *out)
{
    int n = 0;
    for (int s = LEFT; s <= MID; s++)
        for (int i = 0; i < m->nmuscles; i++) {
            const gen_muscle *mu = &m->muscles[i];
            if ((s == MID) == !mu->bilateral) {
                if (out) out[n] = (unit){mu, s};
                n++;
            }
        }
    return n;
}

int gen_count_muscles(const gen_model *m) { return units(m, NULL); }

static void point_pos(const gen_point *p, int side, double out[3])
{
    for (int i = 0; i < 3; i++) out[i] = mirror(side, i, p->p[i]) * 1e-3;
    if (side == MID) out[1] = 0;
}

/* The sites a body carries: every distinct path point of every unit on it. */
static void write_sites(const writer *w, int bone, int side, const unit *us, int nu)
{
    char seen[4096][2 * GEN_NAME + 8];
    int nseen = 0;
    for (int k = 0; k < nu; k++) {
        int s = us[k].side;
        /* a bilateral body's sites belong to its side; a midline body's to all */
        if (w->m->bones[bone].bilateral && s != side) continue;
        for (int i = 0; i < us[k].mu->npath; i++) {
            const gen_point *p = &us[k].mu->path[i];
            if (p->bone != bone || p->wrap >= 0) continue;
            char name[2 * GEN_NAME + 8];
            site_name(p, s, name, sizeof name);
            int dup = 0;
            for (int j = 0; j < nseen && !dup; j++) dup = !strcmp(seen[j], name);
            if (dup || nseen == 4096) continue;
            strcpy(seen[nseen++], name);
            double x[3];
            point_pos(p, s, x);
            fprintf(w->f, "<site name=\"%s\" pos=\"%.6g %.6g %.6g\"/>", name, x[0], x[1], x[2]);
        }
    }
}

/* Inertia about the centre of mass, body frame, kg m^2: a solid ellipsoid for
 * trunk segments with an ellipsoid contact shape, otherwise a solid rod of
 * the bone's length and radius. */
static void inertia(const gen_bone *b, int side, double com[3], double I[6])
{
    double mkg = b->mass_g * 1e-3;
    if (!strcmp(b->contact, "ellipsoid")) {
        double a = b->csize[0] * 1e-3, bb = b->csize[1] * 1e-3, c = b->csize[2] * 1e-3;
        for (int i = 0; i < 3; i++) com[i] = mirror(side, i, b->cpos[i]) * 1e-3;
        I[0] = mkg / 5 * (bb * bb + c * c);
        I[1] = mkg / 5 * (a * a + c * c);
        I[2] = mkg / 5 * (a * a + bb * bb);
        I[3] = I[4] = I[5] = 0;
        return;
    }
    double v[3], len = 0;
    for (int i = 0; i < 3; i++) {
        v[i] = mirror(side, i, b->vec[i]) * 1e-3;
        len += v[i] * v[i];
    }
    len = sqrt(len);
    double r = b->radius * 1e-3, u[3];
    for (int i = 0; i < 3; i++) {
        com[i] = v[i] / 2;
        u[i] = v[i] / len;
    }
    double across = mkg * (len * len / 12 + r * r / 4), along = mkg * r * r / 2;
    /* I = across (E - u u^T) + along u u^T */
    static const int pairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
    for (int k = 0; k < 6; k++) {
        int i = pairs[k][0], j = pairs[k][1];
        double uu = u[i] * u[j];
        I[k] = across * ((i == j) - uu) + along * uu;
    }
}

static void write_joint(const writer *w, const gen_joint *j, const gen_bone *b, int side, const char *jname)
{
    double ax[3];
    if (j->along_bone) {
        double len = sqrt(b->vec[0] * b->vec[0] + b->vec[1] * b->vec[1] + b->vec[2] * b->vec[2]);
        for (int i = 0; i < 3; i++) ax[i] = b->vec[i] / len;
    } else {
        memcpy(ax, j->axis, sizeof ax);
    }
    if (side == RIGHT) {
        ax[0] = -ax[0];
        ax[2] = -ax[2];
    }
    fprintf(w->f, "<joint name=\"%s\" axis=\"%.6g %.6g %.6g\" range=\"%.6g %.6g\"", jname, ax[0], ax[1], ax[2],
            j->lo, j->hi);
    if (j->ref != 0) fprintf(w->f, " ref=\"%.6g\"", j->ref);
    fprintf(w->f, "/>");
}

static int is_vertebra(const char *n)
{
    return (n[0] == 'C' && n[1] >= '2' && n[1] <= '7' && !n[2]) || ((n[0] == 'T' || n[0] == 'L') && n[1] >= '1');
}

static void write_joints(const writer *w, int bone, int side)
{
    const gen_bone *b = &w->m->bones[bone];
    int tail = !strncmp(b->name, "Ca", 2);
    for (int i = 0; i < w->m->njoints; i++) {
        const gen_joint *j = &w->m->joints[i];
        int mine = !strcmp(j->bone, b->name) || (!strcmp(j->bone, "*VERT*") && is_vertebra(b->name)) ||
                   (!strcmp(j->bone, "*TAIL*") && tail);
        if (!mine) continue;
        char name[2 * GEN_NAME];
        if (b->bilateral) snprintf(name, sizeof name, "%s%s", side_prefix[side], j->name);
        else snprintf(name, sizeof name, "%s_%s", b->name, j->name);
        write_joint(w, j, b, side, name);
    }
}

static void write_geoms(const writer *w, int bone, int side)
{
    const gen_bone *b = &w->m->bones[bone];
    char bn[GEN_NAME + 4];
    body_name(w->m, bone, side, bn, sizeof bn);
    double v[3], cp[3];
    for (int i = 0; i < 3; i++) {
        v[i] = mirror(side, i, b->vec[i]) * 1e-3;
        cp[i] = mirror(side, i, b->cpos[i]) * 1e-3;
    }
    int capsule_contact = !strcmp(b->contact, "capsule");
    double r = (capsule_contact && b->csize[0] > 0 ? b->csize[0] : b->radius) * 1e-3;
    fprintf(w->f, "<geom name=\"%s\"%s fromto=\"0 0 0 %.6g %.6g %.6g\" size=\"%.6g\"/>", bn,
            capsule_contact ? " class=\"contact\"" : "", v[0], v[1], v[2], r);
    if (!strcmp(b->contact, "ellipsoid")) {
        fprintf(w->f, "<geom name=\"%s_trunk\" class=\"contact\" type=\"ellipsoid\" pos=\"%.6g %.6g %.6g\" "
                      "size=\"%.6g %.6g %.6g\" rgba=\"0.75 0.65 0.6 0.35\"/>",
                bn, cp[0], cp[1], cp[2], b->csize[0] * 1e-3, b->csize[1] * 1e-3, b->csize[2] * 1e-3);
    } else if (!strcmp(b->contact, "pad")) {
        double sx = b->csize[0] * 1e-3, sy = b->csize[1] * 1e-3, sz = b->csize[2] * 1e-3;
        /* The pad's body (not colliding) and, under it, PAD_NX x PAD_NY
         * spheres whose bottoms lie in the sole: the ground then touches the
         * pad where the paw rests on it, not only at a box's four corners,
         * and the touch grid sees how the load spreads over the sole. */
        fprintf(w->f, "<geom name=\"%s_pad\" type=\"box\" pos=\"%.6g %.6g %.6g\" size=\"%.6g %.6g %.6g\" "
                      "rgba=\"0.9 0.6 0.6 1\"/>",
                bn, cp[0], cp[1], cp[2], sx, sy, sz);
        double r = sy / PAD_NY;
        for (int i = 0; i < PAD_NX; i++)
            for (int j = 0; j < PAD_NY; j++) {
                double x = cp[0] - sx + (2 * i + 1) * sx / PAD_NX, y = cp[1] - sy + (2 * j + 1) * sy / PAD_NY;
                fprintf(w->f, "<geom name=\"%s_pad_%d\" class=\"contact\" type=\"sphere\" pos=\"%.6g %.6g %.6g\" "
                              "size=\"%.6g\" rgba=\"0.9 0.6 0.6 1\"/>",
                        bn, PAD_NY * i + j, x, y, cp[2] - sz + r, r);
            }
        /* touch grid frame: centre of the sole, z out of the sole (down) */
        fprintf(w->f, "<site name=\"%s_touch\" type=\"box\" pos=\"%.6g %.6g %.6g\" quat=\"0 1 0 0\" "
                      "size=\"%.6g %.6g %.6g\" group=\"4\"/>",
                bn, cp[0], cp[1], cp[2] - sz, sx, sy, 1e-5);
    }
}

/* Wrapping cylinders on this bone: 3 mm long, never colliding, and a side
 * site that tells MuJoCo on which side the tendon passes. */
static void write_wraps(const writer *w, int bone, int side)
{
    for (int i = 0; i < w->m->nwraps; i++) {
        const gen_wrap *g = &w->m->wraps[i];
        if (g->bone != bone) continue;
        double c[3], a[3], s[3];
        for (int k = 0; k < 3; k++) {
            c[k] = mirror(side, k, g->centre[k]) * 1e-3;
            s[k] = mirror(side, k, g->side[k]) * 1e-3;
            a[k] = mirror(side, k, g->axis[k]) * 1.5e-3;
        }
        fprintf(w->f, "<geom name=\"%s%s\" type=\"cylinder\" fromto=\"%.6g %.6g %.6g %.6g %.6g %.6g\" "
                      "size=\"%.6g\" group=\"3\" rgba=\"0.5 0.5 0.9 0.3\"/>",
                side_prefix[side], g->name, c[0] - a[0], c[1] - a[1], c[2] - a[2], c[0] + a[0], c[1] + a[1],
                c[2] + a[2], g->radius * 1e-3);
        fprintf(w->f, "<site name=\"%s%s_side\" pos=\"%.6g %.6g %.6g\"/>", side_prefix[side], g->name, s[0], s[1],
                s[2]);
    }
}

static void write_body(const writer *w, int bone, int side, const unit *us, int nu, int depth)
{
    const gen_bone *b = &w->m->bones[bone];
    char bn[GEN_NAME + 4];
    body_name(w->m, bone, side, bn, sizeof bn);
    double p[3];
    for (int i = 0; i < 3; i++) p[i] = mirror(side, i, b->pos[i]) * 1e-3;
    /* the root stands with its paws 1 mm above z = 0 */
    if (b->parent_index < 0) p[2] = 0.0345;
    fprintf(w->f, "\n%*s<body name=\"%s\" pos=\"%.6g %.6g %.6g\">", 2 * depth, "", bn, p[0], p[1], p[2]);
    if (b->parent_index < 0) fprintf(w->f, "<freejoint name=\"root\"/>");
    double com[3], I[6];
    inertia(b, side, com, I);
    fprintf(w->f, "<inertial pos=\"%.6g %.6g %.6g\" mass=\"%.6g\" fullinertia=\"%.6g %.6g %.6g %.6g %.6g %.6g\"/>",
            com[0], com[1], com[2], b->mass_g * 1e-3, I[0], I[1], I[2], I[3], I[4], I[5]);
    write_joints(w, bone, side);
    write_geoms(w, bone, side);
    write_wraps(w, bone, side);
    if (!strcmp(b->name, "skull")) fprintf(w->f, "<site name=\"vestibular\" pos=\"0.002 0 0.001\" group=\"4\"/>");
    write_sites(w, bone, side, us, nu);
    for (int c = 0; c < w->m->nbones; c++) {
        if (w->m->bones[c].parent_index != bone) continue;
        if (w->m->bones[c].bilateral && !b->bilateral) {
            write_body(w, c, LEFT, us, nu, depth + 1);
            write_body(w, c, RIGHT, us, nu, depth + 1);
        } else {
            write_body(w, c, side, us, nu, depth + 1);
        }
    }
    fprintf(w->f, "</body>");
}

int gen_write_mjcf(const gen_model *m, const gen_tuning *t, FILE *f)
{
    int nu = gen_count_muscles(m);
    unit *us = calloc((size_t)nu, sizeof *us);
    if (!us) return -1;
    units(m, us);
    writer w = {m, t, f};
    fprintf(f, "<!-- GENERATED by models/mouse_853muscle/generator from ../tables/*.tsv: do not edit.\n"
               "     Regenerate: build/models/mouse_853muscle/generator/mouse_gen (see README.md). -->\n");
    fprintf(f, "<mujoco model=\"mouse_853muscle\">\n"
               "<compiler angle=\"degree\" autolimits=\"true\"><lengthrange mode=\"none\"/></compiler>\n"
               "<option timestep=\"0.0005\"/>\n"
               "<size nuser_actuator=\"2\"/>\n"
               "<custom><text name=\"bb_regions\" data=\"");
    for (int i = 0; i < GEN_NREGIONS; i++) fprintf(f, "%s%s", i ? " " : "", gen_regions[i]);
    fprintf(f, "\"/><numeric name=\"bb_specific_tension_N_per_mm2\" data=\"%g\"/></custom>\n", SPECIFIC_TENSION);
    fprintf(f, "<default>\n"
               "  <joint damping=\"2e-5\" armature=\"1e-8\" solreflimit=\"0.004 1\"/>\n"
               "  <geom type=\"capsule\" contype=\"0\" conaffinity=\"0\" group=\"1\" rgba=\"0.85 0.8 0.7 1\"/>\n"
               "  <default class=\"contact\"><geom contype=\"2\" conaffinity=\"1\" group=\"0\" condim=\"3\" "
               "friction=\"1 0.005 0.0001\" solref=\"0.002 1\"/></default>\n"
               "  <site size=\"0.0002\" group=\"3\"/>\n"
               "  <tendon width=\"0.00015\" rgba=\"0.7 0.15 0.15 1\"/>\n"
               "  <muscle ctrllimited=\"true\" ctrlrange=\"0 1\" timeconst=\"0.015 0.06\" vmax=\"12\"/>\n"
               "</default>\n<worldbody>");
    write_body(&w, gen_bone_index(m, "pelvis"), MID, us, nu, 0);
    fprintf(f, "\n</worldbody>\n<tendon>\n");
    for (int k = 0; k < nu; k++) {
        fprintf(f, "<spatial name=\"%s%s\">", side_prefix[us[k].side], us[k].mu->name);
        for (int i = 0; i < us[k].mu->npath; i++) {
            const gen_point *p = &us[k].mu->path[i];
            if (p->wrap >= 0) {
                const char *wn = m->wraps[p->wrap].name;
                fprintf(f, "<geom geom=\"%s%s\" sidesite=\"%s%s_side\"/>", side_prefix[us[k].side], wn,
                        side_prefix[us[k].side], wn);
                continue;
            }
            char sn[2 * GEN_NAME + 8];
            site_name(p, us[k].side, sn, sizeof sn);
            fprintf(f, "<site site=\"%s\"/>", sn);
        }
        fprintf(f, "</spatial>\n");
    }
    fprintf(f, "</tendon>\n");
    if (t) {
        fprintf(f, "<actuator>\n");
        for (int k = 0; k < nu; k++) {
            const gen_muscle *mu = us[k].mu;
            /* fibres at optimal length in the standing posture:
             * slack = tendon share x MTU length, optimal fibre = the rest */
            double slack = mu->tendon * t->stand[k], lopt = t->stand[k] - slack;
            double r0 = (t->lr0[k] - slack) / lopt, r1 = (t->lr1[k] - slack) / lopt;
            fprintf(f, "<muscle name=\"%s%s\" tendon=\"%s%s\" force=\"%.6g\" lengthrange=\"%.6g %.6g\" "
                       "range=\"%.6g %.6g\" user=\"%d %d\"/>\n",
                    side_prefix[us[k].side], mu->name, side_prefix[us[k].side], mu->name,
                    mu->pcsa * SPECIFIC_TENSION, t->lr0[k], t->lr1[k], r0, r1, gen_region_index(mu->region),
                    us[k].side);
        }
        fprintf(f, "</actuator>\n");
    }
    fprintf(f, "</mujoco>\n");
    free(us);
    return ferror(f) ? -1 : 0;
}
