/* Wire format: round trips, and one test per decoder error. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "brainbody/proto.h"
#include "reseal.h"

static unsigned char buf[4096];

static size_t spike_packet(uint64_t seq, const bb_spike *s, uint32_t n)
{
    bb_interval iv = {seq, seq * 50, seq * 50 + 50};
    return bb_encode_spikes(buf, sizeof buf, seq, 1, &iv, s, n);
}

static void put32(size_t at, uint32_t v) { memcpy(buf + at, &v, 4); }

static const bb_spike three[3] = {{7, 0}, {3, 12}, {999, 49}};
static const bb_expect spikes_ok = {.kind = BB_MSG_SPIKES, .seq = 5, .check_seq = 1, .n_sources = 1000};

Test(proto, spikes_round_trip)
{
    size_t len = spike_packet(5, three, 3);
    cr_assert_eq(len, bb_spikes_packet_size(3));
    bb_spike_view v;
    bb_proto_status st;
    cr_assert_eq(bb_decode_spikes(buf, len, &spikes_ok, &v, &st), BB_PROTO_OK);
    cr_assert_eq(v.count, 3);
    cr_assert_eq(v.header.sender, 1);
    cr_assert_eq(v.header.seq, 5);
    cr_assert_eq(v.interval.start_step, 250);
    cr_assert_eq(v.interval.end_step, 300);
    for (uint32_t i = 0; i < 3; i++) {
        bb_spike s = bb_spike_view_get(&v, i);
        cr_assert_eq(s.source, three[i].source);
        cr_assert_eq(s.offset, three[i].offset);
    }
}

Test(proto, empty_spike_packet_round_trip)
{
    size_t len = spike_packet(5, NULL, 0);
    bb_spike_view v;
    cr_assert_eq(bb_decode_spikes(buf, len, &spikes_ok, &v, NULL), BB_PROTO_OK);
    cr_assert_eq(v.count, 0);
}

Test(proto, activation_round_trip)
{
    float a[4] = {0, 0.25f, 0.5f, 1}, back[4];
    size_t len = bb_encode_activation(buf, sizeof buf, 9, 0, 9, a, 4);
    bb_expect ex = {.n_muscles = 4};
    uint64_t k = 0;
    cr_assert_eq(bb_decode_activation(buf, len, &ex, &k, back, NULL), BB_PROTO_OK);
    cr_assert_eq(k, 9);
    cr_assert_arr_eq(a, back, sizeof a);
}

Test(proto, feedback_round_trip)
{
    float t[3] = {0, 1, 2}, p[6] = {-1, 0.5f, 3, 4, 5, -6}, c[2] = {1, 0.25f}, t2[3], p2[6], c2[2];
    size_t len = bb_encode_feedback(buf, sizeof buf, 2, 0, 2, t, 3, p, 6, c, 2);
    cr_assert_eq(len, bb_feedback_packet_size(3, 6, 2));
    cr_assert_eq(len, 32 + 24 + 4 * (3 + 6 + 2));
    bb_expect ex = {.n_taxels = 3, .n_proprio = 6, .n_task = 2};
    uint64_t k = 0;
    cr_assert_eq(bb_decode_feedback(buf, len, &ex, &k, t2, p2, c2, NULL), BB_PROTO_OK);
    cr_assert_eq(k, 2);
    cr_assert_arr_eq(t, t2, sizeof t);
    cr_assert_arr_eq(p, p2, sizeof p);
    cr_assert_arr_eq(c, c2, sizeof c);
}

Test(proto, encoder_refuses_small_buffer)
{
    bb_interval iv = {0, 0, 50};
    cr_assert_eq(bb_encode_spikes(buf, bb_spikes_packet_size(3) - 1, 0, 0, &iv, three, 3), 0);
}

/* Decodes buf[0..len) as spikes and checks the error code and offset. */
static void expect_spike_error(size_t len, bb_proto_err code, size_t offset)
{
    bb_proto_status st;
    bb_spike_view v;
    cr_assert_eq(bb_decode_spikes(buf, len, &spikes_ok, &v, &st), code, "got %s", bb_proto_strerror(st.code));
    cr_assert_eq(st.code, code);
    cr_assert_eq(st.offset, offset, "offset %zu", st.offset);
    char msg[256];
    bb_proto_describe(&st, msg, sizeof msg);
    cr_assert(strstr(msg, "at byte") != NULL, "%s", msg);
}

