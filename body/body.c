/* Loading, stepping and reading a MuJoCo body. Muscles are the actuators
 * whose dynamics type is mjDYN_MUSCLE, in model order. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void bb_world_defaults(bb_world_spec *w)
{
    memset(w, 0, sizeof *w);
    w->floor = 1;
    w->treadmill_speed = 0.2;
    w->belt_mass = 0.02;
    w->belt_damping = 0.005;
    w->target_radius = 0.002;
    w->lever_length = 0.01;
    w->lever_width = 0.004;
    w->lever_stiffness = 5e-4;
    w->lever_threshold = 10 * 3.14159265358979323846 / 180; /* 10 degrees */
    snprintf(w->head_body, sizeof w->head_body, "skull");
    w->taxels_x = w->taxels_y = 8;
}

static char *read_text(const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: cannot load body model: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        snprintf(err, errcap, "%s: cannot load body model: cannot read it", path);
        free(text);
        fclose(f);
        return NULL;
    }
    fclose(f);
    text[n] = 0;
    return text;
}

static void load_failed(const char *path, const char *mjerr, char *err, size_t errcap)
{
    snprintf(err, errcap, "%s: cannot load body model: %s", path, mjerr[0] ? mjerr : "unknown error");
}

/* Compiles XML text as if it were the file at path (so that files the model
 * names are still found next to it): MuJoCo's virtual file system looks the
 * name up without its folder. */
static mjModel *compile_text(const char *path, const char *text, char *err, size_t errcap)
{
    mjVFS *vfs = malloc(sizeof *vfs);
    if (!vfs) {
        snprintf(err, errcap, "%s: out of memory", path);
        return NULL;
    }
    mj_defaultVFS(vfs);
    size_t n = strlen(text);
    mjModel *m = NULL;
    if (mj_makeEmptyFileVFS(vfs, path, (int)n) == 0) {
        memcpy(vfs->filedata[vfs->nfile - 1], text, n);
        char mjerr[1000] = "";
        m = mj_loadXML(path, vfs, mjerr, sizeof mjerr);
        if (!m) load_failed(path, mjerr, err, errcap);
    } else {
        snprintf(err, errcap, "%s: cannot stage the model in MuJoCo's virtual file system", path);
    }
    mj_deleteVFS(vfs);
    free(vfs);
    return m;
}

/* Region names: the words of the custom text element "bb_regions". */
static void read_regions(bb_body *b)
{
    const mjModel *m = b->m;
    int t = mj_name2id(m, mjOBJ_TEXT, "bb_regions");
    if (t < 0) return;
    const char *s = m->text_data + m->text_adr[t];
    while (*s && b->nregions < 16) {
        s += strspn(s, " ");
        size_t n = strcspn(s, " ");
        if (!n) break;
        snprintf(b->regions[b->nregions++], sizeof b->regions[0], "%.*s", (int)(n < 31 ? n : 31), s);
        s += n;
    }
}

static bb_body *make_body(mjModel *m, const char *path, const bb_world_spec *w, char *err, size_t errcap)
{
    bb_body *b = calloc(1, sizeof *b);
    mjData *d = mj_makeData(m);
    int *map = calloc((size_t)m->nu + 1, sizeof *map);
    double *scratch = calloc((size_t)m->nv + 1, sizeof *scratch);
    double *len_before = calloc((size_t)m->nu + 1, sizeof *len_before);
    int *hinge = calloc((size_t)m->njnt + 1, sizeof *hinge);
    if (!b || !d || !map || !scratch || !len_before || !hinge) {
        free(scratch);
        free(len_before);
        free(hinge);
        snprintf(err, errcap, "%s: out of memory", path);
        free(b);
        free(map);
        if (d) mj_deleteData(d);
        mj_deleteModel(m);
        return NULL;
    }
    for (int i = 0; i < m->nu; i++)
        if (m->actuator_dyntype[i] == mjDYN_MUSCLE) map[b->n_muscles++] = i;
    b->m = m;
    b->d = d;
    b->muscle_actuator = map;
    b->scratch = scratch;
    b->len_before = len_before;
    b->hinge = hinge;
    for (int j = 0; j < m->njnt; j++)
        if (m->jnt_type[j] == mjJNT_HINGE) hinge[b->n_hinges++] = j;
    read_regions(b);
    mj_forward(m, d);
    if (bb_touch_init(b, w->taxels_x, w->taxels_y)) {
        snprintf(err, errcap, "%s: out of memory for the touch grids", path);
        bb_body_close(b);
        return NULL;
    }
    bb_world_bind(b, w);
    bb_health_init(b);
    return b;
}

