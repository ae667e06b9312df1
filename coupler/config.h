/* Experiment configuration: one YAML file, validated strictly against the
 * schema in config_schema.c. Every error names file:line:column and the key. */
#ifndef BB_CONFIG_H
#define BB_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "brainbody/body.h"
#include "brainbody/cortex.h"

#define BB_PATH_MAX 1024
#define BB_NAME_MAX 128
#define BB_CFG_MAX_KEYS 160
#define BB_CFG_ERR_MAX 1024

typedef struct bb_config {
    char file[BB_PATH_MAX]; /* the experiment file as given */

    char name[BB_NAME_MAX];
    uint64_t seed;
    uint32_t ensemble;        /* experiment.ensemble: independent members in one mpirun */
    uint32_t member, members; /* set by the command line in a member's own copy: its index, and how many */
    double duration_s;

    double brain_dt_ms, body_dt_ms, exchange_ms;
    /* derived: exact integer times in nanoseconds */
    int64_t duration_ns, brain_dt_ns, body_dt_ns, exchange_ns;

    int ranks_brain; /* 0 = auto: every rank but the body rank */
    int ranks_body;

    char brain_model[BB_NAME_MAX];
    uint32_t output_cells; /* cortex: resolved from the model when left at 0 */
    double rate_hz;
    struct bb_config_cortex { /* brain.model = cortex (brain/cortex.h) */
        int hemispheres, with_s1;
        uint32_t m1_nx, m1_ny, s1_nx, s1_ny, afferent_channels;
        double density_scale, background_hz;
    } cortex;
    struct bb_config_cpg { /* brain.cpg: the spinal locomotor circuit and its motor pools (coupler/spinal.h) */
        int enabled;
        double alpha, max_rate_hz;
        double onset_s; /* the pools' rate rises linearly from 0 to max_rate_hz over this time from the start */
        double feedback_load_nS, feedback_hip_nS; /* afferents onto the rhythm generators (coupler/spinal.h) */
        uint32_t cells_per_pool;
        char ablate[16]; /* none | v0v | v0v_v0d */
    } cpg;
    struct bb_config_stretch_reflex { /* brain.stretch_reflex (coupler/stretch_reflex.h) */
        double gain, velocity_s;
        double reciprocal_hz;   /* 0: no reciprocal inhibition from the spinal pools */
    } stretch_reflex;
    struct bb_config_posture { /* brain.posture (coupler/posture.h) */
        double tone, righting_gain, righting_velocity_s, righting_rate_filter_ms;
        char muscles[BB_PATH_MAX]; /* comma-separated names or patterns */
        char swing_gate_muscles[BB_PATH_MAX]; /* "none", or the flexors whose drive withdraws the tone */
        double swing_gate_full_at;
        char adductor_muscles[BB_PATH_MAX]; /* "none", or muscles toned with the righting reversed */
        double adductor_tone;
    } posture;
    struct bb_config_stimulus { /* brain.stimulus: a DC step on part of M1 (cortex only) */
        int enabled;
        char hemisphere[16], body_area[16], layers[16];
        double amplitude_pA, start_s, stop_s;
    } stimulus;

    char body_model[BB_PATH_MAX]; /* resolved against the experiment file's folder */
    char start_pose[BB_PATH_MAX]; /* "model" (its built posture), or a pose file resolved like body_model */
    struct bb_config_spine { /* body.spine_stiffness: the intervertebral joints' passive stiffness */
        double mNm_per_rad;
        char joints[BB_PATH_MAX]; /* comma-separated names or patterns */
    } spine;
    struct bb_config_support { /* body.support: a body-weight support harness (body/support.c) */
        double fraction, above_mm;
        char bodies[256];
    } support;
    struct bb_config_contact { /* body.contact: MuJoCo's friction cone for every contact */
        char cone[16]; /* pyramidal | elliptic */
        double impratio;
    } contact;
    struct bb_config_world { /* body.*: task objects added to the model's world (body/world.c) */
        int floor, treadmill, reach_target, lever, head_fixed;
        char lever_kind[16]; /* press | push */
        int tube;
        double tube_x_mm[2], tube_half_width_mm, tube_height_mm;
        int perturb; /* body.perturb: a push (body/world.c) */
        char perturb_body[BB_NAME_MAX];
        double perturb_N[3], perturb_start_s, perturb_duration_s;
        double treadmill_speed_m_per_s;
        char treadmill_drive[16]; /* motor | free */
        double belt_mass_g, belt_damping_mN_s_per_m;
        double target_mm[3], target_radius_mm;
        double lever_mm[3], lever_length_mm, lever_width_mm, lever_stiffness_mNm_per_rad, lever_threshold_deg;
        double head_height_mm;
        char head_body[BB_NAME_MAX];
        uint32_t taxels_x, taxels_y;
    } world;

    int coupling_enabled;
    double gain_spikes;
    char coupling_map[BB_PATH_MAX]; /* "uniform", or a map file resolved against the experiment's folder */
    char coupling_lesion[BB_PATH_MAX]; /* "none", or comma-separated pool names */
    int feedback_enabled;
    char feedback_lesion[BB_PATH_MAX]; /* "none", or touch, proprio, body areas */
    double feedback_convergence;       /* afferent fibres per thalamic relay cell */
    uint32_t feedback_delay_intervals; /* extra afferent conduction delay */

    struct bb_config_task { /* task.*: the trial structure (coupler/trials.c, docs/experiments.md) */
        char kind[16];      /* none | reach | lever_press */
        char paw[BB_NAME_MAX]; /* the touch grid whose sole must reach the target */
        double first_cue_s, window_s, iti_s, iti_jitter_s, reward_s, onset_mm;
        char cue_hemisphere[16], cue_body_area[16], cue_layers[16];
        double cue_amplitude_pA, reward_amplitude_pA;
    } task;

    int record_spikes, record_body;
    double flush_s;

    char output_dir[BB_PATH_MAX]; /* relative to the working directory */
    double checkpoint_every_s;    /* checkpoint.every_s: 0, none */
    uint32_t checkpoint_keep;     /* checkpoint.keep: the newest kept; 0, all */
    double watchdog_s;
    struct bb_config_control { /* control.*: serving the run over ZeroMQ (coupler/serve.c) */
        int enabled;
        char endpoint[BB_PATH_MAX], telemetry[BB_PATH_MAX]; /* "default": ipc:// in the output folder */
        char secret_key_file[BB_PATH_MAX], client_keys_file[BB_PATH_MAX]; /* CURVE (curve_keys.h); "none" */
        char commands_file[BB_PATH_MAX]; /* control.commands: an events.tsv whose commands are replayed; "none" */
        uint32_t telemetry_every, telemetry_hwm;
    } control;

    /* where each schema key was set: line/column (1-based) or an override */
    struct bb_config_where {
        int line, col;
        int from_override;
        int is_default;
    } where[BB_CFG_MAX_KEYS];
} bb_config;

