import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine

/// Flags every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("env-file"),
        help: ArgumentHelp(
            "The .env file with tokens and settings.",
            discussion: "Default: ATOM_ENV_FILE, else ./.env if it exists, else $XDG_CONFIG_HOME/atom/.env.",
            valueName: "path"),
        completion: .file())
    var envFile: String?

    @Flag(name: .customLong("json"), help: "Print the result as JSON on stdout (see docs/cli.md for the schema).")
    var json = false

    @Flag(name: .customLong("quiet"), help: "No progress output; only the result and errors.")
    var quiet = false

    @Flag(name: .customLong("verbose"), help: "Log each request (the same as ATOM_LOG_LEVEL=debug), on stderr.")
    var verbose = false

    @Flag(name: .customLong("utc"), help: "Show times in UTC instead of local time.")
    var utc = false
}

/// `--to a,b` or `--to all`: parsed once at the edge into names the registry checks.
struct PlatformList: ExpressibleByArgument, Sendable {
    var names: [String]

    init?(argument: String) {
        let names = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        var seen = Set<String>()
        self.names = names.filter { seen.insert($0).inserted }
    }

    static var defaultCompletionKind: CompletionKind { .list(["all"] + Registry.platforms.names) }

    /// Whether the list is `all`: every configured platform.
    var isAll: Bool { names == ["all"] }

    /// Checks every name against the registry; an unknown one is a usage error with a suggestion.
    func validate(against registry: PlatformRegistry) throws {
        guard !isAll else { return }
        for name in names { try PlatformName.check(name, known: registry.names) }
    }

    /// The names to post to: the list itself, or for `all` every registered platform whose keys are set.
    func resolve(registry: PlatformRegistry, credentials: any CredentialStore) throws -> [String] {
        guard isAll else { return names }
        let configured = registry.factories.filter { $0.missingKeys(in: credentials).isEmpty }.map(\.platform.rawValue)
        guard !configured.isEmpty else {
            throw PublishError(
                .configuration, message: "--to all: no platform is configured",
                remediation: "run `atom auth <platform>` (see `atom platforms`)")
        }
        return configured
    }
}

/// Platform and command names typed by a person: unknown ones are usage errors with a "did you mean".
enum PlatformName {
    /// Throws a `ValidationError` (exit 64) for an unknown name, suggesting the closest known one.
    static func check(_ name: String, known: [String]) throws {
        guard !known.contains(name.lowercased()) else { return }
        var text = "unknown platform '\(name)'"
        if let guess = Suggestion.closest(to: name.lowercased(), in: known) { text += "; did you mean '\(guess)'?" }
        throw ValidationError(text + " (known: \(known.joined(separator: ", ")))")
    }
}

/// "Did you mean": the closest candidate by edit distance, if it is close enough to be a typo.
enum Suggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(2, best.count / 3) else { return nil }
        return best
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
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
