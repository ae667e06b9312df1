/* body/: the MuJoCo body library. This header is the whole public API; it
 * never includes anything from brain/. Constant things live in mjModel,
 * changing things in mjData and our sensor state, as in MuJoCo itself.
 *
 * Units: SI (m, s, N, rad) unless a name says otherwise; rates in Hz. */
#ifndef BRAINBODY_BODY_H
#define BRAINBODY_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bb_body bb_body;

/* Proprioceptive channels per muscle, in this order, in bb_body_sense output. */
#define BB_PROPRIO_PER_MUSCLE 3 /* spindle Ia, spindle II, tendon organ Ib rates (Hz) */

/* ---- the world around the model: task objects added at load time -------- */

#define BB_HEAD_POST_RAMP_S 0.25 /* s: a head post set off the start pose moves there linearly in this time */

typedef struct bb_world_spec {
    int floor;                /* flat floor, the plane z = 0 */
    int treadmill;            /* a belt at z = 0 moving towards -x */
    double treadmill_speed;   /* m/s, a motor-driven belt's */
    int treadmill_free;       /* 1: self-paced, the belt moves only as the paws push it (belt_mass, belt_damping) */
    double belt_mass;         /* kg, a free belt's inertia as felt at its surface */
    double belt_damping;      /* N s/m, a free belt's viscous friction */
    int reach_target;         /* a sphere site the paw should reach */
    double target_pos[3];     /* m, world */
    double target_radius;     /* m: success radius */
    int lever;                /* a hinged lever */
    int lever_push;           /* 0: a bar pressed downwards; 1: an upright paddle pushed forwards (+x) */
    double lever_pos[3];      /* m, world position of the pivot */
    double lever_length;      /* m, from the pivot towards -x (the mouse), or up for a paddle */
    double lever_width;       /* m, across (y) */
    double lever_stiffness;   /* N m/rad, return spring */
    double lever_threshold;   /* rad: a press is counted when the angle passes it */
    int head_fixed;           /* weld the skull (head_body) to the world, as a head-fixed task does */
    double head_height;       /* m: the head post this far above (+) or below (-) the head's start pose;
                                 reached over the first BB_HEAD_POST_RAMP_S, as a rig's post is set */
    int tube;                 /* a body tube: two side walls along the trunk, as head-fixed rigs have */
    double tube_x[2];         /* m, world x from / to */
    double tube_half_width;   /* m, from the midline to each wall's inner face */
    double tube_height;       /* m, above z = 0 */
    char head_body[128];
    uint32_t taxels_x, taxels_y; /* touch-grid resolution on every paw pad */
} bb_world_spec;

/* Floor on, nothing else, 8 x 8 taxels, head body "skull". */
void bb_world_defaults(bb_world_spec *w);

/* Loads an MJCF file as written (no task objects; 8 x 8 touch grids). On
 * failure returns NULL and writes a message naming the file (and MuJoCo's
 * line/element) into err. */
bb_body *bb_body_open(const char *mjcf_path, char *err, size_t errcap);
/* Loads an MJCF file and adds the world's task objects to its worldbody. */
bb_body *bb_body_open_world(const char *mjcf_path, const bb_world_spec *world, char *err, size_t errcap);
void bb_body_close(bb_body *b);

uint32_t bb_body_n_muscles(const bb_body *b);
double bb_body_timestep_ms(const bb_body *b);
/* Overrides the model file's timestep (the experiment's body_dt_ms wins). */
void bb_body_set_timestep_ms(bb_body *b, double ms);
/* The friction cone of every contact: MuJoCo's pyramidal approximation
 * (the model's default) or the elliptic cone, and the frictional-to-normal
 * impedance ratio (>= 1), which makes the friction constraint harder: a
 * contact below its friction limit creeps less, with the same friction
 * coefficient (MuJoCo XML reference, option/impratio, which advises against
 * ratios above 1 with pyramidal cones). -1 with the reason in err for a
 * ratio below 1, or above 1 with a pyramidal cone. */
int bb_body_set_friction_cone(bb_body *b, int elliptic, double impratio, char *err, size_t errcap);
/* Gives the hinge joints whose names match any of the comma-separated
 * fnmatch patterns a passive stiffness k (N m/rad) about the posture the
 * model is built in. Returns how many joints it set, or -1 with the reason
 * in err (a pattern matching no hinge joint, out of memory), changing none. */
