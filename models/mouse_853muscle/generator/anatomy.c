/* The vertebral column as a sequence of levels, and muscle path points:
 * a table landmark on a bone, or a landmark generated for a vertebra. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

const char *const gen_regions[GEN_NREGIONS] = {"head_neck", "spine", "trunk", "forelimb", "hindlimb", "tail"};

int gen_region_index(const char *region)
{
    for (int i = 0; i < GEN_NREGIONS; i++)
        if (!strcmp(gen_regions[i], region)) return i;
    return -1;
}

/* C1..C7 T1..T13 L1..L6 S1..S4 Ca1..Ca28, cranial to caudal */
static const struct {
    char letter[3];
    int count;
} regions[] = {{"C", 7}, {"T", 13}, {"L", 6}, {"S", 4}, {"Ca", 28}};
enum { NREG = 5 };

static int level_index(const char *level)
{
    int base = 0;
    for (int r = 0; r < NREG; r++) {
        size_t n = strlen(regions[r].letter);
        if (!strncmp(level, regions[r].letter, n) && level[n] >= '1' && level[n] <= '9') {
            char *end;
            long k = strtol(level + n, &end, 10);
            if (!*end && k >= 1 && k <= regions[r].count) return base + (int)k - 1;
        }
        base += regions[r].count;
    }
    return -1;
}

static void level_name(int index, char *out, size_t cap)
{
    index %= 1000; /* levels are few; bounds the text for the compiler */
    for (int r = 0; r < NREG; r++) {
        if (index < regions[r].count) {
            snprintf(out, cap, "%.2s%d", regions[r].letter, (index + 1) % 100);
            return;
        }
        index -= regions[r].count;
    }
}

static int nlevels(void)
{
    int n = 0;
    for (int r = 0; r < NREG; r++) n += regions[r].count;
    return n;
}

int gen_level_offset(const char *level, int offset, char *out, size_t cap)
{
    int i = level_index(level);
    if (i < 0 || i + offset < 0 || i + offset >= nlevels()) return -1;
    level_name(i + offset, out, cap);
    return 0;
}

int gen_expand_levels(const char *levels, char names[][16], int cap)
{
    char first[16], last[16];
    int step = 1;
    const char *dots = strstr(levels, "..");
    if (!dots || dots - levels >= (long)sizeof first) return -1;
    memcpy(first, levels, (size_t)(dots - levels));
    first[dots - levels] = 0;
    snprintf(last, sizeof last, "%s", dots + 2);
    char *slash = strchr(last, '/');
    if (slash) {
        *slash = 0;
        step = atoi(slash + 1);
        if (step < 1) return -1;
    }
    int a = level_index(first), b = level_index(last), n = 0;
    if (a < 0 || b < a) return -1;
    for (int i = a; i <= b && n < cap; i += step) level_name(i, names[n++], 16);
    return n;
}

int gen_bone_index(const gen_model *m, const char *name)
{
    for (int i = 0; i < m->nbones; i++)
        if (!strcmp(m->bones[i].name, name)) return i;
    return -1;
}

/* Where a vertebral level lives: its bone and the x of its centre there.
 * Sacral vertebrae are part of the pelvis (2 mm each behind the lumbosacral
 * joint); caudal vertebrae are lumped four to a tail bone (2.4 mm each). */
static int level_place(const gen_model *m, const char *level, int *bone, double *xc, char *kind)
{
    int i = level_index(level);
    if (i < 0) return -1;
    *kind = level[0] == 'C' && level[1] == 'a' ? 'a' : level[0];
    if (*kind == 'S') {
        *bone = gen_bone_index(m, "pelvis");
        *xc = -(atoi(level + 1) - 0.5) * 2.0;
    } else if (*kind == 'a') {
        int k = atoi(level + 2) - 1, g = k / 4;
        char name[32];
        snprintf(name, sizeof name, "Ca%d_%d", 4 * g + 1, 4 * g + 4);
        *bone = gen_bone_index(m, name);
        *xc = -((k % 4) + 0.5) * 2.4;
    } else {
        *bone = gen_bone_index(m, level);
        if (*bone >= 0) *xc = m->bones[*bone].vec[0] / 2;
    }
    return *bone < 0 ? -1 : 0;
}

