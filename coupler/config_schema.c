/* The experiment schema. Units are in the key names; docs/config.md explains each. */
#include "config_schema.h"

#include "config.h"

#define FIELD(f) offsetof(bb_config, f), sizeof(((bb_config *)0)->f)

const bb_key_spec bb_config_schema[] = {
    {"experiment.name", BB_KEY_STR, 1, NULL, 0, 0, 0, NULL, FIELD(name)},
    {"experiment.seed", BB_KEY_U64, 1, NULL, 0, 18446744073709551615.0, 0, NULL, FIELD(seed)},
    {"experiment.duration_s", BB_KEY_FLOAT, 1, NULL, 0, 1e7, 1, NULL, FIELD(duration_s)},
    {"time.brain_dt_ms", BB_KEY_FLOAT, 1, NULL, 0, 1000, 1, NULL, FIELD(brain_dt_ms)},
    {"time.body_dt_ms", BB_KEY_FLOAT, 1, NULL, 0, 1000, 1, NULL, FIELD(body_dt_ms)},
    {"time.exchange_ms", BB_KEY_FLOAT, 1, NULL, 0, 100000, 1, NULL, FIELD(exchange_ms)},
    {"ranks.brain", BB_KEY_RANKS, 0, "auto", 1, 1000000, 0, NULL, FIELD(ranks_brain)},
    {"ranks.body", BB_KEY_INT, 0, "1", 1, 1, 0, NULL, FIELD(ranks_body)},
    {"brain.model", BB_KEY_ENUM, 1, NULL, 0, 0, 0, "poisson|cortex", FIELD(brain_model)},
    {"brain.output_cells", BB_KEY_U32, 0, "0", 0, 100000000, 0, NULL, FIELD(output_cells)},
    {"brain.rate_hz", BB_KEY_FLOAT, 0, "20", 0, 10000, 0, NULL, FIELD(rate_hz)},
    {"brain.cortex.hemispheres", BB_KEY_INT, 0, "2", 1, 2, 0, NULL, FIELD(cortex.hemispheres)},
    {"brain.cortex.with_s1", BB_KEY_BOOL, 0, "true", 0, 0, 0, NULL, FIELD(cortex.with_s1)},
    {"brain.cortex.m1_nx", BB_KEY_U32, 0, "5", 1, 200, 0, NULL, FIELD(cortex.m1_nx)},
    {"brain.cortex.m1_ny", BB_KEY_U32, 0, "3", 1, 200, 0, NULL, FIELD(cortex.m1_ny)},
    {"brain.cortex.s1_nx", BB_KEY_U32, 0, "3", 1, 200, 0, NULL, FIELD(cortex.s1_nx)},
    {"brain.cortex.s1_ny", BB_KEY_U32, 0, "3", 1, 200, 0, NULL, FIELD(cortex.s1_ny)},
    {"brain.cortex.density_scale", BB_KEY_FLOAT, 0, "0.1", 0, 1, 1, NULL, FIELD(cortex.density_scale)},
    {"brain.cortex.background_hz", BB_KEY_FLOAT, 0, "3000", 0, 1e6, 0, NULL, FIELD(cortex.background_hz)},
    {"brain.cortex.afferent_channels", BB_KEY_U32, 0, "16", 0, 100000, 0, NULL, FIELD(cortex.afferent_channels)},
    {"body.model", BB_KEY_PATH_IN, 1, NULL, 0, 0, 0, NULL, FIELD(body_model)},
    {"body.floor", BB_KEY_BOOL, 0, "false", 0, 0, 0, NULL, FIELD(world.floor)},
    {"body.head_fixed", BB_KEY_BOOL, 0, "false", 0, 0, 0, NULL, FIELD(world.head_fixed)},
    {"body.head_body", BB_KEY_STR, 0, "skull", 0, 0, 0, NULL, FIELD(world.head_body)},
    {"body.taxels_x", BB_KEY_U32, 0, "8", 1, 64, 0, NULL, FIELD(world.taxels_x)},
    {"body.taxels_y", BB_KEY_U32, 0, "8", 1, 64, 0, NULL, FIELD(world.taxels_y)},
    {"body.treadmill.enabled", BB_KEY_BOOL, 0, "false", 0, 0, 0, NULL, FIELD(world.treadmill)},
    {"body.treadmill.speed_m_per_s", BB_KEY_FLOAT, 0, "0.2", 0, 5, 0, NULL, FIELD(world.treadmill_speed_m_per_s)},
    {"body.reach_target.enabled", BB_KEY_BOOL, 0, "false", 0, 0, 0, NULL, FIELD(world.reach_target)},
    {"body.reach_target.x_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.target_mm[0])},
    {"body.reach_target.y_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.target_mm[1])},
    {"body.reach_target.z_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.target_mm[2])},
    {"body.reach_target.radius_mm", BB_KEY_FLOAT, 0, "2", 0, 100, 1, NULL, FIELD(world.target_radius_mm)},
    {"body.lever.enabled", BB_KEY_BOOL, 0, "false", 0, 0, 0, NULL, FIELD(world.lever)},
    {"body.lever.x_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.lever_mm[0])},
    {"body.lever.y_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.lever_mm[1])},
    {"body.lever.z_mm", BB_KEY_FLOAT, 0, "0", -1000, 1000, 0, NULL, FIELD(world.lever_mm[2])},
    {"body.lever.length_mm", BB_KEY_FLOAT, 0, "10", 0, 1000, 1, NULL, FIELD(world.lever_length_mm)},
    {"body.lever.stiffness_mNm_per_rad", BB_KEY_FLOAT, 0, "0.5", 0, 1e6, 0, NULL,
     FIELD(world.lever_stiffness_mNm_per_rad)},
    {"body.lever.threshold_deg", BB_KEY_FLOAT, 0, "10", 0, 30, 1, NULL, FIELD(world.lever_threshold_deg)},
    {"coupling.enabled", BB_KEY_BOOL, 0, "true", 0, 0, 0, NULL, FIELD(coupling_enabled)},
    {"coupling.gain_spikes", BB_KEY_FLOAT, 0, "10", 0, 1e9, 1, NULL, FIELD(gain_spikes)},
    {"coupling.map", BB_KEY_MAP, 0, "uniform", 0, 0, 0, NULL, FIELD(coupling_map)},
    {"coupling.lesion", BB_KEY_STR, 0, "none", 0, 0, 0, NULL, FIELD(coupling_lesion)},
    {"feedback.enabled", BB_KEY_BOOL, 0, "true", 0, 0, 0, NULL, FIELD(feedback_enabled)},
    {"task.kind", BB_KEY_ENUM, 0, "none", 0, 0, 0, "none", FIELD(task)},
    {"recording.spikes", BB_KEY_BOOL, 0, "true", 0, 0, 0, NULL, FIELD(record_spikes)},
    {"recording.flush_s", BB_KEY_FLOAT, 0, "1", 0, 1e7, 1, NULL, FIELD(flush_s)},
    {"output.dir", BB_KEY_PATH_OUT, 1, NULL, 0, 0, 0, NULL, FIELD(output_dir)},
    {"watchdog.timeout_s", BB_KEY_FLOAT, 0, "60", 0, 86400, 1, NULL, FIELD(watchdog_s)},
};
const size_t bb_config_schema_len = sizeof bb_config_schema / sizeof bb_config_schema[0];

_Static_assert(sizeof bb_config_schema / sizeof bb_config_schema[0] <= BB_CFG_MAX_KEYS,
               "raise BB_CFG_MAX_KEYS");
