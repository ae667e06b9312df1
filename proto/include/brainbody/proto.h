/* brainbody wire format, version 2: the only place the byte layouts live.
 * Every message that crosses an MPI rank boundary or a socket is one packet:
 * a 32-byte header followed by a kind-specific payload. All integers and
 * floats are little-endian; the layout is specified in proto/PROTOCOL.md.
 *
 * Decoders never trust their input: each check that can fail has its own
 * error code, and the status says at which byte offset the problem was found. */
#ifndef BRAINBODY_PROTO_H
#define BRAINBODY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BB_PROTO_MAGIC "BBDY"
#define BB_PROTO_VERSION 2u
#define BB_PROTO_HEADER_SIZE 32u
/* Largest payload any decoder accepts (bytes); a larger declared length is an error. */
#define BB_PROTO_MAX_PAYLOAD (256u * 1024u * 1024u)

#define BB_SPIKES_FIXED_SIZE 32u     /* spike payload before the (source, offset) pairs */
#define BB_SPIKE_PAIR_SIZE 8u
#define BB_ACTIVATION_FIXED_SIZE 16u
#define BB_FEEDBACK_FIXED_SIZE 24u
#define BB_TELEMETRY_FIXED_SIZE 48u
#define BB_HOLD_SIZE 16u
#define BB_COMMAND_FIXED_SIZE 16u
#define BB_COMMAND_MAX_TEXT 512u
/* Hold packet states: what the coupler does after the exchange it names
 * (CHECKPOINT: every rank saves its state; COMMAND: a command packet
 * follows; a brain rank answers either with SAVED (done) or FAILED in a
 * hold packet of its own). */
enum { BB_HOLD_RESUME = 0, BB_HOLD_PAUSE = 1, BB_HOLD_STOP = 2, BB_HOLD_CHECKPOINT = 3, BB_HOLD_SAVED = 4,
       BB_HOLD_FAILED = 5, BB_HOLD_COMMAND = 6, BB_HOLD_LAST = BB_HOLD_COMMAND };
#define BB_TELEMETRY_MAX_POOLS 4096u
#define BB_TELEMETRY_MAX_PAWS 64u
/* Telemetry flags: what is on at the end of the exchange. */
enum { BB_TELEMETRY_CUE = 1u, BB_TELEMETRY_REWARD = 2u, BB_TELEMETRY_STIMULUS = 4u, BB_TELEMETRY_PUSH = 8u,
       BB_TELEMETRY_FLAGS = 15u };
/* Task channels of a feedback packet (levels in [0, 1]), in this order. */
enum { BB_TASK_CUE = 0, BB_TASK_REWARD = 1, BB_TASK_CHANNELS = 2 };
/* With the spinal CPG (brain.cpg) the feedback's channels go on after the
 * task's: per limb (left hind, right hind, left fore, right fore) its load
 * and its hip or shoulder extension, in [0, 1] (coupler/spinal.h). */
#define BB_SPINAL_CHANNELS 8

typedef enum bb_msg_kind {
    BB_MSG_SPIKES = 1,     /* brain rank -> coupler: output-cell spikes of one exchange interval */
    BB_MSG_ACTIVATION = 2, /* coupler -> body (or a client): per-muscle excitation in [0, 1] */
    BB_MSG_FEEDBACK = 3,   /* coupler -> brain ranks: touch taxels, proprioceptor and task channels */
    BB_MSG_TELEMETRY = 4,  /* coupler -> subscribers (ZeroMQ PUB): the run's state after one exchange */
    BB_MSG_HOLD = 5,       /* coupler <-> brain ranks: held, resumed, stopped or checkpointed between exchanges */
    BB_MSG_COMMAND = 6,    /* coupler -> brain ranks: a control command changing the brain's inputs */
} bb_msg_kind;

