/* Encoder and never-trusting decoder for the brainbody wire format (PROTOCOL.md). */
#include "brainbody/proto.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the wire format is little-endian; this host needs byte swapping added here"
#endif

/* Header field offsets (PROTOCOL.md, "Header"). */
enum { H_MAGIC = 0, H_VERSION = 4, H_KIND = 6, H_SENDER = 8, H_LEN = 12, H_SEQ = 16, H_CRC = 24, H_RESERVED = 28 };

static const char *const err_text[BB_PROTO_NERR] = {
    [BB_PROTO_OK] = "ok",
    [BB_PROTO_E_SHORT_HEADER] = "message shorter than its 32-byte header",
    [BB_PROTO_E_MAGIC] = "wrong magic (not a brainbody message)",
    [BB_PROTO_E_VERSION] = "unsupported protocol version",
    [BB_PROTO_E_KIND] = "unknown or unexpected message kind",
    [BB_PROTO_E_RESERVED] = "reserved field is not zero",
    [BB_PROTO_E_LENGTH] = "declared payload length exceeds the limit",
    [BB_PROTO_E_TRUNCATED] = "payload truncated",
    [BB_PROTO_E_TRAILING] = "bytes after the declared end of the message",
    [BB_PROTO_E_CHECKSUM] = "checksum mismatch",
    [BB_PROTO_E_SEQUENCE] = "sequence number out of order",
    [BB_PROTO_E_COUNT] = "element count does not match the payload length",
    [BB_PROTO_E_INTERVAL] = "invalid interval",
    [BB_PROTO_E_ID_RANGE] = "source id out of range",
    [BB_PROTO_E_OFFSET_RANGE] = "spike step offset outside its interval",
    [BB_PROTO_E_SIZE] = "element count differs from the expected one",
    [BB_PROTO_E_VALUE] = "value not finite or out of range",
    [BB_PROTO_E_BUFFER] = "output buffer too small",
};

const char *bb_proto_strerror(bb_proto_err code)
{
    if ((unsigned)code >= BB_PROTO_NERR) return "unknown protocol error";
    return err_text[code];
}

const char *bb_proto_describe(const bb_proto_status *st, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s at byte %zu%s%s", bb_proto_strerror(st->code), st->offset,
             st->detail[0] ? ": " : "", st->detail);
    return buf;
}

