import ArgumentParser
import Foundation
import PublishingCore

/// `atom auth revoke <platform>|--all`: end the grant at the platform, then drop its tokens from the `.env`.
struct AuthRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke atom's grant at a platform and remove that platform's tokens from the .env.",
        discussion: """
            Calls the platform's revocation endpoint where the stored token can call one; where there is none atom says \
            where to remove the app by hand. Then it removes that platform's token keys from the .env file, keeping \
            the app id and secret and every other line. If the platform call fails, the keys stay unless --force.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The platform whose grant to revoke.")
    var platform: String?

    @Flag(help: "Revoke every configured platform.")
    var all = false

    @Flag(help: "Do not ask for confirmation (for scripts).")
    var yes = false

    @Flag(help: "Remove the tokens from the .env even when the platform call failed (the grant may remain).")
    var force = false

    @Flag(help: "Revoke the built-in sandbox's grants (the .env file is not touched).")
    var sandbox = false

    func validate() throws {
        switch (platform, all) {
        case (nil, false): throw ValidationError("name a platform, or --all")
        case (.some, true): throw ValidationError("name a platform or give --all, not both")
        case (let name?, false): try OwnerControl.validate(platform: name)
        default: break
        }
    }

    func run() async throws {
        let names = platform.map { [$0.lowercased()] } ?? Registry.accounts.map(\.platform.rawValue)
        let (json, yes, force) = (global.json, yes, force)
        throw try await OwnerControl.run(global, sandbox: sandbox) { app in
            var results: [JSONValue] = []
            var failed = false
            var dotEnv = app.dotEnv
            for name in names {
                guard let factory = OwnerControl.account(named: name) else { continue }
                let present = try factory.tokenKeys.filter { try app.credentials.nonEmpty($0) != nil }
                if present.isEmpty {
                    if platform != nil { Console.info("\(name): no tokens in \(dotEnv.path); nothing to revoke") }
                    continue
                }
                let question =
                    "Revoke atom's \(factory.displayName) grant and remove \(present.joined(separator: ", ")) from "
                    + (app.sandbox ? "the sandbox" : dotEnv.path) + "?"
                guard try await OwnerControl.confirm(question, yes: yes) else {
                    Console.info("\(name): not revoked")
                    continue
                }
                var outcome: Revocation?
                var failure: PublishError?
                do {
                    outcome = try await factory.make(app.publisherEnvironment).revoke()
                } catch {
                    failure = (error as? PublishError ?? PublishError.wrapping(error, platform: factory.platform))
                        .attributed(to: factory.platform)
                }
                var removed: [String] = []
                if failure == nil || force {
                    if !app.sandbox {
                        let result = try dotEnv.removing(Set(factory.tokenKeys))
                        removed = result.removed
                        dotEnv = result.file
                    }
                }
                let shadowed = removed.filter { app.processEnvironment[$0] != nil }
                switch (outcome, failure) {
                case (.revoked(let text)?, _):
                    Console.info("\(name): revoked — \(text)")
                case (.manual(let text)?, _):
                    Console.info("\(name): atom cannot revoke this grant itself — \(text)")
                case (nil, let error?):
                    Console.error(
                        "atom: error: \(error.description)"
                            + (force
                                ? "; the tokens were removed anyway (--force) but the grant may remain at "
                                    + factory.displayName
                                : "; the tokens were kept (the grant may remain): fix the problem and run again, "
                                    + "or add --force")
                    )
                    failed = failed || !force
                default: break
                }
                if app.sandbox {
                    Console.info("\(name): sandbox: its settings last this run only; the .env file was not touched")
                } else if !removed.isEmpty {
                    Console.info(
                        "\(name): removed \(removed.joined(separator: ", ")) from "
                            + dotEnv.path)
                }
                if !shadowed.isEmpty {
                    Console.info(
                        "note: \(shadowed.joined(separator: ", ")) also set in the environment; unset them too")
                }
                let status: String =
                    switch (outcome, failure) {
                    case (.revoked?, _): "revoked"
                    case (.manual?, _): "manual"
                    default: "failed"
                    }
                var manual: String?
                if case .manual(let text)? = outcome { manual = text }
                var detail: String?
                if case .revoked(let text)? = outcome { detail = text }
                results.append(
                    .object([
                        "platform": .string(name), "status": .string(status), "detail": OwnerControl.json(detail),
                        "manual": OwnerControl.json(manual), "keysRemoved": OwnerControl.json(removed),
                        "error": OwnerControl.json(failure),
                    ]))
                if !json {
                    Console.out(
                        "\(name) \(status)" + (removed.isEmpty ? "" : " (removed \(removed.joined(separator: ", ")))"))
                }
            }
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)), "results": .array(results),
                    ]))
            }
            return failed ? Exit.platformFailed : Exit.ok
        }
    }
}
