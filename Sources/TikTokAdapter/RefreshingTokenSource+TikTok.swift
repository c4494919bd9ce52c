import Foundation
import Logging
import PublishingCore

extension RefreshingTokenSource {
    /// The TikTok access token through the kit's token source: `POST /v2/oauth/token/` with the client key and
    /// secret; TikTok rotates the refresh token, so both tokens and the new expiry are written back to the `.env`.
    static func tiktok(
        configuration: TikTokPublisher.Configuration, transport: any HTTPTransport, credentials: any CredentialStore,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) -> RefreshingTokenSource {
        let operationID = "tiktok.token.refresh"
        let endpoint = OAuthTokenEndpoint(
            url: configuration.baseURL.appendingOAuthPath("/v2/oauth/token/"), platform: .tiktok,
            operationID: operationID,
            mapError: { status, bytes in
                TikTokErrorMapper.mapOAuth(
                    try? SnakeCaseJSON.decode(TikTokTokenResponse.self, from: bytes), status: status,
                    operationID: operationID)
            })
        let canRefresh =
            configuration.clientKey != nil && configuration.clientSecret != nil && configuration.refreshToken != nil
        return RefreshingTokenSource(
            initial: AccessToken(value: configuration.accessToken, expiresAt: configuration.accessTokenExpiresAt),
            refreshToken: configuration.refreshToken, endpoint: endpoint,
            client: [("client_key", configuration.clientKey ?? ""), ("client_secret", configuration.clientSecret ?? "")],
            keys: (
                TikTokKeys.accessToken, TikTokKeys.refreshToken,
                TikTokKeys.accessTokenExpiresAt),
            transport: transport, credentials: credentials, logger: logger, now: now,
            unavailable: canRefresh
                ? nil
                : PublishError(
                    .authentication, platform: .tiktok, operationID: operationID,
                    message:
                        "the TikTok access token expired and cannot be refreshed: \(TikTokKeys.refreshToken), \(TikTokKeys.clientKey) and \(TikTokKeys.clientSecret) are needed",
                    remediation: TikTokErrorMapper.reauthorize))
    }
}
