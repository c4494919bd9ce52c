import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The owner's YouTube grant: who it belongs to (`channels.list?mine=true`), what it allows (Google's
/// `tokeninfo`), revoking it (Google's revocation endpoint) and deleting a video (`videos.delete`).
///
/// Google's token endpoints sit next to each other (`https://oauth2.googleapis.com/token`, `/tokeninfo`,
/// `/revoke`), so both are derived from `ATOM_GOOGLE_TOKEN_URL` and need no key of their own.
/// Revocation: https://developers.google.com/identity/protocols/oauth2/native-app#tokenrevoke (revoking the refresh
/// token ends the whole grant and every access token issued from it). Deletion needs the `youtube`,
/// `youtube.force-ssl` or `youtubepartner` scope (https://developers.google.com/youtube/v3/docs/videos/delete),
/// which atom's login does not ask for (it asks `youtube.upload` and `youtube.readonly` only).
public struct YouTubeAccount: AccountControl {
    /// ``PlatformID/youtube``.
    public let platform = PlatformID.youtube
    let configuration: YouTubePublisher.Configuration
    let tokens: RefreshingTokenSource
    let transport: any HTTPTransport
    let api: any HTTPTransport
    let mapper: YouTubeErrorMapper
    let now: @Sendable () -> Date

    /// The scopes atom's login asks for; both are needed (upload, then reading the processing status).
    static let neededScopes = GoogleLoginProvider.scopes
    static let reauthorize = "run `atom auth youtube` and allow every permission"

    /// Creates the account control.
    /// - Parameters:
    ///   - configuration: The OAuth client, tokens and endpoints.
    ///   - environment: The transport, the credential store a refreshed token is saved to, and the clock.
    public init(configuration: YouTubePublisher.Configuration, environment: PublisherEnvironment) {
        self.configuration = configuration
        self.now = environment.now
        self.transport = environment.transport
        self.mapper = YouTubeErrorMapper(platform: .youtube, now: environment.now)
        let tokens = RefreshingTokenSource.google(
            configuration: configuration, transport: environment.transport, credentials: environment.credentials,
            logger: environment.logger, now: environment.now)
        self.tokens = tokens
        self.api = MiddlewareTransport(environment.transport, middlewares: [GoogleAuthMiddleware(tokens: tokens)])
    }

    /// Google's endpoint next to the token endpoint (`…/token` → `…/tokeninfo`, `…/revoke`).
    func sibling(_ name: String) -> URL {
        configuration.tokenURL.deletingLastPathComponent().appendingPathComponent(name)
    }

    // MARK: Status

    /// Refreshes only when the cached access token expired, then asks `tokeninfo` and `channels.list`.
    public func status() async throws -> AccountStatus {
        let expired = configuration.cachedAccessToken.map { $0.isExpiring(within: 300, now: now()) } ?? true
        var status = AccountStatus(refresh: expired ? .refreshed : .notNeeded)
        let token: AccessToken
        do {
            token = try await tokens.token()
        } catch let error as PublishError where error.code == .authentication || error.code == .permissionDenied {
            status.refresh = .failed
            status.problems.append(
                AccountProblem("the refresh token was refused: \(error.message)", remediation: Self.reauthorize))
            return status
        }
        status.accessTokenExpiresAt = token.expiresAt
        let info = try await tokenInfo(token)
        status.scopes = info.scope?.split(separator: " ").map(String.init)
        if let seconds = info.expiresIn.flatMap(Double.init) { status.accessTokenExpiresAt = now() + seconds }
        status.checkScopes(Self.neededScopes, remediation: Self.reauthorize)
        if status.scopes?.contains("https://www.googleapis.com/auth/youtube.readonly") ?? true {
            let channel = try await channel()
            status.account = channel?.title
            status.accountID = channel?.id
            if channel == nil {
                status.problems.append(
                    AccountProblem(
                        "the Google account has no YouTube channel",
                        remediation: "create a channel at https://www.youtube.com/create_channel, then post again"))
            }
        }
        status.notes.append(
            "Google does not tell a refresh token's expiry: it lasts until revoked, unused for six months, or "
                + "7 days while the OAuth consent screen is in Testing")
        return status
    }

    private struct TokenInfo: Decodable {
        var scope: String?
        var expiresIn: String?
    }