static bb_proto_err fail(bb_proto_status *st, bb_proto_err code, size_t offset, const char *fmt, ...)
{
    if (st) {
        st->code = code;
        st->offset = offset;
        st->detail[0] = '\0';
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(st->detail, sizeof st->detail, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

static bb_proto_err ok(bb_proto_status *st) { return fail(st, BB_PROTO_OK, 0, NULL); }

static uint16_t get_u16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get_u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put_u16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* CRC-32 over the header without its CRC field, then the payload. */
static uint32_t packet_crc(const unsigned char *p, uint32_t payload_len)
{
    uint32_t c = bb_crc32(0, p, H_CRC);
    c = bb_crc32(c, p + H_RESERVED, 4);
    return bb_crc32(c, p + BB_PROTO_HEADER_SIZE, payload_len);
}

size_t bb_spikes_packet_size(uint32_t count)
{
    return BB_PROTO_HEADER_SIZE + BB_SPIKES_FIXED_SIZE + (size_t)count * BB_SPIKE_PAIR_SIZE;
}

size_t bb_activation_packet_size(uint32_t n_muscles)
{
    return BB_PROTO_HEADER_SIZE + BB_ACTIVATION_FIXED_SIZE + (size_t)n_muscles * 4u;
}

size_t bb_feedback_packet_size(uint32_t n_taxels, uint32_t n_proprio, uint32_t n_task)
{
    return BB_PROTO_HEADER_SIZE + BB_FEEDBACK_FIXED_SIZE + ((size_t)n_taxels + n_proprio + n_task) * 4u;
}

static void write_header(unsigned char *p, uint16_t kind, uint64_t seq, uint32_t sender, size_t payload_len)
{
    memcpy(p + H_MAGIC, BB_PROTO_MAGIC, 4);
    put_u16(p + H_VERSION, BB_PROTO_VERSION);
    put_u16(p + H_KIND, kind);
    put_u32(p + H_SENDER, sender);
    put_u32(p + H_LEN, (uint32_t)payload_len);
    put_u64(p + H_SEQ, seq);
    put_u32(p + H_RESERVED, 0);
}

static size_t seal(unsigned char *p, size_t total)
{
    put_u32(p + H_CRC, packet_crc(p, (uint32_t)(total - BB_PROTO_HEADER_SIZE)));
    return total;
}

size_t bb_encode_spikes(void *buf, size_t cap, uint64_t seq, uint32_t sender,
                        const bb_interval *iv, const bb_spike *spikes, uint32_t count)
{
    size_t total = bb_spikes_packet_size(count);
    if (total > cap || total - BB_PROTO_HEADER_SIZE > BB_PROTO_MAX_PAYLOAD) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_SPIKES, seq, sender, total - BB_PROTO_HEADER_SIZE);
    unsigned char *q = p + BB_PROTO_HEADER_SIZE;
    put_u64(q + 0, iv->exchange);
    put_u64(q + 8, iv->start_step);
    put_u64(q + 16, iv->end_step);
    put_u32(q + 24, count);
    put_u32(q + 28, 0);
    q += BB_SPIKES_FIXED_SIZE;
    for (uint32_t i = 0; i < count; i++, q += BB_SPIKE_PAIR_SIZE) {
        put_u32(q, spikes[i].source);
        put_u32(q + 4, spikes[i].offset);
    }
    return seal(p, total);
}

size_t bb_encode_activation(void *buf, size_t cap, uint64_t seq, uint32_t sender,
                            uint64_t exchange, const float *activation, uint32_t n_muscles)
{
    size_t total = bb_activation_packet_size(n_muscles);
    if (total > cap || total - BB_PROTO_HEADER_SIZE > BB_PROTO_MAX_PAYLOAD) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_ACTIVATION, seq, sender, total - BB_PROTO_HEADER_SIZE);
    unsigned char *q = p + BB_PROTO_HEADER_SIZE;
    put_u64(q, exchange);
    put_u32(q + 8, n_muscles);
    put_u32(q + 12, 0);
    if (n_muscles) memcpy(q + BB_ACTIVATION_FIXED_SIZE, activation, (size_t)n_muscles * 4u);
    return seal(p, total);
}

size_t bb_encode_feedback(void *buf, size_t cap, uint64_t seq, uint32_t sender, uint64_t exchange,
                          const float *taxels, uint32_t n_taxels,
                          const float *proprio, uint32_t n_proprio, const float *task, uint32_t n_task)
{
    size_t total = bb_feedback_packet_size(n_taxels, n_proprio, n_task);
    if (total > cap || total - BB_PROTO_HEADER_SIZE > BB_PROTO_MAX_PAYLOAD) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_FEEDBACK, seq, sender, total - BB_PROTO_HEADER_SIZE);
    unsigned char *q = p + BB_PROTO_HEADER_SIZE;
    put_u64(q, exchange);
    put_u32(q + 8, n_taxels);
    put_u32(q + 12, n_proprio);
    put_u32(q + 16, n_task);
    put_u32(q + 20, 0);
    q += BB_FEEDBACK_FIXED_SIZE;
    if (n_taxels) memcpy(q, taxels, (size_t)n_taxels * 4u);
    q += (size_t)n_taxels * 4u;
    if (n_proprio) memcpy(q, proprio, (size_t)n_proprio * 4u);
    q += (size_t)n_proprio * 4u;
    if (n_task) memcpy(q, task, (size_t)n_task * 4u);
    return seal(p, total);
}

static int known_kind(uint16_t k) { return k >= BB_MSG_SPIKES && k <= BB_MSG_COMMAND; }

