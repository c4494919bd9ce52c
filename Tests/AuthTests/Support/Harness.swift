import AtomSandbox
import AtomTestSupport
import Foundation
import OAuthLogin
import OpenAPIRuntime
import PlatformKit
import PublishingCore

/// Runs logins in-process against loopback fakes, writing a real temporary `.env`.
struct AuthHarness: Sendable {
    let transport: any HTTPTransport
    let envPath: String
    let console: ScriptedConsole
    let browser: TestBrowser

    /// The `.env` a test starts from: a comment and an unrelated key that must survive.
    static let initialEnv = "# the owner's settings\nATOM_S3_BUCKET=my-bucket # keep me\n\n"

    /// A short loopback timeout: a login that works finishes in milliseconds.
    static let timeout: Duration = .seconds(20)

    /// Sets up a temp folder, a transport and a browser that follows URLs, then runs `body`.
    static func with<T>(
        answers: [String] = [], interactive: Bool = false, followsBrowser: Bool = true,
        _ body: (AuthHarness) async throws -> T
    ) async throws -> T {
        try await TemporaryDirectory.with { dir in
            let envPath = dir + "/.env"
            try initialEnv.write(toFile: envPath, atomically: true, encoding: .utf8)
            return try await TestTransport.with { transport in
                let browser = TestBrowser(transport: transport)
                let console = ScriptedConsole(
                    answers: answers, interactive: interactive,
                    browser: { url in
                        guard followsBrowser else { return true }
                        _ = try? await browser.authorize(url)
                        return true
                    })
                return try await body(
                    AuthHarness(transport: transport, envPath: envPath, console: console, browser: browser))
            }
        }
    }

    /// The settings store: `settings` over the `.env` file, writing to the file.
    func credentials(_ settings: [String: String]) throws -> any CredentialStore {
        let file = try DotEnvFile(path: envPath)
        return ChainedCredentialStore([MemoryCredentialStore(settings), file], writer: file)
    }

    /// Runs a login with `provider`.
    func login(
        _ provider: any OAuthProvider, settings: [String: String],
        options: OAuthLogin.Options = .init(timeout: AuthHarness.timeout),
        now: Date = Date(timeIntervalSince1970: 1_800_000_000)
    ) async throws -> OAuthLogin.Report {
        let context = OAuthContext(
            transport: transport, console: console.console, credentials: try credentials(settings), now: { now })
        return try await OAuthLogin(provider: provider, context: context).run(options)
    }

    /// Runs a login with the provider `factory` builds from `settings`.
    func login(
        _ factory: OAuthProviderFactory, settings: [String: String],
        options: OAuthLogin.Options = .init(timeout: AuthHarness.timeout)
    ) async throws -> OAuthLogin.Report {
        try await login(try factory.makeProvider(try credentials(settings)), settings: settings, options: options)
    }

    /// The `.env` file as written.
    var envText: String { (try? String(contentsOfFile: envPath, encoding: .utf8)) ?? "" }

    /// The `.env` values as written.
    func envValues() throws -> [String: String] { try DotEnvFile(path: envPath).values }

    /// The file's permission bits.
    func envMode() throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: envPath)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
