import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine

/// atom's output contract, in one place for every command (docs/cli.md describes it):
/// results on stdout — one line per thing without `--json`, one documented JSON document with it —,
/// progress and diagnostics on stderr. Commands print through here, never with `print`.
enum Output {
    /// The version of the `--json` shapes; bumped only when a key changes meaning or goes away.
    static let schemaVersion = 1

    /// Prints a JSON document to stdout (sorted keys, redacted).
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        Console.out(Redaction.redact(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// Prints a JSON document to stdout on one line (sorted keys), for a reader that waits for the first line.
    /// - Parameter redacting: `false` only for values meant to be copied, like the sandbox's own fake settings.
    static func jsonLine(_ value: some Encodable, redacting: Bool = true) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        Console.out(redacting ? Redaction.redact(text) : text)
    }

    /// Prints result lines to stdout.
    static func lines(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        Console.out(lines.joined(separator: "\n"))
    }

    /// The stdout line of one result: `platform status url-or-error` (tab-free, one line).
    static func line(_ entry: EntryJSON) -> String {
        let detail = entry.error.map { "\($0.code): \($0.message)" } ?? entry.url ?? entry.note ?? ""
        return [entry.platform, entry.status, Text.oneLine(detail)].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// Writes to stderr and stdout.
enum Console {
    /// Writes a redacted diagnostic line to stderr.
    static func error(_ text: String) { info(text) }

    /// Writes a redacted line to stderr (progress, notes, errors), through the live display when one is drawing.
    static func info(_ text: String) {
        let line = Text.printable(Redaction.redact(text)) + "\n"
        if let display = LiveDisplay.current.value {
            display.message(line)
        } else {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Prints to stdout (results).
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((Text.printable(text) + "\n").utf8))
    }

    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// Colour for status words on a terminal: never when piped or when `NO_COLOR` is set (https://no-color.org).
struct Palette: Sendable {
    var enabled: Bool

    static func forStdout(environment: [String: String]) -> Palette {
        Palette(enabled: Console.stdoutIsTTY && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb")
    }

    static func forStderr(environment: [String: String]) -> Palette {
        Palette(enabled: Console.stderrIsTTY && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb")
    }

    /// Colours a status word: green for published, yellow for processing/skipped/interrupted, red for failed.
    func status(_ word: String) -> String {
        guard enabled else { return word }
        switch word {
        case "published", "done", "ok": return "\u{1B}[32m\(word)\u{1B}[0m"
        case "failed", "refused": return "\u{1B}[31m\(word)\u{1B}[0m"
        case "processing", "skipped", "interrupted", "uploading", "retrying": return "\u{1B}[33m\(word)\u{1B}[0m"
        default: return word
        }
    }
}

/// Text helpers for hostile or long text.
enum Text {
    /// What may reach the terminal: every control character becomes a space (``Redaction/printable(_:)``), except
    /// newlines, tabs and the colour sequences atom itself writes (`ESC [ digits ; m`, SGR), which move no cursor
    /// and clear nothing.
    static func printable(_ text: String) -> String {
        guard text.contains("\u{1B}[") else { return Redaction.printable(text) }
        var output = ""
        var rest = Substring(text)
        while let escape = rest.firstIndex(of: "\u{1B}") {
            output += Redaction.printable(String(rest[..<escape]))
            let after = rest[rest.index(after: escape)...]
            if after.first == "[", let end = after.dropFirst().firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ";")) }),
                after[end] == "m"
            {
                output += "\u{1B}" + after[..<after.index(after: end)]
                rest = after[after.index(after: end)...]
            } else {
                output += " "
                rest = after
            }
        }
        return output + Redaction.printable(String(rest))
    }

    /// One line: control characters and newlines become spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// The terminal width of `text` (characters; ANSI escapes count zero).
    static func width(_ text: String) -> Int {
        var count = 0
        var escape = false
        for scalar in text.unicodeScalars {
            if escape {
                if (0x40...0x7E).contains(scalar.value), scalar != "[" { escape = false }
                continue
            }
            if scalar == "\u{1B}" { escape = true; continue }
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            count += 1
        }
        return count
    }

    /// Cuts `text` to `width` columns, ending in `…` when cut.
    static func fit(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(max(0, width - 1))) + "…"
    }
}

/// Dates as people read them: local time by default (`--utc` for UTC), ISO 8601 in JSON.
struct DateStyle: Sendable {
    var utc: Bool