bb_proto_err bb_decode_header(const void *buf, size_t len, const bb_expect *ex,
                              bb_msg_header *out, bb_proto_status *st)
{
    const unsigned char *p = buf;
    if (len < BB_PROTO_HEADER_SIZE)
        return fail(st, BB_PROTO_E_SHORT_HEADER, len, "%zu bytes", len);
    if (memcmp(p + H_MAGIC, BB_PROTO_MAGIC, 4) != 0)
        return fail(st, BB_PROTO_E_MAGIC, H_MAGIC, "got %02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
    bb_msg_header h = {
        .version = get_u16(p + H_VERSION),
        .kind = get_u16(p + H_KIND),
        .sender = get_u32(p + H_SENDER),
        .payload_len = get_u32(p + H_LEN),
        .seq = get_u64(p + H_SEQ),
    };
    if (h.version != BB_PROTO_VERSION)
        return fail(st, BB_PROTO_E_VERSION, H_VERSION, "version %u, this build speaks %u",
                    (unsigned)h.version, BB_PROTO_VERSION);
    if (get_u32(p + H_RESERVED) != 0)
        return fail(st, BB_PROTO_E_RESERVED, H_RESERVED, NULL);
    if (h.payload_len > BB_PROTO_MAX_PAYLOAD)
        return fail(st, BB_PROTO_E_LENGTH, H_LEN, "%u bytes declared, limit %u",
                    (unsigned)h.payload_len, BB_PROTO_MAX_PAYLOAD);
    size_t total = (size_t)BB_PROTO_HEADER_SIZE + h.payload_len;
    if (len < total)
        return fail(st, BB_PROTO_E_TRUNCATED, len, "%zu of %zu bytes", len, total);
    if (len > total)
        return fail(st, BB_PROTO_E_TRAILING, total, "%zu bytes, %zu declared", len, total);
    uint32_t crc = packet_crc(p, h.payload_len);
    if (crc != get_u32(p + H_CRC))
        return fail(st, BB_PROTO_E_CHECKSUM, H_CRC, "computed %08x, message says %08x",
                    (unsigned)crc, (unsigned)get_u32(p + H_CRC));
    if (!known_kind(h.kind))
        return fail(st, BB_PROTO_E_KIND, H_KIND, "kind %u", (unsigned)h.kind);
    if (ex && ex->kind && h.kind != ex->kind)
        return fail(st, BB_PROTO_E_KIND, H_KIND, "kind %u, expected %u", (unsigned)h.kind, (unsigned)ex->kind);
    if (ex && ex->check_seq && h.seq != ex->seq)
        return fail(st, BB_PROTO_E_SEQUENCE, H_SEQ, "sequence %llu, expected %llu",
                    (unsigned long long)h.seq, (unsigned long long)ex->seq);
    if (out) *out = h;
    return ok(st);
}

/* Header checks plus: payload long enough for the kind's fixed part. */
static bb_proto_err open_payload(const void *buf, size_t len, const bb_expect *ex, uint16_t kind,
                                 size_t fixed, bb_msg_header *h, bb_proto_status *st)
{
    bb_expect e = ex ? *ex : (bb_expect){0};
    e.kind = kind;
    bb_proto_err rc = bb_decode_header(buf, len, &e, h, st);
    if (rc) return rc;
    if (h->payload_len < fixed)
        return fail(st, BB_PROTO_E_TRUNCATED, len, "payload %u bytes, this kind needs at least %zu",
                    (unsigned)h->payload_len, fixed);
    return BB_PROTO_OK;
}

bb_proto_err bb_decode_spikes(const void *buf, size_t len, const bb_expect *ex,
                              bb_spike_view *out, bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, ex, BB_MSG_SPIKES, BB_SPIKES_FIXED_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    const size_t base = BB_PROTO_HEADER_SIZE;
    bb_interval iv = {get_u64(q), get_u64(q + 8), get_u64(q + 16)};
    uint32_t count = get_u32(q + 24);
    if (get_u32(q + 28) != 0) return fail(st, BB_PROTO_E_RESERVED, base + 28, NULL);
    uint64_t need = (uint64_t)BB_SPIKES_FIXED_SIZE + (uint64_t)count * BB_SPIKE_PAIR_SIZE;
    if (need != h.payload_len)
        return fail(st, BB_PROTO_E_COUNT, base + 24, "%u spikes need %llu payload bytes, have %u",
                    (unsigned)count, (unsigned long long)need, (unsigned)h.payload_len);
    if (iv.end_step <= iv.start_step || iv.end_step - iv.start_step > UINT32_MAX)
        return fail(st, BB_PROTO_E_INTERVAL, base + 8, "[%llu, %llu)",
                    (unsigned long long)iv.start_step, (unsigned long long)iv.end_step);
    uint64_t steps = iv.end_step - iv.start_step;
    const unsigned char *pairs = q + BB_SPIKES_FIXED_SIZE;
    for (uint32_t i = 0; i < count; i++) {
        size_t at = base + BB_SPIKES_FIXED_SIZE + (size_t)i * BB_SPIKE_PAIR_SIZE;
        uint32_t src = get_u32(pairs + (size_t)i * BB_SPIKE_PAIR_SIZE);
        uint32_t off = get_u32(pairs + (size_t)i * BB_SPIKE_PAIR_SIZE + 4);
        if (ex && ex->n_sources && src >= ex->n_sources)
            return fail(st, BB_PROTO_E_ID_RANGE, at, "spike %u: source id %u >= %u sources",
                        (unsigned)i, (unsigned)src, (unsigned)ex->n_sources);
        if (off >= steps)
            return fail(st, BB_PROTO_E_OFFSET_RANGE, at + 4, "spike %u: offset %u >= %llu steps",
                        (unsigned)i, (unsigned)off, (unsigned long long)steps);
    }
    if (out) *out = (bb_spike_view){.header = h, .interval = iv, .count = count, .pairs = pairs};
    return ok(st);
}

static int cmp_spike(const void *a, const void *b)
{
    const bb_spike *x = a, *y = b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return (x->source > y->source) - (x->source < y->source);
}

void bb_spikes_order(const bb_spike *in, size_t n, uint32_t steps, uint32_t *bucket, bb_spike *out)
{
    memset(bucket, 0, ((size_t)steps + 1) * sizeof *bucket);
    for (size_t i = 0; i < n; i++) bucket[in[i].offset + 1]++;
    for (uint32_t s = 1; s <= steps; s++) bucket[s] += bucket[s - 1];
    for (size_t i = 0; i < n; i++) out[bucket[in[i].offset]++] = in[i];
    for (size_t i = 1; i < n; i++)
        if (cmp_spike(&out[i - 1], &out[i]) > 0) {
            qsort(out, n, sizeof *out, cmp_spike);
            return;
        }
}

bb_spike bb_spike_view_get(const bb_spike_view *v, uint32_t i)
{
    const unsigned char *p = v->pairs + (size_t)i * BB_SPIKE_PAIR_SIZE;
    return (bb_spike){get_u32(p), get_u32(p + 4)};
}

/* Checks that n floats at p are finite and within [lo, hi]; copies none on
 * error. The first pass is branch-free over blocks of 8 (NaN fails both
 * comparisons) so it vectorises; the second finds the culprit on failure. */
static bb_proto_err check_floats(const unsigned char *p, uint32_t n, size_t at, float lo, float hi, const char *what,
                                 bb_proto_status *st)
{
    int bad = 0;
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float x[8];
        memcpy(x, p + (size_t)i * 4u, sizeof x);
        for (int j = 0; j < 8; j++) bad |= (x[j] < lo) | (x[j] > hi) | (x[j] != x[j]);
    }
    for (; i < n; i++) {
        float x;
        memcpy(&x, p + (size_t)i * 4u, 4);
        bad |= (x < lo) | (x > hi) | (x != x);
    }
    if (!bad) return BB_PROTO_OK;
    for (i = 0; i < n; i++) {
        float x;
        memcpy(&x, p + (size_t)i * 4u, 4);
        if (!(x >= lo && x <= hi))
            return fail(st, BB_PROTO_E_VALUE, at + (size_t)i * 4u, "%s %u = %g", what, (unsigned)i, (double)x);
    }
    return BB_PROTO_OK;
}

