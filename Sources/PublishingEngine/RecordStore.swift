import CoreFoundation
import Foundation
import PublishingCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local JSON record under `ATOM_STATE_DIR` (`records.json`, locked through `records.lock`; a store opened with
/// another `baseName` is a separate record beside it).
public typealias RecordStore = StateFileStore<RecordFile>

extension RecordFile: StateFile {
    public static let fileKind = (
        baseName: "records", noun: "record", invalidFileRemediation: "move the file aside; atom will start a new record")
    public static var empty: RecordFile { RecordFile() }
}

extension StateFileStore {
    /// The default state folder: `ATOM_STATE_DIR`, else `~/.atom`.
    public static func defaultDirectory(environment: [String: String]) -> String {
        if let dir = environment["ATOM_STATE_DIR"], !dir.isEmpty { return dir }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.atom"
    }

    /// A warning when the state folder exists and other users can read, write or enter it (the record names every
    /// video and post); `nil` when it is private or not made yet.
    public func permissionsWarning() -> String? {
        guard let info = FileStatus.at(directory), info.kind == .directory, info.permissions & 0o077 != 0 else { return nil }
        let mode = String(info.permissions & 0o777, radix: 8)
        return "warning: the state folder \(directory) is open to other users (mode \(mode)); run `chmod 700 \(directory)`"
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
