import Foundation
import PublishingCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("File regions: chunks in and out of the page cache, byte-exact")
struct FileRegionTests {
    /// A file of `size` pseudo-random bytes in a fresh folder.
    private func makeFile(size: Int) throws -> (path: String, bytes: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atom-region-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("clip.mp4").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    private func collect(_ region: FileRegion) async throws -> (bytes: [UInt8], chunks: [Int]) {
        var bytes: [UInt8] = []
        var chunks: [Int] = []
        for try await chunk in region {
            bytes += chunk
            chunks.append(chunk.count)
        }
        return (bytes, chunks)
    }

    @Test("a file just written streams in full chunks, byte-exact")
    func cachedChunks() async throws {
        let (path, expected) = try makeFile(size: 3 << 20 | 12345)
        let file = try MediaFileHandle(path: path)
        let (bytes, chunks) = try await collect(file.chunks(in: 0..<file.size, chunkSize: 256 << 10))
        #expect(bytes == expected)
        #expect(chunks.dropLast().allSatisfy { $0 == 256 << 10 } && chunks.last == (3 << 20 | 12345) % (256 << 10))
        // A region in the middle, ending off a chunk boundary.
        let middle = try await collect(file.chunks(in: 1000..<(2 << 20) + 7, chunkSize: 64 << 10)).bytes
        #expect(middle == Array(expected[1000..<(2 << 20) + 7]))
    }

    @Test("evicted from the cache, the region still streams byte-exact")
    func uncachedChunks() async throws {
        let (path, expected) = try makeFile(size: 2 << 20)
        let file = try MediaFileHandle(path: path)
        #if canImport(Glibc)
        let fd = open(path, O_RDONLY)
        #expect(fsync(fd) == 0)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
        #endif
        let (bytes, _) = try await collect(file.chunks(in: 0..<file.size, chunkSize: 256 << 10))
        #expect(bytes == expected)
    }

    @Test("a file that shrinks while it is read is refused, not sent short")
    func shrinkingFile() async throws {
        let (path, _) = try makeFile(size: 1 << 20)
        let file = try MediaFileHandle(path: path)
        #expect(truncate(path, 300_000) == 0)
        await #expect(throws: PublishError.self) {
            _ = try await collect(file.chunks(in: 0..<file.size, chunkSize: 256 << 10))
        }
    }

    @Test("two buffers take turns when each chunk is let go of; a chunk still held keeps its bytes")
    func buffersTakeTurns() async throws {
        let (path, expected) = try makeFile(size: 2 << 20 | 999)
        let file = try MediaFileHandle(path: path)
        let region = file.chunks(in: 0..<file.size, chunkSize: 128 << 10)
        // Each chunk dropped before the next is asked for: the same two buffers carry all seventeen.
        var addresses = Set<Int>()
        var streamed: [UInt8] = []
        for try await chunk in region {
            streamed += chunk
            chunk.withUnsafeBufferPointer { addresses.insert(Int(bitPattern: $0.baseAddress)) }
        }
        #expect(streamed == expected)
        #expect(addresses.count == 2)
        // Every chunk held until the end: a read never writes into a chunk someone still holds.
        var held: [ArraySlice<UInt8>] = []
        for try await chunk in region { held.append(chunk) }
        #expect(held.count == 17)
        #expect(Array(held.joined()) == expected)
    }
}
