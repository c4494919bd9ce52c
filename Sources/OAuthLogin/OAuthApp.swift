import Foundation
import PublishingCore

/// The app a login flow signs in through: its client id and secret from the `.env`, and the authorization page
/// the browser opens (an `ATOM_*` override, or the production address).
public struct OAuthApp: Sendable {
    /// The client id and secret.
    public var client: OAuthClientCredentials
    /// The authorization page.
    public var authorizeURL: URL
    /// The platform, for errors.
    public var platform: PlatformID

    /// Reads the app from `store`.
    /// - Parameters:
    ///   - platform: The platform, for errors.
    ///   - idKey: The client id's key, e.g. `TIKTOK_CLIENT_KEY`.
    ///   - secretKey: The client secret's key, e.g. `TIKTOK_CLIENT_SECRET`.
    ///   - registration: One sentence saying where the keys come from (developer portal and product).
    ///   - authorizeKey: The `ATOM_*_AUTH_URL` override's key.
    ///   - defaultURL: The production authorization page.
    ///   - store: The settings.
    /// - Throws: ``PublishError`` (`configuration`) naming missing keys or a malformed override.
    public init(
        _ platform: PlatformID, idKey: String, secretKey: String, registration: String,
        authorizeURL authorizeKey: String, default defaultURL: String, from store: any CredentialStore
    ) throws {
        client = try OAuthClientCredentials.load(
            idKey: idKey, secretKey: secretKey, from: store, platform: platform, whereToGetThem: registration)
        authorizeURL = try store.oauthEndpointURL(authorizeKey, default: defaultURL, platform: platform)
        self.platform = platform
    }

    /// The authorization page for `request`: the client id (as `idField`), `response_type=code`, the scopes
    /// joined by `separator`, then `extra`, followed by what ``AuthorizationRequest/url(base:_:platform:)`` adds.
    public func authorizationURL(
        for request: AuthorizationRequest, scopes: [String], separator: String = ",", idField: String = "client_id",
        extra: [(String, String)] = []
    ) throws -> URL {
        let fields = [(idField, client.id), ("response_type", "code"), ("scope", scopes.joined(separator: separator))]
        return try request.url(base: authorizeURL, fields + extra, platform: platform)
    }
}

extension CredentialStore {
    /// An endpoint URL from an `ATOM_*` override, or the built-in address `defaultURL`.
    /// - Throws: ``PublishError`` (`configuration`) when the override is not an absolute https URL.
    public func oauthEndpointURL(_ key: String, default defaultURL: String, platform: PlatformID) throws -> URL {
        try oauthEndpointURL(key, default: URL(string: defaultURL) ?? URL(fileURLWithPath: "/"), platform: platform)
    }
}
