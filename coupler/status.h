/* What this rank is doing right now, so that a signal (from mpirun when a
 * peer dies, or from the user) can say where the run stopped. */
#ifndef BB_STATUS_H
#define BB_STATUS_H

#include <stdint.h>

typedef enum bb_activity {
    BB_SETUP = 0,
    BB_COMPUTING,
    BB_WAITING_SPIKES,   /* coupler: waiting for a brain rank's spike packet */
    BB_WAITING_FEEDBACK, /* brain: waiting for the coupler's feedback */
    BB_SENDING_FEEDBACK, /* coupler: handing the feedback packet over */
    BB_HELD,             /* coupler: a served run paused between exchanges */
    BB_CHECKPOINTING,    /* writing a checkpoint between exchanges */
    BB_FINISHING,
} bb_activity;

void bb_status_init(int world_rank, const char *role);
/* The exchange interval, so that a fault message can give the simulated time. */
void bb_status_set_interval_ns(int64_t exchange_ns);
void bb_status_set(uint64_t exchange, bb_activity what, int peer_rank);
/* SIGTERM, SIGINT, SIGHUP: print rank, role, exchange and activity, then die of the signal. */
void bb_status_install_signal_handlers(void);
/* "rank 1 (brain), exchange 17" into buf */
const char *bb_status_where(char *buf, unsigned cap);

#endif
