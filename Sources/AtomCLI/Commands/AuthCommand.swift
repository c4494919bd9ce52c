import ArgumentParser
import Foundation
import OAuthLogin
import PlatformKit
import PublishingCore

/// The platforms `atom auth` can log in to, in the order `--help` lists them (the plug-ins with a login).
enum AuthProviders {
    static var all: [OAuthProviderFactory] { Registry.logins }

    static func factory(named name: String) -> OAuthProviderFactory? {
        all.first { $0.platform.rawValue == name.lowercased() }
    }

    /// Where `--page` applies: "a, or b with --variant".
    static var pageTargets: String {
        let direct = Registry.plugins.filter { $0.pageSelection != nil }.map(\.name)
        let variants = PluginFlags.loginVariants.filter { $0.variant.pageSelection != nil }
            .map { "\($0.platform) with --\($0.variant.flag.name)" }
        return Registry.spelled(direct + variants)
    }
}

struct AuthLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "OAuth login for a platform; writes the tokens to the .env file in use (`atom platforms` names it).",
        discussion: """
            Opens the browser, catches the redirect on 127.0.0.1, exchanges the code (with PKCE where the platform \
            supports it) and writes only that platform's keys to the .env file (atomically, mode 0600). The app's \
            client id and secret must be in the .env first; docs/auth.md says where to get them per platform.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "\(Registry.spelled(AuthProviders.all.map(\.platform.rawValue))).", completion: .list(AuthProviders.all.map(\.platform.rawValue)))
    var platform: String

    @Flag(
        name: .customLong("no-browser"),
        help: "Print the URL and read the redirect URL (or code) from stdin (for SSH sessions).")
    var noBrowser = false

    @Option(help: "The loopback port for the redirect (default: a free one, or the one the platform's app registration needs).")
    var port: Int?

    @Option(
        name: .customLong("redirect-uri"),
        help: "A registered redirect URI (e.g. https) to use instead of loopback; implies pasting the redirect URL.")
    var redirectURI: String?

    @Option(name: .customLong(PluginFlags.loginOption), help: PluginFlags.loginHelp)
    var loginVariants: [String] = []

    @Flag var variantFlags: [LoginVariantFlag] = []

    @Option(help: "Seconds to wait for the browser redirect.")
    var timeout: Int = 300

    @Option(
        name: .customLong("page"),
        help: "\(AuthProviders.pageTargets): the id of the Page to use when the login grants several.")
    var page: String?

    func validate() throws {
        try PlatformName.check(platform, known: AuthProviders.all.map(\.platform.rawValue))
        let variants = try chosenVariants()
        if let page {
            guard let selection = pageSelection(variants) else {
                throw ValidationError("--page applies to \(AuthProviders.pageTargets)")
            }
            guard !page.isEmpty, page.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationError("--page must be a numeric \(selection.noun)")
            }
        }
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be 0-65535") }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
        if let redirectURI {
            guard let url = URL(string: redirectURI), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host() != nil,
                url.fragment == nil
            else {
                throw ValidationError("--redirect-uri must be an absolute http(s) URI without a fragment")
            }
        }
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            // `atom auth --env-file new.env` creates the file: a missing one is fine here.
            return try await AppContext.with(global, creatingEnvFile: true) { app in try await login(app) }
        }
    }

    /// The login variants asked for; each must be one the platform's plug-in declares.
    private func chosenVariants() throws -> [LoginVariant] {
        try (loginVariants + variantFlags.map(\.name)).map { flag in
            let declared = PluginFlags.loginVariants.filter { $0.variant.flag.name == flag }
            guard let found = declared.first(where: { $0.platform == platform.lowercased() }) else {
                let owners = declared.map(\.platform)
                throw ValidationError(
                    owners.isEmpty ? "unknown login variant '\(flag)'" : "--\(flag) applies to \(Registry.spelled(owners)) only")
            }
            return found.variant
        }
    }

    /// What `--page` fills: the variant's choice, else the platform's.
    private func pageSelection(_ variants: [LoginVariant]) -> PageSelection? {
        variants.lazy.compactMap(\.pageSelection).first ?? Registry.plugin(named: platform)?.pageSelection
    }

    private func login(_ app: AppContext) async throws -> ExitCode {
        guard let factory = AuthProviders.factory(named: platform) else { return Exit.usage }
        // The tokens go to the .env file in use; the XDG default's folder is created (0700) on first login.
        try app.paths.createEnvFileFolder()
        var chosen: [String: String] = [:]
        let variants = try chosenVariants()
        for variant in variants { chosen.merge(variant.settings) { _, new in new } }
        // --page picks among the granted pages exactly as the setting it fills does (no prompt).
        if let page, let selection = pageSelection(variants) { chosen[selection.setting] = page }
        let credentials: any CredentialStore =
            chosen.isEmpty
            ? app.credentials
            : ChainedCredentialStore([MemoryCredentialStore(chosen), app.credentials], writer: app.credentials)
        let provider = try factory.makeProvider(credentials)
        let context = OAuthContext(
            transport: app.transport, console: TerminalLoginConsole.make(), credentials: credentials, logger: app.logger
        )
        let options = OAuthLogin.Options(
            useBrowser: !noBrowser, port: port, redirectURI: redirectURI.flatMap(URL.init(string:)),
            timeout: .seconds(timeout))
        let report = try await OAuthLogin(provider: provider, context: context).run(options)

        let shadowed = report.keys.filter { app.processEnvironment[$0] != nil }
        if global.json {
            struct Payload: Encodable {
                var platform: String
                var envFile: String
                var keys: [String]
                var notes: [String]
            }
            try Output.json(
                Payload(
                    platform: report.platform.rawValue, envFile: app.dotEnv.path, keys: report.keys, notes: report.notes
                ))
        } else {
            Console.out(
                "atom: \(provider.displayName) authorized; wrote \(report.keys.joined(separator: ", ")) to \(app.dotEnv.path)"
            )
        }
        if !global.quiet { for note in report.notes { Console.info("note: \(note)") } }
        if !shadowed.isEmpty {
            Console.info(
                "note: \(shadowed.joined(separator: ", ")) \(shadowed.count == 1 ? "is" : "are") also set in the environment, which overrides the .env file; unset \(shadowed.count == 1 ? "it" : "them") to use the new tokens"
            )
        }
        return Exit.ok
    }
}

/// The real terminal: `xdg-open`/`open` for the browser, stderr for messages, stdin for answers.
enum TerminalLoginConsole {
    static func make() -> LoginConsole {
        LoginConsole(
            openBrowser: { url in await openBrowser(url) },
            inform: { Console.info($0) },
            readLine: { prompt in
                FileHandle.standardError.write(Data(prompt.utf8))
                return await withCheckedContinuation { continuation in
                    // A blocking read of stdin on its own thread; the process ends soon after the login either way.
                    Thread.detachNewThread { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
                }
            },
            isInteractive: isatty(STDIN_FILENO) == 1
        )
    }

    /// Starts `open` (macOS) or `xdg-open` (elsewhere) if it is on the PATH; `false` if it is missing or failed
    /// (no desktop session), so the URL is printed instead.
    static func openBrowser(_ url: URL) async -> Bool {
        #if os(macOS)
            let tools = ["open"]
        #else
            let tools = ["xdg-open"]  // not `open`: on Linux that is openvt
        #endif
        let path = Launch.environment["PATH"] ?? "/usr/bin:/bin"
        for tool in tools {
            for directory in path.split(separator: ":") {
                let executable = "\(directory)/\(tool)"
                guard FileManager.default.isExecutableFile(atPath: executable) else { continue }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = [url.absoluteString]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                let status: Int32? = await withCheckedContinuation { continuation in
                    process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                    do { try process.run() } catch {
                        process.terminationHandler = nil
                        continuation.resume(returning: nil)
                    }
                }
                return status == 0
            }
        }
        return false
    }
}
