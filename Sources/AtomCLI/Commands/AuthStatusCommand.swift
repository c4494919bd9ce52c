import ArgumentParser
import Foundation
import PublishingCore

/// `atom auth status [platform]`: each configured platform's grant, checked live.
struct AuthStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Check each configured platform's grant live: account, scopes, expiry, refresh.",
        discussion: """
            For each platform with tokens in the .env: the account the token belongs to, the scopes granted against \
            those atom needs, the access token's expiry (and the refresh token's where the platform tells it), and \
            whether a refresh works (atom refreshes, and saves, only a token that expired). Exit 0 when every \
            configured platform is usable, 78 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only this platform.")
    var platform: String?

    @Flag(help: "Check the built-in sandbox's accounts instead of the real ones.")
    var sandbox = false

    func validate() throws {
        if let platform { try OwnerControl.validate(platform: platform) }
    }

    func run() async throws {
        let platform = platform
        let json = global.json
        throw try await OwnerControl.run(global, sandbox: sandbox) { app in
            let rows = await Self.check(app, only: platform)
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)),
                        "platforms": .array(rows.map(\.json)),
                    ]))
            } else {
                Console.out(rows.map(\.text).joined(separator: "\n"))
            }
            let usable = rows.allSatisfy { !$0.configured || $0.usable }
            let named = platform == nil || rows.contains { $0.configured }
            return usable && named ? Exit.ok : Exit.configuration
        }
    }

    /// One platform's line in `auth status` (and in `atom doctor`).
    struct Row: Sendable {
        var platform: String
        var displayName: String
        var configured: Bool
        var missingKeys: [String]
        var status: AccountStatus?
        var error: PublishError?

        var usable: Bool { configured && error == nil && (status?.isUsable ?? false) }

        /// Every problem with its fix, as `message — fix`.
        var problems: [(message: String, fix: String)] {
            if !configured {
                return [
                    ("not configured (missing \(missingKeys.joined(separator: ", ")))", "run `atom auth \(platform)`")
                ]
            }
            if let error { return [(error.redactedMessage, error.remediation ?? "run `atom auth \(platform)`")] }
            return status?.problems.map { ($0.message, $0.remediation) } ?? []
        }

        var text: String {
            guard configured else {
                return
                    "\(platform): not configured — missing \(missingKeys.joined(separator: ", ")); run `atom auth \(platform)`"
            }
            var lines: [String] = []
            let account =
                status.map { status in
                    [status.account, status.accountID.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
                } ?? ""
            lines.append("\(platform): \(usable ? "usable" : "NOT usable")" + (account.isEmpty ? "" : " — \(account)"))
            if let status {
                if let scopes = status.scopes { lines.append("  scopes: \(scopes.joined(separator: " "))") }
                if !status.missingScopes.isEmpty {
                    lines.append("  missing scopes: \(status.missingScopes.joined(separator: ", "))")
                }
                let expiry =
                    status.accessTokenNeverExpires
                    ? "never expires"
                    : status.accessTokenExpiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "expiry unknown"
                lines.append("  access token: \(expiry); refresh: \(Self.describe(status.refresh))")
                if let refresh = status.refreshTokenExpiresAt {
                    lines.append("  refresh token / data access expires \(refresh.formatted(.iso8601))")
                }
                for note in status.notes { lines.append("  note: \(note)") }
            }
            for problem in problems { lines.append("  problem: \(problem.message) — fix: \(problem.fix)") }
            return Redaction.redact(lines.joined(separator: "\n"))
        }

        static func describe(_ refresh: AccountStatus.Refresh) -> String {
            switch refresh {
            case .notNeeded: "not needed (token still valid)"
            case .refreshed: "refreshed and saved"
            case .notSupported: "not applicable"
            case .failed: "FAILED"
            }
        }

        var json: JSONValue {
            .object([
                "platform": .string(platform),
                "name": .string(displayName),
                "configured": .bool(configured),
                "usable": .bool(usable),
                "missingKeys": OwnerControl.json(missingKeys),
                "account": OwnerControl.json(status?.account),
                "accountId": OwnerControl.json(status?.accountID),
                "scopes": status?.scopes.map(OwnerControl.json) ?? .null,
                "missingScopes": OwnerControl.json(status?.missingScopes ?? []),
                "accessTokenExpiresAt": OwnerControl.json(status?.accessTokenExpiresAt),
                "accessTokenNeverExpires": .bool(status?.accessTokenNeverExpires ?? false),
                "refreshTokenExpiresAt": OwnerControl.json(status?.refreshTokenExpiresAt),
                "refresh": status.map { .string($0.refresh.rawValue) } ?? .null,
                "problems": .array(
                    problems.map { .object(["message": .string($0.message), "remediation": .string($0.fix)]) }),
                "notes": OwnerControl.json(status?.notes ?? []),
                "error": OwnerControl.json(error),
            ])
        }
    }

    /// Checks every registered platform (or `only`), one after another: each check is a few small calls.
    static func check(_ app: AppContext, only: String?) async -> [Row] {
        var rows: [Row] = []
        for factory in Registry.accounts where only.map({ $0.lowercased() == factory.platform.rawValue }) ?? true {
            let missing = factory.missingKeys(in: app.credentials)
            var row = Row(
                platform: factory.platform.rawValue, displayName: factory.displayName, configured: missing.isEmpty,
                missingKeys: missing)
            if missing.isEmpty {
                do {
                    row.status = try await factory.make(app.publisherEnvironment).status()
                } catch {
                    row.error = (error as? PublishError ?? PublishError.wrapping(error, platform: factory.platform))
                        .attributed(to: factory.platform)
                }
            }
            rows.append(row)
        }
        return rows
    }
}