bb_proto_err bb_decode_activation(const void *buf, size_t len, const bb_expect *ex,
                                  uint64_t *exchange, float *activation, bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, ex, BB_MSG_ACTIVATION, BB_ACTIVATION_FIXED_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    const size_t base = BB_PROTO_HEADER_SIZE;
    uint32_t n = get_u32(q + 8);
    if (get_u32(q + 12) != 0) return fail(st, BB_PROTO_E_RESERVED, base + 12, NULL);
    if ((uint64_t)BB_ACTIVATION_FIXED_SIZE + (uint64_t)n * 4u != h.payload_len)
        return fail(st, BB_PROTO_E_COUNT, base + 8, "%u muscles in %u payload bytes", (unsigned)n,
                    (unsigned)h.payload_len);
    if (!ex || n != ex->n_muscles)
        return fail(st, BB_PROTO_E_SIZE, base + 8, "%u muscles, expected %u", (unsigned)n,
                    ex ? (unsigned)ex->n_muscles : 0u);
    rc = check_floats(q + BB_ACTIVATION_FIXED_SIZE, n, base + BB_ACTIVATION_FIXED_SIZE, 0.0f, 1.0f, "muscle", st);
    if (rc) return rc;
    if (n) memcpy(activation, q + BB_ACTIVATION_FIXED_SIZE, (size_t)n * 4u);
    if (exchange) *exchange = get_u64(q);
    return ok(st);
}

