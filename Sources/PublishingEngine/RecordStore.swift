import CoreFoundation
import Foundation
import NIOPosix
import PublishingCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local JSON record under `ATOM_STATE_DIR`: versioned, written atomically, safe with several
/// atom processes at once (every read-modify-write holds an exclusive `flock` on a lock file).
public final class RecordStore: Sendable {
    /// The folder holding `records.json` and `records.lock`.
    public let directory: String
    /// The record file's path.
    public var path: String { directory + "/records.json" }
    private var lockPath: String { directory + "/records.lock" }

    /// Uses `directory` (created with mode 0700 when first written).
    public init(directory: String) {
        self.directory = directory
    }

    /// The default folder: `ATOM_STATE_DIR`, else `~/.atom`.
    public static func defaultDirectory(environment: [String: String]) -> String {
        if let dir = environment["ATOM_STATE_DIR"], !dir.isEmpty { return dir }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.atom"
    }

    /// Reads the record (a missing file is an empty record).
    public func read() throws -> RecordFile {
        try withLock { try load() }
    }

    /// Reads, lets `body` change the record, writes it back atomically — all under the lock.
    @discardableResult
    public func update<T>(_ body: (inout RecordFile) throws -> T) throws -> T {
        try withLock {
            var file = try load()
            let before = file
            let result = try body(&file)
            if file != before { try save(file) }
            return result
        }
    }

    /// ``update(_:)`` on the blocking-I/O pool. Runs to completion even when the caller is cancelled:
    /// the record must say `interrupted` after a Ctrl-C.
    @discardableResult
    public func updateAsync<T: Sendable>(_ body: @escaping @Sendable (inout RecordFile) throws -> T) async throws -> T {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.update(body) } }.value
    }

    /// ``read()`` on the blocking-I/O pool.
    public func readAsync() async throws -> RecordFile {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.read() } }.value
    }

    /// A warning when the state folder exists and other users can read, write or enter it (the record names every
    /// video and post); `nil` when it is private or not made yet.
    public func permissionsWarning() -> String? {
        guard let info = FileStatus.at(directory), info.kind == .directory, info.permissions & 0o077 != 0 else { return nil }
        let mode = String(info.permissions & 0o777, radix: 8)
        return "warning: the state folder \(directory) is open to other users (mode \(mode)); run `chmod 700 \(directory)`"
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try StateFolderLock.withLock(directory: directory, lockPath: lockPath, body)
    }

    private func load() throws -> RecordFile {
        guard let data = FileManager.default.contents(atPath: path) else { return RecordFile() }
        if data.isEmpty { return RecordFile() }
        do {
            let file = try JSONDecoder.atom.decode(RecordFile.self, from: data)
            guard file.version <= RecordFile.currentVersion else {
                throw PublishError(.storage, message: "\(path) was written by a newer atom (schema \(file.version))", remediation: "upgrade atom")
            }
            return file
        } catch let error as PublishError {
            throw error
        } catch {
            throw PublishError(.storage, message: "\(path) is not a valid atom record: \(error)",
                               remediation: "move the file aside; atom will start a new record")
        }
    }

    private func save(_ file: RecordFile) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting.insert(.prettyPrinted)
        try AtomicFile.write(try encoder.encode(file), to: path, mode: 0o600)
    }
}

extension RecordOwner {
    /// This process.
    public static func current(now: Date) -> RecordOwner {
        RecordOwner(pid: getpid(), host: ProcessInfo.processInfo.hostName, since: now)
    }

    /// Whether the owning process still runs (same host: signal 0; other host: seen in the last hour).
    public func isAlive(now: Date) -> Bool {
        if host == ProcessInfo.processInfo.hostName {
            if pid == getpid() { return true }
            return kill(pid, 0) == 0 || errno == EPERM
        }
        return now.timeIntervalSince(since) < 3600
    }
}
