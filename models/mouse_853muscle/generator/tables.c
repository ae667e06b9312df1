/* Parses the anatomy tables. Every row error names file:line and the field. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define MAX_TOKENS 16

typedef struct row {
    const char *file;
    int line;
    int n;
    char *tok[MAX_TOKENS];
    char *rest; /* everything after the fixed columns: the source note */
} row;

static int fail(const row *r, const char *field, const char *why)
{
    fprintf(stderr, "%s:%d: %s: %s\n", r->file, r->line, field, why);
    return -1;
}

/* Splits a line into at most nfixed whitespace-separated tokens; the rest of
 * the line is kept whole as the row's source note. */
static void split(char *s, int nfixed, row *r)
{
    r->n = 0;
    r->rest = "";
    while (*s) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '\n' || *s == '\r') break;
        if (r->n == nfixed) {
            r->rest = s;
            s[strcspn(s, "\r\n")] = 0;
            return;
        }
        r->tok[r->n++] = s;
        s += strcspn(s, " \t\r\n");
        if (*s) *s++ = 0;
    }
}

static int number(const row *r, int i, const char *field, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(r->tok[i], &end);
    if (errno || *end || end == r->tok[i]) {
        char why[160];
        snprintf(why, sizeof why, "'%s' is not a number", r->tok[i]);
        return fail(r, field, why);
    }
    return 0;
}

static int name(const row *r, int i, const char *field, char *out)
{
    if (strlen(r->tok[i]) >= GEN_NAME) return fail(r, field, "name too long");
    strcpy(out, r->tok[i]);
    return 0;
}

/* Calls each(row) for every data row with at least min columns. */
static int read_table(const char *dir, const char *file, int ncols, int (*each)(const row *, gen_model *),
                      gen_model *m)
{
    char path[1024], line[2048];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    row r = {.file = path};
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        r.line++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = fail(&r, "line", "longer than 2047 characters");
            break;
        }
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p) continue;
        split(p, ncols, &r);
        if (r.n < ncols) {
            char why[96];
            snprintf(why, sizeof why, "%d columns, expected %d", r.n, ncols);
            rc = fail(&r, "row", why);
            break;
        }
        rc = each(&r, m);
    }
    fclose(f);
    return rc;
}

static void *grow(void *p, int n, size_t size)
{
    /* capacity doubles at powers of two */
    if (n == 0 || (n & (n - 1)) == 0) {
        void *q = realloc(p, (size_t)(n ? 2 * n : 16) * size);
        if (!q) {
            fprintf(stderr, "mouse_gen: out of memory\n");
            exit(4);
        }
        return q;
    }
    return p;
}

static int side(const row *r, int i, int *bilateral)
{
    if (strcmp(r->tok[i], "B") == 0) *bilateral = 1;
    else if (strcmp(r->tok[i], "M") == 0) *bilateral = 0;
    else return fail(r, "side", "must be B (bilateral) or M (midline)");
    return 0;
}

static int bone_row(const row *r, gen_model *m)
{
    m->bones = grow(m->bones, m->nbones, sizeof *m->bones);
    gen_bone *b = &m->bones[m->nbones];
    memset(b, 0, sizeof *b);
    if (name(r, 0, "bone", b->name) || name(r, 1, "parent", b->parent) || side(r, 2, &b->bilateral)) return -1;
    static const char *fields[] = {"px", "py", "pz", "vx", "vy", "vz", "radius", "mass"};
    double v[8];
    for (int i = 0; i < 8; i++)
        if (number(r, 3 + i, fields[i], &v[i])) return -1;
    memcpy(b->pos, v, sizeof b->pos);
    memcpy(b->vec, v + 3, sizeof b->vec);
    b->radius = v[6];
    b->mass_g = v[7];
    if (b->radius <= 0) return fail(r, "radius", "must be positive");
    if (b->mass_g <= 0) return fail(r, "mass", "must be positive");
    if (gen_bone_index(m, b->name) >= 0) return fail(r, "bone", "defined twice");
    if (strcmp(b->parent, "world") == 0) {
        b->parent_index = -1;
    } else {
        b->parent_index = gen_bone_index(m, b->parent);
        if (b->parent_index < 0) return fail(r, "parent", "unknown bone (parents come before children)");
        if (m->bones[b->parent_index].bilateral && !b->bilateral)
            return fail(r, "side", "a midline bone cannot hang from a bilateral one");
    }
    m->nbones++;
    return 0;
}