/* Generated vertebral landmarks (mm, left side), documented in the README:
 * sp spinous process, mp mammillary/articular process, tp transverse process,
 * vb ventral vertebral body; thoracic: rib (rib angle), costal and costal_v
 * (lateral and ventrolateral rib), sternal and sternal_lat; lumbar: rib (the
 * costal process), flank and linea (lateral and ventral abdominal wall). */
static int vertebral_landmark(char kind, double r, const char *lm, double p[3])
{
    static const struct {
        char kinds[8];
        char name[12];
        double y, z;
    } table[] = {
        {"TLS", "sp", 0.3, 2.5},    {"C", "sp", 0.3, 1.8},        {"TLSC", "mp", 1.2, 1.2},
        {"TLS", "tp", 2.5, 0.5},      {"C", "tp", 2.0, 0},          {"TLSC", "vb", 0.8, -1.5},
        {"T", "rib", 5, 0.5},        {"L", "rib", 4, -1},          {"T", "costal", 10, -8},
        {"T", "costal_v", 8.5, -13}, {"T", "sternal", 1.5, -17}, {"T", "sternal_lat", 4, -16},
        {"L", "flank", 8.5, -7},    {"L", "linea", 1.2, -14.5},
    };
    if (kind == 'a') { /* caudal: scaled to the tail bone's radius */
        static const struct {
            char name[4];
            double y, z;
        } tail[] = {{"sp", 0.2, 1.0}, {"mp", 0.5, 0.8}, {"tp", 1.0, 0}, {"vb", 0.3, -1.0}};
        for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
            if (!strcmp(tail[i].name, lm)) {
                p[1] = tail[i].y * r;
                p[2] = tail[i].z * r;
                return 0;
            }
        return -1;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strchr(table[i].kinds, kind) && !strcmp(table[i].name, lm)) {
            p[1] = table[i].y;
            p[2] = table[i].z;
            return 0;
        }
    return -1;
}

int gen_resolve_point(const gen_model *m, const char *spec, gen_point *out, char *why, size_t cap)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) {
        snprintf(why, cap, "'%s' is not bone:landmark", spec);
        return -1;
    }
    char bone[GEN_NAME], lm[GEN_NAME];
    size_t bn = (size_t)(colon - spec);
    if (bn >= sizeof bone || strlen(colon + 1) >= sizeof lm) {
        snprintf(why, cap, "'%s' is too long", spec);
        return -1;
    }
    memcpy(bone, spec, bn);
    bone[bn] = 0;
    strcpy(lm, colon + 1);
    memset(out, 0, sizeof *out);
    out->wrap = -1;
    if (!strcmp(bone, "wrap")) {
        for (int i = 0; i < m->nwraps; i++)
            if (!strcmp(m->wraps[i].name, lm)) {
                out->wrap = i;
                out->bone = m->wraps[i].bone;
                snprintf(out->site, sizeof out->site, "%s", lm);
                return 0;
            }
        snprintf(why, cap, "no wrap '%s' (wraps.tsv)", lm);
        return -1;
    }
    if (level_index(bone) >= 0 && strcmp(bone, "pelvis")) {
        int b;
        double xc;
        char kind;
        if (level_place(m, bone, &b, &xc, &kind)) {
            snprintf(why, cap, "vertebra %s has no bone", bone);
            return -1;
        }
        out->bone = b;
        out->p[0] = xc;
        if (vertebral_landmark(kind, m->bones[b].radius, lm, out->p)) {
            snprintf(why, cap, "vertebra %s has no landmark '%s'", bone, lm);
            return -1;
        }
        snprintf(out->site, sizeof out->site, "%s_%s", bone, lm);
        return 0;
    }
    int b = gen_bone_index(m, bone);
    if (b < 0) {
        snprintf(why, cap, "unknown bone '%s' in '%s'", bone, spec);
        return -1;
    }
    for (int i = 0; i < m->nlandmarks; i++)
        if (!strcmp(m->landmarks[i].bone, bone) && !strcmp(m->landmarks[i].name, lm)) {
            out->bone = b;
            memcpy(out->p, m->landmarks[i].p, sizeof out->p);
            snprintf(out->site, sizeof out->site, "%s_%s", bone, lm);
            return 0;
        }
    snprintf(why, cap, "bone '%s' has no landmark '%s' (landmarks.tsv)", bone, lm);
    return -1;
}
