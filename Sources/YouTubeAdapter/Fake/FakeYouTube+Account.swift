import Foundation
import PlatformKit
import PublishingCore

extension FakeYouTube {
    /// The channel the sandbox grant belongs to.
    public static let channelID = "UCsandboxAtomChannel0001"
    /// Its title.
    public static let channelTitle = "atom sandbox channel"

    /// The scopes the grant holds (what `tokeninfo` reports; `videos.delete` needs `youtube`, `youtube.force-ssl`
    /// or `youtubepartner`, which atom's login does not ask for).
    public func setGrantedScopes(_ scopes: [String]) async { await state.setGrantedScopes(scopes) }
    /// How many times the grant was revoked at `…/revoke`.
    public func revocationCount() async -> Int { await state.revocations }
    /// Whether the fake still accepts `token` as a refresh token.
    public func acceptsRefreshToken(_ token: String) async -> Bool { await state.knows(refreshToken: token) }

    /// Google's `tokeninfo` and `revoke` endpoints, next to the token endpoint (`/google-oauth/tokeninfo`,
    /// `/google-oauth/revoke`).
    public var tokenAdmin: FakeGoogleTokenAdmin { FakeGoogleTokenAdmin(fake: self) }
    /// `channels.list?mine=true` and `videos.delete` under `/youtube`.
    public var accountAPI: FakeYouTubeAccountAPI { FakeYouTubeAccountAPI(fake: self) }
}

/// Google's token information and revocation endpoints as the fake runs them.
///
/// `POST /tokeninfo` (form `access_token`) answers the token's scopes and remaining lifetime, or 400
/// `invalid_token`. `POST /revoke` (form `token`, a refresh or access token) ends the whole grant, as Google does
/// for a refresh token (https://developers.google.com/identity/protocols/oauth2/native-app#tokenrevoke), or answers
/// 400 `invalid_token` for a token it does not know. Both require a form body.
public struct FakeGoogleTokenAdmin: FakeService {
    let fake: FakeYouTube

    /// Mounted next to the token endpoint.
    public var mountPath: String { FakeYouTube.oauthMountPath }

    /// Answers `POST /tokeninfo` and `POST /revoke`; `nil` for anything else.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "POST", ["/tokeninfo", "/revoke"].contains(request.path) else { return nil }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return Self.error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        }
        let fields = try await request.formFields()
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        if request.path == "/revoke" {
            guard let token = field("token"), await fake.state.revokeGrant(token: token) else {
                return Self.error(400, "invalid_token", "Token expired or revoked")
            }
            return .json(200, .object([:]))
        }
        guard let token = field("access_token"), let expiry = await fake.state.expiry(ofAccessToken: token),
            expiry > fake.state.now()
        else {
            return Self.error(400, "invalid_token", "Invalid Value")
        }
        let remaining = Int(expiry.timeIntervalSince(fake.state.now()))
        return .json(
            200,
            .object([
                "azp": .string(FakeYouTube.clientID), "aud": .string(FakeYouTube.clientID),
                "scope": .string(await fake.state.grantedScopes.joined(separator: " ")),
                "exp": .string(String(Int(expiry.timeIntervalSince1970))), "expires_in": .string(String(remaining)),
                "access_type": .string("offline"),
            ]))
    }

    private static func error(_ status: Int, _ code: String, _ description: String) -> FakeResponse {
        .json(status, .object(["error": .string(code), "error_description": .string(description)]))
    }
}

/// `channels.list?mine=true` and `videos.delete`, with the bearer tokens and scopes Google checks.
public struct FakeYouTubeAccountAPI: FakeService {
    let fake: FakeYouTube
    static let deletionScopes: Set<String> = [
        "https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.force-ssl",
        "https://www.googleapis.com/auth/youtubepartner",
    ]
    static let readScopes: Set<String> = deletionScopes.union(["https://www.googleapis.com/auth/youtube.readonly"])

    /// Mounted with the API.
    public var mountPath: String { FakeYouTube.apiMountPath }

    /// Answers `GET /youtube/v3/channels` and `DELETE /youtube/v3/videos`; `nil` for anything else.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        switch (request.method, request.path) {
        case ("GET", "/youtube/v3/channels"), ("DELETE", "/youtube/v3/videos"): break
        default: return nil
        }
        guard await fake.state.isValid(accessToken: request.bearerToken) else {
            await fake.state.noteUnauthorized()
            return FakeGoogleError.unauthorized.response
        }
        let scopes = Set(await fake.state.grantedScopes)
        if request.method == "GET" {
            guard request.query("mine") == "true",
                request.query("part")?.split(separator: ",").contains("snippet") == true
            else {
                return FakeGoogleError(status: 400, reason: "missingRequiredParameter", message: "No filter selected.")
                    .response
            }
            guard !scopes.isDisjoint(with: Self.readScopes) else { return Self.insufficientScopes.response }
            return .json(
                200,
                .object([
                    "kind": .string("youtube#channelListResponse"),
                    "items": .array([
                        .object([
                            "kind": .string("youtube#channel"), "id": .string(FakeYouTube.channelID),
                            "snippet": .object(["title": .string(FakeYouTube.channelTitle)]),
                        ])
                    ]),
                ]))
        }
        guard let id = request.query("id"), !id.isEmpty else {
            return FakeGoogleError(status: 400, reason: "missingRequiredParameter", message: "No filter selected.")
                .response
        }
        guard !scopes.isDisjoint(with: Self.deletionScopes) else { return Self.insufficientScopes.response }
        guard await fake.state.deleteVideo(id) else {
            return FakeGoogleError(
                status: 404, reason: "videoNotFound",
                message: "The video that you are trying to delete cannot be found.",
                domain: "youtube.video"
            ).response
        }
        return FakeResponse(status: 204)
    }

    /// 403 `insufficientPermissions`, Google's answer to a token without the method's scope.
    static let insufficientScopes = FakeGoogleError(
        status: 403, reason: "insufficientPermissions", message: "Request had insufficient authentication scopes.",
        domain: "global")
}