static int joint_row(const row *r, gen_model *m)
{
    m->joints = grow(m->joints, m->njoints, sizeof *m->joints);
    gen_joint *j = &m->joints[m->njoints];
    memset(j, 0, sizeof *j);
    if (name(r, 0, "joint", j->name) || name(r, 1, "bone", j->bone)) return -1;
    if (strcmp(r->tok[2], "along") == 0) {
        j->along_bone = 1;
    } else {
        static const char *ax[] = {"ax", "ay", "az"};
        for (int i = 0; i < 3; i++)
            if (number(r, 2 + i, ax[i], &j->axis[i])) return -1;
    }
    if (number(r, 5, "lo", &j->lo) || number(r, 6, "hi", &j->hi) || number(r, 7, "ref", &j->ref)) return -1;
    if (!(j->lo < j->hi)) return fail(r, "lo", "must be below hi");
    if (strcmp(j->bone, "*VERT*") && strcmp(j->bone, "*TAIL*") && gen_bone_index(m, j->bone) < 0)
        return fail(r, "bone", "unknown bone");
    m->njoints++;
    return 0;
}

static int contact_row(const row *r, gen_model *m)
{
    int b = gen_bone_index(m, r->tok[0]);
    if (b < 0) return fail(r, "bone", "unknown bone");
    gen_bone *bone = &m->bones[b];
    if (bone->contact[0]) return fail(r, "bone", "has a contact shape already");
    if (strcmp(r->tok[1], "ellipsoid") && strcmp(r->tok[1], "capsule") && strcmp(r->tok[1], "pad"))
        return fail(r, "type", "must be ellipsoid, capsule or pad");
    strcpy(bone->contact, r->tok[1]);
    static const char *f[] = {"sx", "sy", "sz", "px", "py", "pz"};
    for (int i = 0; i < 3; i++)
        if (number(r, 2 + i, f[i], &bone->csize[i]) || number(r, 5 + i, f[3 + i], &bone->cpos[i])) return -1;
    return 0;
}

static int landmark_row(const row *r, gen_model *m)
{
    m->landmarks = grow(m->landmarks, m->nlandmarks, sizeof *m->landmarks);
    gen_landmark *l = &m->landmarks[m->nlandmarks];
    if (name(r, 0, "bone", l->bone) || name(r, 1, "landmark", l->name)) return -1;
    int b = gen_bone_index(m, l->bone);
    if (b < 0) return fail(r, "bone", "unknown bone");
    double v[3];
    static const char *f[] = {"v1", "v2", "v3"};
    for (int i = 0; i < 3; i++)
        if (number(r, 3 + i, f[i], &v[i])) return -1;
    const gen_bone *bone = &m->bones[b];
    if (strcmp(r->tok[2], "xyz") == 0) {
        memcpy(l->p, v, sizeof l->p);
    } else if (strcmp(r->tok[2], "axis") == 0) {
        /* s along the bone, a along its sagittal normal, l lateral (+y) */
        double len = sqrt(bone->vec[0] * bone->vec[0] + bone->vec[2] * bone->vec[2]);
        if (len <= 0) return fail(r, "form", "axis form needs a bone with a sagittal-plane vector");
        double nx = -bone->vec[2] / len, nz = bone->vec[0] / len;
        for (int i = 0; i < 3; i++) l->p[i] = v[0] * bone->vec[i];
        l->p[0] += v[1] * nx;
        l->p[2] += v[1] * nz;
        l->p[1] += v[2];
    } else {
        return fail(r, "form", "must be xyz or axis");
    }
    for (int i = 0; i < m->nlandmarks; i++)
        if (!strcmp(m->landmarks[i].bone, l->bone) && !strcmp(m->landmarks[i].name, l->name))
            return fail(r, "landmark", "defined twice on this bone");
    m->nlandmarks++;
    return 0;
}

static int wrap_row(const row *r, gen_model *m)
{
    m->wraps = grow(m->wraps, m->nwraps, sizeof *m->wraps);
    gen_wrap *w = &m->wraps[m->nwraps];
    w->bone = gen_bone_index(m, r->tok[0]);
    if (w->bone < 0) return fail(r, "bone", "unknown bone");
    if (name(r, 1, "name", w->name)) return -1;
    static const char *f[] = {"radius", "px", "py", "pz", "ax", "ay", "az", "sx", "sy", "sz"};
    double v[10];
    for (int i = 0; i < 10; i++)
        if (number(r, 2 + i, f[i], &v[i])) return -1;
    if (v[0] <= 0) return fail(r, "radius", "must be positive");
    w->radius = v[0];
    memcpy(w->centre, v + 1, sizeof w->centre);
    memcpy(w->axis, v + 4, sizeof w->axis);
    memcpy(w->side, v + 7, sizeof w->side);
    for (int i = 0; i < m->nwraps; i++)
        if (!strcmp(m->wraps[i].name, w->name)) return fail(r, "name", "defined twice");
    m->nwraps++;
    return 0;
}

