/* Tests and fuzzing only: rewrite a packet's CRC after editing it, so the
 * edit reaches the check behind the checksum (proto/PROTOCOL.md, "Header":
 * bytes 0-23, then 28-31, then the payload). */
#ifndef BB_TEST_RESEAL_H
#define BB_TEST_RESEAL_H

#include <string.h>

#include "brainbody/proto.h"

static inline void reseal(unsigned char *p, size_t len)
{
    if (len < BB_PROTO_HEADER_SIZE) return;
    uint32_t c = bb_crc32(0, p, 24);
    c = bb_crc32(c, p + 28, 4);
    c = bb_crc32(c, p + 32, len - 32);
    memcpy(p + 24, &c, 4);
}

#endif
