/* The run's output folder: never overwritten without --force; run.yaml
 * written atomically at the start (status: running) and at the end. */
#ifndef BB_OUTPUT_H
#define BB_OUTPUT_H

#include "config.h"
#include "loop.h"
#include "plan.h"

typedef struct bb_output {
    const bb_config *cfg;
    const bb_plan *plan;
    int force;
} bb_output;

int bb_output_prepare(const bb_output *o, char *err, size_t cap);
int bb_output_write_run_yaml(const bb_output *o, const char *status, const bb_run_result *res, char *err,
                             size_t cap);

#endif
