import Foundation
import NIOPosix
import PublishingCore
import PublishingEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Scheduled jobs in `schedule.json` next to the record (`ATOM_STATE_DIR`): written atomically, every
/// read-modify-write under an exclusive `flock`, so a timer's `run-due` and a user's `cancel` never race.
public final class ScheduleStore: Sendable {
    /// The state folder.
    public let directory: String
    /// The jobs file.
    public var path: String { directory + "/schedule.json" }
    private var lockPath: String { directory + "/schedule.lock" }

    /// Uses `directory` (created with mode 0700 when first written).
    public init(directory: String) {
        self.directory = directory
    }

    /// Reads the jobs (a missing file is none).
    public func read() throws -> ScheduleFile {
        try withLock { try load() }
    }

    /// Reads, lets `body` change the jobs, writes them back atomically, all under the lock.
    @discardableResult
    public func update<T>(_ body: (inout ScheduleFile) throws -> T) throws -> T {
        try withLock {
            var file = try load()
            let before = file
            let result = try body(&file)
            if file != before { try save(file) }
            return result
        }
    }

    /// ``update(_:)`` on the blocking-I/O pool.
    @discardableResult
    public func updateAsync<T: Sendable>(_ body: @escaping @Sendable (inout ScheduleFile) throws -> T) async throws -> T
    {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.update(body) } }.value
    }

    /// ``read()`` on the blocking-I/O pool.
    public func readAsync() async throws -> ScheduleFile {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.read() } }.value
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try StateFolderLock.withLock(directory: directory, lockPath: lockPath, body)
    }

    private func load() throws -> ScheduleFile {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return ScheduleFile() }
        let file: ScheduleFile
        do {
            file = try JSONDecoder.atom.decode(ScheduleFile.self, from: data)
        } catch {
            throw PublishError(
                .storage, message: "\(path) is not a valid atom schedule: \(error)",
                remediation: "move the file aside; scheduled jobs in it will not run")
        }
        guard file.version <= ScheduleFile.currentVersion else {
            throw PublishError(
                .storage, message: "\(path) was written by a newer atom (schema \(file.version))",
                remediation: "upgrade atom")
        }
        return file
    }

    private func save(_ file: ScheduleFile) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting.insert(.prettyPrinted)
        try AtomicFile.write(try encoder.encode(file), to: path, mode: 0o600)
    }
}
