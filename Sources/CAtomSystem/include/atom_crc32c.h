// CRC-32C (Castagnoli), the checksum atom sends with every part it stages in S3 (x-amz-checksum-crc32c).
//
// With the CPU's CRC32 instruction (SSE4.2 on x86-64, checked at run time; the CRC extension on arm64 where the
// compiler targets it) three streams run side by side and are joined, so a chunk costs well under a tenth of what
// reading it from the page cache does; elsewhere a table-driven loop (slicing by 8) computes the same values.
#ifndef ATOM_CRC32C_H
#define ATOM_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// The CRC-32C of the bytes checksummed by `crc` (0 for none) followed by the `length` bytes at `data`.
uint32_t atom_crc32c(uint32_t crc, const void *data, size_t length);

/// The same value computed by the table-driven loop alone (for tests that compare the two paths).
uint32_t atom_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// The CRC-32C of A followed by B, from A's CRC, B's CRC and B's length.
uint32_t atom_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

/// 1 when `atom_crc32c` uses the CPU's instruction, 0 when it uses the table-driven loop.
int atom_crc32c_uses_hardware(void);

#endif
