/* Commands that change a run's inputs while it runs (stimulate, lesion,
 * restore, set-gain, perturb: docs/operations.md). A served run takes them
 * from its control socket; every one applied is recorded in events.tsv
 * ("command" rows, with the exchange it acted from), and a run given that
 * file as control.commands applies the same commands at the same
 * exchanges: a served run is reproducible. */
#ifndef BB_COMMANDS_H
#define BB_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "brainbody/body.h"
#include "config.h"
#include "control_cmd.h"
#include "roles.h"

/* Can this run apply the command (a cortex to stimulate, a coupling map
 * with that pool, a body of that name)? 0, or -1 with why. */
int bb_command_check(const bb_control_cmd *cmd, const bb_config *cfg, const bb_pools *pools, const bb_body *body,
                     char *err, size_t cap);

typedef struct bb_command_script bb_command_script;
/* control.commands: the "command" rows of an events.tsv, each checked
 * against this run (NULL with "file:line: why" in err). */
bb_command_script *bb_command_script_load(const bb_config *cfg, const bb_pools *pools, const bb_body *body,
                                          uint64_t n_exchanges, char *err, size_t cap);
/* The commands due before exchange k, in the order given; their number. */
int bb_command_script_due(bb_command_script *s, uint64_t k, bb_control_cmd *out, int max);
void bb_command_script_free(bb_command_script *s);

#endif
