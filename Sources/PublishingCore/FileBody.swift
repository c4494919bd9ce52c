import OpenAPIRuntime

/// Where the bytes of a request body made by ``FileRegion/body(onChunk:)`` come from: a transport that can read a
/// file itself asks ``FileRegion/source(of:)`` and, given an answer, sends the region straight from the file instead of
/// iterating the body's chunks.
///
/// An `HTTPBody` cannot be changed once made, so a body that reaches the transport as the very object the region made
/// holds exactly the region's bytes; a middleware that wraps or replaces it hands the transport another object, which
/// has no source and is sent chunk by chunk as before. The answer is an optimisation, never a change of bytes.
public struct FileBodySource: Sendable {
    /// The bytes the body holds.
    public let region: FileRegion
    /// Called with the byte count of each chunk as it is handed to the connection (the body's progress counter).
    public let onChunk: (@Sendable (Int) -> Void)?
    /// Bytes sent before the region's (a multipart form's head) and after them (its tail); often empty.
    public let prefix: [UInt8]
    public let suffix: [UInt8]
    /// The framing around each chunk of the region, if any: every pass over the body starts from a copy of this value.
    public let framing: (any ChunkFraming)?
}

/// A transfer encoding's framing around each chunk of a file body and after the last one, such as S3's `aws-chunked`
/// encoding with its trailing checksum.
///
/// A body keeps one value of it; every pass over the body (a retry sends it again) starts from a copy of that value
/// and feeds it the region's chunks in order, each chunk once its bytes are read, so a framing can checksum them on
/// the way without reading the file again.
public protocol ChunkFraming: Sendable {
    /// The bytes sent before a chunk of `count` bytes.
    func head(count: Int) -> [UInt8]
    /// How many bytes ``tail(after:)`` returns, whatever the chunk (so that the body's length is known before it is read).
    var tailLength: Int { get }
    /// How many bytes ``end()`` returns.
    var endLength: Int { get }
    /// Takes in a chunk's bytes, once they are read; returns the bytes sent after it.
    mutating func tail(after chunk: UnsafeRawBufferPointer) -> [UInt8]
    /// The bytes sent after the last chunk (asked once, after every chunk).
    mutating func end() -> [UInt8]
}

extension ChunkFraming {
    /// The body's length: the region's bytes with the framing around each of its chunks, and the end.
    public func length(of region: FileRegion) -> Int64 {
        let chunk = Int64(region.chunkSize)
        let (full, rest) = region.count.quotientAndRemainder(dividingBy: chunk)
        let framed = { (count: Int64) in Int64(head(count: Int(count)).count) + count + Int64(tailLength) }
        return full * framed(chunk) + (rest > 0 ? framed(rest) : 0) + Int64(endLength)
    }
}

extension FileRegion {
    /// `prefix`, then the region's bytes (each chunk inside `framing`, when given), then `suffix`, as one body of known
    /// length that can be sent again: a form around a file, or an encoded upload. A transport that reads files itself
    /// finds all of them with ``FileRegion/source(of:)``.
    /// - Parameter onChunk: Called with the byte count of each chunk of the region (not of `prefix` or `suffix`).
    public func body(
        prefix: [UInt8], suffix: [UInt8], framing: (any ChunkFraming)? = nil, onChunk: (@Sendable (Int) -> Void)? = nil
    ) -> HTTPBody {
        let framed = FramedChunks(prefix: prefix, region: CountingSequence(base: self, onChunk: onChunk), framing: framing, suffix: suffix)
        let length = Int64(prefix.count) + (framing?.length(of: self) ?? count) + Int64(suffix.count)
        let body = HTTPBody(framed, length: .known(length), iterationBehavior: .multiple)
        FileBodyRegistry.shared.register(
            body, source: FileBodySource(region: self, onChunk: onChunk, prefix: prefix, suffix: suffix, framing: framing))
        return body
    }

    /// The region, progress counter and framing behind `body` when ``body(onChunk:)`` or
    /// ``body(prefix:suffix:onChunk:)`` made it, else nil.
    public static func source(of body: HTTPBody) -> FileBodySource? {
        FileBodyRegistry.shared.source(of: body)
    }
}

/// The bodies made from file regions that are still alive, by identity. An entry holds its body and its file weakly, so
/// it never keeps either alive (a live body holds its region, and so its file); entries whose body has gone are
/// dropped as new ones are added.
final class FileBodyRegistry: Sendable {
    static let shared = FileBodyRegistry()

    private struct Entry: Sendable {
        weak var body: HTTPBody?
        weak var file: MediaFileHandle?
        let range: Range<Int64>
        let chunkSize: Int
        let onChunk: (@Sendable (Int) -> Void)?
        let prefix: [UInt8]
        let suffix: [UInt8]
        let framing: (any ChunkFraming)?
    }

    private let entries = LockedBox<[ObjectIdentifier: Entry]>([:])

    func register(_ body: HTTPBody, source: FileBodySource) {
        let region = source.region
        let entry = Entry(
            body: body, file: region.file, range: region.range, chunkSize: region.chunkSize, onChunk: source.onChunk, prefix: source.prefix,
            suffix: source.suffix, framing: source.framing)
        entries.withLock { entries in
            entries = entries.filter { $0.value.body != nil }
            entries[ObjectIdentifier(body)] = entry
        }
    }

    func source(of body: HTTPBody) -> FileBodySource? {
        entries.withLock { entries in
            // The identity check matters: an identifier is reused once its object is gone.
            guard let entry = entries[ObjectIdentifier(body)], entry.body === body, let file = entry.file else { return nil }
            let region = FileRegion(file: file, range: entry.range, chunkSize: entry.chunkSize)
            return FileBodySource(region: region, onChunk: entry.onChunk, prefix: entry.prefix, suffix: entry.suffix, framing: entry.framing)
        }
    }
}

/// `prefix`, the chunks of `region` (each inside `framing`, then its end, when there is one), then `suffix` (each of
/// the two only when not empty).
struct FramedChunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let prefix: [UInt8]
    let region: CountingSequence<FileRegion>
    let framing: (any ChunkFraming)?
    let suffix: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var prefix: [UInt8]?
        var region: CountingSequence<FileRegion>.AsyncIterator?
        var framing: (any ChunkFraming)?
        var suffix: [UInt8]?

        mutating func next() async throws -> ArraySlice<UInt8>? {
            if let bytes = prefix.take(), !bytes.isEmpty { return bytes[...] }
            if region != nil, let chunk = try await region?.next() {
                guard framing != nil else { return chunk }
                var framed = framing?.head(count: chunk.count) ?? []
                framed += chunk
                framed += chunk.withUnsafeBytes { framing?.tail(after: $0) } ?? []
                return framed[...]
            }
            region = nil
            if framing != nil, let end = framing?.end() {
                framing = nil
                if !end.isEmpty { return end[...] }
            }
            if let bytes = suffix.take(), !bytes.isEmpty { return bytes[...] }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(prefix: prefix, region: region.makeAsyncIterator(), framing: framing, suffix: suffix)
    }
}
