/* Experiment config: a valid file resolves; every kind of bad input is an
 * error naming file:line:column and the key. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "plan.h"

static char path[256];
static char err[8192];
static bb_config cfg;

static const char *good =
    "experiment:\n"
    "  name: t\n"
    "  seed: 7\n"
    "  duration_s: 0.1\n"
    "time:\n"
    "  brain_dt_ms: 0.1\n"
    "  body_dt_ms: 0.5\n"
    "  exchange_ms: 5\n"
    "brain:\n"
    "  model: poisson\n"
    "  output_cells: 100\n"
    "body:\n"
    "  model: body.xml\n"
    "output:\n"
    "  dir: out/t\n";

static void write_file(const char *text)
{
    snprintf(path, sizeof path, "/tmp/bb_cfg_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text with the good file's line i replaced by repl ("" deletes it). */
static int load_edit(int line, const char *repl, const bb_override *ov, int n_ov)
{
    char text[4096] = "";
    const char *p = good;
    for (int i = 1; *p; i++) {
        const char *nl = strchr(p, '\n');
        if (i == line) strcat(text, repl);
        else strncat(text, p, (size_t)(nl - p + 1));
        p = nl + 1;
    }
    write_file(text);
    return bb_config_load(path, ov, n_ov, &cfg, err, sizeof err);
}

static void expect_error(const char *needle1, const char *needle2)
{
    cr_assert(strstr(err, needle1), "'%s' not in: %s", needle1, err);
    if (needle2) cr_assert(strstr(err, needle2), "'%s' not in: %s", needle2, err);
    cr_assert(strstr(err, path), "file name not in: %s", err);
}

Test(config, valid_file_resolves)
{
    cr_assert_eq(load_edit(0, "", NULL, 0), 0, "%s", err);
    cr_assert_str_eq(cfg.name, "t");
    cr_assert_eq(cfg.seed, 7);
    cr_assert_eq(cfg.brain_dt_ns, 100000);
    cr_assert_eq(cfg.exchange_ns, 5000000);
    cr_assert_eq(cfg.duration_ns, 100000000);
    cr_assert_eq(cfg.output_cells, 100);
    cr_assert_float_eq(cfg.rate_hz, 20.0, 1e-12, "documented default");
    cr_assert_eq(cfg.ranks_brain, 0, "auto");
    cr_assert_str_eq(cfg.body_model, "/tmp/body.xml", "input paths are relative to the experiment file");
    cr_assert_str_eq(cfg.output_dir, "out/t", "output paths are relative to the working directory");
}

Test(config, unknown_key_suggests_the_nearest)
{
    cr_assert_eq(load_edit(8, "  exchange_msec: 5\n", NULL, 0), 2);
    expect_error(":8:3: time.exchange_msec: unknown key", "did you mean 'time.exchange_ms'");
}

Test(config, unknown_section)
{
    cr_assert_eq(load_edit(14, "outptu:\n", NULL, 0), 2);
    expect_error(":14:1: outptu: unknown key", NULL);
}

Test(config, wrong_type)
{
    cr_assert_eq(load_edit(3, "  seed: seven\n", NULL, 0), 2);
    expect_error(":3:9: experiment.seed", "expected a non-negative integer");
    cr_assert_eq(load_edit(11, "  output_cells: \"100\"\n", NULL, 0), 2);
    expect_error(":11:17: brain.output_cells", "expected an integer");
    cr_assert_eq(load_edit(6, "  brain_dt_ms: [0.1]\n", NULL, 0), 2);
    expect_error(":6:16: time.brain_dt_ms", "expected a single value, got a list");
    cr_assert_eq(load_edit(14, "task: none\noutput:\n", NULL, 0), 2);
    expect_error(":14:7: task", "expected a section");
}

Test(config, missing_required_key)
{
    cr_assert_eq(load_edit(8, "", NULL, 0), 2);
    expect_error("time.exchange_ms: missing required key", NULL);
}

Test(config, non_positive_steps)
{
    cr_assert_eq(load_edit(6, "  brain_dt_ms: 0\n", NULL, 0), 2);
    expect_error(":6:16: time.brain_dt_ms", "must be above 0");
    cr_assert_eq(load_edit(7, "  body_dt_ms: -0.5\n", NULL, 0), 2);
    expect_error(":7:15: time.body_dt_ms", "must be above 0");
}

