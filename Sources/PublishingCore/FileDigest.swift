import Crypto
import Foundation

/// SHA-256 of a file, streamed in bounded chunks (never the whole file in memory).
public enum FileDigest {
    /// The chunk size for hashing: 1 MiB, read ahead while the previous one is hashed.
    public static let chunkSize = 1 << 20

    /// Computes the lowercase hex SHA-256 of `file`, reporting bytes hashed.
    public static func sha256(of file: MediaFileHandle, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> String {
        var hasher = SHA256()
        var offset: Int64 = 0
        // Double-buffered: the next read runs on the I/O pool while this chunk is hashed.
        var pending: Task<[UInt8], any Error>? = file.size > 0
            ? Task { try await file.read(offset: 0, count: Int(min(Int64(chunkSize), file.size))) } : nil
        while let current = pending {
            let bytes = try await current.value
            try Task.checkCancellation()
            let nextOffset = offset + Int64(bytes.count)
            if bytes.isEmpty { break }
            if nextOffset < file.size {
                let count = Int(min(Int64(chunkSize), file.size - nextOffset))
                pending = Task { try await file.read(offset: nextOffset, count: count) }
            } else {
                pending = nil
            }
            hasher.update(data: bytes)
            offset = nextOffset
            progress?(offset)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