int bb_body_set_joint_stiffness(bb_body *b, const char *patterns, double k, char *err, size_t errcap);
/* Puts the body at rest in the pose a text file gives: one row per joint,
 * its name then its qpos values separated by spaces or tabs (a hinge's
 * angle in rad; a free joint's x y z in m and its quaternion qw qx qy qz),
 * '#' comment lines and blank lines skipped. Joints the file leaves out
 * keep their value. Every velocity, and every muscle's excitation and
 * activation, is set to 0 (bb_body_set_state). Returns the number of
 * joints set, or -1 with "path:line: ..." in err (no such joint, a joint
 * given twice, the wrong count of values, a value that is not a number, a
 * hinge outside its range, a quaternion not of norm 1), changing nothing. */
int bb_body_set_pose_file(bb_body *b, const char *path, char *err, size_t errcap);
/* The whole-body mouse's spine joints, for that: the atlas's axial rotation
 * and the flexion and lateral bending of C2-L6, 51 hinges. */
#define BB_MOUSE_SPINE_JOINTS "C[1-7]_*,T[0-9]*,L[1-6]_*"
const char *bb_body_muscle_name(const bb_body *b, uint32_t i);
/* The muscle's body region, from the model's actuator user data (user[0]
 * indexes the words of the custom text "bb_regions"), or "unassigned". */
const char *bb_body_muscle_region(const bb_body *b, uint32_t i);

/* 'L', 'R' or 'M' (midline): the actuator's user[1] (0, 1, 2) when the
 * model has it, else the name's L_/R_ prefix. */
char bb_body_muscle_side(const bb_body *b, uint32_t i);

typedef struct bb_body_counts {
    uint32_t bodies;            /* not counting the world */
    uint32_t joints, dof, free_joints, hinge_joints, slide_joints, ball_joints;
    uint32_t tendons, actuators, muscles, touch_grids, taxels;
} bb_body_counts;
void bb_body_count(const bb_body *b, bb_body_counts *out);

/* Index of a muscle by name, or -1. */
long bb_body_muscle_index(const bb_body *b, const char *name);
double bb_body_time_s(const bb_body *b);

/* Sets muscle excitation (n_muscles values in [0, 1]) and advances nsteps
 * MuJoCo steps. Returns 0, or -1 with "t = ... s: cause" in err at the first
 * step where the physics went wrong (a MuJoCo warning, a non-finite state, or
 * a kinetic-energy blow-up); the state is then left as it was at that step. */
int bb_body_step(bb_body *b, const float *excitation, uint32_t nsteps, char *err, size_t errcap);

/* ---- muscles ------------------------------------------------------------ */

/* velocity and fibre_velocity are the mean over the last bb_body_step call
 * (the coupler's exchange interval): its length change over its span.
 * MuJoCo's velocity at the last step would alias an integrator's
 * step-to-step oscillation into the sample (docs/body-model.md, "Muscle
 * velocity"). Before the first step and after bb_body_set_state they are
 * MuJoCo's own. */
typedef struct bb_muscle_state {
    float length, velocity; /* m, m/s (lengthening positive) of the muscle-tendon unit */
    float force;            /* N, tension positive */
    float activation;       /* [0, 1], after MuJoCo's activation dynamics */
    float fibre_length;     /* optimal fibre lengths (1 = optimal) */
    float fibre_velocity;   /* optimal fibre lengths per second */
} bb_muscle_state;

void bb_body_muscles(const bb_body *b, bb_muscle_state *out); /* n_muscles entries */

/* Afferent channels per muscle in bb_body_proprio_rates: spindle Ia, spindle
 * group II, Golgi tendon organ Ib, in Hz (docs/body-model.md for the model). */
#define BB_AFFERENTS_PER_MUSCLE 3
void bb_body_proprio_rates(const bb_body *b, float *out); /* n_muscles * 3 */

/* ---- touch grids (one per paw pad: sites named *_touch) ----------------- */

uint32_t bb_body_n_taxels(const bb_body *b);     /* all grids */
uint32_t bb_body_n_touch_grids(const bb_body *b);
const char *bb_body_touch_grid_name(const bb_body *b, uint32_t g); /* the site name */
void bb_body_touch_grid_size(const bb_body *b, uint32_t *nx, uint32_t *ny);
/* The grid's body region: that of most muscles attached to its paw (the pad's
 * body and the bodies below it), or "unassigned"; its side from the site
 * name's L_/R_ prefix ('M' without one). */
const char *bb_body_touch_grid_region(const bb_body *b, uint32_t g);
char bb_body_touch_grid_side(const bb_body *b, uint32_t g);
/* World position (m) of each grid's centre (the sole): 3 per grid. */
void bb_body_touch_grid_positions(const bb_body *b, double *xyz);
/* Normal force per taxel (N), grid after grid, row-major (y rows of x). */
void bb_body_taxel_forces(const bb_body *b, float *out);
/* Merkel (SA1) afferent rate per taxel (Hz), same layout. */
void bb_body_merkel_rates(const bb_body *b, float *out);
/* The vertical force (N) of every contact on each grid's paw and the digits
 * below it, this step: the weight the paw bears, whatever the sole's angle
 * (the taxels take the force along the sole's normal). n_touch_grids. */
