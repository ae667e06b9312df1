/* The wire format's CRC-32. ISA-L (libisal-dev) computes the same CRC as
 * zlib about ten times faster with carry-less multiply; zlib is the fallback
 * where ISA-L is not packaged. Both give identical values (tests/test_proto.c). */
#include "brainbody/proto.h"

#ifdef BB_HAVE_ISAL
#include <isa-l/crc.h>

uint32_t bb_crc32(uint32_t crc, const void *buf, size_t len)
{
    uint32_t c = crc32_gzip_refl(crc, buf, (uint64_t)len);
#if defined(__x86_64__)
    /* ISA-L's AVX-512 kernels return with the upper vector registers dirty.
     * Legacy-SSE code run afterwards (MuJoCo, as Debian builds it) then pays
     * a state-transition penalty on every vector instruction: measured on the
     * 853-muscle mouse, every mj_step after one CRC per exchange took 2.6
     * times as long (0.73 -> 1.96 ms). vzeroupper clears that state. */
    if (__builtin_cpu_supports("avx")) __asm__ volatile("vzeroupper" ::: "memory");
#endif
    return c;
}
#else
#include <limits.h>
#include <zlib.h>

uint32_t bb_crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uLong c = crc;
    while (len > UINT_MAX) {
        c = crc32(c, p, UINT_MAX);
        p += UINT_MAX;
        len -= UINT_MAX;
    }
    return (uint32_t)crc32(c, p, (uInt)len);
}
#endif
