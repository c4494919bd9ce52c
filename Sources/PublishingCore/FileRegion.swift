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
            var filled = 0
            while filled < count {
                let n = pread(descriptor, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                filled += n
            }
            initialized = filled
        }
        if failure != 0 {
            throw PublishError(.invalidInput, message: "read error in \(path): \(String(cString: strerror(failure)))")
        }
        return buffer
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
    /// The default chunk size: 256 KiB. With one chunk read ahead, a stream holds at most ~0.5 MiB of the
    /// file, so four platforms and four S3 parts in flight stay within a few MiB; larger chunks saved no
    /// measurable CPU per GiB.
    public static let defaultChunkSize = 256 << 10

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
        var prefetch: Task<[UInt8], any Error>?

        public mutating func next() async throws -> ArraySlice<UInt8>? {
            guard offset < end else { return nil }
            try Task.checkCancellation()
            let count = Int(Swift.min(Int64(chunkSize), end - offset))
            let bytes: [UInt8]
            if let pending = prefetch {
                bytes = try await pending.value
            } else {
                bytes = try await file.read(offset: offset, count: count)
            }
            guard bytes.count == count else {
                throw PublishError(.invalidInput, message: "\(file.path) changed while it was being read (short read)")
            }
            offset += Int64(count)
            // Read the next chunk while this one is being sent: one chunk in flight, memory stays bounded.
            if offset < end {
                let nextCount = Int(Swift.min(Int64(chunkSize), end - offset))
                let nextOffset = offset
                let file = self.file
                prefetch = Task { try await file.read(offset: nextOffset, count: nextCount) }
            } else {
                prefetch = nil
            }
            return bytes[...]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, offset: range.lowerBound, end: range.upperBound, chunkSize: chunkSize)
    }

    /// An `HTTPBody` streaming this region with a known length, re-sendable, reporting each chunk sent.
    /// - Parameter onChunk: Called with the byte count of each chunk as the transport pulls it.
    public func body(onChunk: (@Sendable (Int) -> Void)? = nil) -> HTTPBody {
        let counted = CountingSequence(base: self, onChunk: onChunk)
        return HTTPBody(counted, length: .known(count), iterationBehavior: .multiple)
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
