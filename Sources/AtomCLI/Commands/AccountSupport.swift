import ArgumentParser
import Foundation
import PublishingCore

/// What the owner-control commands (`auth status`, `auth revoke`, `unpublish`, `doctor`, `history forget`) share.
enum OwnerControl {
    /// The `schemaVersion` of their `--json` output.
    static let schemaVersion = 1

    /// The account control factory for a command-line name.
    static func account(named name: String) -> AccountControlFactory? {
        Registry.accounts.first { $0.platform.rawValue == name.lowercased() }
    }

    /// Refuses an unknown platform name, listing the known ones (exit 64).
    static func validate(platform name: String) throws {
        guard account(named: name) != nil else {
            throw ValidationError(
                "unknown platform '\(name)'; known: \(Registry.accounts.map(\.platform.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// Runs `body` against the real configuration, or against a fresh sandbox with `sandbox`.
    static func run(
        _ global: GlobalOptions, sandbox: Bool, _ body: @escaping @Sendable (AppContext) async throws -> ExitCode
    ) async throws -> ExitCode {
        let json = global.json
        if sandbox {
            return try await SandboxRunner.withSandbox(log: nil) { overrides in
                do {
                    return try await AppContext.with(global, overrides: overrides, body)
                } catch {
                    return Failure.report(error, json: json)
                }
            }
        }
        do {
            return try await AppContext.with(global, body)
        } catch {
            return Failure.report(error, json: json)
        }
    }

    /// Asks `question` on the terminal (stderr, answer on stdin) unless `yes`; without a terminal, refuses with a
    /// usage error naming `--yes` so a script never hangs or acts unasked.
    static func confirm(_ question: String, yes: Bool) async throws -> Bool {
        if yes { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("\(question) — not a terminal, so nothing was done; add --yes to confirm in scripts")
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer: String? = await withCheckedContinuation { continuation in
            // A blocking read of stdin on its own thread; the command waits for it either way.
            Thread.detachNewThread { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
        }
        return ["y", "yes"].contains(answer?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
    }

    /// An ISO 8601 date, or JSON null.
    static func json(_ date: Date?) -> JSONValue { date.map { .string($0.formatted(.iso8601)) } ?? .null }
    /// A string, or JSON null.
    static func json(_ text: String?) -> JSONValue { text.map { .string(Redaction.redact($0)) } ?? .null }
    /// A list of strings.
    static func json(_ list: [String]) -> JSONValue { .array(list.map { .string(Redaction.redact($0)) }) }

    /// An error as the owner-control commands print it in JSON (`code`, `message`, `remediation`).
    static func json(_ error: (any Error)?) -> JSONValue {
        guard let error else { return .null }
        let wrapped = error as? PublishError ?? PublishError.wrapping(error, platform: nil)
        return .object([
            "code": .string(wrapped.displayCode), "message": .string(wrapped.redactedMessage),
            "remediation": json(wrapped.remediation),
        ])
    }
}