/* Replaces {v}, {v+k}, {v-k} in src by the level k steps away. */
static int substitute(const row *r, const char *field, const char *src, const char *level, char *out, size_t cap)
{
    size_t o = 0;
    while (*src) {
        if (*src == '{') {
            int off = 0;
            const char *close = strchr(src, '}');
            if (!close || src[1] != 'v') return fail(r, field, "bad {v} placeholder");
            if (close > src + 2) off = atoi(src + 2);
            char lv[16];
            if (!level) return fail(r, field, "{v} placeholder in a row without levels");
            if (gen_level_offset(level, off, lv, sizeof lv)) {
                char why[96];
                snprintf(why, sizeof why, "level %s%+d is beyond the vertebral column", level, off);
                return fail(r, field, why);
            }
            size_t n = strlen(lv);
            if (o + n >= cap) return fail(r, field, "too long");
            memcpy(out + o, lv, n);
            o += n;
            src = close + 1;
        } else {
            if (o + 1 >= cap) return fail(r, field, "too long");
            out[o++] = *src++;
        }
    }
    out[o] = 0;
    return 0;
}

static int add_muscle(const row *r, gen_model *m, const char *level, double pcsa, double tendon, int bilateral)
{
    m->muscles = grow(m->muscles, m->nmuscles, sizeof *m->muscles);
    gen_muscle *u = &m->muscles[m->nmuscles];
    memset(u, 0, sizeof *u);
    u->bilateral = bilateral;
    u->pcsa = pcsa;
    u->tendon = tendon;
    if (substitute(r, "name", r->tok[0], level, u->name, sizeof u->name)) return -1;
    if (gen_region_index(r->tok[2]) < 0)
        return fail(r, "region", "must be head_neck, spine, trunk, forelimb, hindlimb or tail");
    strcpy(u->region, r->tok[2]);
    char path[512];
    if (substitute(r, "path", r->tok[4], level, path, sizeof path)) return -1;
    char *save = NULL;
    for (char *p = strtok_r(path, ">", &save); p; p = strtok_r(NULL, ">", &save)) {
        if (u->npath == GEN_MAX_PATH) return fail(r, "path", "more than 8 points");
        char why[200];
        if (gen_resolve_point(m, p, &u->path[u->npath], why, sizeof why)) return fail(r, "path", why);
        u->npath++;
    }
    if (u->npath < 2) return fail(r, "path", "needs an origin and an insertion");
    for (int i = 0; i < u->npath; i++)
        if (u->path[i].wrap >= 0 && (i == 0 || i == u->npath - 1 || u->path[i - 1].wrap >= 0))
            return fail(r, "path", "a wrap must stand between two sites");
    for (int i = 0; i < m->nmuscles; i++)
        if (!strcmp(m->muscles[i].name, u->name)) return fail(r, "name", "muscle defined twice");
    m->nmuscles++;
    return 0;
}

static int muscle_row(const row *r, gen_model *m)
{
    int bilateral;
    double pcsa, tendon;
    if (side(r, 1, &bilateral) || number(r, 5, "pcsa", &pcsa) || number(r, 6, "tendon", &tendon)) return -1;
    if (pcsa <= 0) return fail(r, "pcsa", "must be positive");
    if (tendon < 0 || tendon >= 0.95) return fail(r, "tendon", "must be in [0, 0.95)");
    if (strcmp(r->tok[3], "-") == 0) {
        if (strchr(r->tok[0], '{')) return fail(r, "name", "{v} placeholder in a row without levels");
        return add_muscle(r, m, NULL, pcsa, tendon, bilateral);
    }
    char levels[64][16];
    int n = gen_expand_levels(r->tok[3], levels, 64);
    if (n <= 0) return fail(r, "levels", "expected FIRST..LAST[/STEP] over C1..Ca28");
    if (!strchr(r->tok[0], '{')) return fail(r, "name", "a row with levels needs {v} in its name");
    for (int i = 0; i < n; i++)
        if (add_muscle(r, m, levels[i], pcsa, tendon, bilateral)) return -1;
    return 0;
}

int gen_read_tables(const char *dir, gen_model *m)
{
    memset(m, 0, sizeof *m);
    if (read_table(dir, "bones.tsv", 11, bone_row, m) || read_table(dir, "joints.tsv", 8, joint_row, m) ||
        read_table(dir, "contacts.tsv", 8, contact_row, m) || read_table(dir, "landmarks.tsv", 6, landmark_row, m) ||
        read_table(dir, "wraps.tsv", 12, wrap_row, m) || read_table(dir, "muscles.tsv", 7, muscle_row, m)) {
        gen_free(m);
        return -1;
    }
    return 0;
}

void gen_free(gen_model *m)
{
    free(m->bones);
    free(m->joints);
    free(m->landmarks);
    free(m->muscles);
    free(m->wraps);
    memset(m, 0, sizeof *m);
}