/* One command-line override, "key.path=value". */
typedef struct bb_override {
    const char *text;
} bb_override;

/* Loads and validates. Returns 0, or 2 with a message in err. */
int bb_config_load(const char *path, const bb_override *ov, int n_ov, bb_config *cfg,
                   char *err, size_t errcap);

/* Formats "file:line:col: key" for a key, for errors found after loading. */
const char *bb_config_where(const bb_config *cfg, const char *key, char *buf, size_t cap);

/* Keys set in the file or by --set that the rest of the experiment makes
 * inert (e.g. a belt speed on a belt the paws drive): one line per key,
 * "file:line:col: key: why", into buf (empty if none); returns how many.
 * Not errors: a file that sets them runs as it did, and a user toggling one
 * setting with --set need not edit the others; the command prints them as
 * warnings so that no value the user gave is dropped in silence. */
int bb_config_warnings(const bb_config *cfg, char *buf, size_t cap);

/* The experiment as a run recorded it: the `config:` section of an output
 * folder's run.yaml (bb_config_write_yaml's output), checked like a file. */
int bb_config_load_run_record(const char *path, bb_config *cfg, char *err, size_t errcap);

/* Writes the resolved configuration as YAML (every key, with defaults). */
void bb_config_write_yaml(const bb_config *cfg, FILE *f, int indent);

/* The brain.cortex settings as the cortex model's spec. */
bb_cortex_spec bb_config_cortex_spec(const bb_config *cfg);

/* The body.* world settings (floor, treadmill, task objects, head fixation,
 * touch grids) as the body's world spec; returns w. (body.perturb is
 * applied after loading, with bb_body_push.) */
bb_world_spec *bb_config_world_spec(const bb_config *cfg, bb_world_spec *w);

/* Schema introspection, for docs checks and `brainbody check`. */
size_t bb_config_n_keys(void);
const char *bb_config_key_name(size_t i);

#endif
