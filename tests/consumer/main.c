/* Uses each installed library once; exits 0 only if all of them answer. */
#include <brainbody/body.h>
#include <brainbody/brain.h>
#include <brainbody/proto.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    unsigned char buf[256];
    bb_spike s = {3, 1};
    bb_interval iv = {0, 0, 10};
    size_t len = bb_encode_spikes(buf, sizeof buf, 0, 0, &iv, &s, 1);
    bb_expect ex = {.n_sources = 10};
    bb_spike_view v;
    if (bb_decode_spikes(buf, len, &ex, &v, NULL) != BB_PROTO_OK || v.count != 1) return 1;
    double u = bb_rng_uniform(1, 2, 3);
    if (!(u >= 0 && u < 1)) return 1;
    char err[256];
    bb_body *b = argc > 1 ? bb_body_open(argv[1], err, sizeof err) : NULL;
    if (!b) return 1;
    printf("consumer: %u muscles\n", bb_body_n_muscles(b));
    bb_body_close(b);
    return 0;
}
