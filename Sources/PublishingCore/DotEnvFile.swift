import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.env` file: the owner's tokens and settings.
///
/// Syntax: `KEY=value` lines, optional `export ` prefix, `#` comments and blank lines; single-quoted
/// values are literal; double-quoted values take `\n`, `\"` and `\\` escapes; an unquoted value ends
/// at ` #`; `=` may appear in values. A malformed line is a configuration error naming the file and
/// line. ``set(_:)`` rewrites the file atomically (temp file in the same folder, fsync, rename),
/// keeping every other line, comment and the order, with mode 0600.
public final class DotEnvFile: CredentialStore {
    /// One parsed line.
    public enum Line: Sendable, Equatable {
        /// A blank line or comment, kept verbatim.
        case verbatim(String)
        /// An assignment; `raw` is the original text, kept when the value is not changed.
        case assignment(key: String, value: String, exported: Bool, raw: String)
    }

    /// The file's path.
    public let path: String
    private let state: LockedBox<[Line]>

    /// Loads `path`; a missing file is an empty store (created on the first ``set(_:)``).
    /// - Throws: ``PublishError`` (`configuration`) naming the file and line for malformed input.
    public init(path: String) throws {
        self.path = path
        let lines: [Line]
        if FileManager.default.fileExists(atPath: path) {
            // Read through a handle so that devices such as /dev/null (an empty configuration) work too.
            guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
                throw PublishError(.configuration, message: "cannot read \(path)", remediation: "check the file's permissions")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw PublishError(.configuration, message: "\(path) is not UTF-8 text")
            }
            lines = try Self.parse(text, file: path)
        } else {
            lines = []
        }
        state = LockedBox(lines)
        for case .assignment(let key, let value, _, _) in lines where Redaction.isSecretKey(key) {
            Redaction.register(secret: value)
        }
    }

    /// The parsed lines, in file order.
    public var lines: [Line] { state.value }

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

    public func set(_ values: [String: String]) throws {
        try state.withLock { lines in
            var updated = lines
            var pending = values
            for index in updated.indices {
                guard case .assignment(let key, _, let exported, _) = updated[index], let newValue = pending[key] else { continue }
                updated[index] = .assignment(key: key, value: newValue, exported: exported, raw: Self.render(key: key, value: newValue, exported: exported))
                pending[key] = nil
            }
            for key in pending.keys.sorted() {
                guard let value = pending[key] else { continue }
                updated.append(.assignment(key: key, value: value, exported: false, raw: Self.render(key: key, value: value, exported: false)))
            }
            let text = updated.map { line -> String in
                switch line {
                case .verbatim(let raw): raw
                case .assignment(_, _, _, let raw): raw
                }
            }.joined(separator: "\n") + "\n"
            try AtomicFile.write(Data(text.utf8), to: path, mode: 0o600)
            lines = updated
        }
        for (key, value) in values where Redaction.isSecretKey(key) { Redaction.register(secret: value) }
    }

    // MARK: Parsing

    /// Parses `.env` text into lines.
    /// - Throws: ``PublishError`` naming `file` and the 1-based line number.
    public static func parse(_ text: String, file: String = ".env") throws -> [Line] {
        var result: [Line] = []
        var rawLines = text.components(separatedBy: "\n")
        if rawLines.last == "" { rawLines.removeLast() }
        for (index, rawLine) in rawLines.enumerated() {
            let raw = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : rawLine
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                result.append(.verbatim(raw))
                continue
            }
            do {
                let (key, value, exported) = try parseAssignment(trimmed)
                result.append(.assignment(key: key, value: value, exported: exported, raw: raw))
            } catch let problem as LineProblem {
                throw PublishError(
                    .configuration, message: "\(file):\(index + 1): \(problem.reason)",
                    remediation: "fix line \(index + 1) of \(file) (expected KEY=value)"
                )
            }
        }
        return result
    }

    private struct LineProblem: Error { let reason: String }

    private static func parseAssignment(_ line: String) throws -> (String, String, Bool) {
        var rest = Substring(line)
        var exported = false
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            exported = true
            rest = rest.dropFirst(7).drop(while: { $0 == " " || $0 == "\t" })
        }
        guard let equals = rest.firstIndex(of: "=") else { throw LineProblem(reason: "no '=' in this line") }
        let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
        guard let first = key.first, first == "_" || first.isLetter,
            key.allSatisfy({ $0 == "_" || $0 == "." || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw LineProblem(reason: "'\(key.prefix(40))' is not a valid key") }
        var valuePart = rest[rest.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
        var value = ""
        if valuePart.first == "'" {
            valuePart = valuePart.dropFirst()
            guard let close = valuePart.firstIndex(of: "'") else { throw LineProblem(reason: "unterminated single quote (multi-line values are not supported)") }
            value = String(valuePart[..<close])
            try checkTrailing(valuePart[valuePart.index(after: close)...])
        } else if valuePart.first == "\"" {
            valuePart = valuePart.dropFirst()
            var index = valuePart.startIndex
            var closed = false
            while index < valuePart.endIndex {
                let c = valuePart[index]
                if c == "\\" {
                    let next = valuePart.index(after: index)
                    guard next < valuePart.endIndex else { break }
                    switch valuePart[next] {
                    case "n": value.append("\n")
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    default: value.append("\\"); value.append(valuePart[next])
                    }
                    index = valuePart.index(after: next)
                    continue
                }
                if c == "\"" { closed = true; break }
                value.append(c)
                index = valuePart.index(after: index)
            }
            guard closed else { throw LineProblem(reason: "unterminated double quote (multi-line values are not supported)") }
            try checkTrailing(valuePart[valuePart.index(after: index)...])
        } else {
            var text = String(valuePart)
            if let comment = text.range(of: " #") ?? text.range(of: "\t#") { text = String(text[..<comment.lowerBound]) }
            value = text.trimmingCharacters(in: .whitespaces)
        }
        return (key, value, exported)
    }

    private static func checkTrailing(_ rest: Substring) throws {
        let trailing = rest.trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty || trailing.hasPrefix("#") else {
            throw LineProblem(reason: "unexpected text after the closing quote")
        }
    }

    /// Renders an assignment, quoting only when needed.
    static func render(key: String, value: String, exported: Bool) -> String {
        let prefix = exported ? "export " : ""
        let plain = !value.isEmpty && value.allSatisfy { c in
            c.isASCII && !c.isWhitespace && !"\"'#\\$`".contains(c)
        }
        if plain || value.isEmpty { return "\(prefix)\(key)=\(value)" }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\(prefix)\(key)=\"\(escaped)\""
    }
}

/// Atomic file replacement: write a temp file in the same folder, fsync, rename, fsync the folder.
public enum AtomicFile {
    /// Replaces `path` with `data` atomically; readers see the old or the new file, never a mix.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let temp = "\(directory)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw PublishError(.storage, message: "cannot write \(path): \(String(cString: strerror(errno)))", remediation: "check the folder's permissions")
        }
        var ok = true
        data.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                written += n
            }
        }
        fchmod(fd, mode)
        if fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw PublishError(.storage, message: "cannot write \(path): \(reason)")
        }
        let dirfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }
}
