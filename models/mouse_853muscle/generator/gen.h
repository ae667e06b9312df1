/* The mouse generator: anatomy tables (../tables/NAME.tsv) -> MJCF.
 * tables.c parses the tables, anatomy.c places bones, landmarks and muscle
 * paths in the standing posture, mjcf.c writes the XML, tune.c measures the
 * compiled model (muscle length ranges) with MuJoCo, main.c runs the passes. */
#ifndef MOUSE_GEN_H
#define MOUSE_GEN_H

#include <stdio.h>

#define GEN_NAME 96
#define GEN_MAX_PATH 8

typedef struct gen_bone {
    char name[GEN_NAME], parent[GEN_NAME];
    int bilateral;
    double pos[3], vec[3], radius, mass_g;
    int parent_index; /* -1 for world */
    /* contact shape (contacts.tsv), type "" when none */
    char contact[16];
    double csize[3], cpos[3];
} gen_bone;

typedef struct gen_joint {
    char name[GEN_NAME], bone[GEN_NAME];
    int along_bone; /* axis is the bone vector */
    double axis[3], lo, hi, ref;
} gen_joint;

typedef struct gen_landmark {
    char bone[GEN_NAME], name[GEN_NAME];
    double p[3]; /* body frame, mm, left side */
} gen_landmark;

typedef struct gen_wrap {
    char name[GEN_NAME];
    int bone;
    double radius, centre[3], axis[3], side[3]; /* mm, body frame, left side */
} gen_wrap;

typedef struct gen_point {
    int bone;          /* index into bones */
    int wrap;          /* index into wraps, or -1 for a site */
    char site[2 * GEN_NAME]; /* landmark key, unique per bone */
    double p[3];       /* left side, body frame, mm */
} gen_point;

typedef struct gen_muscle {
    char name[GEN_NAME], region[32];
    int bilateral;
    int npath;
    gen_point path[GEN_MAX_PATH];
    double pcsa, tendon;
} gen_muscle;

typedef struct gen_model {
    gen_bone *bones;
    int nbones;
    gen_joint *joints;
    int njoints;
    gen_landmark *landmarks;
    int nlandmarks;
    gen_wrap *wraps;
    int nwraps;
    gen_muscle *muscles; /* expanded over levels, left side only for bilateral */
    int nmuscles;
} gen_model;

/* Per-muscle values measured on the compiled model (tune.c), by XML order. */
typedef struct gen_tuning {
    double *lr0, *lr1, *stand; /* m */
} gen_tuning;

/* tables.c: 0 or -1 with "file:line: field: why" on stderr */
int gen_read_tables(const char *dir, gen_model *m);
void gen_free(gen_model *m);

/* anatomy.c */
#define GEN_NREGIONS 6
extern const char *const gen_regions[GEN_NREGIONS];
int gen_region_index(const char *region);
int gen_bone_index(const gen_model *m, const char *name);
int gen_resolve_point(const gen_model *m, const char *spec, gen_point *out, char *why, size_t cap);
int gen_expand_levels(const char *levels, char names[][16], int cap);
int gen_level_offset(const char *level, int offset, char *out, size_t cap);

/* mjcf.c: writes the model; tuning NULL writes the first pass (no length ranges) */
int gen_write_mjcf(const gen_model *m, const gen_tuning *t, FILE *f);
int gen_count_muscles(const gen_model *m);

/* tune.c */
int gen_tune(const char *xml_path, int nmuscles, gen_tuning *t);

#endif
