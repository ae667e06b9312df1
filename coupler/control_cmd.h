/* The control commands a served run accepts (docs/operations.md): one
 * ZeroMQ message of printable ASCII words, "verb [arguments]". Parsed
 * without trusting the input: length, bytes, verb and every argument are
 * checked, and a bad command is an error reply, never a crash. */
#ifndef BB_CONTROL_CMD_H
#define BB_CONTROL_CMD_H

#include <stddef.h>

#define BB_CONTROL_MAX_BYTES 512 /* longer commands are refused */

typedef enum bb_control_verb {
    BB_CTL_STATUS,
    BB_CTL_POOLS,
    BB_CTL_HELP,
    BB_CTL_PAUSE,
    BB_CTL_RESUME,
    BB_CTL_STOP,
    BB_CTL_RUN_FOR, /* seconds: simulated time to run, then pause */
    BB_CTL_CHECKPOINT,
    BB_CTL_UNSUPPORTED, /* a command of the daemon issue not served yet */
} bb_control_verb;

typedef struct bb_control_cmd {
    bb_control_verb verb;
    char word[32]; /* the verb as given */
    double seconds; /* run-for */
} bb_control_cmd;

/* 0, or -1 with the reason in err (naming the byte offset where it applies). */
int bb_control_parse(const void *msg, size_t len, bb_control_cmd *out, char *err, size_t cap);
/* The verbs, for help and error replies. */
const char *bb_control_verbs(void);

#endif