bb_proto_err bb_decode_feedback(const void *buf, size_t len, const bb_expect *ex,
                                uint64_t *exchange, float *taxels, float *proprio, float *task,
                                bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, ex, BB_MSG_FEEDBACK, BB_FEEDBACK_FIXED_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    const size_t base = BB_PROTO_HEADER_SIZE;
    if (get_u32(q + 20) != 0) return fail(st, BB_PROTO_E_RESERVED, base + 20, NULL);
    uint32_t nt = get_u32(q + 8), np = get_u32(q + 12), nk = get_u32(q + 16);
    if ((uint64_t)BB_FEEDBACK_FIXED_SIZE + ((uint64_t)nt + np + nk) * 4u != h.payload_len)
        return fail(st, BB_PROTO_E_COUNT, base + 8, "%u taxels + %u channels + %u task channels in %u payload bytes",
                    (unsigned)nt, (unsigned)np, (unsigned)nk, (unsigned)h.payload_len);
    if (!ex || nt != ex->n_taxels || np != ex->n_proprio || nk != ex->n_task)
        return fail(st, BB_PROTO_E_SIZE, base + 8, "%u taxels, %u channels and %u task channels, expected %u, %u and %u",
                    (unsigned)nt, (unsigned)np, (unsigned)nk, ex ? (unsigned)ex->n_taxels : 0u,
                    ex ? (unsigned)ex->n_proprio : 0u, ex ? (unsigned)ex->n_task : 0u);
    const size_t at_tx = base + BB_FEEDBACK_FIXED_SIZE, at_pr = at_tx + (size_t)nt * 4u, at_tk = at_pr + (size_t)np * 4u;
    const unsigned char *tx = q + BB_FEEDBACK_FIXED_SIZE, *pr = tx + (size_t)nt * 4u, *tk = pr + (size_t)np * 4u;
    rc = check_floats(tx, nt, at_tx, 0.0f, FLT_MAX, "taxel", st);
    if (rc) return rc;
    rc = check_floats(pr, np, at_pr, -FLT_MAX, FLT_MAX, "proprioceptor channel", st);
    if (rc) return rc;
    rc = check_floats(tk, nk, at_tk, 0.0f, 1.0f, "task channel", st);
    if (rc) return rc;
    if (nt) memcpy(taxels, tx, (size_t)nt * 4u);
    if (np) memcpy(proprio, pr, (size_t)np * 4u);
    if (nk) memcpy(task, tk, (size_t)nk * 4u);
    if (exchange) *exchange = get_u64(q);
    return ok(st);
}

/* ---- telemetry */

static size_t pad4(size_t n) { return (n + 3u) & ~(size_t)3u; }

size_t bb_telemetry_packet_size(uint32_t n_pools, uint32_t n_paws)
{
    return BB_PROTO_HEADER_SIZE + BB_TELEMETRY_FIXED_SIZE + (size_t)n_pools * 4u + pad4(n_paws);
}

static void put_f32(unsigned char *p, float v) { memcpy(p, &v, 4); }
static float get_f32(const unsigned char *p) { float v; memcpy(&v, p, 4); return v; }