bb_body *bb_body_open_world(const char *path, const bb_world_spec *w, char *err, size_t errcap)
{
    if (w->taxels_x < 1 || w->taxels_y < 1 || w->taxels_x > 64 || w->taxels_y > 64) {
        snprintf(err, errcap, "%s: touch grids must be 1..64 taxels a side, not %u x %u", path, w->taxels_x,
                 w->taxels_y);
        return NULL;
    }
    char *text = read_text(path, err, errcap);
    if (!text) return NULL;
    char *world = bb_world_compose(text, w, err, errcap);
    free(text);
    if (!world) return NULL;
    mjModel *m = compile_text(path, world, err, errcap);
    free(world);
    if (!m) return NULL;
    return make_body(m, path, w, err, errcap);
}

bb_body *bb_body_open(const char *path, char *err, size_t errcap)
{
    bb_world_spec w;
    bb_world_defaults(&w);
    w.floor = 0;
    char mjerr[1000] = "";
    mjModel *m = mj_loadXML(path, NULL, mjerr, sizeof mjerr);
    if (!m) {
        load_failed(path, mjerr, err, errcap);
        return NULL;
    }
    return make_body(m, path, &w, err, errcap);
}

void bb_body_close(bb_body *b)
{
    if (!b) return;
    bb_touch_free(&b->touch);
    mj_deleteData(b->d);
    mj_deleteModel(b->m);
    free(b->muscle_actuator);
    free(b->scratch);
    free(b->len_before);
    free(b->hinge);
    free(b);
}

uint32_t bb_body_n_muscles(const bb_body *b) { return b->n_muscles; }
double bb_body_timestep_ms(const bb_body *b) { return b->m->opt.timestep * 1e3; }
void bb_body_set_timestep_ms(bb_body *b, double ms) { b->m->opt.timestep = ms * 1e-3; }

int bb_body_set_friction_cone(bb_body *b, int elliptic, double impratio, char *err, size_t errcap)
{
    if (!(impratio >= 1) || (!elliptic && impratio != 1)) {
        snprintf(err, errcap, "an impedance ratio of %g %s", impratio,
                 impratio >= 1 ? "needs the elliptic cone (MuJoCo advises against it with the pyramidal one)"
                               : "is below 1");
        return -1;
    }
    b->m->opt.cone = elliptic ? mjCONE_ELLIPTIC : mjCONE_PYRAMIDAL;
    b->m->opt.impratio = impratio;
    return 0;
}

/* How many hinge joints one pattern matches; with `set`, gives them stiffness k. */
static int set_stiffness(mjModel *m, const char *pattern, double k, int set)
{
    int matched = 0;
    for (int j = 0; j < m->njnt; j++) {
        const char *name = mj_id2name(m, mjOBJ_JOINT, j);
        if (m->jnt_type[j] != mjJNT_HINGE || !name || fnmatch(pattern, name, 0)) continue;
        if (set) m->jnt_stiffness[j] = k; /* about qpos_spring: the built posture (springref 0) */
        matched++;
    }
    return matched;
}

int bb_body_set_joint_stiffness(bb_body *b, const char *patterns, double k, char *err, size_t errcap)
{
    if (!(k >= 0)) {
        snprintf(err, errcap, "a joint stiffness must be >= 0 N m/rad, not %g", k);
        return -1;
    }
    char *list = strdup(patterns);
    if (!list) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int total = 0;
    for (int pass = 0; pass < 2 && total >= 0; pass++) { /* check every pattern, then set */
        char *save = NULL;
        strcpy(list, patterns);
        for (char *pat = strtok_r(list, ", ", &save); pat && total >= 0; pat = strtok_r(NULL, ", ", &save)) {
            int matched = set_stiffness(b->m, pat, k, pass);
            if (!matched) {
                snprintf(err, errcap, "'%s' matches no hinge joint of the body", pat);
                total = -1;
            } else if (pass) {
                total += matched;
            }
        }
    }
    free(list);
    return total;
}

