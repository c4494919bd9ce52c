import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.env` file: the owner's tokens and settings.
///
/// Syntax: `KEY=value` lines, optional `export ` prefix, `#` comments and blank lines; single-quoted
/// values are literal; double-quoted values take `\n`, `\"`, `\\`, `\$` and `` \` `` escapes; an unquoted
/// value ends at ` #`; `=` may appear in values. A malformed line is a configuration error naming the file and
/// the line number (never the line's text: it may be a pasted token). A key set twice means its last line, as in
/// a shell, for reading and writing alike.
///
/// Every write (``set(_:)``, ``remove(_:)``) takes an exclusive lock on the file's folder, reads the file again,
/// changes only the keys it was given, and replaces the file atomically (temp file in the same folder, fsync,
/// rename) with mode 0600, keeping every other line, comment and the order: a line another process added
/// meanwhile survives. A symbolic link is written through: its target is replaced, the link stays.
public final class DotEnvFile: CredentialStore {
    /// One parsed line.
    public enum Line: Sendable, Equatable {
        /// A blank line or comment, kept verbatim.
        case verbatim(String)
        /// An assignment; `raw` is the original text, kept when the value is not changed.
        case assignment(key: String, value: String, exported: Bool, raw: String)
    }

    /// The largest `.env` atom reads (1 MiB): a configuration is a few kilobytes.
    public static let maximumSize = 1 << 20

    /// The file's path.
    public let path: String
    private let state: LockedBox<[Line]>

    /// Loads `path`; a missing file is an empty store (created on the first ``set(_:)``). A character device such
    /// as `/dev/null` reads as an empty configuration.
    /// - Throws: ``PublishError`` (`configuration`) naming the file and line for malformed input, and for a file
    ///   that is not a regular file or character device (a FIFO, a folder) or is larger than ``maximumSize``.
    public init(path: String) throws {
        self.path = path
        let lines = try Self.load(path) ?? []
        state = LockedBox(lines)
        for case .assignment(let key, let value, _, _) in lines where Redaction.isSecretKey(key) {
            Redaction.register(secret: value)
        }
    }

    /// The parsed lines, in file order.
    public var lines: [Line] { state.value }

    /// Keys assigned on more than one line, in file order (the last line wins; tell the owner once).
    public var duplicateKeys: [String] {
        var seen: Set<String> = []
        var duplicates: [String] = []
        for case .assignment(let key, _, _, _) in state.value where !seen.insert(key).inserted && !duplicates.contains(key) {
            duplicates.append(key)
        }
        return duplicates
    }

    /// Every key and value, later assignments winning.
    public var values: [String: String] {
        var result: [String: String] = [:]
        for case .assignment(let key, let value, _, _) in state.value { result[key] = value }
        return result
    }

    public func value(for key: String) throws -> String? {
        var found: String?
        for case .assignment(let k, let value, _, _) in state.value where k == key { found = value }
        return found
    }

    /// Sets `values` in the file (the last line of a key set twice; new keys appended in key order).
    /// - Throws: ``PublishError`` when the file cannot be locked, read again or replaced.
    public func set(_ values: [String: String]) throws {
        try rewrite { lines in Self.merging(values, into: lines) }
        for (key, value) in values where Redaction.isSecretKey(key) { Redaction.register(secret: value) }
    }

    /// Removes every line that assigns one of `keys` (comments and other lines stay).
    /// - Throws: ``PublishError`` when the file cannot be locked, read again or replaced.
    public func remove(_ keys: Set<String>) throws {
        try rewrite { lines in
            lines.filter { line in
                if case .assignment(let key, _, _, _) = line { return !keys.contains(key) }
                return true
            }
        }
    }

    /// Lock the folder, read the file again, change it, replace it, all while holding the lock.
    private func rewrite(_ change: @escaping ([Line]) -> [Line]) throws {
        let target = Self.writeTarget(path)
        try state.withLock { lines in
            try Self.withFolderLock(of: target) {
                let fresh = try Self.load(target) ?? []
                let updated = change(fresh)
                let text = updated.map { line -> String in
                    switch line {
                    case .verbatim(let raw): raw
                    case .assignment(_, _, _, let raw): raw
                    }
                }.joined(separator: "\n") + "\n"
                try AtomicFile.write(Data(text.utf8), to: target, mode: 0o600)
                lines = updated
            }
        }
    }

    /// `values` applied to `lines`: each key's last assignment changes, keys not yet present are appended.
    static func merging(_ values: [String: String], into lines: [Line]) -> [Line] {
        var updated = lines
        var pending = values
        for index in updated.indices.reversed() {
            guard case .assignment(let key, _, let exported, _) = updated[index], let newValue = pending[key] else { continue }
            let raw = render(key: key, value: newValue, exported: exported)
            updated[index] = .assignment(key: key, value: newValue, exported: exported, raw: raw)
            pending[key] = nil
        }
        for key in pending.keys.sorted() {
            guard let value = pending[key] else { continue }
            updated.append(.assignment(key: key, value: value, exported: false, raw: render(key: key, value: value, exported: false)))
        }
        return updated
    }

    /// The file a write replaces: a symbolic link's final target (so the link survives), else `path`.
    static func writeTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<32 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/")
                ? destination : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        return current
    }

    /// Runs `body` holding an exclusive `flock` on the folder that holds `path` (the file itself is replaced by
    /// rename, so it cannot carry the lock).
    private static func withFolderLock<T>(of path: String, _ body: () throws -> T) throws -> T {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PublishError(
                .configuration, message: "cannot open the folder of \(path): \(String(cString: strerror(errno)))",
                remediation: "check the folder's permissions")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw PublishError(.configuration, message: "cannot lock the folder of \(path): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Reads and parses `path`, or `nil` when there is no such file. Checks the file's type before reading and
    /// never reads more than ``maximumSize`` + 1 bytes, so `/dev/zero` or a FIFO is refused at once.
    static func load(_ path: String) throws -> [Line]? {
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path, limit: maximumSize, what: "the configuration file")
        } catch let refusal as BoundedFile.Refusal {
            if refusal.missing { return nil }
            throw PublishError(
                .configuration, message: refusal.message, remediation: "point --env-file (or ATOM_ENV_FILE) at a .env file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PublishError(.configuration, message: "\(path) is not UTF-8 text")
        }
        return try parse(text, file: path)
    }
}
