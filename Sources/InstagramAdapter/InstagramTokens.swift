import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The access token, kept fresh one refresh at a time.
///
/// Instagram Login tokens live 60 days and are renewed with `GET /refresh_access_token`
/// (`grant_type=ig_refresh_token`) once they are within ``InstagramConfiguration/refreshMargin`` of expiry;
/// the new token and its expiry are written back to the `.env` (`INSTAGRAM_ACCESS_TOKEN`,
/// `INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT`). When the expiry is unknown, one refresh is tried to learn it.
/// A refresh that fails while the token is still valid is not fatal: the current token is used. An
/// expired token cannot be refreshed, so it is refused before any request. Facebook Login tokens are
/// used as they are (Page tokens do not expire; a long-lived user token needs `atom auth instagram`).
final class InstagramTokens: Sendable {
    private struct State: Sendable {
        var current: AccessToken
        var gaveUp = false
        var refreshed = false
    }

    private let refresher: TokenRefresher
    private let state: LockedBox<State>

    init(
        configuration: InstagramConfiguration, transport: any HTTPTransport, credentials: any CredentialStore,
        logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        let initial = AccessToken(value: configuration.accessToken, expiresAt: configuration.accessTokenExpiresAt)
        let state = LockedBox(State(current: initial))
        self.state = state
        let refreshable = configuration.login == .instagram
        let unknownExpiry = refreshable && configuration.accessTokenExpiresAt == nil
        refresher = TokenRefresher(
            initial: unknownExpiry ? nil : initial, margin: refreshable ? configuration.refreshMargin : 0, now: now
        ) {
            let current = state.value.current
            if let expiresAt = current.expiresAt, expiresAt <= now() {
                throw PublishError(
                    .authentication, platform: .instagram, operationID: "instagram.token",
                    message:
                        "the Instagram access token expired on \(ExpiryTime.format(expiresAt)) and cannot be refreshed",
                    remediation: "run `atom auth instagram`")
            }
            guard refreshable, !state.value.gaveUp else { return current }
            do {
                let fresh = try await Self.refresh(
                    current, configuration: configuration, transport: transport, now: now)
                do {
                    var values = ["INSTAGRAM_ACCESS_TOKEN": fresh.value]
                    if let expiresAt = fresh.expiresAt {
                        values["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] = ExpiryTime.format(expiresAt)
                    }
                    try credentials.set(values)
                } catch {
                    throw PublishError(
                        .storage, platform: .instagram, operationID: "instagram.token.save",
                        message:
                            "the Instagram token was refreshed but could not be saved: \(PublishError.wrapping(error, platform: nil).message)",
                        remediation:
                            "check that the .env file is writable; the old token keeps working until it expires")
                }
                state.withLock {
                    $0.current = fresh; $0.refreshed = true
                }
                logger.debug(
                    "instagram: access token refreshed",
                    metadata: ["expires_at": "\(fresh.expiresAt.map(ExpiryTime.format) ?? "?")"])
                return fresh
            } catch let error as PublishError where error.code == .authentication || error.code == .storage {
                throw error
            } catch {
                // The token still works; a failed early refresh (too young, a network blip) must not stop the post.
                logger.debug(
                    "instagram: token refresh failed, using the current token",
                    metadata: ["error": "\(PublishError.wrapping(error, platform: .instagram))"])
                state.withLock { $0.gaveUp = true }
                return current
            }
        }
    }

    /// A valid token, refreshed first when it is close to expiry.
    func token() async throws -> AccessToken { try await refresher.token() }

    /// Whether this run refreshed the token.
    var didRefresh: Bool { state.value.refreshed }

    /// `GET {instagram host}/refresh_access_token?grant_type=ig_refresh_token&access_token=…`.
    ///
    /// The one call where the token travels in the query: it is the subject of the call, and Meta's
    /// reference documents only that form (`access_token` is a required query parameter).
    private static func refresh(
        _ token: AccessToken, configuration: InstagramConfiguration, transport: any HTTPTransport,
        now: @Sendable () -> Date
    ) async throws -> AccessToken {
        let operationID = "instagram.token.refresh"
        var headers = HTTPFields()
        headers[.accept] = "application/json"
        let request = HTTPRequest(
            method: .get, path: "/refresh_access_token",
            query: [("grant_type", "ig_refresh_token"), ("access_token", token.value)], headerFields: headers)
        let (response, body) = try await transport.send(
            request, body: nil, baseURL: configuration.instagramAPIBase, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body)
        let mapper = GraphErrorMapper(platform: .instagram, reauthorize: "run `atom auth instagram`")
        guard (200..<300).contains(response.status.code), GraphAPIError.parse(bytes) == nil else {
            throw mapper.map(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        guard let answer = try? SnakeCaseJSON.decode(RefreshedToken.self, from: bytes),
            !answer.accessToken.isEmpty
        else {
            throw InstagramProtocolError.malformedResponse(
                operationID: operationID, detail: "no access_token in the refresh answer"
            ).publishError()
        }
        let expiresAt = answer.expiresIn.map { now().addingTimeInterval(TimeInterval($0)) }
        return AccessToken(value: answer.accessToken, expiresAt: expiresAt)
    }
}
