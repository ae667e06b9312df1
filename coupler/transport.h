/* MPI waits with a watchdog: a peer that never answers stops the run with a
 * message instead of a hang. */
#ifndef BB_TRANSPORT_H
#define BB_TRANSPORT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

enum { BB_TAG_SPIKES = 101, BB_TAG_FEEDBACK = 102, BB_TAG_HOLD = 103 };

/* Waits until all n requests complete (statuses in st). Returns -1 when done,
 * or the index of the first request still pending after timeout_s. */
int bb_wait_all(int n, MPI_Request *reqs, MPI_Status *st, double timeout_s);

/* Waits for one request from src (the feedback a brain rank waits for),
 * taking hold packets (BB_TAG_HOLD, proto kind 5) from src meanwhile:
 * while the run is held the watchdog is stopped, and it restarts at a
 * resume (*held: whether the run is held, kept by the caller across calls).
 * Returns 0 when req completed, 1 at a stop (req cancelled), 2 at
 * a checkpoint and 3 before a command packet (req still pending;
 * *exchange: the exchange it follows; call again after saving or taking
 * the command), -1 on timeout or a bad hold packet (message in err). */
int bb_wait_or_hold(MPI_Request *req, MPI_Status *st, int src, MPI_Comm comm, double timeout_s, int *held,
                    uint64_t *exchange, char *err, size_t cap);

/* Receives one message of any size from src with tag into *buf (grown as
 * needed). Returns its length, or -1 on timeout. */
long bb_recv_any_size(int src, int tag, MPI_Comm comm, unsigned char **buf, size_t *cap, double timeout_s);

/* Prints "brainbody: <where>: <message>" to stderr and aborts every rank. */
_Noreturn void bb_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Called once by bb_fatal, before it aborts, with the message: the coupler
 * rank closes its output files there so that a failed run keeps what it
 * recorded. NULL: nothing to do. */
void bb_fatal_set_cleanup(void (*cleanup)(void *ctx, const char *message), void *ctx);

#endif
