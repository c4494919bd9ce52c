import Foundation
import PublishingCore

/// Runs one OAuth login the way good CLIs do (gcloud, gh): open the browser, catch the redirect on
/// loopback (or read the pasted redirect URL), check `state`, exchange the code with PKCE, and write
/// the platform's keys to the `.env`.
///
/// ```swift
/// let login = OAuthLogin(provider: try OAuthProviderFactory.tiktok().makeProvider(store), context: context)
/// let report = try await login.run(.init())
/// print("wrote", report.keys)
/// ```
public struct OAuthLogin: Sendable {
    /// How the login runs.
    public struct Options: Sendable {
        /// Open the browser and listen on loopback (`true`), or print the URL and read the pasted
        /// redirect (`false`, `--no-browser`).
        public var useBrowser: Bool
        /// The loopback port (`--port`); `nil` uses the platform's fixed port or a free one.
        public var port: Int?
        /// A registered redirect URI (`--redirect-uri`); implies paste mode, no listener.
        public var redirectURI: URL?
        /// How long to wait for the loopback redirect.
        public var timeout: Duration

        /// Creates options; the defaults open the browser and wait 5 minutes on a free or the platform's port.
        public init(
            useBrowser: Bool = true, port: Int? = nil, redirectURI: URL? = nil, timeout: Duration = .seconds(300)
        ) {
            self.useBrowser = useBrowser
            self.port = port
            self.redirectURI = redirectURI
            self.timeout = timeout
        }
    }

    /// What a finished login did.
    public struct Report: Sendable {
        /// The platform.
        public var platform: PlatformID
        /// The keys written to the `.env`, sorted (never their values).
        public var keys: [String]
        /// Lines for the user (the account or Page chosen, scopes not granted, expiry).
        public var notes: [String]
        /// The redirect URI used.
        public var redirectURI: URL
    }

    /// The platform's part.
    public let provider: any OAuthProvider
    /// Transport, console, settings (also where the keys are written), clock.
    public let context: OAuthContext
    /// Measures the loopback timeout.
    public let clock: any Clock<Duration>

    /// Creates a login.
    public init(provider: any OAuthProvider, context: OAuthContext, clock: any Clock<Duration> = ContinuousClock()) {
        self.provider = provider
        self.context = context
        self.clock = clock
    }

    private var command: String { "atom auth \(provider.platform)" }

    /// Runs the login and writes the keys.
    /// - Returns: Which keys were written.
    /// - Throws: ``PublishError``: `permissionDenied` (consent denied), `authentication` (state mismatch,
    ///   rejected code), `timeout` (no redirect in time), `configuration` (port in use), `storage` (the
    ///   `.env` could not be written), or the platform's errors.
    public func run(_ options: Options) async throws -> Report {
        do {
            return try await login(options)
        } catch {
            throw PublishError.wrapping(error, platform: provider.platform)
        }
    }

    private func login(_ options: Options) async throws -> Report {
        let state = Self.makeState()
        let pkce = provider.pkce.map { PKCE.generate(encoding: $0) }
        let grant: AuthorizationGrant
        if options.useBrowser, options.redirectURI == nil {
            grant = try await viaLoopback(options, state: state, pkce: pkce)
        } else {
            grant = try await viaPaste(options, state: state, pkce: pkce)
        }
        context.console.inform("Authorization received; exchanging the code for tokens…")
        let result = try await provider.redeem(grant, context: context)
        do {
            try context.credentials.set(result.values)
        } catch {
            let wrapped = PublishError.wrapping(error, platform: provider.platform)
            throw PublishError(
                .storage, platform: provider.platform, message: "the tokens could not be saved: \(wrapped.message)",
                remediation: "check that the .env file and its folder are writable, then run `\(command)` again")
        }
        return Report(
            platform: provider.platform, keys: result.values.keys.sorted(), notes: result.notes,
            redirectURI: grant.redirectURI)
    }

