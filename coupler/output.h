/* The run's output folder: never overwritten without --force; run.yaml
 * written atomically at the start (status: running) and at the end;
 * spikes.h5 (SONATA) written as the run goes and flushed every
 * recording.flush_s of simulated time. */
#ifndef BB_OUTPUT_H
#define BB_OUTPUT_H

#include "config.h"
#include "gait_log.h"
#include "loop.h"
#include "plan.h"
#include "progress.h"
#include "record_body.h"
#include "record_spikes.h"
#include "trials.h"

typedef struct bb_output {
    const bb_config *cfg;
    const bb_plan *plan;
    int force;
    bb_spike_file *spikes;
    bb_body_file *body_file;   /* body.h5, when the body is a MuJoCo body */
    const struct bb_body *body;
    float *drove;              /* the excitation that drove the body in the interval being recorded */
    uint32_t n_muscles;
    /* for the summary: each hinge's range over the run, each muscle's peak excitation */
    uint32_t n_hinges;
    double *angle, *lo, *hi;
    float *peak;
    bb_pools pools;            /* the brain's output pools, recorded in run.yaml */
    FILE *events;              /* events.tsv: time, event, detail */
    int64_t stim_on_ns, stim_off_ns; /* brain.stimulus, when enabled */
    uint32_t presses;          /* lever presses seen so far */
    FILE *trials;              /* trials.tsv, when the experiment has a task */
    bb_trials_summary task;    /* over the trials that ended so far */
    bb_gait_log gait;          /* locomotion experiments (treadmill or CPG): run.yaml's gait: block */
    int has_gait;
    char summary[1024];        /* written at the last exchange, while the body still exists */
    bb_progress progress;
    int64_t flush_ns;      /* recording.flush_s */
    int64_t next_flush_ns; /* simulated time of the next flush */
    uint64_t exchanges;    /* recorded so far */
    const char *failure;   /* why the run stopped, written to run.yaml; NULL: it did not */
    const char *resume_from; /* the checkpoint this run continues, or NULL: the files exist and are continued */
} bb_output;

/* Creates the folder, run.yaml and the recording files (coupler rank);
 * body: the run's body role (its MuJoCo body is recorded in body.h5). */
int bb_output_prepare(bb_output *o, const bb_body_role *body, char *err, size_t cap);
/* Records one exchange; flushes when a flush interval has passed. */
int bb_output_observe(bb_output *o, const bb_exchange_record *r, char *err, size_t cap);
/* Closes the recording files and writes the final run.yaml. */
int bb_output_finish(bb_output *o, const bb_run_result *res, char *err, size_t cap);
/* A sentence on what moved: the joints that turned most and the muscles
 * excited most ("" without a MuJoCo body, or before the last exchange). */
const char *bb_output_summary(const bb_output *o);
/* When the run never started (setup or a resume refused): closes what
 * bb_output_prepare opened without writing anything more. */
void bb_output_abandon(bb_output *o);
/* After a fatal error: closes the recording files (flushing what they hold)
 * and writes run.yaml with status failed and the reason. */
void bb_output_fail(bb_output *o, const char *why);
/* A command that changed the inputs from exchange k on: a "command" row of
 * events.tsv (what control.commands replays). */
int bb_output_command(bb_output *o, const bb_control_cmd *cmd, uint64_t k, char *err, size_t cap);
/* Writes everything recorded so far to disk (before a checkpoint). */
int bb_output_flush(bb_output *o, char *err, size_t cap);
/* The recording's state (file lengths, summaries, gait log) for checkpoints;
 * restoring cuts every file back to its length at the checkpoint. */
int bb_output_state(bb_output *o, bb_state_io *io);
int bb_output_write_run_yaml(const bb_output *o, const char *status, const bb_run_result *res, char *err,
                             size_t cap);

#endif
