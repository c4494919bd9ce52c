import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The TikTok access token: refreshed before it expires or after TikTok refuses it, one refresh at a time,
/// with both rotated tokens and the new expiry written back to the `.env`.
struct TikTokTokenSource: Sendable {
    private let refresher: TokenRefresher

    init(
        configuration: TikTokPublisher.Configuration, transport: any HTTPTransport, credentials: any CredentialStore,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        let latestRefreshToken = LockedBox(configuration.refreshToken)
        let initial = AccessToken(value: configuration.accessToken, expiresAt: configuration.accessTokenExpiresAt)
        refresher = TokenRefresher(initial: initial, margin: 300, now: now) {
            try await Self.refresh(
                configuration: configuration, refreshToken: latestRefreshToken, transport: transport,
                credentials: credentials, now: now, logger: logger)
        }
    }

    /// A token that is not about to expire (refreshing first if it is).
    func current() async throws -> AccessToken { try await refresher.token() }

    /// A new token after TikTok refused `stale` (unless another caller already replaced it).
    func refresh(replacing stale: AccessToken) async throws -> AccessToken {
        try await refresher.refreshNow(replacing: stale)
    }

    /// `POST /v2/oauth/token/` with `grant_type=refresh_token`; TikTok rotates the refresh token.
    private static func refresh(
        configuration: TikTokPublisher.Configuration, refreshToken: LockedBox<String?>, transport: any HTTPTransport,
        credentials: any CredentialStore, now: @Sendable () -> Date, logger: Logger
    ) async throws -> AccessToken {
        let operationID = "tiktok.token.refresh"
        guard let clientKey = configuration.clientKey, let clientSecret = configuration.clientSecret,
            let current = refreshToken.value
        else {
            throw PublishError(
                .authentication, platform: .tiktok, operationID: operationID,
                message:
                    "the TikTok access token expired and cannot be refreshed: \(TikTokKeys.refreshToken), \(TikTokKeys.clientKey) and \(TikTokKeys.clientSecret) are needed",
                remediation: TikTokErrorMapper.reauthorize
            )
        }
        logger.debug("refreshing the TikTok access token")
        var fields = HTTPFields()
        fields[.contentType] = "application/x-www-form-urlencoded"
        fields[.cacheControl] = "no-cache"
        let body = HTTPBodies.form([
            ("client_key", clientKey), ("client_secret", clientSecret), ("grant_type", "refresh_token"),
            ("refresh_token", current),
        ])
        let (response, responseBody) = try await transport.send(
            HTTPRequest(method: .post, path: "/v2/oauth/token/", headerFields: fields), body: body,
            baseURL: configuration.baseURL, operationID: operationID
        )
        let bytes = try await HTTPBodies.collect(responseBody)
        let status = response.status.code
        let decoded = try? JSONDecoder().decode(TikTokTokenResponse.self, from: Data(bytes))
        guard status == 200, let decoded, decoded.error == nil || decoded.error == "", let access = decoded.accessToken,
            !access.isEmpty
        else {
            throw TikTokErrorMapper.mapOAuth(decoded, status: status, operationID: operationID)
        }
        let rotated = decoded.refreshToken.flatMap { $0.isEmpty ? nil : $0 } ?? current
        refreshToken.withLock { $0 = rotated }
        Redaction.register(secret: access)
        Redaction.register(secret: rotated)
        let expiresAt = decoded.expiresIn.map { now().addingTimeInterval(TimeInterval($0)) }
        var values = [TikTokKeys.accessToken: access, TikTokKeys.refreshToken: rotated]
        if let expiresAt { values[TikTokKeys.accessTokenExpiresAt] = ISO8601DateFormatter().string(from: expiresAt) }
        do {
            try credentials.set(values)
        } catch {
            // The old refresh token no longer works: losing the new one silently would break the next run.
            throw PublishError(
                .storage, platform: .tiktok, operationID: operationID,
                message:
                    "TikTok issued new tokens but atom could not save them: \(PublishError.wrapping(error, platform: nil).message)",
                remediation: "make the .env file writable, then \(TikTokErrorMapper.reauthorize)"
            )
        }
        return AccessToken(value: access, expiresAt: expiresAt)
    }
}