size_t bb_encode_telemetry(void *buf, size_t cap, uint64_t seq, const bb_telemetry *t)
{
    if (t->n_pools > BB_TELEMETRY_MAX_POOLS || t->n_paws > BB_TELEMETRY_MAX_PAWS) return 0;
    size_t total = bb_telemetry_packet_size(t->n_pools, t->n_paws);
    if (total > cap) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_TELEMETRY, seq, 0, total - BB_PROTO_HEADER_SIZE);
    unsigned char *q = p + BB_PROTO_HEADER_SIZE;
    put_u64(q, t->exchange);
    memcpy(q + 8, &t->time_s, 8);
    put_f32(q + 16, t->realtime_factor);
    put_f32(q + 20, t->excitation_mean);
    put_f32(q + 24, t->excitation_max);
    put_u32(q + 28, t->n_pools);
    put_u32(q + 32, t->n_paws);
    put_u32(q + 36, t->flags);
    put_u32(q + 40, t->lever_presses);
    put_u32(q + 44, t->dropped);
    q += BB_TELEMETRY_FIXED_SIZE;
    if (t->n_pools) memcpy(q, t->pool_rate_hz, (size_t)t->n_pools * 4u);
    q += (size_t)t->n_pools * 4u;
    memset(q, 0, pad4(t->n_paws));
    if (t->n_paws) memcpy(q, t->paw_contact, t->n_paws);
    return seal(p, total);
}

bb_proto_err bb_decode_telemetry(const void *buf, size_t len, bb_telemetry *t, float *rates_out, uint8_t *paws_out,
                                 bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, NULL, BB_MSG_TELEMETRY, BB_TELEMETRY_FIXED_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    const size_t base = BB_PROTO_HEADER_SIZE;
    bb_telemetry v = {.exchange = get_u64(q), .realtime_factor = get_f32(q + 16),
                      .excitation_mean = get_f32(q + 20), .excitation_max = get_f32(q + 24),
                      .n_pools = get_u32(q + 28), .n_paws = get_u32(q + 32), .flags = get_u32(q + 36),
                      .lever_presses = get_u32(q + 40), .dropped = get_u32(q + 44)};
    memcpy(&v.time_s, q + 8, 8);
    if (v.n_pools > BB_TELEMETRY_MAX_POOLS || v.n_paws > BB_TELEMETRY_MAX_PAWS)
        return fail(st, BB_PROTO_E_COUNT, base + 28, "%u pools, %u paws (limits %u, %u)", (unsigned)v.n_pools,
                    (unsigned)v.n_paws, BB_TELEMETRY_MAX_POOLS, BB_TELEMETRY_MAX_PAWS);
    if (bb_telemetry_packet_size(v.n_pools, v.n_paws) - BB_PROTO_HEADER_SIZE != h.payload_len)
        return fail(st, BB_PROTO_E_COUNT, base + 28, "%u pools and %u paws in %u payload bytes", (unsigned)v.n_pools,
                    (unsigned)v.n_paws, (unsigned)h.payload_len);
    if (!(v.time_s >= 0 && v.time_s <= 1e9))
        return fail(st, BB_PROTO_E_VALUE, base + 8, "time %g s", v.time_s);
    if (!(v.realtime_factor >= 0 && v.realtime_factor <= 1e6))
        return fail(st, BB_PROTO_E_VALUE, base + 16, "real-time factor %g", (double)v.realtime_factor);
    if ((rc = check_floats(q + 20, 2, base + 20, 0.0f, 1.0f, "excitation summary", st))) return rc;
    if (v.flags & ~BB_TELEMETRY_FLAGS) return fail(st, BB_PROTO_E_RESERVED, base + 36, "flags %08x", (unsigned)v.flags);
    const unsigned char *rates = q + BB_TELEMETRY_FIXED_SIZE, *paws = rates + (size_t)v.n_pools * 4u;
    if ((rc = check_floats(rates, v.n_pools, base + BB_TELEMETRY_FIXED_SIZE, 0.0f, 1e4f, "pool rate", st))) return rc;
    for (uint32_t i = 0; i < pad4(v.n_paws); i++) {
        size_t at = base + BB_TELEMETRY_FIXED_SIZE + (size_t)v.n_pools * 4u + i;
        if (i < v.n_paws && paws[i] > 1) return fail(st, BB_PROTO_E_VALUE, at, "paw %u contact %u", i, paws[i]);
        if (i >= v.n_paws && paws[i]) return fail(st, BB_PROTO_E_RESERVED, at, "padding byte %u", paws[i]);
    }
    if (v.n_pools) memcpy(rates_out, rates, (size_t)v.n_pools * 4u);
    if (v.n_paws) memcpy(paws_out, paws, v.n_paws);
    v.pool_rate_hz = rates_out;
    v.paw_contact = paws_out;
    *t = v;
    return ok(st);
}

/* ---- hold */