Test(proto, short_header) { spike_packet(5, three, 3); expect_spike_error(31, BB_PROTO_E_SHORT_HEADER, 31); }

Test(proto, wrong_magic)
{
    size_t len = spike_packet(5, three, 3);
    buf[0] = 'X';
    expect_spike_error(len, BB_PROTO_E_MAGIC, 0);
}

Test(proto, unknown_version)
{
    size_t len = spike_packet(5, three, 3);
    buf[4] = BB_PROTO_VERSION + 1;
    reseal(buf, len);
    expect_spike_error(len, BB_PROTO_E_VERSION, 4);
    buf[4] = 1; /* version 1 had no task channels: not spoken any more */
    reseal(buf, len);
    expect_spike_error(len, BB_PROTO_E_VERSION, 4);
}

Test(proto, unknown_kind)
{
    size_t len = spike_packet(5, three, 3);
    buf[6] = 77;
    reseal(buf, len);
    expect_spike_error(len, BB_PROTO_E_KIND, 6);
}

Test(proto, unexpected_kind)
{
    float a[2] = {0, 1};
    size_t len = bb_encode_activation(buf, sizeof buf, 5, 0, 5, a, 2);
    expect_spike_error(len, BB_PROTO_E_KIND, 6);
}

Test(proto, reserved_header_field)
{
    size_t len = spike_packet(5, three, 3);
    buf[29] = 1;
    reseal(buf, len);
    expect_spike_error(len, BB_PROTO_E_RESERVED, 28);
}

Test(proto, declared_length_over_limit)
{
    size_t len = spike_packet(5, three, 3);
    put32(12, BB_PROTO_MAX_PAYLOAD + 1u);
    expect_spike_error(len, BB_PROTO_E_LENGTH, 12);
}

Test(proto, truncated_payload)
{
    size_t len = spike_packet(5, three, 3);
    expect_spike_error(len - 5, BB_PROTO_E_TRUNCATED, len - 5);
}

Test(proto, trailing_bytes)
{
    size_t len = spike_packet(5, three, 3);
    expect_spike_error(len + 3, BB_PROTO_E_TRAILING, len);
}

Test(proto, bad_checksum)
{
    size_t len = spike_packet(5, three, 3);
    buf[len - 1] ^= 0x40; /* one flipped bit in the last spike */
    expect_spike_error(len, BB_PROTO_E_CHECKSUM, 24);
}

Test(proto, out_of_sequence)
{
    size_t len = spike_packet(6, three, 3);
    expect_spike_error(len, BB_PROTO_E_SEQUENCE, 16);
}

Test(proto, count_that_overflows_the_payload)
{
    size_t len = spike_packet(5, three, 3);
    put32(32 + 24, 0x20000001u); /* 0x20000001 * 8 wraps a 32-bit product to 8 */
    reseal(buf, len);
    expect_spike_error(len, BB_PROTO_E_COUNT, 32 + 24);
}

Test(proto, payload_shorter_than_fixed_part)
{
    size_t len = spike_packet(5, NULL, 0);
    put32(12, 8);
    reseal(buf, 32 + 8);
    expect_spike_error(32 + 8, BB_PROTO_E_TRUNCATED, 40);
    (void)len;
}

Test(proto, empty_interval)
{
    bb_interval iv = {5, 100, 100};
    size_t len = bb_encode_spikes(buf, sizeof buf, 5, 1, &iv, NULL, 0);
    expect_spike_error(len, BB_PROTO_E_INTERVAL, 32 + 8);
}

Test(proto, source_id_out_of_range)
{
    bb_spike s[2] = {{1, 0}, {1000, 3}};
    size_t len = spike_packet(5, s, 2);
    expect_spike_error(len, BB_PROTO_E_ID_RANGE, 32 + 32 + 8);
}

Test(proto, offset_outside_interval)
{
    bb_spike s[1] = {{1, 50}};
    size_t len = spike_packet(5, s, 1);
    expect_spike_error(len, BB_PROTO_E_OFFSET_RANGE, 32 + 32 + 4);
}

Test(proto, activation_wrong_muscle_count)
{
    float a[3] = {0, 0, 0}, back[4];
    size_t len = bb_encode_activation(buf, sizeof buf, 0, 0, 0, a, 3);
    bb_expect ex = {.n_muscles = 4};
    bb_proto_status st;
    cr_assert_eq(bb_decode_activation(buf, len, &ex, NULL, back, &st), BB_PROTO_E_SIZE);
}

