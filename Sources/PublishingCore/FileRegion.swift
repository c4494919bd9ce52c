import CoreFoundation
import Foundation
import NIOPosix
import OpenAPIRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open, read-only file from which byte ranges are streamed in bounded chunks.
///
/// Reads happen on NIO's blocking-I/O thread pool (never on the cooperative pool), with `pread`, so
/// several regions of one file can stream at once. The descriptor closes when the last reference goes.
public final class MediaFileHandle: Sendable {
    /// The file's path.
    public let path: String
    /// The file's size in bytes when it was opened.
    public let size: Int64
    package let descriptor: Int32

    /// Opens `path` for reading; a symbolic link to a regular file is followed.
    ///
    /// The type is decided from `fstat` of the opened descriptor, not from the path (which may be a link, or be
    /// replaced between a check and the open). The open is non-blocking, so a FIFO or a device is refused at once
    /// instead of waiting for a writer.
    /// - Throws: ``PublishError`` with code `invalidInput` when the file is missing, unreadable or not a regular file.
    public init(path: String) throws {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the descriptor itself.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw PublishError(.invalidInput, message: "cannot open \(path): \(reason)", remediation: "check the path and its permissions")
        }
        let isRegular = FileStatus.of(descriptor: fd)?.kind == .regular
        let end = isRegular ? lseek(fd, 0, SEEK_END) : -1
        guard isRegular, end >= 0 else {
            close(fd)
            throw PublishError(.invalidInput, message: "\(path) is not a regular file", remediation: "pass a video file")
        }
        // Reads of a regular file never block; clear the flag anyway so the descriptor behaves as a plain open.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.path = path
        self.descriptor = fd
        self.size = Int64(end)
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes at `offset`, synchronously. Use from a blocking context only.
    public func readSync(offset: Int64, count: Int) throws -> [UInt8] {
        // Read straight into uninitialized storage: no zero-fill pass over every byte of the video.
        var failure: Int32 = 0
        let buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
            (initialized, failure) = fill(UnsafeMutableRawBufferPointer(raw), from: offset)
        }
        if failure != 0 { throw readError(failure) }
        return buffer
    }

    /// Fills all of `raw` with the bytes at `offset`, synchronously (a blocking context only); transports use it to
    /// read straight into their own buffers.
    /// - Throws: An `invalidInput` ``PublishError`` when a read fails, or when the file ends first: a file that
    ///   shrank while it was being sent is refused, never sent short.
    package func readExactly(into raw: UnsafeMutableRawBufferPointer, offset: Int64) throws {
        let (filled, failure) = fill(raw, from: offset)
        if failure != 0 { throw readError(failure) }
        guard filled == raw.count else {
            throw PublishError(.invalidInput, message: "\(path) changed while it was being read (short read)")
        }
    }

    /// `pread` until `raw` is full, the file ends or a read fails: the count read and the failure's errno (or 0).
    private func fill(_ raw: UnsafeMutableRawBufferPointer, from offset: Int64) -> (Int, Int32) {
        var filled = 0
        while filled < raw.count {
            let n = pread(descriptor, raw.baseAddress! + filled, raw.count - filled, off_t(offset) + off_t(filled))
            if n < 0 {
                if errno == EINTR { continue }
                return (filled, errno)
            }
            if n == 0 { break }
            filled += n
        }
        return (filled, 0)
    }

    private func readError(_ failure: Int32) -> PublishError {
        PublishError(.invalidInput, message: "read error in \(path): \(String(cString: strerror(failure)))")
    }

    /// Reads up to `count` bytes at `offset` on the blocking-I/O pool.
    public func read(offset: Int64, count: Int) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { [self] in try self.readSync(offset: offset, count: count) }
    }

    /// The bytes of `range` as an async sequence of chunks of at most `chunkSize` bytes.
    public func chunks(in range: Range<Int64>, chunkSize: Int = FileRegion.defaultChunkSize) -> FileRegion {
        FileRegion(file: self, range: range, chunkSize: chunkSize)
    }
}

/// A byte range of a ``MediaFileHandle`` streamed as chunks; re-iterable (each iteration reads anew),
/// so a body made from it may be resent after a failure.
public struct FileRegion: AsyncSequence, Sendable {
    public typealias Element = ArraySlice<UInt8>
    /// The default chunk size: 2 MiB. atom's default transport reads a region's body straight from the file, a chunk
    /// at a time into the buffer it writes (`FileBuffers` in AsyncHTTPTransport), waiting for its event loops before
    /// each chunk; every chunk costs a hop to the blocking-I/O pool and one to the event loop, so fewer, larger chunks
    /// cost less CPU: a 512 MiB push took 0.52 s at 512 KiB, 0.49 s at 1 MiB and 0.40 s at 2 MiB (medians of 6), for
    /// 2–8 MiB more peak memory. Iterated as an async sequence (any other transport), a stream holds two such buffers.
    public static let defaultChunkSize = 2 << 20