double bb_body_time_s(const bb_body *b) { return b->d->time; }

const char *bb_body_muscle_name(const bb_body *b, uint32_t i)
{
    const char *n = mj_id2name(b->m, mjOBJ_ACTUATOR, b->muscle_actuator[i]);
    return n ? n : "(unnamed)";
}

const char *bb_body_muscle_region(const bb_body *b, uint32_t i)
{
    const mjModel *m = b->m;
    if (m->nuser_actuator < 1) return "unassigned";
    int r = (int)m->actuator_user[b->muscle_actuator[i] * m->nuser_actuator];
    return r >= 0 && r < b->nregions ? b->regions[r] : "unassigned";
}

char bb_body_muscle_side(const bb_body *b, uint32_t i)
{
    const mjModel *m = b->m;
    if (m->nuser_actuator >= 2) {
        int s = (int)m->actuator_user[b->muscle_actuator[i] * m->nuser_actuator + 1];
        if (s >= 0 && s <= 2) return "LRM"[s];
    }
    return bb_side_of_name(bb_body_muscle_name(b, i));
}

char bb_side_of_name(const char *n)
{
    return (n[0] == 'L' || n[0] == 'R') && n[1] == '_' ? n[0] : 'M';
}

void bb_body_count(const bb_body *b, bb_body_counts *out)
{
    const mjModel *m = b->m;
    memset(out, 0, sizeof *out);
    out->bodies = (uint32_t)m->nbody - 1;
    out->joints = (uint32_t)m->njnt;
    out->dof = (uint32_t)m->nv;
    for (int j = 0; j < m->njnt; j++) {
        int t = m->jnt_type[j];
        out->free_joints += t == mjJNT_FREE;
        out->ball_joints += t == mjJNT_BALL;
        out->slide_joints += t == mjJNT_SLIDE;
        out->hinge_joints += t == mjJNT_HINGE;
    }
    out->tendons = (uint32_t)m->ntendon;
    out->actuators = (uint32_t)m->nu;
    out->muscles = b->n_muscles;
    out->touch_grids = b->touch.ngrids;
    out->taxels = bb_body_n_taxels(b);
}

long bb_body_muscle_index(const bb_body *b, const char *name)
{
    int a = mj_name2id(b->m, mjOBJ_ACTUATOR, name);
    for (uint32_t i = 0; a >= 0 && i < b->n_muscles; i++)
        if (b->muscle_actuator[i] == a) return (long)i;
    return -1;
}

int bb_body_step(bb_body *b, const float *excitation, uint32_t nsteps, char *err, size_t errcap)
{
    for (uint32_t i = 0; i < b->n_muscles; i++) {
        b->d->ctrl[b->muscle_actuator[i]] = excitation[i];
        b->len_before[i] = b->d->actuator_length[b->muscle_actuator[i]];
    }
    b->span_s = 0;
    for (uint32_t s = 0; s < nsteps; s++) {
        bb_world_before_step(b);
        mj_step(b->m, b->d);
        if (bb_health_check(b, err, errcap)) return -1;
        bb_world_after_step(b);
        bb_touch_update(b);
    }
    b->span_s = nsteps * b->m->opt.timestep;
    return 0;
}

/* ---- kinematics */

uint32_t bb_body_nq(const bb_body *b) { return (uint32_t)b->m->nq; }
uint32_t bb_body_nv(const bb_body *b) { return (uint32_t)b->m->nv; }
const double *bb_body_qpos(const bb_body *b) { return b->d->qpos; }
const double *bb_body_qvel(const bb_body *b) { return b->d->qvel; }

uint32_t bb_body_n_hinges(const bb_body *b) { return b->n_hinges; }

const char *bb_body_hinge_name(const bb_body *b, uint32_t i)
{
    const char *n = mj_id2name(b->m, mjOBJ_JOINT, b->hinge[i]);
    return n ? n : "(unnamed)";
}

void bb_body_hinges(const bb_body *b, double *angle, double *velocity)
{
    for (uint32_t i = 0; i < b->n_hinges; i++) {
        int j = b->hinge[i];
        if (angle) angle[i] = b->d->qpos[b->m->jnt_qposadr[j]];
        if (velocity) velocity[i] = b->d->qvel[b->m->jnt_dofadr[j]];
    }
}