    // MARK: Loopback

    private func viaLoopback(_ options: Options, state: String, pkce: PKCE?) async throws -> AuthorizationGrant {
        let rule = provider.loopback
        let port = options.port ?? rule.defaultPort ?? 0
        let (code, redirect, parameters) = try await LoopbackRedirectReceiver.withReceiver(
            port: port, path: rule.path, expectedState: state, pages: .standard(platformName: provider.displayName),
            ignored: { [console = context.console] line in console.inform(line) }
        ) { listening in
            let redirect = rule.uri(port: listening.port)
            let url = try provider.authorizationURL(
                for: AuthorizationRequest(redirectURI: redirect, state: state, pkce: pkce))
            let console = context.console
            console.inform("Opening your browser to authorize atom with \(provider.displayName)…")
            if await console.openBrowser(url) {
                console.inform("If it did not open, visit this URL:\n  \(url.absoluteString)")
            } else {
                console.inform("Open this URL in a browser on this machine:\n  \(url.absoluteString)")
            }
            console.inform(
                "Waiting for the redirect to \(redirect.absoluteString) (Ctrl-C cancels; on a remote machine use --no-browser)…"
            )
            let callback = try await listening.callback(timeout: options.timeout, clock: clock)
            let code = try callback.authorizationCode(
                expectedState: state, platform: provider.platform, command: command)
            return (code, redirect, callback.parameters)
        }
        return AuthorizationGrant(code: code, redirectURI: redirect, pkce: pkce, parameters: parameters)
    }

    // MARK: Paste

    private func viaPaste(_ options: Options, state: String, pkce: PKCE?) async throws -> AuthorizationGrant {
        let rule = provider.loopback
        let redirect =
            options.redirectURI ?? rule.uri(port: options.port ?? rule.defaultPort ?? LoopbackRedirectRule.pastePort)
        let url = try provider.authorizationURL(
            for: AuthorizationRequest(redirectURI: redirect, state: state, pkce: pkce))
        let console = context.console
        // With a registered redirect URI (and no --no-browser) the browser still opens here; the user pastes where it lands.
        if options.useBrowser, await console.openBrowser(url) {
            console.inform(
                "Opened your browser to authorize atom with \(provider.displayName). If it did not open, visit:\n  \(url.absoluteString)"
            )
        } else {
            console.inform(
                "Open this URL in a browser (on any machine) and approve atom's access to \(provider.displayName):\n  \(url.absoluteString)"
            )
        }
        console.inform(
            """
            The browser then goes to \(redirect.absoluteString)?code=… — that page may fail to load, which is fine. \
            Copy the full address from the browser's address bar (or just the code) and paste it here.
            """)
        for attempt in 1...3 {
            guard let line = try await console.readLine("Redirect URL or code: ") else {
                // End of input is not Ctrl-C: the login did not complete (exit 1), it was not interrupted (130).
                throw PublishError(
                    .authentication, platform: provider.platform,
                    message: "no redirect URL or code was entered; nothing was saved",
                    remediation: "run `\(command) --no-browser` again and paste the address the browser ends up on")
            }
            switch PastedRedirect.parse(line) {
            case .callback(let callback):
                let code = try callback.authorizationCode(
                    expectedState: state, platform: provider.platform, command: command)
                return AuthorizationGrant(
                    code: code, redirectURI: redirect, pkce: pkce, parameters: callback.parameters)
            case .code(let code):
                return AuthorizationGrant(code: code, redirectURI: redirect, pkce: pkce)
            case .empty:
                if attempt < 3 { console.inform("That is neither a redirect URL with ?code=… nor a code; try again.") }
            }
        }
        throw PublishError(
            .invalidInput, platform: provider.platform,
            message: "no redirect URL or code was recognised; nothing was saved",
            remediation: "run `\(command) --no-browser` again")
    }

    /// 32 random bytes, base64url: the anti-CSRF `state` of one attempt.
    static func makeState() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
