import Foundation
import GraphAPISupport
import PublishingCore

extension PlatformID {
    /// Instagram Reels, through the Instagram Graph API.
    public static let instagram = PlatformID("instagram")
}

/// Everything the Instagram adapter reads from the credential store, resolved once at construction.
///
/// Keys (CONTRACT.md): `INSTAGRAM_ACCESS_TOKEN`, `INSTAGRAM_USER_ID` (required); `INSTAGRAM_LOGIN`
/// (`instagram`, the default, or `facebook`), `INSTAGRAM_UPLOAD_MODE` (`url`, the default, or `resumable`),
/// `INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT`, and the endpoint overrides `ATOM_INSTAGRAM_API_BASE`,
/// `ATOM_GRAPH_API_BASE`, `ATOM_RUPLOAD_BASE`, `ATOM_GRAPH_API_VERSION`.
public struct InstagramConfiguration: Sendable {
    /// Which of Meta's two Instagram API setups the token belongs to. The two are mutually exclusive per
    /// app and a token of one does not work on the other's host, so the choice is an explicit key
    /// (`INSTAGRAM_LOGIN`) rather than a guess from the token's shape.
    public enum Login: String, Sendable, CaseIterable {
        /// "Instagram API with Instagram Login": Instagram User token, host `graph.instagram.com`,
        /// long-lived token refreshed with `refresh_access_token`.
        case instagram
        /// "Instagram API with Facebook Login": Facebook User (or Page) token, host `graph.facebook.com`;
        /// the only setup with documented resumable (rupload) uploads.
        case facebook
    }

    /// How Instagram gets the video.
    public enum UploadMode: String, Sendable, CaseIterable {
        /// Instagram fetches the staged copy (`video_url`).
        case url
        /// atom pushes the bytes to rupload (`upload_type=resumable`); Facebook Login only.
        case resumable
    }

    /// The Instagram Login host.
    public static let defaultInstagramAPIBase = builtIn("https://graph.instagram.com")
    /// The Facebook Login (Graph API) host.
    public static let defaultGraphAPIBase = builtIn("https://graph.facebook.com")
    /// The resumable-upload host.
    public static let defaultRuploadBase = builtIn("https://rupload.facebook.com")

    private static func builtIn(_ text: String) -> URL {
        guard let url = URL(string: text) else { preconditionFailure("invalid built-in URL \(text)") }
        return url
    }

    /// The access token (Instagram User token or Facebook token, per ``login``).
    public var accessToken: String
    /// When the access token expires, if known (`INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT`).
    public var accessTokenExpiresAt: Date?
    /// The Instagram professional account id (`INSTAGRAM_USER_ID`).
    public var userID: String
    /// Which API setup the token belongs to.
    public var login: Login
    /// Why atom uses ``login``: `INSTAGRAM_LOGIN` set explicitly, or the token's shape (shown by `--dry-run`).
    public var loginReason: String = "set by the caller"
    /// Set when the token fits neither setup and `INSTAGRAM_LOGIN` is unset: any call to Meta fails with it (78),
    /// while offline checks (`atom validate`) still run.
    public var loginProblem: PublishError?
    /// How Instagram gets the video.
    public var uploadMode: UploadMode
    /// The Graph host used for this login: `graph.instagram.com` or `graph.facebook.com` (or an override).
    public var baseURL: URL
    /// The Instagram Login host (`refresh_access_token` lives there).
    public var instagramAPIBase: URL
    /// The rupload host, used when a container answer carries no `uri`.
    public var ruploadBase: URL
    /// The `v24.0`-style Graph API version.
    public var apiVersion: String
    /// Refresh an Instagram Login token this long before it expires. Refreshing needs a token at least
    /// 24 hours old; 30 days before the 60-day expiry stays far from that while surviving a month idle.
    public var refreshMargin: TimeInterval
    /// The first wait between two container status polls; it doubles up to ``maxPollInterval``.
    public var initialPollInterval: Duration
    /// The longest wait between two status polls (Meta suggests about once a minute).
    public var maxPollInterval: Duration

    /// Creates a configuration from explicit values (`apiVersion` `nil` is atom's default Graph version).
    public init(
        accessToken: String, userID: String, login: Login = .instagram, uploadMode: UploadMode = .url,
        accessTokenExpiresAt: Date? = nil, baseURL: URL? = nil, instagramAPIBase: URL = Self.defaultInstagramAPIBase,
        ruploadBase: URL = Self.defaultRuploadBase, apiVersion: String? = nil,
        refreshMargin: TimeInterval = 30 * 86_400,
        initialPollInterval: Duration = .seconds(5), maxPollInterval: Duration = .seconds(60)
    ) {
        self.accessToken = accessToken
        self.userID = userID
        self.login = login
        self.uploadMode = uploadMode
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.instagramAPIBase = instagramAPIBase
        self.baseURL = baseURL ?? (login == .instagram ? instagramAPIBase : Self.defaultGraphAPIBase)
        self.ruploadBase = ruploadBase
        self.apiVersion = apiVersion ?? GraphAPIVersion.default
        self.refreshMargin = refreshMargin
        self.initialPollInterval = initialPollInterval
        self.maxPollInterval = maxPollInterval
        Redaction.register(secret: accessToken)
    }

