/* libFuzzer target: the control-command parser of a served run
 * (coupler/control_cmd.c) on arbitrary messages. A parse either fails with
 * a message or yields a known verb; it never reads past the message. */
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
    if (rc == 0 && cmd.verb > BB_CTL_UNSUPPORTED) abort();
    if (rc != 0 && (err[0] == '\0' || !memchr(err, '\0', sizeof err))) abort();
    free(msg);
    return 0;
}