    func string(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = utc ? TimeZone(identifier: "UTC") : TimeZone.current
        formatter.dateFormat = utc ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}

/// The one entry shape of `post`, `status` and `history` `--json`: every key always present (`null` when empty).
struct EntryJSON: Encodable {
    var schemaVersion = Output.schemaVersion
    @NullEncoded var id: String? = nil
    var platform: String
    var status: String
    @NullEncoded var postId: String? = nil
    @NullEncoded var url: String? = nil
    @NullEncoded var video: String? = nil
    @NullEncoded var sha256: String? = nil
    @NullEncoded var createdAt: Date? = nil
    @NullEncoded var updatedAt: Date? = nil
    @NullEncoded var startedAt: Date? = nil
    @NullEncoded var finishedAt: Date? = nil
    @NullEncoded var error: ErrorJSON? = nil
    @NullEncoded var note: String? = nil
    var sandbox: Bool
    var previousPostIds: [String]
    /// Set when the result happened but could not be written to the record.
    @NullEncoded var recordError: ErrorJSON? = nil
    /// How the cover went, when one was asked (`null` otherwise).
    @NullEncoded var cover: CoverOutcome? = nil

    /// An entry of either record (`sandbox` says which).
    init(entry: RecordEntry) {
        let record = entry.record
        id = record.id
        platform = record.platform.rawValue
        status = record.status.rawValue
        postId = record.postId
        url = record.url
        video = record.video
        sha256 = record.sha256
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        error = record.error.map(ErrorJSON.init)
        note = record.note
        sandbox = entry.sandbox
        previousPostIds = record.previousPostIds ?? []
        cover = record.cover
    }

    /// A result of this run, completed from its record entry where there is one.
    /// - Parameter sandbox: Whether the run was in a sandbox (for a result the record does not hold).
    init(result: PlatformResult, entry: RecordEntry?, video: String, sha256: String, sandbox: Bool) {
        let record = entry?.record
        id = result.id
        platform = result.platform.rawValue
        status = result.status.rawValue
        postId = result.postId
        url = result.url
        self.video = record?.video ?? video
        self.sha256 = record?.sha256 ?? sha256
        createdAt = record?.createdAt
        updatedAt = record?.updatedAt
        startedAt = result.startedAt
        finishedAt = result.finishedAt
        error = result.error.map(ErrorJSON.init)
        note = result.note
        self.sandbox = entry?.sandbox ?? sandbox
        previousPostIds = record?.previousPostIds ?? []
        recordError = result.recordError.map(ErrorJSON.init)
        cover = result.cover ?? record?.cover
    }
}

/// An error in JSON: `{code, message, retryable, remediation}` (remediation `null` when there is none).
struct ErrorJSON: Encodable {
    var code: String
    var message: String
    var retryable: Bool
    @NullEncoded var remediation: String? = nil

    init(_ summary: ErrorSummary) {
        code = summary.code
        message = summary.message
        retryable = summary.retryable
        remediation = summary.remediation
    }
}

/// `post --json` (and `status --json` of a whole post): the video and one entry per platform.
struct PostJSON: Encodable {
    var schemaVersion = Output.schemaVersion
    var video: String
    var sha256: String
    var results: [EntryJSON]
    var interrupted: Bool
    var sandbox: Bool
    /// Results that could not be written to the record (the post may be live): empty when all were written.
    var recordErrors: [String]

    init(_ report: PostReport, records: [RecordEntry], sandbox: Bool) {
        video = report.video
        sha256 = report.sha256
        results = report.results.map { result in
            EntryJSON(
                result: result, entry: records.first { $0.record.id == result.id }, video: report.video, sha256: report.sha256,
                sandbox: sandbox)
        }
        interrupted = report.interrupted
        self.sandbox = sandbox
        recordErrors = report.recordErrors ?? []
    }
}

/// A refusal: one platform (or `null` for all), the field, and what is wrong with it.
struct RefusalJSON: Encodable {
    @NullEncoded var platform: String? = nil
    @NullEncoded var field: String? = nil
    var problem: String
}

/// An error that ended a command, as JSON on stdout: `{schemaVersion, error: {code, message, retryable,
/// remediation, exitCode}, refusals: [...]}`.
struct FailureJSON: Encodable {
    struct Body: Encodable {
        var code: String
        var message: String
        var retryable: Bool
        @NullEncoded var remediation: String? = nil
        var exitCode: Int32
    }

    var schemaVersion = Output.schemaVersion
    var error: Body
    var refusals: [RefusalJSON]
}