Test(proto, activation_not_finite_or_above_one)
{
    float bad[2][2] = {{0, NAN}, {0, 1.5f}};
    for (int i = 0; i < 2; i++) {
        float back[2] = {-7, -7};
        size_t len = bb_encode_activation(buf, sizeof buf, 0, 0, 0, bad[i], 2);
        bb_expect ex = {.n_muscles = 2};
        bb_proto_status st;
        cr_assert_eq(bb_decode_activation(buf, len, &ex, NULL, back, &st), BB_PROTO_E_VALUE);
        cr_assert_eq(st.offset, 32 + 16 + 4);
        cr_assert_eq(back[0], -7, "nothing is copied out of a rejected message");
    }
}

Test(proto, feedback_wrong_sizes_and_values)
{
    float t[2] = {0, 1}, p[3] = {1, INFINITY, 0}, c[2] = {0, 1}, t2[2], p2[3], c2[2];
    size_t len = bb_encode_feedback(buf, sizeof buf, 0, 0, 0, t, 2, p, 3, c, 2);
    bb_proto_status st;
    bb_expect wrong = {.n_taxels = 2, .n_proprio = 4, .n_task = 2};
    cr_assert_eq(bb_decode_feedback(buf, len, &wrong, NULL, t2, p2, c2, &st), BB_PROTO_E_SIZE);
    bb_expect no_task = {.n_taxels = 2, .n_proprio = 3};
    cr_assert_eq(bb_decode_feedback(buf, len, &no_task, NULL, t2, p2, c2, &st), BB_PROTO_E_SIZE,
                 "the task channel count is checked too");
    bb_expect right = {.n_taxels = 2, .n_proprio = 3, .n_task = 2};
    cr_assert_eq(bb_decode_feedback(buf, len, &right, NULL, t2, p2, c2, &st), BB_PROTO_E_VALUE);
    cr_assert_eq(st.offset, 32 + 24 + 8 + 4);
    float neg[2] = {0, -1};
    len = bb_encode_feedback(buf, sizeof buf, 0, 0, 0, neg, 2, p2, 0, c, 0);
    bb_expect taxels_only = {.n_taxels = 2};
    cr_assert_eq(bb_decode_feedback(buf, len, &taxels_only, NULL, t2, p2, c2, &st), BB_PROTO_E_VALUE,
                 "a negative taxel is rejected");
    float fine[3] = {1, 2, 3}, over[2] = {0, 1.5f};
    len = bb_encode_feedback(buf, sizeof buf, 0, 0, 0, t, 2, fine, 3, over, 2);
    cr_assert_eq(bb_decode_feedback(buf, len, &right, NULL, t2, p2, c2, &st), BB_PROTO_E_VALUE,
                 "a task level above 1 is rejected");
    cr_assert_eq(st.offset, 32 + 24 + 4 * (2 + 3) + 4);
    len = bb_encode_feedback(buf, sizeof buf, 0, 0, 0, t, 2, fine, 3, c, 2);
    buf[32 + 20] = 1; /* the payload's reserved field, checksum re-sealed below */
    reseal(buf, len);
    cr_assert_eq(bb_decode_feedback(buf, len, &right, NULL, t2, p2, c2, &st), BB_PROTO_E_RESERVED);
    cr_assert_eq(st.offset, 32 + 20);
}

/* bb_crc32 (ISA-L where built with it) must equal zlib's CRC-32, chained or not. */
Test(proto, crc_matches_zlib)
{
    static unsigned char data[70001];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131u + (i >> 7));
    for (size_t len = 0; len < sizeof data; len = len * 3 + 1) {
        uint32_t ours = bb_crc32(0, data, len);
        cr_assert_eq(ours, (uint32_t)crc32(0, data, (uInt)len), "length %zu", len);
        size_t cut = len / 3;
        cr_assert_eq(bb_crc32(bb_crc32(0, data, cut), data + cut, len - cut), ours, "chained, length %zu", len);
    }
}

Test(proto, every_error_has_its_own_message)
{
    for (int a = 0; a < BB_PROTO_NERR; a++) {
        cr_assert(bb_proto_strerror(a) != NULL);
        for (int b = a + 1; b < BB_PROTO_NERR; b++)
            cr_assert_str_neq(bb_proto_strerror(a), bb_proto_strerror(b));
    }
}

