/* libFuzzer target: the control-command parser of a served run
 * (coupler/control_cmd.c) on arbitrary messages. A parse either fails with
 * a message or yields a known verb; it never reads past the message; a
 * parsed command's canonical text parses back to the same command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so that ASan sees any read past the message */
    uint8_t *msg = malloc(size ? size : 1);
    if (!msg) return 0;
    if (size) memcpy(msg, data, size);
    bb_control_cmd cmd;
    char err[256];
    int rc = bb_control_parse(msg, size, &cmd, err, sizeof err);
    if (rc == 0 && cmd.verb > BB_CTL_PERTURB) abort();
    if (rc != 0 && (err[0] == '\0' || !memchr(err, '\0', sizeof err))) abort();
    if (rc == 0) { /* the canonical text (what events.tsv records) parses back to itself */
        char text[BB_CONTROL_MAX_BYTES + 1], again[BB_CONTROL_MAX_BYTES + 1];
        bb_control_cmd back;
        size_t n = bb_control_format(&cmd, text, sizeof text);
        if (n >= sizeof text || bb_control_parse(text, n, &back, err, sizeof err)) abort();
        bb_control_format(&back, again, sizeof again);
        if (strcmp(text, again) || back.verb != cmd.verb) abort();
    }
    free(msg);
    return 0;
}
