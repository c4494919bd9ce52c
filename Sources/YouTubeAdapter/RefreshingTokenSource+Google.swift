import Foundation
import Logging
import PublishingCore

extension RefreshingTokenSource {
    /// YouTube access tokens through the kit's token source: the cached one while it is fresh, else a new one from
    /// the refresh token at Google's token endpoint, written back to the `.env` with its expiry.
    static func google(
        configuration: YouTubePublisher.Configuration, transport: any HTTPTransport, credentials: any CredentialStore,
        logger: Logger, now: @escaping @Sendable () -> Date
    ) -> RefreshingTokenSource {
        let operationID = "youtube.oauth.refresh"
        let mapper = YouTubeErrorMapper(platform: .youtube, now: now)
        let endpoint = OAuthTokenEndpoint(
            url: configuration.tokenURL, platform: .youtube, operationID: operationID,
            mapError: { status, bytes in mapper.mapToken(status: status, body: bytes, operationID: operationID) })
        return RefreshingTokenSource(
            initial: configuration.cachedAccessToken, refreshToken: configuration.refreshToken, endpoint: endpoint,
            client: [("client_id", configuration.clientID), ("client_secret", configuration.clientSecret)],
            keys: (
                "YOUTUBE_ACCESS_TOKEN", "YOUTUBE_REFRESH_TOKEN",
                "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT"),
            transport: transport, credentials: credentials, logger: logger, now: now, lifetime: 3600,
            unavailable: nil)
    }
}
