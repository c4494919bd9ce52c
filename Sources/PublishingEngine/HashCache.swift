import Foundation
import NIOPosix
import PublishingCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a file on disk: device, inode, size and modification time in nanoseconds.
/// Any change of these (an edit, a copy, a replacement by rename, `touch`) makes another identity.
public struct FileIdentity: Codable, Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// The modification time in nanoseconds since 1970.
    public var modifiedNanoseconds: Int64
}

extension MediaFileHandle {
    /// The identity of the open file now (`fstat` of the descriptor, so a path replaced since opening is not confused).
    /// - Throws: ``PublishError`` `invalidInput` when the file cannot be inspected.
    public func identity() throws -> FileIdentity {
        guard let info = FileStatus.of(descriptor: descriptor) else {
            throw PublishError(.invalidInput, message: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        return FileIdentity(device: info.device, inode: info.inode, size: info.size, modifiedNanoseconds: info.modifiedNanoseconds)
    }
}

/// The SHA-256 of files already hashed, kept in `hashes.json` in the state folder, so that a re-post, a
/// resume or `atom staging put` of the same file reads none of its bytes again.
///
/// An entry is keyed by ``FileIdentity``; any change of device, inode, size or modification time misses.
/// A hash is stored only when the file's identity was the same before and after it was read, and when its
/// modification time is at least ``racyInterval`` older than the start of the read: on a file system with
/// coarse timestamps (FAT keeps 2 s) a write during the read could otherwise leave the identity unchanged
/// (git's "racy clean" problem, https://git-scm.com/docs/racy-git).
///
/// It is a cache: a missing or unreadable file is an empty cache, and two processes writing at once may
/// lose each other's newest entry (that file is then hashed once more). Writes are atomic (temp + rename).
public final class HashCache: Sendable {
    /// The folder holding `hashes.json`.
    public let directory: String
    /// The cache file's path.
    public var path: String { directory + "/hashes.json" }
    /// How many files are remembered; the least recently hashed are dropped first.
    public let capacity: Int
    /// How much older than the start of a read a file's modification time must be for its hash to be kept.
    public static let racyInterval: TimeInterval = 2
    private let now: @Sendable () -> Date

    /// A cache in `directory` (the record's folder; created with mode 0700 when first written).
    /// - Parameter now: The wall clock, compared with file modification times.
    public init(directory: String, capacity: Int = 256, now: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// The SHA-256 of `file`: from the cache when its identity is known, else read and hashed (and remembered).
    /// - Parameter progress: Called with the bytes hashed so far, only when the file is actually read.
    /// - Returns: The lowercase hex digest, and whether it came from the cache.
    /// - Throws: ``PublishError`` for a read error, or `storage` when the cache cannot be written.
    public func sha256(
        of file: MediaFileHandle, progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> (sha256: String, cached: Bool) {
        let before = try file.identity()
        if let known = lookup(before) { return (known, true) }
        let startedAt = now()
        let digest = try await FileDigest.sha256(of: file, progress: progress)
        let after = try file.identity()
        let modified = TimeInterval(after.modifiedNanoseconds) / 1e9
        let settled = modified <= startedAt.timeIntervalSince1970 - Self.racyInterval
        if before == after, after.size == file.size, settled {
            try await NIOThreadPool.singleton.runIfActive { [self] in try self.store(digest, for: after) }
        }
        return (digest, false)
    }

    /// The cached SHA-256 for `identity`, if any.
    public func lookup(_ identity: FileIdentity) -> String? {
        load().first { $0.identity == identity }?.sha256
    }

    /// Remembers `sha256` for `identity` (most recent first; the oldest beyond ``capacity`` are dropped).
    /// - Throws: ``PublishError`` `storage` when the folder or the file cannot be written.
    public func store(_ sha256: String, for identity: FileIdentity) throws {
        var entries = load().filter { $0.identity != identity }
        entries.insert(Entry(identity: identity, sha256: sha256), at: 0)
        if entries.count > capacity { entries.removeLast(entries.count - capacity) }
        try ensureDirectory()
        let data = try JSONEncoder().encode(CacheFile(version: CacheFile.currentVersion, entries: entries))
        try AtomicFile.write(data, to: path, mode: 0o600)
    }

    // MARK: File

    struct Entry: Codable, Equatable {
        var identity: FileIdentity
        var sha256: String
    }

    struct CacheFile: Codable {
        static let currentVersion = 1
        var version: Int
        var entries: [Entry]
    }

    /// The entries on disk, most recent first; anything unreadable (missing, corrupt, newer schema) is no entry.
    private func load() -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [] }
        do {
            let file = try JSONDecoder().decode(CacheFile.self, from: data)
            guard file.version == CacheFile.currentVersion else { return [] }
            return file.entries.filter { Self.isDigest($0.sha256) }
        } catch {
            return []
        }
    }

    private static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private func ensureDirectory() throws {
        if FileManager.default.fileExists(atPath: directory) { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw PublishError(.storage,
                               message: "cannot create the state folder \(directory): \(error.localizedDescription)",
                               remediation: "set ATOM_STATE_DIR to a writable folder")
        }
    }
}