/* Canonical order: two ranks' lists of ascending id blocks need only the
 * counting sort; interleaved ids take the fallback. Both give (offset, source). */
Test(proto, spikes_order)
{
    const bb_spike blocks[5] = {{1, 0}, {2, 3}, {5, 0}, {6, 1}, {7, 3}}; /* rank 0: 1-2, rank 1: 5-7 */
    const bb_spike want_blocks[5] = {{1, 0}, {5, 0}, {6, 1}, {2, 3}, {7, 3}};
    const bb_spike dealt[4] = {{0, 2}, {4, 2}, {1, 2}, {3, 0}}; /* ids dealt round-robin */
    const bb_spike want_dealt[4] = {{3, 0}, {0, 2}, {1, 2}, {4, 2}};
    bb_spike out[5];
    uint32_t bucket[5];
    bb_spikes_order(blocks, 5, 4, bucket, out);
    cr_assert_arr_eq(out, want_blocks, sizeof want_blocks);
    bb_spikes_order(dealt, 4, 4, bucket, out);
    cr_assert_arr_eq(out, want_dealt, sizeof want_dealt);
}

/* ---- telemetry (kind 4) */

static size_t telemetry_packet(void)
{
    static const float rates[3] = {0, 12.5f, 80};
    static const uint8_t paws[5] = {1, 0, 0, 1, 1}; /* 5 paws: 3 bytes of padding */
    bb_telemetry t = {.exchange = 9, .time_s = 0.05, .realtime_factor = 0.25f, .excitation_mean = 0.1f,
                      .excitation_max = 0.75f, .n_pools = 3, .n_paws = 5,
                      .flags = BB_TELEMETRY_CUE | BB_TELEMETRY_PUSH, .lever_presses = 4, .dropped = 2,
                      .pool_rate_hz = rates, .paw_contact = paws};
    return bb_encode_telemetry(buf, sizeof buf, 9, &t);
}

