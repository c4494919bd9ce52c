import Foundation
import Logging

/// The kit's token source: the cached access token until it is about to expire or the platform refuses it,
/// then a refresh (`grant_type=refresh_token`) through the platform's ``OAuthTokenEndpoint``, one refresh at a
/// time, written back to the credential store under one policy.
///
/// The write-back policy: the new access token, its expiry and the refresh token (when the platform sent one) are
/// saved together. If saving fails and the platform rotated the refresh token, the refresh fails with a
/// `storage` error (the old refresh token may no longer work, so losing the new one would break the next run);
/// otherwise the failure is logged and the new token lives for this run only.
public struct RefreshingTokenSource: Sendable {
    private let refresher: TokenRefresher

    /// Creates a source.
    /// - Parameters:
    ///   - initial: The cached access token, if any.
    ///   - refreshToken: The refresh token, or `nil` when there is none.
    ///   - client: The client's fields sent with every refresh (`client_id`/`client_key` and the secret).
    ///   - keys: Where the tokens live in the credential store: the access token's key, the refresh token's and
    ///     the access token's expiry (ISO 8601).
    ///   - lifetime: The access token's lifetime when the answer gives no `expires_in`.
    ///   - unavailable: The error when no refresh is possible (no refresh token or client).
    public init(
        initial: AccessToken?, refreshToken: String?, endpoint: OAuthTokenEndpoint, client: [(String, String)],
        keys: (accessToken: String, refreshToken: String, expiresAt: String), transport: any HTTPTransport, credentials: any CredentialStore, logger: Logger,
        now: @escaping @Sendable () -> Date, lifetime: TimeInterval? = nil, margin: TimeInterval = 300,
        unavailable: PublishError?
    ) {
        let latest = LockedBox(refreshToken)
        refresher = TokenRefresher(initial: initial, margin: margin, now: now) {
            guard let current = latest.value, unavailable == nil else {
                throw unavailable ?? PublishError(.authentication, platform: endpoint.platform, message: "no refresh token")
            }
            logger.debug("refreshing the access token", metadata: ["operation": "\(endpoint.operationID)"])
            let answer = try await endpoint.exchange(
                client + [("grant_type", "refresh_token"), ("refresh_token", current)], transport: transport)
            let access = try answer.requireAccessToken()
            let rotated = answer.string("refresh_token") ?? current
            let expiresAt = (answer.number("expires_in") ?? lifetime).map { now().addingTimeInterval($0) }
            var values = [keys.accessToken: access, keys.refreshToken: rotated]
            if let expiresAt { values[keys.expiresAt] = ExpiryTime.format(expiresAt) }
            latest.withLock { $0 = rotated }
            do {
                try credentials.set(values)
            } catch {
                guard rotated == current else {
                    throw PublishError(
                        .storage, platform: endpoint.platform, operationID: endpoint.operationID,
                        message: "new tokens were issued but atom could not save them: "
                            + PublishError.wrapping(error, platform: nil).message,
                        remediation: "make the .env file writable, then run `\(endpoint.command)`")
                }
                logger.debug(
                    "could not save the refreshed access token; it lives for this run only",
                    metadata: ["error": "\(Redaction.redact(String(describing: error)))"])
            }
            return AccessToken(value: access, expiresAt: expiresAt)
        }
    }

    /// A token that is not about to expire (refreshing first if it is).
    public func token() async throws -> AccessToken { try await refresher.token() }

    /// A new token after the platform refused `stale` (unless another caller already replaced it).
    public func refresh(replacing stale: AccessToken) async throws -> AccessToken {
        try await refresher.refreshNow(replacing: stale)
    }
}
