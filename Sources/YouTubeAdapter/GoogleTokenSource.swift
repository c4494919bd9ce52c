import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// YouTube access tokens: the cached one while it is fresh, else a new one from the refresh token at Google's
/// token endpoint (`grant_type=refresh_token`), written back to the `.env` with its expiry. One refresh at a time.
struct GoogleTokenSource: Sendable {
    private let refresher: TokenRefresher

    init(
        configuration: YouTubePublisher.Configuration, transport: any HTTPTransport, credentials: any CredentialStore,
        logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        let mapper = YouTubeErrorMapper(platform: .youtube, now: now)
        let refreshToken = LockedBox(configuration.refreshToken)
        refresher = TokenRefresher(initial: configuration.cachedAccessToken, margin: 300, now: now) {
            try await Self.refresh(
                configuration: configuration, refreshToken: refreshToken, transport: transport,
                credentials: credentials, logger: logger, now: now, mapper: mapper)
        }
    }

    /// A token valid for at least five more minutes.
    func token() async throws -> AccessToken { try await refresher.token() }

    /// A new token after `stale` was refused (unless another request already replaced it).
    func refresh(replacing stale: AccessToken) async throws -> AccessToken {
        try await refresher.refreshNow(replacing: stale)
    }

    private struct TokenResponse: Decodable {
        var accessToken: String
        var expiresIn: Double?
        var refreshToken: String?
    }

    private static func refresh(
        configuration: YouTubePublisher.Configuration, refreshToken: LockedBox<String>, transport: any HTTPTransport,
        credentials: any CredentialStore, logger: Logger, now: @Sendable () -> Date, mapper: YouTubeErrorMapper
    ) async throws -> AccessToken {
        let operationID = "youtube.oauth.refresh"
        let url = configuration.tokenURL
        var request = HTTPRequest(method: .post, absoluteURL: url)
        request.headerFields[.contentType] = "application/x-www-form-urlencoded"
        request.headerFields[.accept] = "application/json"
        let form = HTTPBodies.form([
            ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret),
            ("refresh_token", refreshToken.value), ("grant_type", "refresh_token"),
        ])
        logger.debug("refreshing the YouTube access token", metadata: ["endpoint": "\(Redaction.displayURL(url))"])
        let (response, body) = try await transport.send(
            request, body: form, baseURL: url.origin, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body)
        guard response.status.code == 200 else {
            throw mapper.mapToken(status: response.status.code, body: bytes, operationID: operationID)
        }
        guard let decoded = try? SnakeCaseJSON.decode(TokenResponse.self, from: bytes),
            !decoded.accessToken.isEmpty
        else {
            throw YouTubeFailure.protocolViolation(
                operationID: operationID, detail: "the token response has no access_token"
            )
            .publishError(platform: .youtube)
        }
        let expiresAt = now().addingTimeInterval(decoded.expiresIn ?? 3600)
        let token = AccessToken(value: decoded.accessToken, expiresAt: expiresAt)
        var cache = [
            "YOUTUBE_ACCESS_TOKEN": token.value,
            "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT": expiresAt.formatted(.iso8601),
        ]
        if let rotated = decoded.refreshToken, !rotated.isEmpty, rotated != refreshToken.value {
            // Google normally keeps the refresh token; if it sends a new one, the old one may stop working.
            Redaction.register(secret: rotated)
            refreshToken.withLock { $0 = rotated }
            cache["YOUTUBE_REFRESH_TOKEN"] = rotated
        }
        do {
            try credentials.set(cache)
        } catch {
            // The cache is an optimisation: without a writable .env the token lives for this run only.
            logger.debug(
                "could not cache the YouTube access token",
                metadata: ["error": "\(Redaction.redact(String(describing: error)))"])
        }
        return token
    }
}
