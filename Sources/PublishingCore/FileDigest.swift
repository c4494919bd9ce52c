import Crypto
import Foundation

/// SHA-256 of a file, streamed in bounded chunks (never the whole file in memory).
public enum FileDigest {
    /// The chunk size for hashing: 1 MiB, read ahead while the previous one is hashed.
    public static let chunkSize = 1 << 20

    /// Computes the lowercase hex SHA-256 of `file` (or of `range` of it), reporting bytes hashed so far.
    public static func sha256(
        of file: MediaFileHandle, in range: Range<Int64>? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> String {
        let range = range ?? 0..<file.size
        var hasher = SHA256()
        var done: Int64 = 0
        // FileRegion reads the next chunk on the I/O pool while this one is hashed.
        for try await chunk in file.chunks(in: range, chunkSize: chunkSize) {
            hasher.update(data: chunk)
            done += Int64(chunk.count)
            progress?(done)
        }
        return hex(hasher.finalize())
    }

    /// The lowercase hex SHA-256 and the CRC-32C of `range` of `file`, in one pass (what a signed S3 part needs).
    public static func sha256AndCRC32C(of file: MediaFileHandle, in range: Range<Int64>) async throws -> (sha256: String, crc32c: UInt32) {
        var hasher = SHA256()
        var crc = CRC32C()
        for try await chunk in file.chunks(in: range, chunkSize: chunkSize) {
            hasher.update(data: chunk)
            crc.update(chunk)
        }
        return (hex(hasher.finalize()), crc.value)
    }

    /// Lowercase hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