void bb_body_paw_loads(const bb_body *b, double *out);
/* 1 where a paw touches anything with more than BB_PAW_CONTACT_N. */
#define BB_PAW_CONTACT_N 1e-3
void bb_body_paw_contacts(const bb_body *b, uint8_t *out); /* n_touch_grids */

/* ---- footfalls (gait.c): a gait from paw-contact flags, as in the
 * footfall diagrams of treadmill studies (e.g. Bellardita & Kiehn 2015) */

#define BB_MAX_PAWS 8
typedef struct bb_footfalls {
    uint32_t strides;        /* complete cycles of the reference paw measured */
    double frequency_hz;     /* reference paw's touch-downs per second */
    double duty[BB_MAX_PAWS];  /* fraction of the measured cycles each paw is down */
    double phase[BB_MAX_PAWS]; /* each paw's touch-down in the reference paw's cycle, 0..1 (circular mean);
                                  NAN for a paw with no touch-down in the measured cycles */
} bb_footfalls;

/* contact: n_samples rows of n_paws flags (0/1), one row every dt_s.
 * Touch-downs are 0 -> 1 transitions; the cycles are those between the
 * reference paw's touch-downs. Returns 0, or -1 when the reference paw has
 * fewer than 3 touch-downs (no gait to measure) or n_paws is too large. */
int bb_footfalls_measure(const uint8_t *contact, uint32_t n_samples, uint32_t n_paws, double dt_s, uint32_t ref,
                         bb_footfalls *out);

/* Contact flags chatter at the physics' time resolution (a paw in stance
 * loses and regains contact for a step or two). In place: per paw, a run of
 * contact or of no contact shorter than min_samples, between runs of the
 * other state, becomes that state. A run still going at the end is kept. */
#define BB_FOOTFALL_MIN_PHASE_S 0.02 /* shorter than any stance or swing of a mouse gait: about 40 ms at an 8 Hz gallop (Bellardita & Kiehn 2015) */
void bb_footfalls_debounce(uint8_t *contact, uint32_t n_samples, uint32_t n_paws, uint32_t min_samples);

/* Recovery from a perturbation over [on_s, off_s) (a push): the reference
 * paw's strides that end before the push give the baseline stride period
 * and the other paw's touch-down phase in the reference cycle; after the
 * push's end, the gait has recovered at the first stride that starts
 * BB_RECOVERY_HOLD consecutive strides each within 15 % of the baseline
 * period, with the other paw touching down within 0.1 of a cycle of its
 * baseline phase. */
#define BB_RECOVERY_HOLD 3
typedef struct bb_recovery {
    uint32_t baseline_strides;
    double baseline_period_s, baseline_phase; /* phase NAN: the other paw never touched down before the push */
    int recovered;    /* 0: not within the recording */
    uint32_t strides; /* strides begun after the push's end before the recovered one */
    double seconds;   /* from the push's end to the start of the recovered stride */
} bb_recovery;
/* 0, or -1 when fewer than 3 strides end before the push. */
int bb_footfalls_recovery(const uint8_t *contact, uint32_t n_samples, uint32_t n_paws, double dt_s, uint32_t ref,
                          uint32_t other, double on_s, double off_s, bb_recovery *out);

/* ---- whole-body kinematics ---------------------------------------------- */

uint32_t bb_body_nq(const bb_body *b);
uint32_t bb_body_nv(const bb_body *b);
const double *bb_body_qpos(const bb_body *b);
const double *bb_body_qvel(const bb_body *b);
/* Hinge joints in model order (every joint angle the body has, besides the
 * free root and slides such as a treadmill belt). */
uint32_t bb_body_n_hinges(const bb_body *b);
const char *bb_body_hinge_name(const bb_body *b, uint32_t i);
void bb_body_hinges(const bb_body *b, double *angle, double *velocity); /* rad, rad/s; either may be NULL */
/* Angle (rad) of a named hinge joint; NAN if there is none of that name. */
double bb_body_joint_angle(const bb_body *b, const char *joint);
/* A hinge's range (rad); -1 when there is no such hinge or it has no range. */
int bb_body_joint_range(const bb_body *b, const char *joint, double range[2]);
/* World position (m) of a named body's frame; returns -1 if there is none. */
int bb_body_body_pos(const bb_body *b, const char *body, double pos[3]);
/* Roll (rad) of a named body about its forward (x) axis: the angle of its
 * left (y) axis above the horizontal, positive when the left side is up;
 * NAN if there is no such body. */
