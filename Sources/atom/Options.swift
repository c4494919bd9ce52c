import ArgumentParser
import Foundation
import PublishingCore

/// Flags every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("env-file"), help: "The .env file with tokens and settings (default ./.env).")
    var envFile: String = ".env"

    @Flag(name: .customLong("json"), help: "Print the result as JSON on stdout.")
    var json = false

    @Flag(name: .customLong("quiet"), help: "No progress output; only the result and errors.")
    var quiet = false
}

/// `--to tiktok,youtube`: parsed once at the edge into names the registry checks.
struct PlatformList: ExpressibleByArgument, Sendable {
    var names: [String]

    init?(argument: String) {
        let names = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        var seen = Set<String>()
        self.names = names.filter { seen.insert($0).inserted }
    }

    /// Checks every name against the registry; an unknown one is a usage error listing the known ones.
    func validate(against registry: PlatformRegistry) throws {
        let unknown = names.filter { registry.factory(named: $0) == nil }
        guard unknown.isEmpty else {
            throw ValidationError(
                "unknown platform\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
                    + "known: \(registry.names.joined(separator: ", "))")
        }
    }
}

extension Privacy: ExpressibleByArgument {}

/// Exit codes of CONTRACT.md.
enum Exit {
    static let ok = ExitCode(0)
    static let platformFailed = ExitCode(1)
    static let stillProcessing = ExitCode(3)
    static let usage = ExitCode(64)
    static let badInput = ExitCode(65)
    static let configuration = ExitCode(78)
    static let interrupted = ExitCode(130)

    /// The exit code for a finished post.
    static func code(for report: PostReport) -> ExitCode {
        if report.interrupted || report.results.contains(where: { $0.status == .interrupted }) { return interrupted }
        // A post that is live but missing from the record is a failure: a later run could post it again.
        if report.results.contains(where: { $0.status == .failed }) || report.hasRecordErrors { return platformFailed }
        if report.results.contains(where: { $0.status == .processing }) { return stillProcessing }
        return ok
    }

    /// The exit code for an error thrown before or outside a post.
    static func code(for error: any Error) -> ExitCode {
        if error is ValidationFailure { return badInput }
        if error is CancellationError { return interrupted }
        if let error = error as? PublishError {
            switch error.code {
            case .configuration: return configuration
            case .invalidInput, .unsupportedMedia, .limitExceeded: return badInput
            case .cancelled: return interrupted
            default: return platformFailed
            }
        }
        return platformFailed
    }
}

/// Writes to stderr.
enum Console {
    static func error(_ text: String) { info(text) }

    /// Writes a redacted line to stderr (progress, notes, errors).
    static func info(_ text: String) {
        FileHandle.standardError.write(Data((Redaction.printable(Redaction.redact(text)) + "\n").utf8))
    }

    /// Prints to stdout (results).
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((Redaction.printable(text) + "\n").utf8))
    }

    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }

    /// Prints a JSON value to stdout.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        out(Redaction.redact(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }
}
