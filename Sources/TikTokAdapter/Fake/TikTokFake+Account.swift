import Foundation
import PlatformKit
import PublishingCore

extension TikTokFake {
    /// `GET /v2/user/info/` and `POST /v2/oauth/revoke/`; mount it before the fake itself, which answers every
    /// other path under the mount with TikTok's 404 envelope.
    public var accountService: TikTokFakeAccountService { TikTokFakeAccountService(fake: self) }
}

/// TikTok's user info and token revocation endpoints as the fake runs them.
///
/// `GET /v2/user/info/?fields=…` needs a valid bearer token and known fields, and answers the `data.user` object in
/// TikTok's envelope (https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info). `POST /v2/oauth/revoke/`
/// takes a form with the app's `client_key`, `client_secret` and the user's access `token`, ends the grant (every
/// access token and the refresh token) and answers an empty object
/// (https://developers.tiktok.com/doc/oauth-user-access-token-management).
public struct TikTokFakeAccountService: FakeService {
    let fake: TikTokFake
    static let userFields: Set<String> = ["open_id", "union_id", "avatar_url", "display_name"]

    /// The fake's mount path.
    public var mountPath: String { fake.mountPath }

    /// Answers the two endpoints; `nil` for anything else.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        switch (request.method, request.path) {
        case ("GET", "/v2/user/info/"): return await userInfo(request)
        case ("POST", "/v2/oauth/revoke/"): return try await revoke(request)
        default: return nil
        }
    }

    private func userInfo(_ request: FakeRequest) async -> FakeResponse {
        guard await fake.state.isValid(accessToken: request.bearerToken) else {
            return Self.envelope(
                401, code: "access_token_invalid", message: "The access token is invalid or not found in the request.")
        }
        let fields = (request.query("fields") ?? "").split(separator: ",").map(String.init)
        guard !fields.isEmpty, fields.allSatisfy(Self.userFields.contains) else {
            return Self.envelope(400, code: "invalid_params", message: "fields is missing or has an unknown field")
        }
        let configuration = fake.state.configuration
        var user: [String: JSONValue] = [:]
        for field in fields {
            switch field {
            case "open_id": user[field] = .string(configuration.openID)
            case "display_name": user[field] = .string(configuration.creator.nickname)
            case "union_id": user[field] = .string("sandbox-union-id")
            default: user[field] = .string("https://example.invalid/avatar.jpg")
            }
        }
        return .json(
            200,
            .object([
                "data": .object(["user": .object(user)]),
                "error": .object(["code": .string("ok"), "message": .string(""), "log_id": .string("FAKEUSERINFO")]),
            ]))
    }

    private func revoke(_ request: FakeRequest) async throws -> FakeResponse {
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return Self.oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        }
        let fields = try await request.formFields()
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        let configuration = fake.state.configuration
        guard field("client_key") == configuration.clientKey, field("client_secret") == configuration.clientSecret
        else {
            return Self.oauthError(401, "invalid_client", "Client key or secret is incorrect.")
        }
        guard let token = field("token"), await fake.state.revoke(accessToken: token) else {
            return Self.oauthError(400, "invalid_request", "The access token is invalid or has been revoked.")
        }
        return .json(200, .object([:]))
    }

    private static func envelope(_ status: Int, code: String, message: String) -> FakeResponse {
        .json(
            status,
            .object([
                "data": .object([:]),
                "error": .object([
                    "code": .string(code), "message": .string(message), "log_id": .string("FAKEUSERINFO"),
                ]),
            ]))
    }

    private static func oauthError(_ status: Int, _ code: String, _ description: String) -> FakeResponse {
        .json(
            status,
            .object([
                "error": .string(code), "error_description": .string(description), "log_id": .string("FAKEREVOKE"),
            ]))
    }
}
