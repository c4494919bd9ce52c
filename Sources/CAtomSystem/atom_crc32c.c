#include "atom_crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

// The reflected Castagnoli polynomial.
#define POLY 0x82F63B78u
// The block each of the three hardware streams takes per round (a multiple of 8).
#define BLOCK 16384

static uint32_t table[8][256];
static uint32_t x2n[32];        // x^(2^k) mod P
static uint32_t shift_block;    // x^(8 * BLOCK) mod P
static uint32_t shift_2block;   // x^(16 * BLOCK) mod P
static int hardware;
static pthread_once_t once = PTHREAD_ONCE_INIT;

// a * b mod P, both reflected (zlib's multmodp); a must not be 0.
static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t m = 1u << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
    }
    return p;
}

// x^(n * 2^k) mod P.
static uint32_t x2nmodp(uint64_t n, unsigned k) {
    uint32_t p = 1u << 31;  // x^0
    while (n) {
        if (n & 1) p = multmodp(x2n[k & 31], p);
        n >>= 1;
        k++;
    }
    return p;
}

static int detect(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) != 0;
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
    return 1;  // the compiler targets it (Apple silicon, -march=armv8.1-a and later)
#elif defined(__aarch64__) && defined(__linux__)
    return (getauxval(AT_HWCAP) & (1UL << 7)) != 0;  // HWCAP_CRC32
#else
    return 0;
#endif
}

static void initialise(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[k][n] = c;
        }
    }
    uint32_t p = 1u << 30;  // x^1
    x2n[0] = p;
    for (int k = 1; k < 32; k++) x2n[k] = p = multmodp(p, p);
    shift_block = x2nmodp(BLOCK, 3);
    shift_2block = x2nmodp(2 * BLOCK, 3);
    hardware = detect();
}

// The loops below carry the raw register (the CRC before its final inversion).
static uint32_t portable_update(uint32_t crc, const uint8_t *p, size_t length) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (length && ((uintptr_t)p & 7)) {
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        length--;
    }
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^ table[4][(w >> 24) & 0xff]
            ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        length -= 8;
    }
#endif
    while (length--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
#define HW_TARGET __attribute__((target("sse4.2")))
#define CRC_BYTE(c, v) ((uint32_t)__builtin_ia32_crc32qi((c), (v)))
#define CRC_WORD(c, v) ((uint32_t)__builtin_ia32_crc32di((c), (v)))
#elif defined(__aarch64__) && (defined(__ARM_FEATURE_CRC32) || defined(__linux__))
#define HW_TARGET __attribute__((target("crc")))
#define CRC_BYTE(c, v) __builtin_arm_crc32cb((c), (v))
#define CRC_WORD(c, v) __builtin_arm_crc32cd((c), (v))
#endif

#ifdef HW_TARGET
HW_TARGET static uint32_t hardware_update(uint32_t crc, const uint8_t *p, size_t length) {
    while (length && ((uintptr_t)p & 7)) {
        crc = CRC_BYTE(crc, *p++);
        length--;
    }
    // Three independent streams over consecutive blocks hide the instruction's latency; their registers are joined
    // by shifting (raw CRCs are linear: crc(s, A B) = crc(s, A) * x^(8|B|) + crc(0, B)).
    while (length >= 3 * BLOCK) {
        uint32_t a = crc, b = 0, c = 0;
        const uint8_t *end = p + BLOCK;
        while (p < end) {
            uint64_t wa, wb, wc;
            memcpy(&wa, p, 8);
            memcpy(&wb, p + BLOCK, 8);
            memcpy(&wc, p + 2 * BLOCK, 8);
            a = CRC_WORD(a, wa);
            b = CRC_WORD(b, wb);
            c = CRC_WORD(c, wc);
            p += 8;
        }
        crc = multmodp(shift_2block, a) ^ multmodp(shift_block, b) ^ c;
        p += 2 * BLOCK;
        length -= 3 * BLOCK;
    }
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        crc = CRC_WORD(crc, w);
        p += 8;
        length -= 8;
    }
    while (length--) crc = CRC_BYTE(crc, *p++);
    return crc;
}
#endif

uint32_t atom_crc32c(uint32_t crc, const void *data, size_t length) {
    pthread_once(&once, initialise);
#ifdef HW_TARGET
    if (hardware) return ~hardware_update(~crc, data, length);
#endif
    return ~portable_update(~crc, data, length);
}

uint32_t atom_crc32c_portable(uint32_t crc, const void *data, size_t length) {
    pthread_once(&once, initialise);
    return ~portable_update(~crc, data, length);
}

uint32_t atom_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
    pthread_once(&once, initialise);
    return length_b == 0 ? crc_a : multmodp(x2nmodp(length_b, 3), crc_a) ^ crc_b;
}

int atom_crc32c_uses_hardware(void) {
    pthread_once(&once, initialise);
    return hardware;
}