typedef enum bb_proto_err {
    BB_PROTO_OK = 0,
    BB_PROTO_E_SHORT_HEADER,  /* fewer bytes than a header */
    BB_PROTO_E_MAGIC,         /* first four bytes are not "BBDY" */
    BB_PROTO_E_VERSION,       /* a version this build does not speak */
    BB_PROTO_E_KIND,          /* unknown message kind, or not the kind expected */
    BB_PROTO_E_RESERVED,      /* reserved field not zero */
    BB_PROTO_E_LENGTH,        /* declared payload length above BB_PROTO_MAX_PAYLOAD */
    BB_PROTO_E_TRUNCATED,     /* fewer payload bytes than the header declares */
    BB_PROTO_E_TRAILING,      /* more bytes than the header declares */
    BB_PROTO_E_CHECKSUM,      /* CRC-32 of header and payload does not match */
    BB_PROTO_E_SEQUENCE,      /* sequence number is not the one expected */
    BB_PROTO_E_COUNT,         /* element count does not fit, or overflows, the payload length */
    BB_PROTO_E_INTERVAL,      /* interval end not after its start, or too long */
    BB_PROTO_E_ID_RANGE,      /* a source id at or above the number of sources */
    BB_PROTO_E_OFFSET_RANGE,  /* a spike step offset outside its interval */
    BB_PROTO_E_SIZE,          /* muscle/taxel/channel count differs from the one expected */
    BB_PROTO_E_VALUE,         /* a float that is not finite, or outside its range */
    BB_PROTO_E_BUFFER,        /* encoder: the output buffer is too small */
    BB_PROTO_NERR
} bb_proto_err;

/* Result of a decode: the error, where in the message it was found, and a detail. */
typedef struct bb_proto_status {
    bb_proto_err code;
    size_t offset;   /* byte offset from the start of the packet */
    char detail[96]; /* e.g. "source id 1200 >= 1000" */
} bb_proto_status;

typedef struct bb_msg_header {
    uint16_t version;
    uint16_t kind;
    uint32_t sender;      /* world rank of the sender */
    uint32_t payload_len; /* bytes after the header */
    uint64_t seq;         /* per-stream sequence number, 0, 1, 2, ... */
} bb_msg_header;

/* One spike: the output cell's global id and its step within the interval. */
typedef struct bb_spike {
    uint32_t source;
    uint32_t offset;
} bb_spike;

/* Interval [start_step, end_step) in integer brain time steps. */
typedef struct bb_interval {
    uint64_t exchange;
    uint64_t start_step;
    uint64_t end_step;
} bb_interval;

/* A decoded spike packet; pairs are read with bb_spike_view_get (no copy). */
typedef struct bb_spike_view {
    bb_msg_header header;
    bb_interval interval;
    uint32_t count;
    const unsigned char *pairs;
} bb_spike_view;

/* What the receiver expects of a message; 0 in a size field means "any". */
typedef struct bb_expect {
    uint16_t kind;
    uint64_t seq;
    int check_seq;       /* nonzero: seq must equal .seq */
    uint32_t n_sources;  /* spikes: ids must be below this (required, > 0) */
    uint32_t n_muscles;  /* activation: exact count */
    uint32_t n_taxels;   /* feedback: exact taxel count */
    uint32_t n_proprio;  /* feedback: exact proprioceptor channel count */
    uint32_t n_task;     /* feedback: exact task channel count */
} bb_expect;

/* The wire format's CRC-32 (ISO-HDLC, as zlib's crc32): chain with crc = 0
 * first. Hardware-accelerated through ISA-L where the build found it. */
uint32_t bb_crc32(uint32_t crc, const void *buf, size_t len);

const char *bb_proto_strerror(bb_proto_err code);
/* "wrong magic at byte 0: ..." into buf; returns buf. */
const char *bb_proto_describe(const bb_proto_status *st, char *buf, size_t cap);

size_t bb_spikes_packet_size(uint32_t count);
size_t bb_activation_packet_size(uint32_t n_muscles);
size_t bb_feedback_packet_size(uint32_t n_taxels, uint32_t n_proprio, uint32_t n_task);

/* Encoders return the number of bytes written, or 0 if cap is too small. */
size_t bb_encode_spikes(void *buf, size_t cap, uint64_t seq, uint32_t sender,
                        const bb_interval *iv, const bb_spike *spikes, uint32_t count);
size_t bb_encode_activation(void *buf, size_t cap, uint64_t seq, uint32_t sender,
                            uint64_t exchange, const float *activation, uint32_t n_muscles);