double bb_body_roll(const bb_body *b, const char *body);
/* Pitch (rad): the angle of its forward (x) axis above the horizontal,
 * positive nose-up (a pelvis tipped tail-down, as a hunched back holds it);
 * NAN if there is no such body. */
double bb_body_pitch(const bb_body *b, const char *body);
/* Yaw (rad): the heading of its forward (x) axis in the horizontal plane,
 * from the world's x axis (the belt's direction; the mouse starts facing
 * it), positive turned to the left; NAN if there is no such body. */
double bb_body_yaw(const bb_body *b, const char *body);
/* Centre of mass (m) and mass (kg) of the animal: every body but the world
 * and the task objects (bb_*: a 1 kg treadmill belt would otherwise be most
 * of it). Kinetic energy below is of everything that moves, belt included. */
void bb_body_com(const bb_body *b, double pos[3]);
double bb_body_total_mass(const bb_body *b);
double bb_body_kinetic_energy(const bb_body *b); /* J */
/* Deepest penetration among the current contacts (m, 0 when none overlap). */
double bb_body_max_penetration(const bb_body *b);

/* ---- task objects ------------------------------------------------------- */

typedef struct bb_task_state {
    double lever_angle;     /* rad, 0 at rest, positive pressed */
    uint32_t lever_presses; /* presses counted since load */
    double last_press_s;    /* time of the last press, or -1 */
    double target_distance; /* m, from the closest paw pad to the target centre, or -1 */
    double belt_speed;      /* m/s, positive: the surface moves towards -x (the mouse walks forward) */
    double belt_travel;     /* m, how far the surface has moved towards -x since load (wraps undone) */
} bb_task_state;

void bb_body_task(const bb_body *b, bb_task_state *out);

/* ---- a push (world.c) ---------------------------------------------------- */

/* A constant force (N, world frame) on the centre of mass of the body
 * named `body`, on the physics steps that start in [start_s, start_s +
 * duration_s): the perturbation of a push-recovery test. Replaces any
 * earlier push. Returns 0, or -1 with a message in err when the model has
 * no such body or the times are not start >= 0, duration > 0. */
/* Does the model have a body of that name (one a push can act on)? */
int bb_body_has_body(const bb_body *b, const char *body);
int bb_body_push(bb_body *b, const char *body, const double force[3], double start_s, double duration_s, char *err,
                 size_t errcap);

/* ---- a body-weight support (support.c) ------------------------------------ */

/* Holds up `fraction` (0..1) of the animal's weight (the subtree mass of
 * the first listed body's root, times gravity): a constant vertical force
 * shared equally among the comma-separated bodies, each at a point fixed in
 * the body `above_m` above its centre of mass in the present posture, as a
 * rig's harness does. Replaces any earlier support; fraction 0 keeps the
 * points and adds nothing. Returns 0, or -1 with a message in err: a name
 * that is not a body, a body listed twice, bodies of different animals,
 * more than 8 bodies, or a fraction outside 0..1. */
int bb_body_support(bb_body *b, const char *bodies, double fraction, double above_m, char *err, size_t cap);

/* ---- replay (body/replay.c) ----------------------------------------------- */

/* Puts the body in a recorded state: qpos (nq), qvel (nv; NULL: at rest),
 * muscle activations and excitations in muscle order (NULL: 0), and
 * recomputes what follows from it (poses, tendons, contacts, forces)
 * without stepping time. */
/* Saves or restores the body's changing state (mjData, touch filters, task
 * objects; brainbody/state.h) for checkpoints. Restores only into the same
 * model built for the same world. */
int bb_body_state(bb_body *b, bb_state_io *io);
void bb_body_set_state(bb_body *b, const double *qpos, const double *qvel, const float *activation,
                       const float *excitation);
/* The tendon (MuJoCo id) muscle i pulls through, -1 if it acts on a joint. */
int bb_body_muscle_tendon(const bb_body *b, uint32_t i);

/* ---- MuJoCo itself, for benchmarks and advanced use -------------------- */

struct mjModel_;
struct mjData_;
/* The compiled model (task objects included) and its state. Changing them
 * bypasses the library's checks; stepping them directly skips its sensing. */
const struct mjModel_ *bb_body_mj_model(const bb_body *b);
struct mjData_ *bb_body_mj_data(bb_body *b);

/* The feedback the coupler sends: n_taxels Merkel rates and
 * n_muscles * BB_PROPRIO_PER_MUSCLE afferent rates (Ia, II, Ib), in Hz. */
void bb_body_sense(const bb_body *b, float *taxels, float *proprio);

#ifdef __cplusplus
}
#endif
#endif