Test(config, exchange_not_a_multiple_of_both_steps)
{
    cr_assert_eq(load_edit(8, "  exchange_ms: 0.3\n", NULL, 0), 2);
    expect_error(":8:16: time.exchange_ms", "not a whole multiple");
}

Test(config, duration_not_whole_intervals)
{
    cr_assert_eq(load_edit(4, "  duration_s: 0.1025\n", NULL, 0), 2);
    expect_error(":4:15: experiment.duration_s", "not a whole number of exchange intervals");
}

Test(config, duplicate_key)
{
    cr_assert_eq(load_edit(3, "  seed: 7\n  seed: 8\n", NULL, 0), 2);
    expect_error(":4:3: experiment.seed", "duplicate key (first set at line 3)");
}

Test(config, yaml_syntax_error)
{
    cr_assert_eq(load_edit(3, "  seed: [7\n", NULL, 0), 2);
    expect_error("YAML syntax error", NULL);
}

Test(config, bad_enum_and_bool)
{
    cr_assert_eq(load_edit(10, "  model: cortex9\n", NULL, 0), 2);
    expect_error(":10:10: brain.model", "'cortex9' is not one of: poisson");
    cr_assert_eq(load_edit(0, "", (bb_override[]){{"coupling.enabled=yes"}}, 1), 2);
    cr_assert(strstr(err, "--set coupling.enabled: expected true or false"), "%s", err);
}

Test(config, every_error_is_reported)
{
    cr_assert_eq(load_edit(3, "  seed: x\n  colour: red\n", NULL, 0), 2);
    expect_error("experiment.seed", "experiment.colour: unknown key");
}

Test(config, missing_file)
{
    cr_assert_eq(bb_config_load("/nonexistent/exp.yaml", NULL, 0, &cfg, err, sizeof err), 2);
    cr_assert(strstr(err, "/nonexistent/exp.yaml: cannot open"), "%s", err);
}

Test(config, override_wins_and_is_validated)
{
    bb_override ov[] = {{"time.exchange_ms=10"}, {"experiment.name='with space'"}};
    cr_assert_eq(load_edit(0, "", ov, 2), 0, "%s", err);
    cr_assert_eq(cfg.exchange_ns, 10000000);
    cr_assert_str_eq(cfg.name, "with space");
    char w[256];
    cr_assert_str_eq(bb_config_where(&cfg, "time.exchange_ms", w, sizeof w), "--set time.exchange_ms");

    bb_override bad[] = {{"time.exchange=10"}};
    cr_assert_eq(load_edit(0, "", bad, 1), 2);
    cr_assert(strstr(err, "--set time.exchange: unknown key (did you mean 'time.exchange_ms'?)"), "%s", err);
    bb_override notmultiple[] = {{"time.exchange_ms=0.7"}};
    cr_assert_eq(load_edit(0, "", notmultiple, 1), 2);
    cr_assert(strstr(err, "--set time.exchange_ms: 0.7 ms is not a whole multiple"), "%s", err);
}

Test(config, override_fixes_a_bad_file_value)
{
    bb_override ov[] = {{"experiment.seed=9"}};
    cr_assert_eq(load_edit(3, "  seed: x\n", ov, 1), 0, "%s", err);
    cr_assert_eq(cfg.seed, 9);
}

Test(config, more_ranks_asked_than_given)
{
    bb_plan p;
    cr_assert_eq(load_edit(9, "ranks:\n  brain: 4\nbrain:\n", NULL, 0), 0, "%s", err);
    cr_assert_eq(bb_plan_make(&cfg, 3, 0, &p, err, sizeof err), 2);
    cr_assert(strstr(err, ":10:10: ranks.brain: asks for 5 ranks (4 brain + 1 body), but only 3 were given"), "%s",
              err);
    cr_assert_eq(bb_plan_make(&cfg, 1, 0, &p, err, sizeof err), 2);
    cr_assert(strstr(err, "mpirun -np 5"), "%s", err);
    cr_assert_eq(bb_plan_make(&cfg, 6, 0, &p, err, sizeof err), 2);
    cr_assert(strstr(err, "1 would sit idle"), "%s", err);
    cr_assert_eq(bb_plan_make(&cfg, 5, 3, &p, err, sizeof err), 0, "%s", err);
    cr_assert_eq(p.role, BB_ROLE_BRAIN);
    cr_assert_eq(p.brain_index, 2);
    cr_assert_eq(p.n_exchanges, 20);
    cr_assert_eq(p.brain_steps_per_exchange, 50);
    cr_assert_eq(p.body_steps_per_exchange, 10);
}

