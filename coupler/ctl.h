/* `brainbody ctl`: the command-line client of a served run (coupler/serve.c). */
#ifndef BB_CTL_H
#define BB_CTL_H

/* argv after "ctl". Exit status: 0 an "ok" reply (or N telemetry packets
 * printed), 1 an "error" reply, 2 bad usage, 3 no answer in time. */
int bb_ctl_main(int argc, char **argv);

#endif