Test(proto, telemetry_round_trip_and_errors)
{
    size_t len = telemetry_packet();
    cr_assert_eq(len, bb_telemetry_packet_size(3, 5));
    cr_assert_eq(len, BB_PROTO_HEADER_SIZE + BB_TELEMETRY_FIXED_SIZE + 12 + 8);
    bb_telemetry t;
    static float rates[BB_TELEMETRY_MAX_POOLS];
    static uint8_t paws[BB_TELEMETRY_MAX_PAWS];
    bb_proto_status st;
    cr_assert_eq(bb_decode_telemetry(buf, len, &t, rates, paws, &st), BB_PROTO_OK);
    cr_assert_eq(t.exchange, 9);
    cr_assert_float_eq(t.time_s, 0.05, 1e-15);
    cr_assert_eq(t.flags, BB_TELEMETRY_CUE | BB_TELEMETRY_PUSH);
    cr_assert_eq(t.lever_presses, 4);
    cr_assert_eq(t.dropped, 2);
    cr_assert_float_eq(t.pool_rate_hz[2], 80, 0);
    cr_assert_eq(t.paw_contact[3], 1);
    cr_assert_eq(t.paw_contact[1], 0);

    const size_t base = BB_PROTO_HEADER_SIZE;
    struct { size_t at; uint32_t value; bb_proto_err err; } bad[] = {
        {base + 36, 64, BB_PROTO_E_RESERVED},                  /* an unknown flag */
        {base + 28, 4, BB_PROTO_E_COUNT},                      /* more pools than the payload holds */
        {base + 32, BB_TELEMETRY_MAX_PAWS + 1, BB_PROTO_E_COUNT},
        {base + BB_TELEMETRY_FIXED_SIZE + 12, 2, BB_PROTO_E_VALUE}, /* a contact flag of 2 */
        {base + BB_TELEMETRY_FIXED_SIZE + 4, 0x7fc00000u, BB_PROTO_E_VALUE}, /* a NaN rate */
        {base + 24, 0x3fc00000u, BB_PROTO_E_VALUE},            /* excitation max 1.5 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        len = telemetry_packet();
        put32(bad[i].at, bad[i].value);
        reseal(buf, len);
        cr_expect_eq(bb_decode_telemetry(buf, len, &t, rates, paws, &st), bad[i].err, "case %zu: %s", i,
                     bb_proto_describe(&st, (char[256]){0}, 256));
    }
    len = telemetry_packet(); /* a padding byte after the 5 paws */
    buf[base + BB_TELEMETRY_FIXED_SIZE + 12 + 6] = 1;
    reseal(buf, len);
    cr_expect_eq(bb_decode_telemetry(buf, len, &t, rates, paws, &st), BB_PROTO_E_RESERVED);
    cr_expect_eq(st.offset, base + BB_TELEMETRY_FIXED_SIZE + 12 + 6);
}

Test(proto, hold_round_trip_and_errors)
{
    size_t len = bb_encode_hold(buf, sizeof buf, 3, 41, BB_HOLD_STOP);
    cr_assert_eq(len, BB_PROTO_HEADER_SIZE + BB_HOLD_SIZE);
    uint64_t k = 0;
    uint32_t state = 9;
    bb_proto_status st;
    cr_assert_eq(bb_decode_hold(buf, len, &k, &state, &st), BB_PROTO_OK);
    cr_assert_eq(k, 41);
    cr_assert_eq(state, BB_HOLD_STOP);
    cr_assert_eq(bb_encode_hold(buf, sizeof buf, 3, 41, BB_HOLD_LAST + 1), 0, "no such state");
    put32(BB_PROTO_HEADER_SIZE + 8, BB_HOLD_LAST + 1);
    reseal(buf, len);
    cr_expect_eq(bb_decode_hold(buf, len, &k, &state, &st), BB_PROTO_E_VALUE);
    len = bb_encode_hold(buf, sizeof buf, 3, 41, BB_HOLD_PAUSE);
    put32(BB_PROTO_HEADER_SIZE + 12, 1);
    reseal(buf, len);
    cr_expect_eq(bb_decode_hold(buf, len, &k, &state, &st), BB_PROTO_E_RESERVED);
    len = spike_packet(5, three, 3); /* another kind */
    cr_expect_eq(bb_decode_hold(buf, len, &k, &state, &st), BB_PROTO_E_KIND);
}

Test(proto, command_round_trip_and_errors)
{
    const char *cmd = "stimulate left forelimb L5B 30 0.2"; /* 34 bytes: 2 of padding */
    size_t len = bb_encode_command(buf, sizeof buf, 4, 57, cmd, strlen(cmd));
    cr_assert_eq(len, BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + 36);
    uint64_t k = 0;
    char text[BB_COMMAND_MAX_TEXT + 1];
    bb_proto_status st;
    cr_assert_eq(bb_decode_command(buf, len, &k, text, &st), BB_PROTO_OK);
    cr_assert_eq(k, 57);
    cr_assert_str_eq(text, cmd);
    cr_expect_eq(bb_encode_command(buf, sizeof buf, 4, 57, "a\nb", 3), 0, "a control byte in the text");
    static char longer[BB_COMMAND_MAX_TEXT + 2];
    memset(longer, 'x', sizeof longer - 1);
    cr_expect_eq(bb_encode_command(buf, sizeof buf, 4, 57, longer, strlen(longer)), 0, "too long");
    /* a control byte in the text, a non-zero padding byte, a count beyond the limit */
    len = bb_encode_command(buf, sizeof buf, 4, 57, cmd, strlen(cmd));
    buf[BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + 3] = 7;
    reseal(buf, len);
    cr_expect_eq(bb_decode_command(buf, len, &k, text, &st), BB_PROTO_E_VALUE);
    cr_expect_eq(st.offset, BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + 3);
    len = bb_encode_command(buf, sizeof buf, 4, 57, cmd, strlen(cmd));
    buf[BB_PROTO_HEADER_SIZE + BB_COMMAND_FIXED_SIZE + 35] = 1;
    reseal(buf, len);
    cr_expect_eq(bb_decode_command(buf, len, &k, text, &st), BB_PROTO_E_RESERVED);
    len = bb_encode_command(buf, sizeof buf, 4, 57, cmd, strlen(cmd));
    put32(BB_PROTO_HEADER_SIZE + 8, 100000);
    reseal(buf, len);
    cr_expect_eq(bb_decode_command(buf, len, &k, text, &st), BB_PROTO_E_COUNT);
    len = spike_packet(5, three, 3);
    cr_expect_eq(bb_decode_command(buf, len, &k, text, &st), BB_PROTO_E_KIND);
}
