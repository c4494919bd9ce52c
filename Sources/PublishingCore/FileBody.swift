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
}

extension FileRegion {
    /// The region and progress counter behind `body` when ``body(onChunk:)`` made it, else nil.
    public static func source(of body: HTTPBody) -> FileBodySource? {
        FileBodyRegistry.shared.source(of: body)
    }
}

/// The bodies made from file regions that are still alive, by identity. An entry holds its body weakly, so it never
/// keeps a body (or its file) alive; entries whose body has gone are dropped as new ones are added.
final class FileBodyRegistry: Sendable {
    static let shared = FileBodyRegistry()

    private struct Entry: Sendable {
        weak var body: HTTPBody?
        let source: FileBodySource
    }

    private let entries = LockedBox<[ObjectIdentifier: Entry]>([:])

    func register(_ body: HTTPBody, source: FileBodySource) {
        entries.withLock { entries in
            if entries.count >= 16 { entries = entries.filter { $0.value.body != nil } }
            entries[ObjectIdentifier(body)] = Entry(body: body, source: source)
        }
    }

    func source(of body: HTTPBody) -> FileBodySource? {
        entries.withLock { entries in
            // The identity check matters: an identifier is reused once its object is gone.
            guard let entry = entries[ObjectIdentifier(body)], entry.body === body else { return nil }
            return entry.source
        }
    }
}
