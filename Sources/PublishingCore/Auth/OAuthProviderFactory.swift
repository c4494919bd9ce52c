import Foundation

/// Makes a platform's ``OAuthProvider`` from the settings, like ``PublisherFactory`` makes publishers.
///
/// Each adapter declares one (`extension OAuthProviderFactory { public static func tiktok() -> OAuthProviderFactory }`);
/// the CLI lists them. Nothing registers itself.
public struct OAuthProviderFactory: Sendable {
    /// The platform it logs in to.
    public let platform: PlatformID
    /// The platform's name for people.
    public let displayName: String
    private let build: @Sendable (any CredentialStore) throws -> any OAuthProvider

    /// Creates a factory.
    /// - Parameters:
    ///   - platform: The platform.
    ///   - displayName: Its name for people.
    ///   - build: Reads the app's client id and secret and the endpoint overrides from the store.
    public init(platform: PlatformID, displayName: String, build: @escaping @Sendable (any CredentialStore) throws -> any OAuthProvider) {
        self.platform = platform
        self.displayName = displayName
        self.build = build
    }

    /// Builds the provider.
    /// - Throws: ``PublishError`` (`configuration`) naming every missing key and where to get it.
    public func makeProvider(_ credentials: any CredentialStore) throws -> any OAuthProvider {
        do {
            return try build(credentials)
        } catch let error as PublishError {
            throw error.attributed(to: platform)
        }
    }
}

/// An app's OAuth client id and secret, read from the `.env`.
public struct OAuthClientCredentials: Sendable, CustomStringConvertible {
    /// The client id (TikTok's client key, Meta's app id).
    public var id: String
    /// The client secret.
    public var secret: String

    /// Creates credentials.
    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
        Redaction.register(secret: secret)
    }

    /// Reads both keys.
    /// - Parameters:
    ///   - idKey: e.g. `TIKTOK_CLIENT_KEY`.
    ///   - secretKey: e.g. `TIKTOK_CLIENT_SECRET`.
    ///   - store: The settings.
    ///   - platform: For the error.
    ///   - whereToGetThem: One sentence saying where the keys come from (developer portal and product).
    /// - Throws: ``PublishError`` (`configuration`, exit 78) naming every missing key.
    public static func load(
        idKey: String, secretKey: String, from store: any CredentialStore, platform: PlatformID, whereToGetThem: String
    ) throws -> OAuthClientCredentials {
        let id = try store.nonEmpty(idKey)
        let secret = try store.nonEmpty(secretKey)
        guard let id, let secret else {
            let missing = [id == nil ? idKey : nil, secret == nil ? secretKey : nil].compactMap { $0 }
            throw PublishError(
                .configuration, platform: platform,
                message: "\(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set",
                remediation: "\(whereToGetThem); put \(idKey)=… and \(secretKey)=… in the .env file (see docs/auth.md)")
        }
        return OAuthClientCredentials(id: id, secret: secret)
    }

    /// Never shows the secret.
    public var description: String { "OAuthClientCredentials(id: \(id), secret: \(Redaction.mask))" }
}

extension CredentialStore {
    /// An endpoint URL from an `ATOM_*` override, or the production default.
    /// - Throws: ``PublishError`` (`configuration`) when the override is not an absolute http(s) URL.
    public func oauthEndpointURL(_ key: String, default defaultURL: URL, platform: PlatformID? = nil) throws -> URL {
        guard let raw = try nonEmpty(key) else { return defaultURL }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host() != nil else {
            throw PublishError(.configuration, platform: platform, message: "\(key) is not an absolute http(s) URL: \(raw)",
                               remediation: "fix or remove \(key) in the .env file")
        }
        return url
    }
}

extension URL {
    /// This URL with `path` appended to its path (`/v2/oauth/token/` onto `https://host/prefix`).
    public func appendingOAuthPath(_ path: String) -> URL {
        var base = absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + (path.hasPrefix("/") ? path : "/" + path)) ?? self
    }
}