    /// Reads the configuration from a credential store.
    /// - Throws: ``PublishError`` (`configuration`) naming a missing or malformed key.
    public init(store: any CredentialStore) throws {
        let platform = PlatformID.instagram
        let reauth = "run `atom auth instagram`"
        let token = try store.required("INSTAGRAM_ACCESS_TOKEN", platform: platform, remediation: reauth)
        let userID = try store.required("INSTAGRAM_USER_ID", platform: platform, remediation: reauth)
        guard userID.allSatisfy(\.isASCII), userID.allSatisfy(\.isNumber) else {
            throw PublishError(
                .configuration, platform: platform,
                message: "INSTAGRAM_USER_ID must be the numeric Instagram account id",
                remediation: reauth)
        }
        let (login, reason, problem) = try Self.login(token: token, store: store)
        let mode = try Self.choice("INSTAGRAM_UPLOAD_MODE", in: store, default: UploadMode.url)
        if mode == .resumable, login != .facebook {
            throw PublishError(
                .configuration, platform: platform,
                message:
                    "INSTAGRAM_UPLOAD_MODE=resumable needs Facebook Login: Meta documents rupload uploads only for the Instagram API with Facebook Login",
                remediation: "set INSTAGRAM_UPLOAD_MODE=url, or INSTAGRAM_LOGIN=facebook with a Facebook Login token"
            )
        }
        var expiresAt: Date?
        if let raw = try store.nonEmpty("INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT") {
            guard let date = InstagramDates.parse(raw) else {
                throw PublishError(
                    .configuration, platform: platform,
                    message: "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT is not an ISO 8601 date or a Unix time",
                    remediation: "write it like 2026-12-01T18:00:00Z, or remove the line")
            }
            expiresAt = date
        }
        let instagramBase = try Self.url("ATOM_INSTAGRAM_API_BASE", in: store) ?? Self.defaultInstagramAPIBase
        let graphBase = try Self.url("ATOM_GRAPH_API_BASE", in: store) ?? Self.defaultGraphAPIBase
        let ruploadBase = try Self.url("ATOM_RUPLOAD_BASE", in: store) ?? Self.defaultRuploadBase
        let version = try store.nonEmpty("ATOM_GRAPH_API_VERSION") ?? GraphAPIVersion.default
        guard version.range(of: #"^v[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil else {
            throw PublishError(
                .configuration, platform: platform, message: "ATOM_GRAPH_API_VERSION must look like v24.0",
                remediation: "fix or remove ATOM_GRAPH_API_VERSION")
        }
        self.init(
            accessToken: token, userID: userID, login: login, uploadMode: mode, accessTokenExpiresAt: expiresAt,
            baseURL: login == .instagram ? instagramBase : graphBase, instagramAPIBase: instagramBase,
            ruploadBase: ruploadBase, apiVersion: version
        )
        self.loginReason = reason
        self.loginProblem = problem
    }

    /// The API setup: `INSTAGRAM_LOGIN` when set, else the token's shape. Instagram Login issues Instagram User
    /// tokens starting `IG`; Facebook Login (Graph API Explorer, most guides) issues Facebook tokens starting
    /// `EAA`. Sent to the other setup's host, either answers `190 Invalid OAuth access token - Cannot parse access
    /// token`, so atom never guesses.
    static func login(token: String, store: any CredentialStore) throws -> (Login, String, PublishError?) {
        if try store.nonEmpty("INSTAGRAM_LOGIN") != nil {
            let login = try Self.choice("INSTAGRAM_LOGIN", in: store, default: Login.instagram)
            return (login, "INSTAGRAM_LOGIN=\(login.rawValue)", nil)
        }
        if token.hasPrefix("IG") { return (.instagram, "the token starts with IG (an Instagram Login token)", nil) }
        if token.hasPrefix("EAA") { return (.facebook, "the token starts with EAA (a Facebook Login token)", nil) }
        let problem = PublishError(
            .configuration, platform: .instagram,
            message:
                "INSTAGRAM_ACCESS_TOKEN fits neither API setup: Instagram Login tokens start with IG "
                + "(graph.instagram.com), Facebook Login tokens with EAA (graph.facebook.com)",
            remediation:
                "run `atom auth instagram` (or `atom auth instagram --facebook-login`), or set INSTAGRAM_LOGIN=instagram "
                + "or INSTAGRAM_LOGIN=facebook")
        return (.instagram, "the token fits neither setup", problem)
    }

    /// The keys the adapter reads, for `atom platforms --json`.
    public static let optionalKeys = [
        "INSTAGRAM_LOGIN", "INSTAGRAM_UPLOAD_MODE", "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT", "INSTAGRAM_APP_ID",
        "INSTAGRAM_APP_SECRET",
        "ATOM_INSTAGRAM_API_BASE", "ATOM_GRAPH_API_BASE", "ATOM_RUPLOAD_BASE", "ATOM_GRAPH_API_VERSION",
    ]

    private static func choice<T: RawRepresentable & CaseIterable>(
        _ key: String, in store: any CredentialStore, default value: T
    ) throws -> T
    where T.RawValue == String {
        guard let raw = try store.nonEmpty(key) else { return value }
        guard let parsed = T(rawValue: raw.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: " or ")
            throw PublishError(
                .configuration, platform: .instagram, message: "\(key)=\(raw) is not valid (expected \(allowed))",
                remediation: "fix \(key) in your .env file")
        }
        return parsed
    }

    private static func url(_ key: String, in store: any CredentialStore) throws -> URL? {
        guard let raw = try store.nonEmpty(key) else { return nil }
        let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        return try UploadHostPolicy.overrideBase(trimmed, key: key, platform: .instagram)
    }
}

/// The formats of `INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT`.
enum InstagramDates {
    /// Parses ISO 8601 (`2026-12-01T18:00:00Z`) or Unix seconds.
    static func parse(_ text: String) -> Date? {
        if let seconds = Int64(text) { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return try? Date(text, strategy: .iso8601)
    }
}
