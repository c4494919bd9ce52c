import Foundation

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
    /// - Returns: The id and secret.
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
                remediation: "\(whereToGetThem); add \(idKey) and \(secretKey) as KEY=value lines to the .env file (see docs/auth.md)")
        }
        return OAuthClientCredentials(id: id, secret: secret)
    }

    /// Never shows the secret.
    public var description: String { "OAuthClientCredentials(id: \(id), secret: \(Redaction.mask))" }
}
