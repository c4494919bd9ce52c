import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The owner's TikTok grant: who it belongs to (`GET /v2/user/info/`), whether it can post (`creator_info/query`,
/// which needs `video.publish`), revoking it (`POST /v2/oauth/revoke/`), and the missing delete endpoint.
///
/// TikTok has no token introspection endpoint: the scopes granted are known only from the token response at
/// login, so atom checks the scopes it needs by calling the endpoints that need them. Revocation "revokes a user
/// access token and disconnects your app from the user's TikTok account"
/// (https://developers.tiktok.com/doc/oauth-user-access-token-management). The Content Posting API has no delete
/// endpoint (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post): posts are deleted in the
/// TikTok app.
public struct TikTokAccount: AccountControl {
    /// ``PlatformID/tiktok``.
    public let platform = PlatformID.tiktok
    let configuration: TikTokPublisher.Configuration
    let storedOpenID: String?
    let tokens: RefreshingTokenSource
    let client: TikTokClient
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    static let reauthorize = "run `atom auth tiktok` and allow every permission"

    /// Creates the account control.
    /// - Parameters:
    ///   - configuration: Tokens, app credentials and the API base.
    ///   - openID: `TIKTOK_OPEN_ID`, checked against the token's account when set.
    ///   - environment: The transport, the store a refreshed token is saved to, and the clock.
    public init(configuration: TikTokPublisher.Configuration, openID: String? = nil, environment: PublisherEnvironment)
    {
        self.configuration = configuration
        self.storedOpenID = openID
        self.now = environment.now
        self.transport = environment.transport
        let tokens = RefreshingTokenSource.tiktok(
            configuration: configuration, transport: environment.transport, credentials: environment.credentials,
            now: environment.now, logger: environment.logger)
        self.tokens = tokens
        self.client = TikTokClient(
            configuration: configuration, transport: environment.transport, tokens: tokens, now: environment.now)
    }

    // MARK: Status

    /// User info (refreshing once if the token expired or is refused), then creator info for `video.publish`.
    public func status() async throws -> AccountStatus {
        let expired = configuration.accessTokenExpiresAt.map { $0.timeIntervalSince(now()) < 300 } ?? false
        var status = AccountStatus(refresh: expired ? .refreshed : .notNeeded)
        var token: AccessToken
        do {
            token = try await tokens.token()
            status.accessTokenExpiresAt = token.expiresAt
            var user: [String: JSONValue]
            do {
                user = try await userInfo(token)
            } catch let error as PublishError where error.httpStatus == 401 {
                token = try await tokens.refresh(replacing: token)
                status.refresh = .refreshed
                status.accessTokenExpiresAt = token.expiresAt
                user = try await userInfo(token)
            }
            status.account = user["display_name"]?.stringValue
            status.accountID = user["open_id"]?.stringValue
        } catch let error as PublishError where error.code == .authentication || error.code == .permissionDenied {
            if status.refresh == .refreshed { status.refresh = .failed }
            status.problems.append(
                AccountProblem("the token was refused: \(error.message)", remediation: TikTokErrorMapper.reauthorize))
            return status
        }
        if let stored = storedOpenID, let accountID = status.accountID, stored != accountID {
            status.problems.append(
                AccountProblem(
                    "TIKTOK_OPEN_ID does not match the token's account",
                    remediation: "run `atom auth tiktok` to write matching keys"))
        }
        do {
            _ = try await client.creatorInfo()
        } catch let error as PublishError where error.platformCode == "scope_not_authorized" {
            status.missingScopes.append("video.publish")
            status.problems.append(AccountProblem("scope video.publish is not granted", remediation: Self.reauthorize))
        }
        status.notes.append(
            "TikTok does not report a token's scopes; atom checked user.info.basic and video.publish by calling them "
                + "(video.upload is needed for drafts)")
        if configuration.refreshToken == nil {
            status.notes.append(
                "no TIKTOK_REFRESH_TOKEN: the access token lasts 24 hours, then `atom auth tiktok` again")
        }
        return status
    }

    private struct UserEnvelope: Decodable {
        struct Payload: Decodable { var user: [String: JSONValue]? }
        var data: Payload?
        var error: TikTokAPIError?
    }

    /// `GET /v2/user/info/?fields=open_id,display_name`.
    private func userInfo(_ token: AccessToken) async throws -> [String: JSONValue] {
        let operationID = "tiktok.user.info"
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(token.value)"
        let (response, body) = try await transport.send(
            HTTPRequest(method: .get, path: "/v2/user/info/?fields=open_id,display_name", headerFields: fields),
            body: nil, baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        let status = response.status.code
        let decoded = try? SnakeCaseJSON.decode(UserEnvelope.self, from: bytes)
        if let error = decoded?.error, !error.isOK {
            throw TikTokErrorMapper.map(
                error, status: status, headers: response.headerFields, now: now(), operationID: operationID)
        }
        guard (200..<300).contains(status) else {
            throw TikTokErrorMapper.map(
                status: status, body: bytes, headers: response.headerFields, now: now(), operationID: operationID)
        }
        guard let user = decoded?.data?.user else {
            throw TikTokProtocolError.missingData(operationID: operationID, status: status).publishError
        }
        return user
    }

    // MARK: Revoke

    /// `POST /v2/oauth/revoke/` with the app's key and secret and the access token.
    public func revoke() async throws -> Revocation {
        let operationID = "tiktok.oauth.revoke"
        guard let clientKey = configuration.clientKey, let clientSecret = configuration.clientSecret else {
            throw PublishError(
                .configuration, platform: platform, operationID: operationID,
                message: "revoking needs \(TikTokKeys.clientKey) and \(TikTokKeys.clientSecret)",
                remediation:
                    "add them to the .env (TikTok developer portal › your app › App credentials), or remove atom at "
                    + "TikTok › Settings and privacy › Security › Apps and services")
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/x-www-form-urlencoded"
        fields[.cacheControl] = "no-cache"
        let form = HTTPBodies.form([
            ("client_key", clientKey), ("client_secret", clientSecret), ("token", configuration.accessToken),
        ])
        let (response, body) = try await transport.send(
            HTTPRequest(method: .post, path: "/v2/oauth/revoke/", headerFields: fields), body: form,
            baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 64 * 1024)
        let decoded = try? SnakeCaseJSON.decode(TikTokTokenResponse.self, from: bytes)
        guard response.status.code == 200, decoded?.error?.isEmpty ?? true else {
            throw TikTokErrorMapper.mapOAuth(decoded, status: response.status.code, operationID: operationID)
        }
        return .revoked("TikTok revoked the access token and disconnected atom from the account")
    }

    // MARK: Delete

    /// TikTok's API has no delete endpoint.
    public func deletePost(id: String) async throws -> PostDeletion {
        .manual(
            "TikTok's Content Posting API has no delete endpoint; in the TikTok app open the video, tap ⋯ › Delete")
    }
}

extension AccountControlFactory {
    /// TikTok's account control: status, revoke, and the manual delete instructions.
    public static func tiktok() -> AccountControlFactory {
        AccountControlFactory(
            platform: .tiktok, displayName: "TikTok",
            tokenKeys: [
                TikTokKeys.accessToken, TikTokKeys.accessTokenExpiresAt, TikTokKeys.refreshToken, TikTokKeys.openID,
            ],
            requiredKeys: [TikTokKeys.accessToken]
        ) { environment in
            TikTokAccount(
                configuration: try TikTokPublisher.Configuration(store: environment.credentials),
                openID: try environment.credentials.nonEmpty(TikTokKeys.openID), environment: environment)
        }
    }
}