double bb_body_joint_angle(const bb_body *b, const char *joint)
{
    int j = mj_name2id(b->m, mjOBJ_JOINT, joint);
    if (j < 0 || b->m->jnt_type[j] != mjJNT_HINGE) return NAN;
    return b->d->qpos[b->m->jnt_qposadr[j]];
}

int bb_body_joint_range(const bb_body *b, const char *joint, double range[2])
{
    int j = mj_name2id(b->m, mjOBJ_JOINT, joint);
    if (j < 0 || b->m->jnt_type[j] != mjJNT_HINGE || !b->m->jnt_limited[j]) return -1;
    range[0] = b->m->jnt_range[2 * j], range[1] = b->m->jnt_range[2 * j + 1];
    return 0;
}

int bb_body_body_pos(const bb_body *b, const char *body, double pos[3])
{
    int id = mj_name2id(b->m, mjOBJ_BODY, body);
    if (id < 0) return -1;
    memcpy(pos, b->d->xpos + 3 * id, 3 * sizeof *pos);
    return 0;
}

/* The task objects world.c adds (treadmill belt, lever, ...) are named bb_*;
 * they are not the animal. */
static int is_animal(const mjModel *m, int body)
{
    const char *n = mj_id2name(m, mjOBJ_BODY, body);
    return body > 0 && !(n && strncmp(n, "bb_", 3) == 0);
}

double bb_body_roll(const bb_body *b, const char *body)
{
    int id = mj_name2id(b->m, mjOBJ_BODY, body);
    if (id < 0) return NAN;
    double up = b->d->xmat[9 * id + 7]; /* z component of the body's y axis (row-major xmat, column 1) */
    return asin(up > 1 ? 1 : up < -1 ? -1 : up);
}

double bb_body_pitch(const bb_body *b, const char *body)
{
    int id = mj_name2id(b->m, mjOBJ_BODY, body);
    if (id < 0) return NAN;
    double up = b->d->xmat[9 * id + 6]; /* z component of the body's x axis (row-major xmat, column 0) */
    return asin(up > 1 ? 1 : up < -1 ? -1 : up);
}

double bb_body_yaw(const bb_body *b, const char *body)
{
    int id = mj_name2id(b->m, mjOBJ_BODY, body);
    if (id < 0) return NAN;
    const double *x = b->d->xmat + 9 * id; /* the body's x axis is column 0: x[0], x[3], x[6] */
    return atan2(x[3], x[0]);
}

void bb_body_com(const bb_body *b, double pos[3])
{
    double mass = 0;
    pos[0] = pos[1] = pos[2] = 0;
    for (int i = 1; i < b->m->nbody; i++) {
        if (!is_animal(b->m, i)) continue;
        double mi = b->m->body_mass[i];
        mass += mi;
        for (int k = 0; k < 3; k++) pos[k] += mi * b->d->xipos[3 * i + k];
    }
    for (int k = 0; k < 3 && mass > 0; k++) pos[k] /= mass;
}

double bb_body_total_mass(const bb_body *b)
{
    double mass = 0;
    for (int i = 1; i < b->m->nbody; i++)
        if (is_animal(b->m, i)) mass += b->m->body_mass[i];
    return mass;
}

double bb_body_kinetic_energy(const bb_body *b)
{
    mj_mulM(b->m, b->d, b->scratch, b->d->qvel);
    return 0.5 * mju_dot(b->scratch, b->d->qvel, b->m->nv);
}

const struct mjModel_ *bb_body_mj_model(const bb_body *b) { return b->m; }
struct mjData_ *bb_body_mj_data(bb_body *b) { return b->d; }

double bb_body_max_penetration(const bb_body *b)
{
    double deepest = 0;
    for (int c = 0; c < b->d->ncon; c++)
        if (-b->d->contact[c].dist > deepest) deepest = -b->d->contact[c].dist;
    return deepest;
}

void bb_body_sense(const bb_body *b, float *taxels, float *proprio)
{
    if (taxels) bb_body_merkel_rates(b, taxels);
    bb_body_proprio_rates(b, proprio);
}
