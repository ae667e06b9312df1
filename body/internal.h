/* What the body/ files share: the body's constant model and changing state.
 * Not installed. */
#ifndef BB_BODY_INTERNAL_H
#define BB_BODY_INTERNAL_H

#include <mujoco/mujoco.h>

#include "brainbody/body.h"

typedef struct bb_touch_grid {
    int site;           /* the *_touch site: frame and half-sizes of the pad */
    double taxel_area;  /* m^2 */
} bb_touch_grid;

typedef struct bb_touch {
    uint32_t nx, ny, ngrids;
    bb_touch_grid *grids;
    int *geom_grid;         /* per geom: the grid whose paw it belongs to, or -1 */
    float *force;           /* ngrids * nx * ny, N, this step */
    double *load;           /* ngrids: N, the vertical force on each paw and its digits, this step */
    double *fast, *slow;    /* Merkel adaptation filters, Pa */
    float *rate;            /* Hz */
} bb_touch;

typedef struct bb_world_state {
    int belt_joint, belt_qpos, belt_dof; /* -1 when there is no treadmill */
    int belt_free;                       /* self-paced: nothing sets its velocity */
    double belt_speed;                   /* m/s, a motor-driven belt's */
    double belt_wrapped;                 /* m: the qpos added back by wraps, so travel = wrapped - qpos */
    int lever_joint;                     /* -1 when there is no lever */
    double lever_threshold;
    int lever_armed;
    uint32_t lever_presses;
    double last_press_s;
    int target_site;                     /* -1 when there is no target */
    int push_body;                       /* -1 when there is no push */
    double push_force[3], push_start, push_end;
    int head_weld;                       /* -1 when the head is free */
    double head_relpos[3];               /* the weld's eq_data[3..5] at the start pose */
    double head_shift[3];                /* its change for the post's height, in the head's frame */
} bb_world_state;

#define BB_SUPPORT_MAX 8
typedef struct bb_support_state { /* support.c; n = 0: no support */
    int n;
    int body[BB_SUPPORT_MAX];
    double local[BB_SUPPORT_MAX][3]; /* each harness point from its body's centre of mass, in the body's frame */
    double force_each;               /* N, upward, at each point */
} bb_support_state;

struct bb_body {
    mjModel *m;
    mjData *d;
    uint32_t n_muscles;
    int *muscle_actuator; /* muscle index -> actuator id */
    double *len_before;   /* n_muscles: each muscle's length when the last bb_body_step began */
    double span_s;        /* that call's simulated time; 0 before the first (muscles.c) */
    double *scratch;      /* nv */
    int *hinge;           /* hinge index -> joint id */
    uint32_t n_hinges;
    char regions[16][32]; /* words of the custom text "bb_regions" */
    int nregions;
    bb_touch touch;
    bb_world_state world;
    bb_support_state support;
    double energy_limit;  /* J: more kinetic energy than this is a blow-up */
    int warnings[mjNWARNING];
};

/* body.c: 'L' or 'R' for a name starting L_ or R_, else 'M' (midline) */
char bb_side_of_name(const char *name);

/* world.c */
char *bb_world_compose(const char *model_text, const bb_world_spec *w, char *err, size_t errcap);
void bb_world_bind(bb_body *b, const bb_world_spec *w);
void bb_world_before_step(bb_body *b);
void bb_world_after_step(bb_body *b);

/* support.c: zero the support's bodies' applied forces; add the support's */
void bb_support_clear(bb_body *b);
void bb_support_add(bb_body *b);

/* touch.c */
int bb_touch_init(bb_body *b, uint32_t nx, uint32_t ny);
void bb_touch_free(bb_touch *t);
void bb_touch_update(bb_body *b);

/* health.c: 0, or -1 with "t = ... s: cause" in err */
int bb_health_check(bb_body *b, char *err, size_t errcap);
void bb_health_init(bb_body *b);

#endif