size_t bb_encode_hold(void *buf, size_t cap, uint64_t seq, uint64_t exchange, uint32_t state)
{
    size_t total = BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE;
    if (total > cap || state > BB_HOLD_LAST) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_HOLD, seq, 0, BB_HOLD_SIZE);
    put_u64(p + BB_PROTO_HEADER_SIZE, exchange);
    put_u32(p + BB_PROTO_HEADER_SIZE + 8, state);
    put_u32(p + BB_PROTO_HEADER_SIZE + 12, 0);
    return seal(p, total);
}

bb_proto_err bb_decode_hold(const void *buf, size_t len, uint64_t *exchange, uint32_t *state, bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, NULL, BB_MSG_HOLD, BB_HOLD_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    if (h.payload_len != BB_HOLD_SIZE)
        return fail(st, BB_PROTO_E_COUNT, H_LEN, "hold payload of %u bytes, expected %u", (unsigned)h.payload_len,
                    BB_HOLD_SIZE);
    uint32_t s = get_u32(q + 8);
    if (s > BB_HOLD_LAST) return fail(st, BB_PROTO_E_VALUE, BB_PROTO_HEADER_SIZE + 8, "state %u", (unsigned)s);
    if (get_u32(q + 12)) return fail(st, BB_PROTO_E_RESERVED, BB_PROTO_HEADER_SIZE + 12, NULL);
    *exchange = get_u64(q);
    *state = s;
    return ok(st);
}

/* ---- command */

size_t bb_command_packet_size(size_t text_len) { return BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + pad4(text_len); }

size_t bb_encode_command(void *buf, size_t cap, uint64_t seq, uint64_t exchange, const char *text, size_t text_len)
{
    size_t total = bb_command_packet_size(text_len);
    if (text_len > BB_COMMAND_MAX_TEXT || total > cap) return 0;
    for (size_t i = 0; i < text_len; i++)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e) return 0;
    unsigned char *p = buf;
    write_header(p, BB_MSG_COMMAND, seq, 0, (uint32_t)(total - BB_PROTO_HEADER_SIZE));
    unsigned char *q = p + BB_PROTO_HEADER_SIZE;
    put_u64(q, exchange);
    put_u32(q + 8, (uint32_t)text_len);
    put_u32(q + 12, 0);
    memcpy(q + BB_COMMAND_FIXED_SIZE, text, text_len);
    memset(q + BB_COMMAND_FIXED_SIZE + text_len, 0, pad4(text_len) - text_len);
    return seal(p, total);
}

bb_proto_err bb_decode_command(const void *buf, size_t len, uint64_t *exchange, char *text, bb_proto_status *st)
{
    bb_msg_header h;
    bb_proto_err rc = open_payload(buf, len, NULL, BB_MSG_COMMAND, BB_COMMAND_FIXED_SIZE, &h, st);
    if (rc) return rc;
    const unsigned char *q = (const unsigned char *)buf + BB_PROTO_HEADER_SIZE;
    const size_t base = BB_PROTO_HEADER_SIZE;
    uint32_t n = get_u32(q + 8);
    if (n > BB_COMMAND_MAX_TEXT) return fail(st, BB_PROTO_E_COUNT, base + 8, "text of %u bytes, at most %u", n, BB_COMMAND_MAX_TEXT);
    if (h.payload_len != BB_COMMAND_FIXED_SIZE + pad4(n))
        return fail(st, BB_PROTO_E_COUNT, H_LEN, "payload of %u bytes for %u bytes of text", (unsigned)h.payload_len, n);
    if (get_u32(q + 12)) return fail(st, BB_PROTO_E_RESERVED, base + 12, NULL);
    const unsigned char *t = q + BB_COMMAND_FIXED_SIZE;
    for (uint32_t i = 0; i < n; i++)
        if (t[i] < 0x20 || t[i] > 0x7e)
            return fail(st, BB_PROTO_E_VALUE, base + BB_COMMAND_FIXED_SIZE + i, "byte 0x%02x in the text", t[i]);
    for (size_t i = n; i < pad4(n); i++)
        if (t[i]) return fail(st, BB_PROTO_E_RESERVED, base + BB_COMMAND_FIXED_SIZE + i, NULL);
    *exchange = get_u64(q);
    memcpy(text, t, n);
    text[n] = '\0';
    return ok(st);
}
