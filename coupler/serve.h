/* Serving a run over ZeroMQ (control.enabled, `brainbody serve`): on the
 * coupler rank, a REP socket answers control commands between exchanges
 * and a PUB socket publishes telemetry packets (proto kind 4). Both bind to
 * ipc:// in the output folder by default, or to loopback TCP; never beyond
 * this machine (docs/operations.md). A slow subscriber never slows the run:
 * packets over the high-water mark are dropped and counted. */
#ifndef BB_SERVE_H
#define BB_SERVE_H

#include <stddef.h>

#include "config.h"
#include "loop.h"
#include "roles.h"

typedef struct bb_serve bb_serve;

/* Binds both sockets (the output folder must exist). Commands that hold or
 * stop the run set *control, which the loop reads between exchanges.
 * NULL with err on failure. */
bb_serve *bb_serve_open(const bb_config *cfg, const bb_pools *pools, const struct bb_body *body,
                        uint64_t n_exchanges, bb_loop_control *control, char *err, size_t cap);
/* After every exchange: publishes telemetry (every control.telemetry_every
 * exchanges) and answers the commands that arrived, without waiting. */
void bb_serve_exchange(bb_serve *s, const bb_exchange_record *r);
/* While the run is held: waits up to wait_ms for commands and answers them. */
void bb_serve_idle(bb_serve *s, int wait_ms);
/* The endpoints actually bound, for the terminal and run.yaml. */
const char *bb_serve_endpoint(const bb_serve *s);
const char *bb_serve_telemetry_endpoint(const bb_serve *s);
void bb_serve_close(bb_serve *s);

#endif
