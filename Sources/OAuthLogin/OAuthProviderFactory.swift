import Foundation
import PublishingCore

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
    public init(
        platform: PlatformID, displayName: String,
        build: @escaping @Sendable (any CredentialStore) throws -> any OAuthProvider
    ) {
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