    public let file: MediaFileHandle
    public let range: Range<Int64>
    public let chunkSize: Int

    /// The number of bytes in the region.
    public var count: Int64 { range.upperBound - range.lowerBound }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let file: MediaFileHandle
        var offset: Int64
        let end: Int64
        let chunkSize: Int
        /// Two buffers taking turns: one holds the chunk being sent, the other is being filled with the next one.
        var buffers: [ChunkBuffer] = []
        var prefetch: Task<ChunkBuffer, any Error>?

        init(file: MediaFileHandle, range: Range<Int64>, chunkSize: Int) {
            self.file = file
            self.offset = range.lowerBound
            self.end = range.upperBound
            self.chunkSize = chunkSize
        }

        public mutating func next() async throws -> ArraySlice<UInt8>? {
            guard offset < end else { return nil }
            try Task.checkCancellation()
            let count = Int(Swift.min(Int64(chunkSize), end - offset))
            let buffer: ChunkBuffer
            if let pending = prefetch {
                buffer = try await pending.value
            } else {
                buffer = try await Self.read(file, into: nextBuffer(), offset: offset, count: count)
            }
            offset += Int64(count)
            // Read the next chunk while this one is being sent: one chunk in flight, memory stays bounded.
            if offset < end {
                let (file, into, at) = (self.file, nextBuffer(), offset)
                let nextCount = Int(Swift.min(Int64(chunkSize), end - offset))
                prefetch = Task { try await Self.read(file, into: into, offset: at, count: nextCount) }
            } else {
                prefetch = nil
            }
            return buffer.bytes[0..<count]
        }

        /// The buffer to fill next: each is reused once the chunk it held has been let go of (by then the
        /// transport has copied it), so a stream allocates two buffers, not one per chunk, and the pages of a
        /// buffer are touched once rather than once per chunk.
        private mutating func nextBuffer() -> ChunkBuffer {
            if buffers.count < 2 {
                buffers.append(ChunkBuffer(capacity: Int(Swift.min(Int64(chunkSize), end - offset))))
            } else {
                buffers.swapAt(0, 1)
            }
            return buffers[buffers.count - 1]
        }

        private static func read(_ file: MediaFileHandle, into buffer: ChunkBuffer, offset: Int64, count: Int) async throws -> ChunkBuffer {
            try await NIOThreadPool.singleton.runIfActive {
                precondition(count <= buffer.bytes.count, "a read larger than its buffer")
                // The array keeps its storage when it is the only reference to it (else it is copied first, as any
                // write to a shared array is).
                try buffer.bytes.withUnsafeMutableBytes {
                    try file.readExactly(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]), offset: offset)
                }
                return buffer
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, range: range, chunkSize: chunkSize)
    }

    /// An `HTTPBody` streaming this region with a known length, re-sendable, reporting each chunk sent.
    /// - Parameter onChunk: Called with the byte count of each chunk as the transport pulls it.
    /// A transport that reads files itself finds the region behind the body with ``FileRegion/source(of:)``.
    public func body(onChunk: (@Sendable (Int) -> Void)? = nil) -> HTTPBody {
        body(prefix: [], suffix: [], onChunk: onChunk)
    }
}

/// A chunk's storage. It is handed from the iterator to the read that fills it and back, never used by both at once.
final class ChunkBuffer: @unchecked Sendable {
    var bytes: [UInt8]

    init(capacity: Int) {
        // Every byte is written by a read before it is handed out: no zero-fill pass.
        bytes = [UInt8](unsafeUninitializedCapacity: capacity) { _, initialized in initialized = capacity }
    }
}

/// Wraps a chunk sequence and reports the size of each chunk as it is pulled.
public struct CountingSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Base.Element == ArraySlice<UInt8> {
    public typealias Element = ArraySlice<UInt8>
    let base: Base
    let onChunk: (@Sendable (Int) -> Void)?

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let onChunk: (@Sendable (Int) -> Void)?
        public mutating func next() async throws -> ArraySlice<UInt8>? {
            guard let chunk = try await base.next() else { return nil }
            onChunk?(chunk.count)
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), onChunk: onChunk) }
}