size_t bb_encode_feedback(void *buf, size_t cap, uint64_t seq, uint32_t sender, uint64_t exchange,
                          const float *taxels, uint32_t n_taxels,
                          const float *proprio, uint32_t n_proprio, const float *task, uint32_t n_task);

/* Checks magic, version, reserved bits, length, exact size and checksum, and
 * the expected kind and sequence number if given (ex may be NULL). */
bb_proto_err bb_decode_header(const void *buf, size_t len, const bb_expect *ex,
                              bb_msg_header *out, bb_proto_status *st);

bb_proto_err bb_decode_spikes(const void *buf, size_t len, const bb_expect *ex,
                              bb_spike_view *out, bb_proto_status *st);
bb_spike bb_spike_view_get(const bb_spike_view *v, uint32_t i);

/* Writes the n spikes of in to out in the canonical order (offset, then
 * source): a stable counting sort by offset (every offset below steps), which
 * is the whole order when in is a concatenation of per-rank lists of
 * ascending id blocks; checked, with a full sort as the fallback.
 * bucket: steps + 1 entries of scratch. */
void bb_spikes_order(const bb_spike *in, size_t n, uint32_t steps, uint32_t *bucket, bb_spike *out);

/* Copies ex->n_muscles values into activation. */
bb_proto_err bb_decode_activation(const void *buf, size_t len, const bb_expect *ex,
                                  uint64_t *exchange, float *activation, bb_proto_status *st);
/* Copies ex->n_taxels, ex->n_proprio and ex->n_task values into taxels,
 * proprio and task. */
bb_proto_err bb_decode_feedback(const void *buf, size_t len, const bb_expect *ex,
                                uint64_t *exchange, float *taxels, float *proprio, float *task,
                                bb_proto_status *st);

/* ---- telemetry (kind 4): one per exchange (or every few), coupler -> clients */

typedef struct bb_telemetry {
    uint64_t exchange;          /* the exchange just completed */
    double time_s;              /* simulated time at its end */
    float realtime_factor;      /* simulated / wall seconds since the run started */
    float excitation_mean, excitation_max; /* over the muscles, in [0, 1] */
    uint32_t n_pools, n_paws;
    uint32_t flags;             /* BB_TELEMETRY_* */
    uint32_t lever_presses;     /* so far */
    uint32_t dropped;           /* telemetry messages this publisher dropped so far (slow subscribers) */
    const float *pool_rate_hz;  /* n_pools: each output pool's mean rate over the exchange */
    const uint8_t *paw_contact; /* n_paws: 0 or 1 */
} bb_telemetry;

size_t bb_telemetry_packet_size(uint32_t n_pools, uint32_t n_paws);
size_t bb_encode_telemetry(void *buf, size_t cap, uint64_t seq, const bb_telemetry *t);
/* Checks everything (sizes, ranges, flags, padding); on success copies the
 * rates into rates (room for BB_TELEMETRY_MAX_POOLS) and the contacts into
 * paws (room for BB_TELEMETRY_MAX_PAWS), and t's arrays point at them. */
bb_proto_err bb_decode_telemetry(const void *buf, size_t len, bb_telemetry *t, float *rates, uint8_t *paws,
                                 bb_proto_status *st);

/* ---- hold (kind 5): a served run paused, resumed or stopped (coupler -> brain ranks) */

size_t bb_encode_hold(void *buf, size_t cap, uint64_t seq, uint64_t exchange, uint32_t state);
/* state is one of BB_HOLD_*. */
bb_proto_err bb_decode_hold(const void *buf, size_t len, uint64_t *exchange, uint32_t *state, bb_proto_status *st);

/* ---- command (kind 6): a control command for the brain ranks, as text */

size_t bb_command_packet_size(size_t text_len);
/* text: printable ASCII, at most BB_COMMAND_MAX_TEXT bytes; 0 if it is not. */
size_t bb_encode_command(void *buf, size_t cap, uint64_t seq, uint64_t exchange, const char *text, size_t text_len);
/* text: BB_COMMAND_MAX_TEXT + 1 bytes, zero-terminated on success. */
bb_proto_err bb_decode_command(const void *buf, size_t len, uint64_t *exchange, char *text, bb_proto_status *st);

#ifdef __cplusplus
}
#endif
#endif