Test(config, resolved_yaml_reads_back_identically)
{
    cr_assert_eq(load_edit(0, "", NULL, 0), 0, "%s", err);
    bb_config first = cfg;
    char resolved[256];
    snprintf(resolved, sizeof resolved, "/tmp/bb_cfg_resolved_%d.yaml", (int)getpid());
    FILE *f = fopen(resolved, "w");
    bb_config_write_yaml(&first, f, 0);
    fclose(f);
    cr_assert_eq(bb_config_load(resolved, NULL, 0, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.seed, first.seed);
    cr_assert_eq(cfg.brain_dt_ms, first.brain_dt_ms);
    cr_assert_eq(cfg.exchange_ns, first.exchange_ns);
    cr_assert_eq(cfg.rate_hz, first.rate_hz);
    cr_assert_str_eq(cfg.output_dir, first.output_dir);
    remove(resolved);
}

/* brainbody render reads the experiment back from run.yaml's config: section. */
Test(config, run_record_section_is_read_back)
{
    char text[4096] = "status: complete\nconfig:\n";
    for (const char *p = good; *p;) {
        const char *nl = strchr(p, '\n');
        strcat(text, "  ");
        strncat(text, p, (size_t)(nl - p + 1));
        p = nl + 1;
    }
    write_file(text);
    cr_assert_eq(bb_config_load_run_record(path, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.seed, 7);
    cr_assert_eq(cfg.body_model[0], '/', "paths are recorded absolute: %s", cfg.body_model);
    write_file(good);
    cr_assert_eq(bb_config_load_run_record(path, &cfg, err, sizeof err), 2);
    expect_error("config: missing: not a brainbody run record", NULL);
}

Test(config, a_push_inside_the_run)
{
    bb_override ov[] = {{"body.perturb.enabled=true"}, {"body.perturb.start_s=0.2"}};
    cr_assert_eq(load_edit(0, "", ov, 2), 2);
    cr_assert(strstr(err, "--set body.perturb.start_s: the push starts (0.2 s) after the run ends (0.1 s)"), "%s",
              err);
    bb_override ok[] = {{"body.perturb.enabled=true"}, {"body.perturb.start_s=0.05"}, {"body.perturb.y_N=0.03"}};
    cr_assert_eq(load_edit(0, "", ok, 3), 0, "%s", err);
    cr_assert_str_eq(cfg.world.perturb_body, "pelvis");
    cr_assert_float_eq(cfg.world.perturb_N[1], 0.03, 1e-12);
    cr_assert_float_eq(cfg.world.perturb_duration_s, 0.02, 1e-12);
}

Test(config, reciprocal_inhibition_needs_the_reflex_and_a_map)
{
    bb_override ov[] = {{"brain.stretch_reflex.reciprocal_hz=15"}};
    cr_assert_eq(load_edit(0, "", ov, 1), 2);
    cr_assert(strstr(err, "--set brain.stretch_reflex.reciprocal_hz: reciprocal inhibition gates the stretch reflex"),
              "%s", err);
}

Test(config, a_head_post_height_needs_a_head_post)
{
    bb_override ov[] = {{"body.head_height_mm=-9"}};
    cr_assert_eq(load_edit(0, "", ov, 1), 2);
    cr_assert(strstr(err, "--set body.head_height_mm: sets the head post's height, but body.head_fixed is false"), "%s",
              err);
    bb_override ok[] = {{"body.head_height_mm=-9"}, {"body.head_fixed=true"}};
    cr_assert_eq(load_edit(0, "", ok, 2), 0, "%s", err);
    bb_world_spec w;
    bb_config_world_spec(&cfg, &w);
    cr_assert_float_eq(w.head_height, -0.009, 1e-12);
}

/* A start pose is a file beside the experiment, or the model's own
 * posture; a head post holds the head where the model's posture has it. */
Test(config, a_start_pose_is_a_file_beside_the_experiment_and_not_head_fixed)
{
    cr_assert_eq(load_edit(0, "", NULL, 0), 0, "%s", err);
    cr_assert_str_eq(cfg.start_pose, "model");
    bb_override ov[] = {{"body.start_pose=poses/stand.tsv"}};
    cr_assert_eq(load_edit(0, "", ov, 1), 0, "%s", err);
    cr_assert(strstr(cfg.start_pose, "/tmp/poses/stand.tsv"), "%s", cfg.start_pose);
    bb_override fixed[] = {{"body.start_pose=poses/stand.tsv"}, {"body.head_fixed=true"}};
    cr_assert_eq(load_edit(0, "", fixed, 2), 2);
    cr_assert(strstr(err, "--set body.start_pose: a start pose with body.head_fixed"), "%s", err);
}

/* A belt speed on a belt the paws drive is inert: a warning naming where it
 * was given, not an error (the file runs), and nothing for a default speed,
 * a motor belt or no belt. */
Test(config, a_speed_on_a_free_belt_is_warned_about)
{
    char warn[1024];
    const char *belt = "  model: body.xml\n  treadmill: {enabled: true, speed_m_per_s: 0.3, drive: free}\n";
    cr_assert_eq(load_edit(13, belt, NULL, 0), 0, "%s", err);
    cr_assert_eq(bb_config_warnings(&cfg, warn, sizeof warn), 1, "%s", warn);
    char want[400];
    snprintf(want, sizeof want, "%s:14:", path);
    cr_assert(strstr(warn, want) && strstr(warn, "body.treadmill.speed_m_per_s: has no effect with body.treadmill.drive free"),
              "%s", warn);
    cr_assert_eq(strchr(warn, '\n')[1], '\0', "one line: %s", warn);

    bb_override motor[] = {{"body.treadmill.drive=motor"}};
    cr_assert_eq(load_edit(13, belt, motor, 1), 0, "%s", err);
    cr_assert_eq(bb_config_warnings(&cfg, warn, sizeof warn), 0, "%s", warn);
    cr_assert_str_empty(warn);
    bb_override off[] = {{"body.treadmill.enabled=false"}};
    cr_assert_eq(load_edit(13, belt, off, 1), 0, "%s", err);
    cr_assert_eq(bb_config_warnings(&cfg, warn, sizeof warn), 0, "%s", warn);
    cr_assert_eq(load_edit(13, "  model: body.xml\n  treadmill: {enabled: true, drive: free}\n", NULL, 0), 0, "%s", err);
    cr_assert_eq(bb_config_warnings(&cfg, warn, sizeof warn), 0, "the default speed is not the user's: %s", warn);

    /* a motor belt in the file, made free by --set: the file's speed is named */
    bb_override free_belt[] = {{"body.treadmill.drive=free"}};
    cr_assert_eq(load_edit(13, "  model: body.xml\n  treadmill: {enabled: true, speed_m_per_s: 0.3}\n", free_belt, 1), 0,
                 "%s", err);
    cr_assert_eq(bb_config_warnings(&cfg, warn, sizeof warn), 1, "%s", warn);
    cr_assert(strstr(warn, want), "%s", warn);
}

/* docs/config.md must document every key the schema accepts. */
Test(config, every_key_is_documented)
{
    FILE *f = fopen(BB_SOURCE_DIR "/docs/config.md", "r");
    cr_assert(f, "docs/config.md missing");
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);
    for (size_t i = 0; i < bb_config_n_keys(); i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "`%s`", bb_config_key_name(i));
        cr_assert(strstr(doc, needle), "docs/config.md does not document %s", needle);
    }
}

/* The schema's brain.cortex defaults and bb_cortex_defaults() say the same
 * thing twice (the schema needs YAML text); they must not drift apart. */
Test(config, cortex_defaults_match_the_model_library)
{
    cr_assert_eq(bb_config_load(BB_SOURCE_DIR "/run/experiments/cortex.yaml", NULL, 0, &cfg, err, sizeof err), 0,
                 "%s", err);
    bb_cortex_spec got = bb_config_cortex_spec(&cfg), want = bb_cortex_defaults();
    cr_assert_eq(got.hemispheres, want.hemispheres);
    cr_assert_eq(got.with_s1, want.with_s1);
    cr_assert_eq(got.m1_nx, want.m1_nx);
    cr_assert_eq(got.m1_ny, want.m1_ny);
    cr_assert_eq(got.s1_nx, want.s1_nx);
    cr_assert_eq(got.s1_ny, want.s1_ny);
    cr_assert_eq(got.density_scale, want.density_scale);
    cr_assert_eq(got.background_hz, want.background_hz);
    cr_assert_eq(got.afferent_channels, want.afferent_channels);
    cr_assert_eq(got.dt_ms, cfg.brain_dt_ms);
    cr_assert_eq(got.seed, cfg.seed);
}
