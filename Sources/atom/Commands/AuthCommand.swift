import ArgumentParser
import FacebookAdapter
import Foundation
import InstagramAdapter
import OAuthLogin
import PublishingCore
import TikTokAdapter
import YouTubeAdapter

/// The platforms `atom auth` can log in to, in the order `--help` lists them.
enum AuthProviders {
    static let all: [OAuthProviderFactory] = [.tiktok(), .instagram(), .youtube(), .facebook()]

    static func factory(named name: String) -> OAuthProviderFactory? {
        all.first { $0.platform.rawValue == name.lowercased() }
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

    @Argument(help: "tiktok, instagram, youtube or facebook.", completion: .list(AuthProviders.all.map(\.platform.rawValue)))
    var platform: String

    @Flag(
        name: .customLong("no-browser"),
        help: "Print the URL and read the redirect URL (or code) from stdin (for SSH sessions).")
    var noBrowser = false

    @Option(help: "The loopback port for the redirect (default: a free one; Facebook and Instagram use 8765).")
    var port: Int?

    @Option(
        name: .customLong("redirect-uri"),
        help: "A registered redirect URI (e.g. https) to use instead of loopback; implies pasting the redirect URL.")
    var redirectURI: String?

    @Flag(
        name: .customLong("facebook-login"),
        help: "instagram only: log in with Facebook Login (an Instagram account linked to a Page).")
    var facebookLogin = false

    @Option(help: "Seconds to wait for the browser redirect.")
    var timeout: Int = 300

    @Option(
        name: .customLong("page"),
        help: "facebook, or instagram with --facebook-login: the id of the Page to use when the login grants several.")
    var page: String?

    func validate() throws {
        try PlatformName.check(platform, known: AuthProviders.all.map(\.platform.rawValue))
        if facebookLogin, platform.lowercased() != "instagram" {
            throw ValidationError("--facebook-login applies to instagram only")
        }
        if let page {
            guard platform.lowercased() == "facebook" || facebookLogin else {
                throw ValidationError("--page applies to facebook, or instagram with --facebook-login")
            }
            guard !page.isEmpty, page.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationError("--page must be a numeric Facebook Page id")
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
        let code: ExitCode
        do {
            // `atom auth --env-file new.env` creates the file: a missing one is fine here.
            code = try await AppContext.with(global, creatingEnvFile: true) { app in try await login(app) }
        } catch {
            code = Failure.report(error, json: global.json)
        }
        throw code
    }

    private func login(_ app: AppContext) async throws -> ExitCode {
        guard let factory = AuthProviders.factory(named: platform) else { return Exit.usage }
        // The tokens go to the .env file in use; the XDG default's folder is created (0700) on first login.
        try app.paths.createEnvFileFolder()
        var chosen: [String: String] = [:]
        if facebookLogin { chosen["INSTAGRAM_LOGIN"] = "facebook" }
        // --page picks among the granted Pages exactly as FACEBOOK_PAGE_ID does (no prompt).
        if let page { chosen["FACEBOOK_PAGE_ID"] = page }
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
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
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