    /// `POST …/tokeninfo` with the access token in the form body (not the URL, so it stays out of logs).
    private func tokenInfo(_ token: AccessToken) async throws -> TokenInfo {
        let operationID = "youtube.oauth.tokeninfo"
        let (status, bytes) = try await postForm("tokeninfo", [("access_token", token.value)], operationID: operationID)
        guard status == 200 else {
            throw mapper.mapToken(status: status, body: bytes, operationID: operationID)
        }
        // Google answers expires_in as a string; accept a number too.
        if let info = try? SnakeCaseJSON.decode(TokenInfo.self, from: bytes) { return info }
        let loose = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        let object = loose?.objectValue ?? [:]
        return TokenInfo(
            scope: object["scope"]?.stringValue,
            expiresIn: object["expires_in"].flatMap { value in
                value.stringValue ?? value.numberValue.map { String(Int($0)) }
            })
    }

    /// `GET /youtube/v3/channels?part=snippet&mine=true`: the channel's id and title, or `nil` for none.
    private func channel() async throws -> (id: String, title: String?)? {
        let operationID = "youtube.channels.list"
        let (response, body) = try await api.send(
            HTTPRequest(method: .get, path: "/youtube/v3/channels?part=snippet&mine=true"), body: nil,
            baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        guard response.status.code == 200 else {
            throw mapper.map(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        let items = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.objectValue?["items"]
        guard case .array(let list)? = items, let first = list.first?.objectValue,
            let id = first["id"]?.stringValue
        else { return nil }
        return (id, first["snippet"]?.objectValue?["title"]?.stringValue)
    }

    /// `POST …/<name>` (a sibling of the token endpoint) with a form body, which keeps the token out of URLs and logs.
    private func postForm(_ name: String, _ form: [(String, String)], operationID: String) async throws
        -> (status: Int, bytes: [UInt8])
    {
        let url = sibling(name)
        var request = HTTPRequest(method: .post, absoluteURL: url)
        request.headerFields[.contentType] = "application/x-www-form-urlencoded"
        let (response, body) = try await transport.send(
            request, body: HTTPBodies.form(form), baseURL: url.origin, operationID: operationID)
        return (response.status.code, try await HTTPBodies.collect(body, upTo: 64 * 1024))
    }

    // MARK: Revoke

    /// `POST …/revoke` with the refresh token: Google ends the grant and every token issued from it.
    /// An already revoked or expired token (`invalid_token`) counts as revoked: nothing is left to end.
    public func revoke() async throws -> Revocation {
        let operationID = "youtube.oauth.revoke"
        let (status, bytes) = try await postForm("revoke", [("token", configuration.refreshToken)], operationID: operationID)
        switch status {
        case 200:
            return .revoked("Google ended the grant: the refresh token and every access token issued from it")
        case 400 where GoogleOAuthError.parse(bytes)?.error == "invalid_token":
            return .revoked("Google no longer knew the refresh token (already revoked or expired)")
        default:
            throw mapper.mapToken(status: status, body: bytes, operationID: operationID)
        }
    }

    // MARK: Delete

    /// `DELETE /youtube/v3/videos?id=…`: 204 deleted, 404 already gone; 403 is explained (atom's grant has no
    /// deletion scope unless the owner granted one).
    public func deletePost(id: String) async throws -> PostDeletion {
        let operationID = "youtube.videos.delete"
        guard let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"])) else {
            throw PublishError(.invalidInput, platform: platform, message: "not a YouTube video id: \(id)")
        }
        let (response, body) = try await api.send(
            HTTPRequest(method: .delete, path: "/youtube/v3/videos?id=\(encoded)"), body: nil,
            baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        switch response.status.code {
        case 200..<300: return .deleted
        case 404: return .alreadyGone
        case 403:
            var error = mapper.map(
                status: 403, body: bytes, headers: response.headerFields, operationID: operationID)
            error.code = .permissionDenied
            error.remediation =
                "atom's grant (youtube.upload, youtube.readonly) does not include deleting videos; delete it in "
                + "YouTube Studio: https://studio.youtube.com/video/\(encoded)/edit (⋮ › Delete forever)"
            throw error
        default:
            throw mapper.map(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
        }
    }
}

extension AccountControlFactory {
    /// YouTube's account control: status, revoke and delete over the configured endpoints.
    public static func youtube() -> AccountControlFactory {
        AccountControlFactory(
            platform: .youtube, displayName: YouTubePublisher.displayName,
            tokenKeys: ["YOUTUBE_REFRESH_TOKEN", "YOUTUBE_ACCESS_TOKEN", "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT"],
            requiredKeys: YouTubePublisher.Configuration.requiredKeys
        ) { environment in
            YouTubeAccount(
                configuration: try YouTubePublisher.Configuration(store: environment.credentials),
                environment: environment)
        }
    }
}
