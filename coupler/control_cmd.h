/* The control commands a served run accepts (docs/operations.md): one
 * ZeroMQ message of printable ASCII words, "verb [arguments]". Parsed
 * without trusting the input: length, bytes, verb and every argument are
 * checked, and a bad command is an error reply, never a crash. The same
 * parser reads the commands a run replays (control.commands) and the
 * command packets the brain ranks receive. */
#ifndef BB_CONTROL_CMD_H
#define BB_CONTROL_CMD_H

#include <stddef.h>

#define BB_CONTROL_MAX_BYTES 512 /* longer commands are refused */
#define BB_CONTROL_NAME 32       /* pool, body, hemisphere, area, layer names */

typedef enum bb_control_verb {
    BB_CTL_STATUS,
    BB_CTL_POOLS,
    BB_CTL_HELP,
    BB_CTL_PAUSE,
    BB_CTL_RESUME,
    BB_CTL_STOP,
    BB_CTL_RUN_FOR, /* seconds: simulated time to run, then pause */
    BB_CTL_CHECKPOINT,
    /* the commands that change the run's inputs (recorded, replayable) */
    BB_CTL_STIMULATE, /* name hemisphere, area, layers; value[0] pA; seconds */
    BB_CTL_LESION,    /* name: an output pool (its efferent pathways cut) */
    BB_CTL_RESTORE,   /* name: an output pool (its pathways as configured) */
    BB_CTL_SET_GAIN,  /* name: a pool or "all"; value[0]: factor on the configured weights */
    BB_CTL_PERTURB,   /* name: a body; value[0..2]: force, N (world frame); seconds */
} bb_control_verb;

typedef struct bb_control_cmd {
    bb_control_verb verb;
    char word[32];                /* the verb as given */
    char name[BB_CONTROL_NAME];   /* see the verbs */
    char area[BB_CONTROL_NAME], layers[BB_CONTROL_NAME];
    double value[3];
    double seconds;               /* run-for, stimulate, perturb */
} bb_control_cmd;

/* 0, or -1 with the reason in err (naming the byte offset where it applies). */
int bb_control_parse(const void *msg, size_t len, bb_control_cmd *out, char *err, size_t cap);
/* Does the command change the run's inputs (and so must be recorded)? */
int bb_control_changes_inputs(const bb_control_cmd *c);
/* The command as canonical text (parses back to the same command); its length. */
size_t bb_control_format(const bb_control_cmd *c, char *out, size_t cap);
/* The verbs, for help and error replies. */
const char *bb_control_verbs(void);

#endif
